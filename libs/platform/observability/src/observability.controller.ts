import { Controller, Get, Header, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { HealthRegistry } from './health';
import { metricsRegistry } from './metrics';

@Controller()
export class ObservabilityController {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /**
   * The process is up, its event loop answers and nothing in it has failed for good (a Kafka consumer
   * that crashed and will not restart, a stopped relay): 503 tells the orchestrator to restart it.
   * Never touches dependencies, so an outage of one does not restart every replica.
   */
  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check(
      this.registry.livenessNames().map((name) => async () => {
        const session = this.indicators.check(name);
        return this.registry.isLive(name)
          ? session.up()
          : session.down({ message: 'failed for good; restart' });
      }),
    );
  }

  /**
   * Whether this instance can serve: 200 when every check passes, or when a dependency that worked has
   * been failing for less than the grace period (`degraded`); else 503 with what failed.
   */
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.registry.names().map((name) => async () => {
        const session = this.indicators.check(name);
        const r = await this.registry.runOne(name);
        if (r.status === 'ok') return session.up({ ms: r.ms });
        const detail = { message: r.error ?? 'failing', failingForMs: r.failingForMs ?? 0 };
        return r.status === 'degraded' ? session.degraded(detail) : session.down(detail);
      }),
    );
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  }
}
