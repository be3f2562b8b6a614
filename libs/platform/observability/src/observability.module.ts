import { type DynamicModule, Global, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { HealthRegistry } from './health';
import { type JsonLogLevel, JsonLogger } from './json-logger';
import { enableDefaultMetrics } from './metrics';
import { ObservabilityController } from './observability.controller';
import { traceMiddleware } from './trace.middleware';

export interface ObservabilityOptions {
  service: string;
  logLevel?: JsonLogLevel;
  /** See HealthOptions.readinessGraceMs. */
  readinessGraceMs?: number;
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
        {
          provide: HealthRegistry,
          useFactory: () => {
            const registry = new HealthRegistry();
            if (options.readinessGraceMs !== undefined) registry.readinessGraceMs = options.readinessGraceMs;
            return registry;
          },
        },
        { provide: JsonLogger, useValue: new JsonLogger(options.service, options.logLevel) },
      ],
      exports: [HealthRegistry, JsonLogger],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(traceMiddleware).forRoutes('*path');
  }
}
