import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthRegistry } from './health';
import { metricsRegistry } from './metrics';

@Controller()
export class ObservabilityController {
  constructor(private readonly health: HealthRegistry) {}

  /**
   * The process is up, its event loop answers and nothing in it has failed for good (a Kafka consumer
   * that crashed and will not restart, a stopped relay): 503 tells the orchestrator to restart it.
   * Never touches dependencies, so an outage of one does not restart every replica.
   */
  @Get('health/live')
  live(@Res() res: Response): void {
    const report = this.health.live();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  /**
   * Whether this instance can serve: 200 when every check passes or a dependency that worked has been
   * failing for less than the grace period ('degraded'), else 503 with what failed.
   */
  @Get('health/ready')
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.health.run();
    res.status(report.status === 'error' ? 503 : 200).json(report);
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  }
}
