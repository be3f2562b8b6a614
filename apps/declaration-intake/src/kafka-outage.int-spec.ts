// declaration-intake through a 30 s Kafka outage on a broker of its own (the real Apache Kafka, started
// by scripts/infra/kafka.sh on free ports, killed with SIGKILL mid-stream and started again on the same
// data): nothing lost, nothing done twice, and it recovers by itself.
import { type TopicDefinition, Topics } from '@cic/contracts';
import {
  deadLetterTopic,
  eventIdsBySubject,
  type HandledEvent,
  KafkaProbe,
  KafkaTransport,
  OutboxAdmin,
} from '@cic/platform-messaging';
import { pace, PrivateKafka, waitFor } from '@cic/platform-testing';
import {
  declaration,
  decision,
  type IntakeHarness,
  startIntake,
  submittedMessage,
} from './testing/intake-harness';

const broker = new PrivateKafka();
let h: IntakeHarness;
let probe: KafkaProbe;
const handled: HandledEvent[] = [];
const runTag = `ko-${Date.now().toString(36)}`;

async function http(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

/** For each of `subjects` (declaration ids), the distinct event ids published on `topic`, and how many copies in all. */
async function published(topic: TopicDefinition, subjects: ReadonlySet<string>) {
  // A broker back from a freeze is fenced by its controller for a moment ("not the leader"): the test's
  // own reader retries that, the way the service's clients do.
  const messages = await waitFor(`${topic.name} readable`, () => probe.readAll(h.topic(topic), 30_000), {
    timeoutMs: 60_000,
  });
  return eventIdsBySubject(messages, subjects);
}

async function stored(tag: string): Promise<Array<{ id: string; local_ref: string; status: string }>> {
  return h.ds.query(
    `SELECT id, local_ref, status FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref LIKE $1`,
    [`${tag}-%`],
  );
}

async function storedCount(tag: string): Promise<number> {
  const [{ n }] = await h.ds.query(
    `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref LIKE $1`,
    [`${tag}-%`],
  );
  return n as number;
}

async function outboxPending(): Promise<number> {
  return (await h.api.get(OutboxAdmin).backlog()).pending;
}

beforeAll(async () => {
  await broker.up();
  h = await startIntake({
    KAFKA_BROKERS: broker.address,
    // Only the decisions sent below decide; the deadline sweep has its own tests.
    DECISION_TIMEOUT_MS: String(15 * 60_000),
  });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  probe = new KafkaProbe([broker.address], 'it-intake-kafka-outage-probe');
  await probe.connect();
}, 180_000);

afterAll(async () => {
  await probe?.disconnect().catch(() => undefined);
  await h?.close();
  await broker.down();
});

/**
 * A burst on the Kafka door, the broker cut off mid-stream (killed, or hung) for 30 s while HTTP
 * submissions keep coming, then back: every submission from both doors stored once, one accepted event
 * (by id) for each, and each decided once by decisions sent after the broker's return.
 */
async function outage(kind: 'killed' | 'frozen'): Promise<void> {
  const tag = `${runTag}-${kind}`;
  const handledBefore = handled.length;
  // A burst on the Kafka door, cut off mid-stream: the broker dies while batches are being handled.
  const viaKafka = Array.from({ length: 2000 }, (_, i) => `${tag}-k${i}`);
  // In sends of 200 (one record batch per partition must fit the topic's message size limit).
  await probe.produceAll(
    h.topic(Topics.DeclarationSubmittedV1),
    viaKafka.map((ref) => submittedMessage(ref)),
    200,
  );
  await waitFor('some of the burst stored', async () => (await storedCount(tag)) >= 50, {
    timeoutMs: 60_000,
  });
  let storedAtKill = 0;
  let pendingAtRestart = 0;
  // The HTTP door does not need the broker: every valid submission is stored and answered 202.
  const viaHttp = Array.from({ length: 60 }, (_, i) => `${tag}-h${i}`);
  const answers: number[] = [];
  let firstId = '';
  const health: Array<{ ready: number; live: number }> = [];
  let read = { status: 0 };
  const { backAt: restartedAt } = await broker.outage(30_000, {
    kind,
    clients: [probe],
    during: async () => {
      storedAtKill = await storedCount(tag);
      for (const [i, localRef] of viaHttp.entries()) {
        const res = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(localRef));
        answers.push(res.status);
        firstId ||= String(res.body['declarationId']);
        if (i % 6 === 0) {
          const [ready, live] = await Promise.all([
            fetch(`${h.url}/health/ready`),
            fetch(`${h.url}/health/live`),
          ]);
          health.push({ ready: ready.status, live: live.status });
        }
        await pace(400);
      }
      read = await http('GET', `/v1/declarations/${firstId}`, h.keys.operator);
    },
    atEnd: async () => {
      pendingAtRestart = await outboxPending();
    },
  });
  // When the relay's first publish after the return shows (the backlog it left shrinking).
  const relayBack = waitFor(
    'the relay publishing again',
    async () => (await outboxPending()) < pendingAtRestart,
    {
      timeoutMs: 120_000,
      intervalMs: 50,
    },
  ).then(() => Date.now() - restartedAt);

  expect(answers.every((s) => s === 202)).toBe(true);
  expect(read.status).toBe(200);
  expect(health.every((s) => s.live === 200)).toBe(true);
  expect(pendingAtRestart).toBeGreaterThanOrEqual(viaHttp.length);

  // Every submission from both doors stored once, and one accepted event (by id) for each.
  const all = await waitFor(
    'every submission stored',
    async () => {
      const rows = await stored(tag);
      return rows.length === viaKafka.length + viaHttp.length && rows;
    },
    { timeoutMs: 120_000 },
  );
  const storedAllMs = Date.now() - restartedAt;
  const relayBackMs = await relayBack;
  expect(new Set(all.map((r) => r.local_ref)).size).toBe(all.length);
  expect(all.every((r) => r.status === 'AWAITING_DECISIONS')).toBe(true);
  await waitFor('the outbox drained', async () => (await outboxPending()) === 0, { timeoutMs: 120_000 });
  const accepted = await published(Topics.DeclarationAcceptedV1, new Set(all.map((r) => r.id)));
  for (const row of all) expect([row.local_ref, accepted.ids.get(row.id)?.size]).toEqual([row.local_ref, 1]);

  // The consumer is back in its group and the decision topics flow: each declaration decided once.
  const ids = all.map((r) => r.id);
  for (let i = 0; i < ids.length; i += 500) {
    const some = ids.slice(i, i + 500);
    await probe.produce(
      h.topic(Topics.GreenChannelDecidedV1),
      some.map((id) => decision('green', id, { greenChannelApproved: true })),
    );
    await probe.produce(
      h.topic(Topics.ExemptionDecidedV1),
      some.map((id) => decision('exemption', id)),
    );
  }
  await waitFor(
    'every declaration decided',
    async () => (await stored(tag)).every((r) => r.status === 'RELEASED'),
    { timeoutMs: 120_000 },
  );
  await waitFor('the outbox drained', async () => (await outboxPending()) === 0, { timeoutMs: 60_000 });
  const clearance = await published(Topics.ClearanceDecidedV1, new Set(ids));
  for (const id of ids) expect([id, clearance.ids.get(id)?.size]).toEqual([id, 1]);

  expect(handled.slice(handledBefore).filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
  expect(await probe.count(deadLetterTopic(h.config.KAFKA_GROUP_ID))).toBe(0);
  const ready = await fetch(`${h.url}/health/ready`);
  expect(ready.status).toBe(200);

  process.stdout.write(
    `[kafka-outage] broker ${kind === 'killed' ? 'SIGKILLed' : 'SIGSTOPped'} with ${storedAtKill}/${viaKafka.length} of a Kafka burst stored; ` +
      `${viaHttp.length} HTTP submissions during 30 s down all 202; readiness during the outage ${health.map((s) => s.ready).join(',')}; ` +
      `outbox ${pendingAtRestart} pending at restart, publishing again ${relayBackMs} ms after the broker was back; all ${all.length} stored ${storedAllMs} ms after the broker was back; ` +
      `accepted ${accepted.copies} messages for ${accepted.ids.size} declarations, clearance ${clearance.copies} for ${clearance.ids.size}; ` +
      `inbox duplicates ${handled.slice(handledBefore).filter((e) => e.outcome === 'duplicate').length}, dead letters 0\n`,
  );
}

describe('Kafka away for 30 s', () => {
  it('killed mid-stream: keeps answering HTTP, loses no submission from either door, publishes one accepted event each, and decides them all once the broker is back', async () => {
    await outage('killed');
  });

  it('hung mid-stream (SIGSTOP): the same, with requests timing out instead of connections refused', async () => {
    await outage('frozen');
  });
});
