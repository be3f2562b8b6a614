import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthRegistry } from './health';
import { metricsRegistry } from './metrics';

@Controller()
export class ObservabilityController {
  constructor(private readonly health: HealthRegistry) {}

  /** The process is up and its event loop answers. Never touches dependencies. */
  @Get('health/live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Postgres, Redis and the Kafka consumer all usable: 200, else 503 with what failed. */
  @Get('health/ready')
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.health.run();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  }
}
