import { HealthRegistry } from '@cic/platform-observability';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { LaneDecider } from '../lanes/lane-decider';
import { PollingLoop } from '@cic/platform-queue';

export const DEADLINE_BATCH = 200;

/**
 * The check deadline: a lane still waiting for slow checks at its due time is decided with what is
 * known, the unfinished checks counted as CHECK_TIMEOUT (never GREEN). Postgres only (rows locked with
 * SKIP LOCKED), so a Redis outage cannot hold a lane back and several workers share the sweep.
 */
@Injectable()
export class LaneDeadlines implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LaneDeadlines');
  private readonly loop: PollingLoop;

  constructor(
    private readonly decider: LaneDecider,
    @Inject(GREEN_CHANNEL_CONFIG) config: GreenChannelConfig,
    health: HealthRegistry,
  ) {
    this.loop = new PollingLoop(
      {
        name: 'lane deadline sweep',
        idleMs: config.CHECK_SWEEP_MS,
        batch: DEADLINE_BATCH,
        logger: this.logger,
      },
      () => this.sweepOnce(),
    );
    health.register({ name: 'lane-deadlines', check: () => this.loop.health() });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  async sweepOnce(): Promise<number> {
    const n = await this.decider.decideOverdue(DEADLINE_BATCH);
    if (n) this.logger.warn({ msg: `decided ${n} lane(s) whose slow checks ran out of time`, count: n });
    return n;
  }
}
