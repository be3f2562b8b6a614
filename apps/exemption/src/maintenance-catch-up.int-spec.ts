// Today's catch-up maintenance run failed every attempt earlier (the database away for longer than its
// backoff, say) and is held as failed under its one id for the day: the next worker to start runs it
// again, instead of leaving lapsed grants unexpired until the next scheduled run.
import { toOfficeDate } from '@cic/exemption-domain';
import { redisOptions } from '@cic/platform-queue';
import { runId, waitFor } from '@cic/platform-testing';
import { Queue, Worker } from 'bullmq';
import {
  catchUpJobId,
  MAINTENANCE_JOB,
  MAINTENANCE_QUEUE,
  type MaintenanceJobData,
} from './jobs/maintenance.queue';
import { type ExemptionHarness, startExemption, uscc } from './testing/exemption-harness';

let h: ExemptionHarness;
let queue: Queue<MaintenanceJobData>;

beforeAll(async () => {
  // No MAINTENANCE_EVERY_MS: the production cron, so the only run today is the catch-up job.
  h = await startExemption({}, { worker: false });
  queue = new Queue<MaintenanceJobData>(MAINTENANCE_QUEUE, {
    connection: redisOptions(h.config.REDIS_URL, 'it-catch-up'),
    prefix: h.config.QUEUE_PREFIX,
  });
});
afterAll(async () => {
  await h?.close();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
});

it('a catch-up run that failed earlier today runs again when a worker starts, and expires the lapsed grants', async () => {
  const s = h.config.DB_SCHEMA;
  const today = toOfficeDate(new Date(), h.config.OFFICE_TIME_ZONE);
  const [{ id: lapsed }] = await h.ds.query(
    `INSERT INTO "${s}"."grants" (id, enterprise_code, product_scope, valid_from, valid_until, status,
                                  approval_reference, created_by)
     VALUES (gen_random_uuid(), $1, ARRAY['8542'], $2::date - interval '3 years 2 days', $2::date - 2, 'ACTIVE',
             $3, 'it')
     RETURNING id`,
    [uscc('91320500MA1W8E2K0'), today, `IT-CATCH-UP-${runId()}`],
  );

  // Today's catch-up job, run earlier by a worker that could not reach its database: failed for good.
  const jobId = catchUpJobId(today);
  await queue.add(MAINTENANCE_JOB, {}, { jobId, attempts: 1 });
  const failing = new Worker<MaintenanceJobData>(
    MAINTENANCE_QUEUE,
    async () => {
      throw new Error('the database is away');
    },
    { connection: redisOptions(h.config.REDIS_URL, 'it-catch-up-failing'), prefix: h.config.QUEUE_PREFIX },
  );
  await waitFor('the catch-up job failed', async () => (await queue.getJobState(jobId)) === 'failed');
  await failing.close();

  // A worker starts (a restart, another replica): today's catch-up runs again and does its work.
  await h.startWorker();
  await waitFor('the catch-up job run again', async () => (await queue.getJobState(jobId)) === 'completed', {
    timeoutMs: 60_000,
  });
  const [grant] = await h.ds.query(`SELECT status FROM "${s}"."grants" WHERE id = $1`, [lapsed]);
  expect(grant.status).toBe('EXPIRED');
});
