import { CutOffJobs, type DispatchedJob, redisOptions, redispatch } from '@cic/platform-queue';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig, SERVICE } from '../config';

export const CHECK_QUEUE = 'green-channel-checks';

/** What a check job carries; its parameters stay in Postgres (lane_checks), the source of truth. */
export interface CheckJobData {
  declarationId: string;
  checkName: string;
}

/** Deterministic job id: one job per (declaration, check), however often it is enqueued. */
export function checkJobId(declarationId: string, checkName: string): string {
  // BullMQ refuses ':' in custom ids.
  return `${declarationId}.${checkName.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** The BullMQ queue of slow checks (worker role only; the api role never calls Redis). */
@Injectable()
export class CheckQueue implements OnApplicationShutdown {
  readonly queue: Queue<CheckJobData>;
  /** Checks of this process that ran out of attempts while the database was away (see CutOffJobs). */
  readonly cutOff = new CutOffJobs<CheckJobData>((d) => checkJobId(d.declarationId, d.checkName));

  constructor(@Inject(GREEN_CHANNEL_CONFIG) config: GreenChannelConfig) {
    this.queue = new Queue<CheckJobData>(CHECK_QUEUE, {
      connection: redisOptions(config.REDIS_URL, `${SERVICE}:checks-queue`),
      prefix: config.QUEUE_PREFIX,
      defaultJobOptions: {
        attempts: config.CHECK_ATTEMPTS,
        backoff: { type: 'exponential', delay: config.CHECK_BACKOFF_MS },
        // Kept a while so that a re-enqueue of a finished check is a no-op, then dropped.
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 24 * 3600, count: 10_000 },
      },
    });
  }

  /** Adds the checks (an existing job with the same id is left as it is). */
  async addMany(jobs: CheckJobData[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs
        .map((data) => this.job(data))
        .map((j) => ({ name: j.name, data: j.data, opts: { jobId: j.jobId } })),
    );
  }

  /**
   * Checks dispatched before and still pending: added again if Redis lost them, run again if they ran
   * out of attempts (the database away longer than their backoff). How many were run again.
   */
  redispatch(jobs: CheckJobData[]): Promise<number> {
    return redispatch(
      this.queue,
      jobs.map((data) => this.job(data)),
    );
  }

  private job(data: CheckJobData): DispatchedJob<CheckJobData> {
    return {
      name: data.checkName.split(':')[0],
      data,
      jobId: checkJobId(data.declarationId, data.checkName),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
