// The daily grant maintenance survives a worker killed in the middle of its job (the issue: "its slow work
// survives a worker killed mid-job"), on the real stack: a worker child process (worker.ts from source) takes
// the day's catch-up job and is SIGKILLed once some, not all, of the lapsed grants have expired; a second
// worker takes the stalled job when its lock runs out and finishes it. Every grant expires once: one history
// row and one grant-changed event each, none twice, none lost.
import type { ChildProcess } from 'node:child_process';
import { type ExemptionGrantChanged, Topics } from '@cic/contracts';
import { toOfficeDate } from '@cic/exemption-domain';
import { KafkaProbe, OutboxRelay } from '@cic/platform-messaging';
import { isRunning, spawnService, testInfra, waitFor } from '@cic/platform-testing';
import { Queue } from 'bullmq';
import { redisOptions } from '@cic/platform-queue';
import { MAINTENANCE_ACTOR, MAINTENANCE_BATCH, type MaintenanceRun } from './grants/grant-maintenance';
import { MAINTENANCE_LOCK_MS } from './jobs/grant-maintenance.job';
import { catchUpJobId, MAINTENANCE_QUEUE, type MaintenanceJobData } from './jobs/maintenance.queue';
import { type ExemptionHarness, parseEvents, startExemption, uscc } from './testing/exemption-harness';

/** Lapsed grants: 24 batches, a few seconds of work for one worker. */
const LAPSED = 24 * MAINTENANCE_BATCH;
/** Grants still valid for years: the job leaves them alone. */
const FRESH = 200;
/** The child is killed once this many grants have expired (two batches committed). */
const KILL_AFTER = 2 * MAINTENANCE_BATCH;

const probe = new KafkaProbe(testInfra().brokers);
let h: ExemptionHarness;
let queue: Queue<MaintenanceJobData, MaintenanceRun>;
let child: ChildProcess | undefined;
let childOutput = '';

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> =>
  h.ds.query(text, params);
const expiredCount = async () =>
  Number(
    (
      await sql<{ n: string }>(
        `SELECT count(*) AS n FROM "${h.config.DB_SCHEMA}"."grants" WHERE status = 'EXPIRED'`,
      )
    )[0].n,
  );

beforeAll(async () => {
  // No MAINTENANCE_EVERY_MS: the production cron (five past midnight), so the only run is the catch-up
  // job of today that a worker adds at boot, under one deterministic id.
  h = await startExemption({}, { worker: false });
  queue = new Queue<MaintenanceJobData, MaintenanceRun>(MAINTENANCE_QUEUE, {
    connection: redisOptions(h.config.REDIS_URL, 'it-worker-kill'),
    prefix: h.config.QUEUE_PREFIX,
  });
  await probe.connect();
});
afterAll(async () => {
  if (child && isRunning(child)) child.kill('SIGKILL');
  await probe.disconnect();
  await h?.close();
  // The harness removes the run's queue only if it started a worker itself: whatever happened, do it here.
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
});

