import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HealthRegistry } from '@cic/platform-observability';
import { PollingLoop } from '@cic/platform-queue';
import type { IntakeConfig } from '../config';
import { ClearanceService } from '../declarations/clearance.service';
import { INTAKE_CONFIG } from '../intake.tokens';

/** Declarations decided per sweep transaction; a full sweep is followed at once by the next. */
export const SWEEP_BATCH = 200;

/**
 * The decision timeout, in the worker role. Every declaration carries its deadline in Postgres; this
 * loop decides what is due (DOCUMENT_REVIEW, or stricter; never RELEASED). It needs only Postgres: a
 * Redis outage cannot delay a deadline, and several workers share the work (rows are locked with SKIP
 * LOCKED, so none is decided twice).
 */
@Injectable()
export class DecisionDeadlines implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DecisionDeadlines');
  private readonly loop: PollingLoop;

  constructor(
    private readonly clearance: ClearanceService,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
    health: HealthRegistry,
  ) {
    this.loop = new PollingLoop(
      { name: 'deadline sweep', idleMs: config.TIMEOUT_SWEEP_MS, batch: SWEEP_BATCH, logger: this.logger },
      () => this.round(),
    );
    health.register({ name: 'decision-deadlines', check: () => this.loop.health() });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
    this.logger.log(
      `deciding overdue declarations (timeout ${this.config.DECISION_TIMEOUT_MS} ms, sweep every ${this.config.TIMEOUT_SWEEP_MS} ms)`,
    );
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One sweep now (tests, tools). Returns how many declarations it decided. */
  sweepOnce(): Promise<number> {
    return this.clearance.decideDue(SWEEP_BATCH);
  }

  private async round(): Promise<number> {
    const decided = await this.sweepOnce();
    if (decided) this.logger.log({ msg: `decided ${decided} declaration(s) whose decision deadline passed` });
    return decided;
  }
}
