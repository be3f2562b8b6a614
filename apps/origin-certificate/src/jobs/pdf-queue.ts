import { CutOffJobs, type DispatchedJob, redisOptions, redispatch } from '@cic/platform-queue';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { ORIGIN_CONFIG, type OriginConfig, SERVICE } from '../config';

export const PDF_QUEUE = 'origin-certificate-pdf';
export const PDF_JOB = 'render-certificate-pdf';

/** What a render job carries; the certificate itself stays in Postgres, the source of truth. */
export interface PdfJobData {
  number: string;
}

/** Deterministic job id: one job per certificate, however often it is enqueued. */
export const pdfJobId = (number: string): string => `pdf.${number}`;

/** The BullMQ queue of PDF renders (worker role only; the api role never calls Redis). */
@Injectable()
export class PdfQueue implements OnApplicationShutdown {
  readonly queue: Queue<PdfJobData>;
  /** Renders of this process that ran out of attempts while the database was away (see CutOffJobs). */
  readonly cutOff = new CutOffJobs<PdfJobData>((d) => d.number);

  constructor(@Inject(ORIGIN_CONFIG) config: OriginConfig) {
    this.queue = new Queue<PdfJobData>(PDF_QUEUE, {
      connection: redisOptions(config.REDIS_URL, `${SERVICE}:pdf-queue`),
      prefix: config.QUEUE_PREFIX,
      defaultJobOptions: {
        attempts: config.PDF_ATTEMPTS,
        backoff: { type: 'exponential', delay: config.PDF_BACKOFF_MS },
        // Kept a while so that a re-enqueue of a finished render is a no-op, then dropped.
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      },
    });
  }

  /** Adds the renders (an existing job with the same id is left as it is). */
  async addMany(numbers: string[]): Promise<void> {
    if (numbers.length === 0) return;
    await this.queue.addBulk(
      numbers.map((number) => ({ name: PDF_JOB, data: { number }, opts: { jobId: pdfJobId(number) } })),
    );
  }

  /**
   * Renders dispatched before and still pending: added again if Redis lost them, run again if they ran
   * out of attempts (the database away longer than their backoff). How many were run again.
   */
  redispatch(numbers: string[]): Promise<number> {
    return redispatch(
      this.queue,
      numbers.map((number) => this.job(number)),
    );
  }

  private job(number: string): DispatchedJob<PdfJobData> {
    return { name: PDF_JOB, data: { number }, jobId: pdfJobId(number) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