it('a worker SIGKILLed mid-maintenance: another finishes the job, each grant expired and published once', async () => {
  const s = h.config.DB_SCHEMA;
  const today = toOfficeDate(new Date(), h.config.OFFICE_TIME_ZONE);
  // The api (in this process) leads the outbox relay before any worker exists, so the events' way to
  // Kafka is not the process being killed (a relay killed between publish and mark republishes its batch
  // by design, at least once; that is the messaging tests' subject, not this one's).
  const relay = h.api.get(OutboxRelay);
  await waitFor('the api leading the outbox relay', () => relay.isLeader);

  // Lapsed grants (validUntil 1 to 30 days ago; one in ten SUSPENDED) and fresh ones, by SQL.
  await sql(
    `INSERT INTO "${s}"."grants" (id, enterprise_code, product_scope, valid_from, valid_until, status,
                                  approval_reference, created_by)
     SELECT gen_random_uuid(), $1, ARRAY['8542'], d - interval '3 years', d,
            CASE WHEN i % 10 = 0 THEN 'SUSPENDED' ELSE 'ACTIVE' END, 'IT-KILL-' || i, 'it'
       FROM generate_series(1, $2::int) AS i, LATERAL (SELECT $3::date - 1 - (i % 30) AS d) AS v`,
    [uscc('91320500MA1W8E2K0'), LAPSED, today],
  );
  await sql(
    `INSERT INTO "${s}"."grants" (id, enterprise_code, product_scope, valid_from, valid_until, status,
                                  approval_reference, created_by)
     SELECT gen_random_uuid(), $1, ARRAY['8471'], $3::date, $3::date + interval '2 years', 'ACTIVE',
            'IT-KILL-FRESH-' || i, 'it'
       FROM generate_series(1, $2::int) AS i`,
    [uscc('91330200MA2H4K7L3'), FRESH, today],
  );

  // The doomed worker: a child process from worker.ts, on this run's schema, topics and queue prefix.
  child = spawnService('apps/exemption/src/worker.ts', { ...h.env, WORKER_PORT: '0' });
  child.stdout!.on('data', (d) => (childOutput = (childOutput + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (childOutput = (childOutput + d).slice(-20_000)));
  const exited = new Promise<void>((r) => child!.once('exit', () => r()));
  const jobId = catchUpJobId(today);
  let seen = 0;
  try {
    // Polled closely: killed once two batches have committed, long before the job's end.
    seen = await waitFor(
      'the child worker mid-job',
      async () => {
        if (child!.exitCode !== null) throw new Error(`the child worker exited: ${childOutput}`);
        const n = await expiredCount();
        return n >= KILL_AFTER && n;
      },
      { timeoutMs: 120_000, intervalMs: 10 },
    );
  } finally {
    child.kill('SIGKILL');
  }
  await exited;
  expect(child.signalCode).toBe('SIGKILL');

  // Mid-way indeed: the committed batches stay expired, the rest are still due, the job is still active
  // (its lock held by a dead worker) and not completed.
  const atKill = new Set(
    (await sql<{ id: string }>(`SELECT id FROM "${s}"."grants" WHERE status = 'EXPIRED'`)).map((r) => r.id),
  );
  expect(atKill.size).toBeGreaterThanOrEqual(seen);
  expect(atKill.size).toBeLessThan(LAPSED);
  expect(await queue.getJobState(jobId)).toBe('active');
  expect(await queue.getCompletedCount()).toBe(0);

  // Another worker (in this process). Its boot adds today's catch-up job again, under the same id: a
  // no-op. The job comes back by BullMQ's stalled-job recovery once the dead worker's lock runs out.
  const killedAt = Date.now();
  await h.startWorker();
  await waitFor(
    'the stalled job finished by the second worker',
    async () => (await queue.getJobState(jobId)) === 'completed',
    {
      timeoutMs: 3 * MAINTENANCE_LOCK_MS + 30_000,
      intervalMs: 250,
    },
  );
  const recoveredInMs = Date.now() - killedAt;
  const job = (await queue.getJob(jobId))!;
  expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
  const rerun = job.returnvalue;
  // The re-run expired exactly what the killed run had not: the batch in flight at the kill rolled back.
  expect(rerun.today).toBe(today);
  expect(rerun.expired.filter((id) => atKill.has(id))).toEqual([]);
  expect(new Set(rerun.expired).size).toBe(rerun.expired.length);
  expect(atKill.size + rerun.expired.length).toBe(LAPSED);

  // The database: every lapsed grant EXPIRED with exactly one EXPIRED history row; fresh ones untouched.
  const statuses = await sql<{ lapsed: boolean; status: string; n: string }>(
    `SELECT valid_until < $1::date AS lapsed, status, count(*) AS n FROM "${s}"."grants" GROUP BY 1, 2 ORDER BY 1, 2`,
    [today],
  );
  expect(statuses.map((r) => [r.lapsed, r.status, Number(r.n)])).toEqual([
    [false, 'ACTIVE', FRESH],
    [true, 'EXPIRED', LAPSED],
  ]);
  const history = await sql<{ grants: string; rows: string; max: string; min: string; maint: string }>(
    `SELECT count(DISTINCT grant_id) AS grants, count(*) AS rows, max(n) AS max, min(n) AS min,
            count(*) FILTER (WHERE actor = $1) AS maint
       FROM (SELECT grant_id, actor, count(*) OVER (PARTITION BY grant_id) AS n
               FROM "${s}"."grant_events" WHERE change = 'EXPIRED') x`,
    [MAINTENANCE_ACTOR],
  );
  expect(history[0]).toMatchObject({
    grants: String(LAPSED),
    rows: String(LAPSED),
    max: '1',
    min: '1',
    maint: String(LAPSED),
  });
  const others = await sql<{ n: string }>(
    `SELECT count(*) AS n FROM "${s}"."grant_events" WHERE change <> 'EXPIRED'`,
  );
  expect(Number(others[0].n)).toBe(0);

  // Kafka: one EXPIRED grant-changed event per lapsed grant, none twice (by grant or by event id).
  await waitFor('the outbox drained', async () => (await relay.pending()).length === 0, {
    timeoutMs: 60_000,
  });
  const topic = h.topic(Topics.ExemptionGrantChangedV1);
  await waitFor('every expiry on Kafka', async () => (await probe.count(topic)) >= LAPSED, {
    timeoutMs: 60_000,
  });
  // A moment for anything sent twice to show up, then everything on the topic.
  await new Promise((r) => setTimeout(r, 1000));
  const events = parseEvents<ExemptionGrantChanged>(await probe.readAll(topic, 60_000));
  expect(events).toHaveLength(LAPSED);
  const perGrant = new Map<string, number>();
  for (const e of events) {
    expect(e.data).toMatchObject({ change: 'EXPIRED', status: 'EXPIRED', changedBy: MAINTENANCE_ACTOR });
    expect(e.subject).toBe(e.data.grantId);
    perGrant.set(e.subject, (perGrant.get(e.subject) ?? 0) + 1);
  }
  expect(new Set(events.map((e) => e.id)).size).toBe(LAPSED);
  expect(perGrant.size).toBe(LAPSED);
  expect([...perGrant.values()].every((n) => n === 1)).toBe(true);
  const expiredIds = await sql<{ id: string }>(`SELECT id FROM "${s}"."grants" WHERE status = 'EXPIRED'`);
  expect(expiredIds.every((g) => perGrant.get(g.id) === 1)).toBe(true);
  // What a reader of the CI log wants to know about this run.
  process.stdout.write(
    `worker-kill: killed after ${atKill.size}/${LAPSED} expired; the second worker expired ${rerun.expired.length} ` +
      `(stalledCounter ${job.stalledCounter}; taken again ${job.processedOn! - killedAt} ms after the kill, ` +
      `re-run in ${job.finishedOn! - job.processedOn!} ms, done ${recoveredInMs} ms after the kill)\n`,
  );
});
