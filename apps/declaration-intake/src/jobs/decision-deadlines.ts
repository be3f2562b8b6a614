import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HealthRegistry } from '@cic/platform-observability';
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
  private running = false;
  private loopDone?: Promise<void>;
  private wake?: () => void;
  private lastSweepAt = 0;
  private failures = 0;

  constructor(
    private readonly clearance: ClearanceService,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
    health: HealthRegistry,
  ) {
    health.register({
      name: 'decision-deadlines',
      check: async () => {
        const quiet = Date.now() - this.lastSweepAt;
        const allowed = Math.max(this.config.TIMEOUT_SWEEP_MS * 5, 30_000);
        if (!this.running) throw new Error('deadline sweep not running');
        if (this.lastSweepAt && quiet > allowed)
          throw new Error(`no successful deadline sweep for ${Math.round(quiet / 1000)} s`);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loopDone = this.loop();
    this.logger.log(
      `deciding overdue declarations (timeout ${this.config.DECISION_TIMEOUT_MS} ms, sweep every ${this.config.TIMEOUT_SWEEP_MS} ms)`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
  }

  /** One sweep now (tests, tools). Returns how many declarations it decided. */
  sweepOnce(): Promise<number> {
    return this.clearance.decideDue(SWEEP_BATCH);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let decided = 0;
      try {
        decided = await this.sweepOnce();
        this.lastSweepAt = Date.now();
        if (this.failures) this.logger.log(`deadline sweep recovered after ${this.failures} failure(s)`);
        this.failures = 0;
        if (decided)
          this.logger.log({ msg: `decided ${decided} declaration(s) whose decision deadline passed` });
      } catch (error) {
        this.failures++;
        if (this.failures <= 3 || this.failures % 10 === 0)
          this.logger.error({
            msg: `deadline sweep failed (${this.failures} in a row), retrying: ${(error as Error).message}`,
            err: error,
          });
      }
      if (decided < SWEEP_BATCH)
        await this.idle(this.failures ? Math.min(1000 * this.failures, 5000) : this.config.TIMEOUT_SWEEP_MS);
    }
  }

  private idle(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
