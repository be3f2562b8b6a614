// The daily grant maintenance on the real stack: a BullMQ job scheduler in the worker role expires grants
// and sends renewal reminders, exactly once however many runs race for them.
import { randomUUID } from 'node:crypto';
import { type ExemptionGrantChanged, Topics } from '@cic/contracts';
import { KafkaProbe } from '@cic/platform-messaging';
import { testInfra, waitFor } from '@cic/platform-testing';
import { GrantMaintenance } from './grants/grant-maintenance';
import { MAINTENANCE_SCHEDULER, MaintenanceQueue } from './jobs/maintenance.queue';
import { type ExemptionHarness, parseEvents, startExemption, uscc } from './testing/exemption-harness';

const probe = new KafkaProbe(testInfra().brokers);
let h: ExemptionHarness;
const ENTERPRISE = uscc('91320500MA1W8E2K0');

/** An ISO date `years` and `days` before today in Shanghai. */
function shanghaiDate(years: number, days = 0): string {
  const now = new Date(Date.now() - days * 86_400_000);
  const d = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
  return `${Number(d.slice(0, 4)) - years}${d.slice(4)}`.replace(/-02-29$/, '-02-28');
}

async function grant(validFrom: string): Promise<string> {
  const r = await h.call('POST', '/v1/grants', {
    body: {
      enterpriseCode: ENTERPRISE,
      productScope: ['8542'],
      approvalReference: `IT-M-${randomUUID().slice(0, 8)}`,
      validFrom,
    },
  });
  expect(r.status).toBe(201);
  return r.body.id;
}

async function changes(grantId: string): Promise<string[]> {
  const all = parseEvents<ExemptionGrantChanged>(
    await probe.readAll(h.topic(Topics.ExemptionGrantChangedV1)),
  );
  return all.filter((e) => e.subject === grantId).map((e) => e.data.change);
}

beforeAll(async () => {
  // The scheduler fires every 300 ms here (daily by cron in production), on two workers.
  h = await startExemption({ MAINTENANCE_EVERY_MS: '300' }, { worker: false });
  await probe.connect();
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
});

it('the worker’s job scheduler expires a lapsed grant and reminds one due for renewal, each once', async () => {
  const lapsed = await grant(shanghaiDate(3, 2)); // validUntil two days ago
  const renew = await grant(shanghaiDate(3, -30)); // validUntil in 30 days
  const fresh = await grant(shanghaiDate(0));
  await h.startWorker();
  await h.startWorker();
  const queue = h.workers[0].get(MaintenanceQueue).queue;
  const schedulers = await waitFor('scheduler registered', async () => {
    const s = await queue.getJobSchedulers();
    return s.length > 0 && s;
  });
  expect(schedulers.map((s) => s.key)).toEqual([MAINTENANCE_SCHEDULER]);

  await waitFor(
    'lapsed grant expired by the scheduler',
    async () => (await h.call('GET', `/v1/grants/${lapsed}`)).body.status === 'EXPIRED',
  );
  await waitFor(
    'renewal reminded by the scheduler',
    async () => (await h.call('GET', `/v1/grants/${renew}`)).body.renewalRemindedAt !== null,
  );
  // Let the scheduler run several more times on both workers: nothing changes and nothing is sent again.
  const completed = await queue.getCompletedCount();
  await waitFor('three more scheduled runs', async () => (await queue.getCompletedCount()) >= completed + 3, {
    timeoutMs: 20_000,
  });
  await waitFor('events published', async () => (await changes(renew)).length === 2);
  expect(await changes(lapsed)).toEqual(['GRANTED', 'EXPIRED']);
  expect(await changes(renew)).toEqual(['GRANTED', 'RENEWAL_DUE']);
  expect(await changes(fresh)).toEqual(['GRANTED']);
  const view = (await h.call('GET', `/v1/grants/${renew}`)).body;
  expect(view.status).toBe('ACTIVE');
  expect(view.history.map((x: { change: string }) => x.change)).toEqual(['GRANTED', 'RENEWAL_DUE']);
  expect(view.history[1].reason).toContain('apply for renewal');
});

it('runs triggered at once (endpoint, worker method, scheduler) expire and remind exactly once', async () => {
  // The scheduler paused while the grants are set up (it would expire them first), resumed in the race.
  const queue = h.workers[0].get(MaintenanceQueue).queue;
  await queue.pause();
  const lapsed = await grant(shanghaiDate(3, 1));
  const suspendedLapsed = await grant(shanghaiDate(3, 5));
  expect(
    (await h.call('POST', `/v1/grants/${suspendedLapsed}/suspend`, { body: { reason: 'audit' } })).status,
  ).toBe(200);
  const renew = await grant(shanghaiDate(3, -60));
  const runs = await Promise.all([
    h.call('POST', '/v1/grants/maintenance'),
    h.call('POST', '/v1/grants/maintenance'),
    h.workers[0].get(GrantMaintenance).runOnce(),
    h.workers[1].get(GrantMaintenance).runOnce(),
    queue.resume(),
  ]);
  const results = [runs[0].body, runs[1].body, runs[2], runs[3]] as Array<{
    expired: string[];
    reminded: string[];
  }>;
  const expired = results.flatMap((r) => r.expired).filter((id) => [lapsed, suspendedLapsed].includes(id));
  const reminded = results.flatMap((r) => r.reminded).filter((id) => id === renew);
  // The scheduler may have got there first; then the four runs above found nothing.
  expect(expired.length).toBeLessThanOrEqual(2);
  expect(new Set(expired).size).toBe(expired.length);
  expect(reminded.length).toBeLessThanOrEqual(1);
  await waitFor('events published', async () => (await changes(renew)).length === 2);
  await h.call('POST', '/v1/grants/maintenance');
  expect(await changes(lapsed)).toEqual(['GRANTED', 'EXPIRED']);
  expect(await changes(suspendedLapsed)).toEqual(['GRANTED', 'SUSPENDED', 'EXPIRED']);
  expect(await changes(renew)).toEqual(['GRANTED', 'RENEWAL_DUE']);
  expect((await h.call('GET', `/v1/grants/${suspendedLapsed}`)).body).toMatchObject({
    status: 'EXPIRED',
    allowedActions: [],
  });
});
