import { failureKind } from '@cic/platform-messaging';
import { currentTrace, toTraceparent } from '@cic/platform-observability';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntakeBatch } from './intake-batch';
import { IntakeService, type SubmitOutcome } from './intake.service';

interface Waiting {
  raw: unknown;
  traceparent?: string;
  resolve(outcome: SubmitOutcome): void;
  reject(error: unknown): void;
}

/**
 * Submissions written by one transaction at most; and transactions in flight at once. Two, not more:
 * requests that arrive while both are writing wait for the next group, so groups grow with the load
 * (at 600 requests/s, 4 in flight meant mostly one submission per transaction and a fifth more Postgres
 * CPU per declaration; 1 in flight held requests behind every commit: HTTP p99 222 ms against 145 ms).
 */
const MAX_GROUP = 100;
const MAX_IN_FLIGHT = 2;

/**
 * Group commit for the HTTP door: submissions that arrive while earlier ones are being written share
 * the next transaction, written set-based (IntakeBatch). Each request still gets exactly the answer it
 * would have got alone; if a shared transaction fails for a reason of one of its submissions (a unique
 * race with the Kafka door, say), every submission of that group is retried in a transaction of its own.
 */
@Injectable()
export class HttpGroupCommit {
  private readonly logger = new Logger('HttpGroupCommit');
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly batch: IntakeBatch,
    private readonly intake: IntakeService,
  ) {}

  submit(raw: unknown): Promise<SubmitOutcome> {
    const trace = currentTrace();
    return new Promise((resolve, reject) => {
      this.queue.push({ raw, traceparent: trace ? toTraceparent(trace) : undefined, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length) {
      const group = this.queue.splice(0, MAX_GROUP);
      this.inFlight++;
      void this.write(group).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async write(group: Waiting[]): Promise<void> {
    const submissions = group.map((w) => ({ raw: w.raw, key: null, traceparent: w.traceparent }));
    try {
      // Two statements and no transaction when every submission is new and valid (or a plain duplicate);
      // otherwise the group goes through the one-by-one path where needed, in one transaction.
      const outcomes =
        (await this.batch.submitAtomic(this.dataSource.manager, submissions, 'http')) ??
        (await this.dataSource.transaction((manager) => this.batch.submitMany(manager, submissions, 'http')));
      group.forEach((w, i) => w.resolve(outcomes[i]));
    } catch (error) {
      if (failureKind(error) === 'infrastructure') {
        for (const w of group) w.reject(error);
        return;
      }
      if (group.length > 1)
        this.logger.warn({
          msg: `a group of ${group.length} submissions failed together (${(error as Error).message}); writing each alone`,
        });
      for (const w of group) {
        await this.intake.submitStandalone(w.raw).then(w.resolve, w.reject);
      }
    }
  }
}
