import { startKafkaTransport } from '@cic/platform-messaging';
import { JsonLogger } from '@cic/platform-observability';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IntakeConfig } from './config';
import { configureHttp } from './http/http-setup';
import { IntakeApiModule, IntakeWorkerModule } from './intake.module';
import { setupOpenApi } from './openapi';

/** The api role, ready to listen: HTTP conventions, OpenAPI, Kafka consuming. */
export async function createIntakeApi(config: IntakeConfig): Promise<INestApplication> {
  const app = await NestFactory.create(IntakeApiModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(JsonLogger));
  configureHttp(app, config.MAX_DECLARATION_BYTES);
  setupOpenApi(app);
  await startKafkaTransport(app);
  return app;
}

export async function createIntakeWorker(config: IntakeConfig): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(IntakeWorkerModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  ctx.useLogger(ctx.get(JsonLogger));
  await ctx.init();
  return ctx;
}
