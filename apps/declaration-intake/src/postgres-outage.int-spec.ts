// declaration-intake while PostgreSQL refuses it for 30 s (its role set NOLOGIN and its sessions
// terminated, the way a failover or a restart looks to a client): the HTTP door answers 503 with
// Retry-After (never 500), liveness holds, Kafka submissions wait in the topic, and once the database is
// back every submission is stored once, with one accepted event each and nothing dead-lettered.
import { Topics } from '@cic/contracts';
import {
  deadLetterTopic,
  eventIdsBySubject,
  type HandledEvent,
  KafkaProbe,
  KafkaTransport,
  OutboxAdmin,
} from '@cic/platform-messaging';
import { pace, PostgresRole, runId, testInfra, waitFor } from '@cic/platform-testing';
import { declaration, type IntakeHarness, startIntake, submittedMessage } from './testing/intake-harness';

const infra = testInfra();
const role = new PostgresRole(infra.databaseUrl);
const tag = `pgo-${runId()}`;
const probe = new KafkaProbe(infra.brokers, 'it-intake-pg-outage-probe');
let h: IntakeHarness;
const handled: HandledEvent[] = [];

async function post(localRef: string) {
  const res = await fetch(`${h.url}/v1/declarations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.keys.declarantA}`, 'content-type': 'application/json' },
    body: JSON.stringify(declaration(localRef)),
  });
  const body = (await res.json()) as { code?: string; declarationId?: string };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

beforeAll(async () => {
  await role.create();
  h = await startIntake({ DATABASE_URL: role.url, DECISION_TIMEOUT_MS: String(15 * 60_000) });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  await probe.connect();
}, 120_000);

afterAll(async () => {
  await role.allow();
  await probe.disconnect();
  await h?.close();
  await role.drop();
});

describe('PostgreSQL away for 30 s', () => {
  it('answers 503 with Retry-After on both reads and writes, never 500, keeps Kafka submissions waiting, and stores every one once when the database is back', async () => {
    const before = await post(`${tag}-before`);
    expect(before.status).toBe(202);

    const viaKafka = Array.from({ length: 300 }, (_, i) => `${tag}-k${i}`);
    const during: Array<{
      at: number;
      post: number;
      retryAfter: string | null;
      code?: string;
      read: number;
      live: number;
    }> = [];
    let n = 0;
    let storedDuringOutage = 0;
    const outageStart = Date.now();
    const { backAt: loginAt, terminated } = await role.outage(30_000, {
      during: async () => {
        await probe.produce(
          h.topic(Topics.DeclarationSubmittedV1),
          viaKafka.map((ref) => submittedMessage(ref)),
        );
        while (Date.now() < outageStart + 29_000) {
          const p = await post(`${tag}-during-${n++}`);
          const [read, live] = await Promise.all([
            fetch(`${h.url}/v1/declarations/${before.body.declarationId}`, {
              headers: { authorization: `Bearer ${h.keys.declarantA}` },
            }),
            fetch(`${h.url}/health/live`),
          ]);
          during.push({
            at: Date.now() - outageStart,
            post: p.status,
            retryAfter: p.retryAfter,
            code: p.body.code,
            read: read.status,
            live: live.status,
          });
          await pace(1000);
        }
      },
      atEnd: async () => {
        storedDuringOutage = handled.filter((e) => e.outcome === 'handled').length;
      },
    });

    // Once the first second or two have passed (requests already in flight may still complete), every
    // write and read is refused with a retryable 503, never a 500; the process stays live throughout.
    const settled = during.filter((d) => d.at > 3000);
    expect(settled.length).toBeGreaterThan(10);
    expect(
      settled.every((d) => d.post === 503 && d.retryAfter !== null && d.code === 'SERVICE_UNAVAILABLE'),
    ).toBe(true);
    expect(settled.every((d) => d.read === 503)).toBe(true);
    expect(during.every((d) => d.post !== 500 && d.read !== 500 && d.live === 200)).toBe(true);

    // Back: the HTTP door works again, and every Kafka submission is stored once.
    const after = await waitFor(
      'HTTP door accepting again',
      async () => {
        const p = await post(`${tag}-after`);
        return p.status === 202 && p;
      },
      { timeoutMs: 60_000 },
    );
    const httpBackMs = Date.now() - loginAt;
    const rows: Array<{ local_ref: string; id: string }> = await waitFor(
      'every Kafka submission stored',
      async () => {
        const r: Array<{ local_ref: string; id: string }> = await h.ds.query(
          `SELECT local_ref, id FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref LIKE $1`,
          [`${tag}-k%`],
        );
        return r.length === viaKafka.length && r;
      },
      { timeoutMs: 120_000 },
    );
    const kafkaStoredMs = Date.now() - loginAt;
    expect(new Set(rows.map((r) => r.local_ref)).size).toBe(viaKafka.length);
    // A request answered 503 may be sent again as it was: it is then taken as new (or as the duplicate of
    // a submission that did reach the database just as it went away), never refused.
    const again = await post(`${tag}-during-${n - 1}`);
    expect([200, 202]).toContain(again.status);

    await waitFor('the outbox drained', async () => (await h.api.get(OutboxAdmin).backlog()).pending === 0, {
      timeoutMs: 60_000,
    });
    const ids = new Set(rows.map((r) => r.id));
    const accepted = eventIdsBySubject(await probe.readAll(h.topic(Topics.DeclarationAcceptedV1)), ids);
    expect([...ids].filter((id) => accepted.ids.get(id)?.size !== 1)).toEqual([]);
    expect(handled.filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
    expect(await probe.count(deadLetterTopic(h.config.KAFKA_GROUP_ID))).toBe(0);
    expect(after.body.declarationId).toBeDefined();

    process.stdout.write(
      `[pg-outage] 30 s NOLOGIN + ${terminated} sessions terminated; ${during.length} POST/GET pairs during: POST ${[...new Set(during.map((d) => d.post))].join('/')}, GET ${[...new Set(during.map((d) => d.read))].join('/')}, live always 200; ` +
        `Kafka submissions handled during the outage ${storedDuringOutage}; HTTP accepting ${httpBackMs} ms after LOGIN; all ${viaKafka.length} Kafka submissions stored ${kafkaStoredMs} ms after LOGIN, one accepted event each; dead letters 0\n`,
    );
  });
});
