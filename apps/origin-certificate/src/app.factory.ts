import { configureHttp, type OpenApiBody, setupOpenApi } from '@cic/platform-http';
import { startKafkaTransport } from '@cic/platform-messaging';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ApplicationBody, CorrectionBody, ReasonBody } from './common/schemas';
import { assertProductionSafe, type OriginConfig } from './config';
import { OriginApiModule, OriginWorkerModule } from './origin.module';

/** Largest request body read (an application has at most 999 goods lines and 20 items of 200 materials). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const openApiBodies: OpenApiBody[] = [
  { method: 'post', path: '/v1/certificates/applications', name: 'ApplicationBody', schema: ApplicationBody },
  {
    method: 'post',
    path: '/v1/certificates/{number}/corrections',
    name: 'CorrectionBody',
    schema: CorrectionBody,
  },
  { method: 'post', path: '/v1/certificates/{number}/revoke', name: 'ReasonBody', schema: ReasonBody },
];

/** The api role, ready to listen: HTTP conventions, OpenAPI, Kafka consuming. */
export async function createOriginApi(config: OriginConfig): Promise<INestApplication> {
  assertProductionSafe(config);
  const app = await NestFactory.create<NestExpressApplication>(OriginApiModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  if (config.TRUST_PROXY) app.set('trust proxy', config.TRUST_PROXY);
  configureHttp(app, MAX_BODY_BYTES);
  if (config.DOCS_ENABLED)
    setupOpenApi(app, {
      title: 'origin-certificate',
      description:
        'Preferential certificates of origin (优惠原产地证) under RCEP and China-ASEAN (Form E): decided on the rules ' +
        'of origin for declarations that request one (inspection.declaration.accepted.v1) and for applications ' +
        'through this API; 16-character numbers; Ed25519 signatures over RFC 8785 canonical JSON with the public ' +
        'keys at /.well-known/jwks.json; public verification; corrections (replacement) and revocation; PDFs ' +
        'rendered by the worker. Errors are application/problem+json (RFC 9457).',
      version: '1',
      bodies: openApiBodies,
    });
  await startKafkaTransport(app);
  return app;
}

/** The worker role: PDF renders on BullMQ, with /health and /metrics of its own (no API). */
export async function createOriginWorker(config: OriginConfig): Promise<INestApplication> {
  assertProductionSafe(config);
  const app = await NestFactory.create(OriginWorkerModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await app.init();
  return app;
}
