// redispatch against a real Redis: a job that ran out of attempts while something it needs was away runs
// again (attempts reset) once it is dispatched again; a job Redis lost is added again; a finished job is
// not run twice.
import { runId, testInfra, waitFor } from '@cic/platform-testing';
import { type Job, Queue, Worker } from 'bullmq';
import { redispatch } from './dispatch';
import { redisOptions } from './redis';

const infra = testInfra();
const prefix = `it-dispatch-${runId()}`;
const NAME = 'it-dispatch';
let queue: Queue<{ n: number }>;
let worker: Worker<{ n: number }>;
let dependencyUp = false;
const runs: Array<{ id: string; attemptsMade: number; ok: boolean }> = [];

const job = (n: number) => ({ name: 'work', data: { n }, jobId: `job.${n}` });

beforeAll(async () => {
  queue = new Queue(NAME, {
    connection: redisOptions(infra.redisUrl, 'it-dispatch-queue'),
    prefix,
    defaultJobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 20 } },
  });
  worker = new Worker(
    NAME,
    async (j: Job<{ n: number }>) => {
      runs.push({ id: j.id!, attemptsMade: j.attemptsMade, ok: dependencyUp });
      if (!dependencyUp) throw new Error('the database is away');
      return 'done';
    },
    { connection: redisOptions(infra.redisUrl, 'it-dispatch-worker'), prefix },
  );
});

afterAll(async () => {
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
});

describe('redispatch', () => {
  it('runs a job again, with its attempts reset, once it failed every attempt while a dependency was away', async () => {
    await redispatch(queue, [job(1)]);
    await waitFor('job 1 out of attempts', async () => (await queue.getJob('job.1'))?.isFailed());
    expect(runs.filter((r) => r.id === 'job.1')).toHaveLength(3);

    // Dispatched again while the dependency is still away: it fails its attempts again, no more.
    expect(await redispatch(queue, [job(1)])).toBe(1);
    await waitFor('job 1 out of attempts again', async () => {
      const j = await queue.getJob('job.1');
      return j && (await j.isFailed()) && runs.filter((r) => r.id === 'job.1').length === 6;
    });

    dependencyUp = true;
    expect(await redispatch(queue, [job(1)])).toBe(1);
    await waitFor('job 1 completed', async () => (await queue.getJob('job.1'))?.isCompleted());
    const last = runs.filter((r) => r.id === 'job.1').at(-1)!;
    expect(last).toEqual({ id: 'job.1', attemptsMade: 0, ok: true });
  });

  it('adds a job Redis no longer holds, and leaves a completed one alone', async () => {
    dependencyUp = true;
    await redispatch(queue, [job(2)]);
    await waitFor('job 2 completed', async () => (await queue.getJob('job.2'))?.isCompleted());
    await (await queue.getJob('job.2'))!.remove();

    const before = runs.length;
    expect(await redispatch(queue, [job(2), job(1)])).toBe(0);
    await waitFor('job 2 completed again', async () => (await queue.getJob('job.2'))?.isCompleted());
    // Job 2 ran once more (it was lost); job 1, completed and still held, did not.
    expect(runs.slice(before).map((r) => r.id)).toEqual(['job.2']);
  });
});
