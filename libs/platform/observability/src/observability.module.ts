import { type DynamicModule, Global, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { HealthRegistry } from './health';
import { type LogLevel, pinoParams } from './logging';
import { enableDefaultMetrics } from './metrics';
import { ObservabilityController } from './observability.controller';
import { traceMiddleware } from './trace.middleware';

export interface ObservabilityOptions {
  service: string;
  logLevel?: LogLevel;
  /** See HealthOptions.readinessGraceMs. */
  readinessGraceMs?: number;
}

/**
 * Logs (pino through nestjs-pino: use `app.useLogger(app.get(Logger))`), health (terminus, over the
 * checks the platform libraries register) and Prometheus metrics for one service.
 */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    enableDefaultMetrics(options.service);
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot(pinoParams(options.service, options.logLevel)), TerminusModule],
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
      ],
      exports: [HealthRegistry, LoggerModule],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(traceMiddleware).forRoutes('*path');
  }
}
