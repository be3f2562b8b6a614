import { configureHttp, type OpenApiBody, setupOpenApi } from '@cic/platform-http';
import { startKafkaTransport } from '@cic/platform-messaging';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ApplicationBody } from './applications/applications.controller';
import { assertProductionSafe, type ExemptionConfig } from './config';
import { ExemptionApiModule, ExemptionWorkerModule } from './exemption.module';
import { GrantBody, ReasonBody } from './grants/grants.controller';
import { CertificateBody, DisputeBody, NotificationBody } from './records/records.controller';

/** Largest request body read (the bodies here are small records). */
const MAX_BODY_BYTES = 256 * 1024;

const openApiBodies: OpenApiBody[] = [
  { method: 'post', path: '/v1/applications', name: 'ApplicationBody', schema: ApplicationBody },
  { method: 'post', path: '/v1/grants', name: 'GrantBody', schema: GrantBody },
  ...(['suspend', 'reinstate', 'revoke'] as const).map((a) => ({
    method: 'post' as const,
    path: `/v1/grants/{id}/${a}`,
    name: 'ReasonBody',
    schema: ReasonBody,
  })),
  {
    method: 'post',
    path: '/v1/enterprises/{code}/certificates',
    name: 'CertificateBody',
    schema: CertificateBody,
  },
  { method: 'post', path: '/v1/enterprises/{code}/disputes', name: 'DisputeBody', schema: DisputeBody },
  {
    method: 'post',
    path: '/v1/enterprises/{code}/foreign-notifications',
    name: 'NotificationBody',
    schema: NotificationBody,
  },
];

/** The api role, ready to listen: HTTP conventions, OpenAPI, Kafka consuming. */
export async function createExemptionApi(config: ExemptionConfig): Promise<INestApplication> {
  assertProductionSafe(config);
  const app = await NestFactory.create(ExemptionApiModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  configureHttp(app, MAX_BODY_BYTES);
  if (config.DOCS_ENABLED)
    setupOpenApi(app, {
      title: 'exemption',
      description:
        'Export inspection exemption (出口免验): applications evaluated with their evidence, grants (ACTIVE, SUSPENDED, ' +
        'REVOKED, EXPIRED) with history, automatic suspension on a FAIL result or a foreign notification, daily expiry ' +
        'and renewal reminders, and an exemption decision per declaration line. Errors are application/problem+json (RFC 9457).',
      version: '1',
      bodies: openApiBodies,
    });
  await startKafkaTransport(app);
  return app;
}

/** The worker role: the daily grant maintenance on BullMQ, with /health and /metrics of its own (no API). */
export async function createExemptionWorker(config: ExemptionConfig): Promise<INestApplication> {
  assertProductionSafe(config);
  const app = await NestFactory.create(ExemptionWorkerModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await app.init();
  return app;
}
