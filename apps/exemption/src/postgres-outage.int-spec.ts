// exemption while PostgreSQL refuses it for 30 s (its role set NOLOGIN and its sessions terminated, the
// way a failover or a restart looks to a client), in the middle of a burst of accepted declarations: the
// consumer's batches fail and are retried, never dead-lettered; the HTTP API answers 503 with
// Retry-After (never 500) and stays live; once the database is back every declaration gets exactly one
// decision, with nothing lost.
import { Topics } from '@cic/contracts';
import {
  deadLetterTopic,
  eventIdsBySubject,
  type HandledEvent,
  KafkaProbe,
  KafkaTransport,
  OutboxAdmin,
} from '@cic/platform-messaging';
import {
  answersWhileAway,
  type AwayRound,
  PostgresRole,
  refusedAsUnavailable,
  testInfra,
  waitFor,
} from '@cic/platform-testing';
import {
  accepted,
  acceptedMessage,
  type ExemptionHarness,
  startExemption,
} from './testing/exemption-harness';

const infra = testInfra();
const role = new PostgresRole(infra.databaseUrl);
const probe = new KafkaProbe(infra.brokers, 'it-ex-pg-outage-probe');
let h: ExemptionHarness;
const handled: HandledEvent[] = [];

/** Decisions stored, counted on the test's own session (the service's role is refused during the outage). */
async function decisions(): Promise<number> {
  const [{ n }] = await role.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."decisions"`,
  );
  return n;
}

beforeAll(async () => {
  await role.create();
  h = await startExemption({ DATABASE_URL: role.url });
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
  it('retries the batches it could not write, answers 503 meanwhile, and decides every declaration exactly once when the database is back', async () => {
    // A third before the refusal (some of it in flight when the database goes), the rest while it is away.
    const burst = Array.from({ length: 1500 }, () => accepted());
    const send = (from: number, to: number) =>
      probe.produceAll(
        h.topic(Topics.DeclarationAcceptedV1),
        burst.slice(from, to).map((d) => acceptedMessage(d)),
        250,
      );
    await send(0, 500);
    await waitFor('some of the burst decided', async () => (await decisions()) >= 50, { timeoutMs: 60_000 });

    let atRefusal = 0;
    let atReturn = 0;
    let rounds: AwayRound[] = [];
    const start = Date.now();
    const { backAt, terminated } = await role.outage(30_000, {
      during: async () => {
        atRefusal = await decisions();
        await send(500, burst.length);
        rounds = await answersWhileAway(
          h.url,
          [
            {
              path: `/v1/decisions/${burst[0].declarationId}`,
              headers: { authorization: `Bearer ${h.keys.operator}` },
            },
          ],
          start,
          29_000,
        );
      },
      atEnd: async () => {
        atReturn = await decisions();
      },
    });

    // What arrived while the database was away waited for it (and nothing was given up on).
    expect(atReturn).toBeLessThanOrEqual(500);
    const { settled, refused } = refusedAsUnavailable(rounds);
    expect(settled).toBeGreaterThan(10);
    expect(refused).toBe(settled);
    expect(rounds.every((r) => r.reads[0].status !== 500 && r.live === 200)).toBe(true);

    await waitFor(
      'every declaration of the burst decided',
      async () => (await decisions()) === burst.length,
      {
        timeoutMs: 120_000,
      },
    );
    const decidedAllMs = Date.now() - backAt;
    await waitFor('the outbox drained', async () => (await h.api.get(OutboxAdmin).backlog()).pending === 0, {
      timeoutMs: 60_000,
    });
    const decided = eventIdsBySubject(
      await waitFor('the decisions readable', () =>
        probe.readAll(h.topic(Topics.ExemptionDecidedV1), 30_000),
      ),
    );
    expect(burst.filter((d) => decided.ids.get(d.declarationId)?.size !== 1)).toEqual([]);
    expect(handled.filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
    expect(await probe.count(deadLetterTopic(h.config.KAFKA_GROUP_ID))).toBe(0);
    const read = await h.call('GET', `/v1/decisions/${burst[0].declarationId}`, { key: 'operator' });
    expect(read.status).toBe(200);

    process.stdout.write(
      `[pg-outage] exemption: role refused for 30 s (${terminated} sessions terminated) with ${atRefusal}/${burst.length} decided; ` +
        `${atReturn} decided when it came back; ${rounds.length} reads during: ${[...new Set(rounds.map((r) => r.reads[0].status))].join('/')}, live always 200; ` +
        `all ${burst.length} decided ${decidedAllMs} ms after; ${decided.copies} decision messages for ${decided.ids.size} declarations; ` +
        `inbox duplicates ${handled.filter((e) => e.outcome === 'duplicate').length}, dead letters 0\n`,
    );
  });
});
