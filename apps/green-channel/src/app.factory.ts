import { configureHttp, setupOpenApi } from '@cic/platform-http';
import { startKafkaTransport } from '@cic/platform-messaging';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { approvalOpenApiBodies } from './approval';
import { assertProductionSafe, type GreenChannelConfig } from './config';
import { GreenChannelApiModule, GreenChannelWorkerModule } from './green-channel.module';
import { historyOpenApiBodies } from './history';
import { referenceOpenApiBodies } from './reference';

/** The api role, ready to listen: HTTP conventions, OpenAPI, Kafka consuming. */
export async function createGreenChannelApi(config: GreenChannelConfig): Promise<INestApplication> {
  assertProductionSafe(config);
  const app = await NestFactory.create(GreenChannelApiModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // Reference-data imports are the largest bodies this service reads.
  configureHttp(app, config.MAX_IMPORT_BYTES);
  if (config.DOCS_ENABLED)
    setupOpenApi(app, {
      title: 'green-channel',
      description:
        'Inspection lane per declaration (GREEN, YELLOW, RED) from credit tier, demonstration zones, history ' +
        'and risk alerts; green-channel approval per enterprise; the reference data behind both. ' +
        'Errors are application/problem+json (RFC 9457).',
      version: '1',
      bodies: [...referenceOpenApiBodies, ...historyOpenApiBodies, ...approvalOpenApiBodies],
    });
  await startKafkaTransport(app);
  return app;
}

/** The worker role: the slow checks on BullMQ, with /health and /metrics of its own (no API). */
export async function createGreenChannelWorker(config: GreenChannelConfig): Promise<INestApplication> {
  assertProductionSafe(config);
  const app = await NestFactory.create(GreenChannelWorkerModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await app.init();
  return app;
}
