import type { EachBatchPayload } from 'kafkajs';

/** What an offset commit needs from kafkajs: the group's resolved offsets and a way to commit them. */
type CommitSource = Pick<EachBatchPayload, 'uncommittedOffsets' | 'commitOffsetsIfNecessary'>;

/**
 * Commits a consumer group's resolved offsets in the background, at most once per `intervalMs`, one
 * request for everything resolved since the last one. A batch does not wait for its commit: the inbox
 * already makes redelivery harmless, so what a commit costs is a round trip and a write to
 * `__consumer_offsets` per request. Committing once per fetch made offset commits a third of the
 * broker's requests (2026-12-02, 300 declarations/s: about 1,100 requests/s for 3 consumers); a crash
 * or a rebalance now redelivers at most `intervalMs` of handled messages, which the inbox skips. A
 * trailing commit always follows the last resolve, so lag reads 0 within `intervalMs` of going idle.
 */
export class OffsetCommitter {
  private source?: CommitSource;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private lastAt = 0;
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Offsets were resolved through `payload`: commit them within `intervalMs`. */
  request(payload: CommitSource): void {
    this.source = payload;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => void this.commitNow(), wait);
  }

  /**
   * Commits everything resolved so far (through `payload` when given) and resolves when it is committed
   * (or the attempt failed and was reported). Used before the consumer stops, and by `request`'s timer.
   */
  async commitNow(payload?: CommitSource): Promise<void> {
    if (payload) this.source = payload;
    clearTimeout(this.timer);
    this.timer = undefined;
    // One request at a time: a later one covers what the earlier one did not.
    while (this.inFlight) await this.inFlight;
    const source = this.source;
    if (!source) return;
    let failed = false;
    const run = (async () => {
      try {
        const offsets = source.uncommittedOffsets();
        if (offsets.topics.length) await source.commitOffsetsIfNecessary(offsets);
      } catch (error) {
        // A rebalance or a broker hiccup: try again after the interval (the offsets are still resolved;
        // after a rebalance there is nothing left to commit and the next owner starts from the last commit).
        // The newest payload is kept: any of them reaches the same group's resolved offsets.
        this.onError(error);
        failed = true;
      } finally {
        this.lastAt = Date.now();
        if (failed) this.schedule();
      }
    })();
    this.inFlight = run;
    try {
      await run;
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Takes no more requests and drops a pending one (the consumer has left its group). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
