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
