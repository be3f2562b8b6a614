import { type DynamicModule, Global, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { HealthRegistry } from './health';
import { type JsonLogLevel, JsonLogger } from './json-logger';
import { enableDefaultMetrics } from './metrics';
import { ObservabilityController } from './observability.controller';
import { traceMiddleware } from './trace.middleware';

export interface ObservabilityOptions {
  service: string;
  logLevel?: JsonLogLevel;
}

@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    enableDefaultMetrics(options.service);
    return {
      module: ObservabilityModule,
      controllers: [ObservabilityController],
      providers: [
        HealthRegistry,
        { provide: JsonLogger, useValue: new JsonLogger(options.service, options.logLevel) },
      ],
      exports: [HealthRegistry, JsonLogger],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(traceMiddleware).forRoutes('*path');
  }
}
