import { InspectionDeclaration } from '@cic/contracts';
import { configureHttp, setupOpenApi } from '@cic/platform-http';
import { startKafkaTransport } from '@cic/platform-messaging';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { IntakeConfig } from './config';
import { InspectionResultBody } from './declarations/declarations.controller';
import { IntakeApiModule, IntakeWorkerModule } from './intake.module';

/** The api role, ready to listen: HTTP conventions, OpenAPI, Kafka consuming. */
export async function createIntakeApi(config: IntakeConfig): Promise<INestApplication> {
  const app = await NestFactory.create(IntakeApiModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  configureHttp(app, config.MAX_DECLARATION_BYTES ?? config.KAFKA_MAX_MESSAGE_BYTES);
  // API docs only where asked for (on by default outside production: see LOCAL_DEFAULTS).
  if (config.DOCS_ENABLED)
    setupOpenApi(app, {
      title: 'declaration-intake',
      description:
        'Export inspection declarations: submission, status, clearance outcome, inspection results. Errors are application/problem+json (RFC 9457).',
      version: '1.0.0',
      bodies: [
        {
          method: 'post',
          path: '/v1/declarations',
          name: 'InspectionDeclaration',
          schema: InspectionDeclaration,
        },
        {
          method: 'post',
          path: '/v1/declarations/{id}/inspection-results',
          name: 'InspectionResult',
          schema: InspectionResultBody,
        },
      ],
    });
  await startKafkaTransport(app);
  return app;
}

/** The worker role: BullMQ processors, with /health and /metrics of its own (no API). */
export async function createIntakeWorker(config: IntakeConfig): Promise<INestApplication> {
  const app = await NestFactory.create(IntakeWorkerModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await app.init();
  return app;
}
