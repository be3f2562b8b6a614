// declaration-intake while PostgreSQL refuses it for 30 s (its role set NOLOGIN and its sessions
// terminated, the way a failover or a restart looks to a client): the HTTP door answers 503 with
// Retry-After (never 500), liveness holds, Kafka submissions wait in the topic, and once the database is
// back every submission is stored once, with one accepted event each and nothing dead-lettered.
import { type CloudEvent, Topics } from '@cic/contracts';
import {
  deadLetterTopic,
  type HandledEvent,
  KafkaProbe,
  KafkaTransport,
  OutboxAdmin,
} from '@cic/platform-messaging';
import { pace, runId, testInfra, waitFor } from '@cic/platform-testing';
import { DataSource } from 'typeorm';
import { declaration, type IntakeHarness, startIntake, submittedMessage } from './testing/intake-harness';

const infra = testInfra();
const run = runId();
const role = `it_pg_outage_${run}`;
const roleUrl = (() => {
  const url = new URL(infra.databaseUrl);
  url.username = role;
  url.password = '';
  return url.toString();
})();
const tag = `pgo-${run}`;
const probe = new KafkaProbe(infra.brokers, 'it-intake-pg-outage-probe');
let admin: DataSource;
let h: IntakeHarness;
const handled: HandledEvent[] = [];

async function terminateRole(): Promise<number> {
  const rows: Array<{ killed: boolean }> = await admin.query(
    'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE usename = $1',
    [role],
  );
  return rows.filter((r) => r.killed).length;
}

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
  admin = await new DataSource({ type: 'postgres', url: infra.databaseUrl }).initialize();
  await admin.query(`CREATE ROLE "${role}" LOGIN SUPERUSER`);
  h = await startIntake({ DATABASE_URL: roleUrl, DECISION_TIMEOUT_MS: String(15 * 60_000) });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  await probe.connect();
}, 120_000);

afterAll(async () => {
  await admin.query(`ALTER ROLE "${role}" LOGIN`);
  await probe.disconnect();
  await h?.close();
  await terminateRole();
  await admin.query(`DROP OWNED BY "${role}"`);
  await admin.query(`DROP ROLE IF EXISTS "${role}"`);
  await admin.destroy();
});

describe('PostgreSQL away for 30 s', () => {
  it('answers 503 with Retry-After on both reads and writes, never 500, keeps Kafka submissions waiting, and stores every one once when the database is back', async () => {
    const before = await post(`${tag}-before`);
    expect(before.status).toBe(202);

    await admin.query(`ALTER ROLE "${role}" NOLOGIN`);
    const outageStart = Date.now();
    let terminated = await terminateRole();
    const viaKafka = Array.from({ length: 300 }, (_, i) => `${tag}-k${i}`);
    await probe.produce(
      h.topic(Topics.DeclarationSubmittedV1),
      viaKafka.map((ref) => submittedMessage(ref)),
    );

    const during: Array<{
      at: number;
      post: number;
      retryAfter: string | null;
      code?: string;
      read: number;
      live: number;
    }> = [];
    let n = 0;
    while (Date.now() < outageStart + 30_000) {
      terminated += await terminateRole();
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
    const storedDuringOutage = handled.filter((e) => e.outcome === 'handled').length;
    await admin.query(`ALTER ROLE "${role}" LOGIN`);
    const loginAt = Date.now();

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
    const acceptedIds = new Map<string, Set<string>>();
    for (const m of await probe.readAll(h.topic(Topics.DeclarationAcceptedV1))) {
      const e = JSON.parse(m.value!) as CloudEvent<string, unknown>;
      if (!ids.has(e.subject)) continue;
      acceptedIds.set(e.subject, (acceptedIds.get(e.subject) ?? new Set()).add(e.id));
    }
    expect([...ids].filter((id) => acceptedIds.get(id)?.size !== 1)).toEqual([]);
    expect(handled.filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
    expect(await probe.count(deadLetterTopic(h.config.KAFKA_GROUP_ID))).toBe(0);
    expect(after.body.declarationId).toBeDefined();

    process.stdout.write(
      `[pg-outage] 30 s NOLOGIN + ${terminated} sessions terminated; ${during.length} POST/GET pairs during: POST ${[...new Set(during.map((d) => d.post))].join('/')}, GET ${[...new Set(during.map((d) => d.read))].join('/')}, live always 200; ` +
        `Kafka submissions handled during the outage ${storedDuringOutage}; HTTP accepting ${httpBackMs} ms after LOGIN; all ${viaKafka.length} Kafka submissions stored ${kafkaStoredMs} ms after LOGIN, one accepted event each; dead letters 0\n`,
    );
  });
});
