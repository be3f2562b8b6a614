import type { Queue } from 'bullmq';

/** A job with a deterministic id, dispatched from a Postgres row (the source of truth). */
export interface DispatchedJob<T> {
  name: string;
  data: T;
  jobId: string;
}

/**
 * Jobs dispatched again because their rows are still pending long after the first dispatch. Each is
 * added if Redis no longer holds it (lost with a Redis restart: adding an id Redis holds is a no-op),
 * and run again, with its attempts reset, if it ran out of attempts: a job whose every attempt failed
 * for a passing reason (the database away for longer than its backoff) would otherwise stay failed
 * under its id, every later dispatch a no-op, and its row pending for good. A job waiting, delayed or
 * running is left as it is. Returns how many failed jobs it set running again.
 */
export async function redispatch<T>(queue: Queue<T>, jobs: Array<DispatchedJob<T>>): Promise<number> {
  if (jobs.length === 0) return 0;
  // addBulk's element type is BullMQ's ExtractNameType/DataType of the queue; the jobs carry exactly that.
  await queue.addBulk(
    jobs.map((j) => ({ name: j.name, data: j.data, opts: { jobId: j.jobId } })) as Parameters<
      Queue<T>['addBulk']
    >[0],
  );
  // The states all at once (one connection: the commands go out together), then the failed ones retried.
  const failed = await Promise.all(
    jobs.map(async ({ jobId }) => {
      const job = await queue.getJob(jobId);
      return job && (await job.isFailed()) ? job : undefined;
    }),
  );
  let retried = 0;
  for (const job of failed) {
    if (!job) continue;
    try {
      await job.retry('failed', { resetAttemptsMade: true });
      retried++;
    } catch {
      // It left the failed state meanwhile (another worker's dispatch retried it): nothing to do.
    }
  }
  return retried;
}

/**
 * Jobs of this process that ran out of attempts on an infrastructure failure (the database away longer
 * than their backoff), for the dispatcher to run again in its first round that reaches the database
 * rather than when it finds their rows still pending long after dispatch. In memory: a process that
 * dies with some held leaves them to that later re-dispatch.
 */
export class CutOffJobs<T> {
  private readonly held = new Map<string, T>();

  constructor(private readonly idOf: (data: T) => string) {}

  /**
   * From the worker's `failed` event: holds the job when that was its last attempt and the failure was
   * the infrastructure's (`infrastructure`, as the caller classifies it). Returns whether it did.
   */
  noteFailure(
    job: { data: T; attemptsMade: number; opts: { attempts?: number } } | undefined,
    infrastructure: boolean,
  ): boolean {
    if (!job || !infrastructure || job.attemptsMade < (job.opts.attempts ?? 1)) return false;
    this.held.set(this.idOf(job.data), job.data);
    return true;
  }

  /**
   * Runs the held jobs again: `stillPending` (a query of their rows, which proves the database answers)
   * keeps those not yet done, `runAgain` re-dispatches them. When either fails, every job is held again for
   * the next round and the error is thrown. Returns the jobs still pending and how many were run again.
   */
  async rerun(
    stillPending: (jobs: T[]) => Promise<T[]>,
    runAgain: (jobs: T[]) => Promise<number>,
  ): Promise<{ pending: T[]; rerun: number }> {
    const held = this.take();
    if (held.length === 0) return { pending: [], rerun: 0 };
    try {
      const pending = await stillPending(held);
      return { pending, rerun: pending.length ? await runAgain(pending) : 0 };
    } catch (error) {
      this.putBack(held);
      throw error;
    }
  }

  /** The jobs held so far, handed over; `putBack` the ones that could not be run again. */
  take(): T[] {
    const jobs = [...this.held.values()];
    this.held.clear();
    return jobs;
  }

  putBack(jobs: T[]): void {
    for (const data of jobs) this.held.set(this.idOf(data), data);
  }

  get size(): number {
    return this.held.size;
  }
}
