// green-channel while PostgreSQL refuses it for 30 s (its role set NOLOGIN and its sessions terminated, the
// way a failover or a restart looks to a client), in the middle of a burst of accepted declarations, some
// decided inline and some waiting for the worker's document checks: the consumer's batches and the
// worker's checks fail and are retried, never dead-lettered and never decided without their check; the
// HTTP API answers 503 with Retry-After (never 500) and stays live; once the database is back every
// declaration gets exactly one lane decision.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  type GreenChannelHarness,
  putEnterprise,
  startGreenChannel,
  uscc,
} from './testing/green-channel-harness';
import { CheckDispatcher } from './jobs/check-dispatcher';

const ADVANCED = uscc('91330200MA2H4K7L3');
const infra = testInfra();
const role = new PostgresRole(infra.databaseUrl);
const probe = new KafkaProbe(infra.brokers, 'it-gc-pg-outage-probe');
const docs = mkdtempSync(join(tmpdir(), 'gc-pg-outage-docs-'));
let h: GreenChannelHarness;
const handled: HandledEvent[] = [];

/** Lane requests (of a status), counted on the test's own session: the service's role is refused during the outage. */
async function lanes(status?: string): Promise<number> {
  const [{ n }] = await role.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."lane_requests"${status ? ' WHERE status = $1' : ''}`,
    status ? [status] : [],
  );
  return n;
}

beforeAll(async () => {
  await role.create();
  // A long check deadline: every document check here is expected to finish once the database is back.
  h = await startGreenChannel({
    DATABASE_URL: role.url,
    DOCUMENT_FILE_ROOT: docs,
    CHECK_DEADLINE_MS: '300000',
  });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  await probe.connect();
  await putEnterprise(h, { code: ADVANCED, tier: 'ADVANCED_CERTIFIED', category: 1 });
}, 120_000);

afterAll(async () => {
  await role.allow();
  await probe.disconnect();
  await h?.close();
  await role.drop();
  rmSync(docs, { recursive: true, force: true });
});

describe('PostgreSQL away for 30 s', () => {
  it('retries what it could not write, inline or in the worker, answers 503 meanwhile, and decides every declaration exactly once when the database is back', async () => {
    const content = 'invoice content for the database outage';
    writeFileSync(join(docs, 'invoice.pdf'), content);
    const sha = createHash('sha256').update(content).digest('hex');
    // Every tenth declaration has a document to fetch: its lane waits for the worker's check.
    const burst = Array.from({ length: 1500 }, (_, i) =>
      accepted({
        declarant: { code: ADVANCED, name: 'A' },
        ...(i % 10 === 0
          ? {
              documents: [
                { kind: 'INVOICE', number: `INV-${i}`, sha256: sha, uri: `file://${docs}/invoice.pdf` },
              ],
            }
          : {}),
      }),
    );
    // A third before the refusal (some of it in flight when the database goes), the rest while it is away.
    const send = (from: number, to: number) =>
      probe.produceAll(
        h.topic(Topics.DeclarationAcceptedV1),
        burst.slice(from, to).map((d) => acceptedMessage(d)),
        250,
      );
    await send(0, 500);
    await waitFor('some of the burst decided', async () => (await lanes('DECIDED')) >= 50, {
      timeoutMs: 60_000,
    });

    let atRefusal = { seen: 0, decided: 0 };
    let atReturn = { seen: 0, decided: 0 };
    let rounds: AwayRound[] = [];
    const start = Date.now();
    const { backAt, terminated } = await role.outage(30_000, {
      during: async () => {
        atRefusal = { seen: await lanes(), decided: await lanes('DECIDED') };
        await send(500, burst.length);
        rounds = await answersWhileAway(
          h.url,
          [
            {
              path: `/v1/lanes/${burst[0].declarationId}`,
              headers: { authorization: `Bearer ${h.keys.operator}` },
            },
          ],
          start,
          29_000,
        );
      },
      atEnd: async () => {
        atReturn = { seen: await lanes(), decided: await lanes('DECIDED') };
      },
    });

    // What arrived while the database was away waited for it (and nothing was given up on).
    expect(atReturn.seen).toBeLessThanOrEqual(500);
    const { settled, refused } = refusedAsUnavailable(rounds);
    expect(settled).toBeGreaterThan(10);
    expect(refused).toBe(settled);
    expect(rounds.every((r) => r.reads[0].status !== 500 && r.live === 200)).toBe(true);

    await waitFor(
      'every declaration of the burst decided',
      async () => (await lanes('DECIDED')) === burst.length,
      {
        timeoutMs: 120_000,
      },
    ).catch(async (error: Error) => {
      // Where the rest stand: undecided lanes, and the checks they wait for.
      const state = await role.query(
        `SELECT r.status, c.status AS check_status, c.attempts, c.enqueued_at IS NOT NULL AS enqueued, count(*)::int AS n
           FROM "${h.config.DB_SCHEMA}"."lane_requests" r
           LEFT JOIN "${h.config.DB_SCHEMA}"."lane_checks" c ON c.declaration_id = r.declaration_id
          WHERE r.status <> 'DECIDED' GROUP BY 1, 2, 3, 4`,
      );
      throw new Error(`${error.message}; undecided: ${JSON.stringify(state)}; seen ${await lanes()}`);
    });
    const decidedAllMs = Date.now() - backAt;
    const rerun = h.worker!.get(CheckDispatcher).rerunAfterOutage;
    await waitFor('the outbox drained', async () => (await h.api.get(OutboxAdmin).backlog()).pending === 0, {
      timeoutMs: 60_000,
    });
    const decided = eventIdsBySubject(
      await waitFor('the decisions readable', () =>
        probe.readAll(h.topic(Topics.GreenChannelDecidedV1), 30_000),
      ),
    );
    expect(burst.filter((d) => decided.ids.get(d.declarationId)?.size !== 1)).toEqual([]);
    // Every lane that had a document to check was decided by the worker's check, none without it.
    const [{ n: byWorker }] = await role.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."lane_requests" WHERE decided_by = 'checks'`,
    );
    expect(byWorker).toBe(burst.length / 10);
    expect(handled.filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
    expect(await probe.count(deadLetterTopic(h.config.KAFKA_GROUP_ID))).toBe(0);

    process.stdout.write(
      `[pg-outage] green-channel: role refused for 30 s (${terminated} sessions terminated) with ${atRefusal.seen}/${burst.length} taken, ${atRefusal.decided} decided; ` +
        `${atReturn.seen} taken, ${atReturn.decided} decided when it came back; ${rounds.length} reads during: ${[...new Set(rounds.map((r) => r.reads[0].status))].join('/')}, live always 200; ` +
        `all ${burst.length} decided (${byWorker} by the worker's checks, ${rerun} of them run again after running out of attempts during the outage) ${decidedAllMs} ms after; ${decided.copies} decision messages for ${decided.ids.size} declarations; ` +
        `inbox duplicates ${handled.filter((e) => e.outcome === 'duplicate').length}, dead letters 0\n`,
    );
  });
});
