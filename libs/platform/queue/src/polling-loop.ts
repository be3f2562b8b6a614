import type { Logger } from '@nestjs/common';

export interface PollingLoopOptions {
  /** Shown in logs and health, e.g. "check dispatch". */
  name: string;
  /** Pause between rounds that found less than a full batch. */
  idleMs: number;
  /** A round that handled this many goes again at once. */
  batch: number;
  logger: Logger;
}

/**
 * A background loop of rounds (dispatch, deadline sweeps): a round that fails is logged (the first few
 * times, then every 20th) and retried with a growing pause, never crashing the process; a full round
 * is followed at once by the next. `health()` fails when the loop stopped or has not succeeded lately.
 */
export class PollingLoop {
  private running = false;
  private done?: Promise<void>;
  private wake?: () => void;
  private failures = 0;
  private lastSuccessAt = 0;

  constructor(
    private readonly options: PollingLoopOptions,
    private readonly round: () => Promise<number>,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
  }

  async health(): Promise<void> {
    if (!this.running) throw new Error(`${this.options.name} not running`);
    const quiet = Date.now() - this.lastSuccessAt;
    if (this.lastSuccessAt && quiet > Math.max(30_000, this.options.idleMs * 20))
      throw new Error(`no successful ${this.options.name} round for ${Math.round(quiet / 1000)} s`);
  }

  private async run(): Promise<void> {
    const { logger, name } = this.options;
    while (this.running) {
      let n = 0;
      try {
        n = await this.round();
        this.lastSuccessAt = Date.now();
        if (this.failures) logger.log(`${name} recovered after ${this.failures} failure(s)`);
        this.failures = 0;
      } catch (error) {
        this.failures++;
        if (this.failures <= 3 || this.failures % 20 === 0)
          logger.error({
            msg: `${name} failed (${this.failures} in a row), retrying: ${(error as Error).message}`,
            err: error,
          });
      }
      if (n < this.options.batch)
        await this.idle(this.failures ? Math.min(500 * this.failures, 5000) : this.options.idleMs);
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
