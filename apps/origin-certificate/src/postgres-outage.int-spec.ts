// origin-certificate while PostgreSQL refuses it for 30 s (its role set NOLOGIN and its sessions
// terminated, the way a failover or a restart looks to a client), in the middle of a burst of accepted
// declarations that request certificates: batches and PDF renders fail and are retried, never
// dead-lettered or given up; the public verification answers 503 with Retry-After (never "invalid",
// "not found" or 500) and the service stays live; once the database is back every declaration gets one
// decision and at most one certificate, no number used twice, and every issued certificate its PDF.
import { type OriginDecided, Topics } from '@cic/contracts';
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
  type OriginHarness,
  parseEvents,
  startOrigin,
} from './testing/origin-harness';
import { PdfDispatcher } from './jobs/pdf-dispatcher';

const infra = testInfra();
const role = new PostgresRole(infra.databaseUrl);
const probe = new KafkaProbe(infra.brokers, 'it-or-pg-outage-probe');
let h: OriginHarness;
const handled: HandledEvent[] = [];

/** Counted on the test's own session: the service's role is refused during the outage. */
async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [{ n }] = await role.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."${table}" WHERE ${where}`,
    params,
  );
  return n;
}

beforeAll(async () => {
  await role.create();
  // A short render backoff: a render in flight when the database goes runs out of its attempts during
  // the outage, and must be dispatched again once it is back.
  h = await startOrigin({ DATABASE_URL: role.url, PDF_BACKOFF_MS: '100' });
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
  it('retries what it could not write, answers 503 to verification meanwhile, and decides, issues and renders everything once when the database is back', async () => {
    // A third refused (a non-originating material with no tariff shift), the rest issued.
    const burst = Array.from({ length: 600 }, (_, i) => {
      const d = accepted();
      if (i % 3 === 0) {
        const line = d.originCertificate!.lines[0];
        line.criterion = 'PSR';
        line.materials = [
          { hsCode: '870840', originCountry: 'DE', value: { amount: '90000.00', currency: 'USD' } },
        ];
      }
      return d;
    });
    // A third before the refusal (some of it in flight when the database goes), the rest while it is away.
    const send = (from: number, to: number) =>
      probe.produceAll(
        h.topic(Topics.DeclarationAcceptedV1),
        burst.slice(from, to).map((d) => acceptedMessage(d)),
        100,
      );
    await send(0, 200);
    // The database goes while the worker is rendering: some PDFs done, others dispatched and waiting.
    await waitFor(
      'renders under way',
      async () =>
        (await count('certificate_pdfs', "status = 'DONE'")) >= 5 &&
        (await count('certificate_pdfs', "status = 'PENDING' AND enqueued_at IS NOT NULL")) >= 20,
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    const [issuedBefore] = await role.query<{ number: string }>(
      `SELECT number FROM "${h.config.DB_SCHEMA}"."certificates" LIMIT 1`,
    );

    let atRefusal = { decided: 0, pdfsDone: 0 };
    let atReturn = { decided: 0, pdfsDone: 0 };
    let rounds: AwayRound[] = [];
    const start = Date.now();
    const { backAt, terminated } = await role.outage(30_000, {
      during: async () => {
        atRefusal = {
          decided: await count('applications'),
          pdfsDone: await count('certificate_pdfs', "status = 'DONE'"),
        };
        await send(200, burst.length);
        rounds = await answersWhileAway(
          h.url,
          [
            { path: `/v1/certificates/${issuedBefore.number}/verify` },
            {
              path: `/v1/certificates/${issuedBefore.number}`,
              headers: { authorization: `Bearer ${h.keys.operator}` },
            },
          ],
          start,
          29_000,
        );
      },
      atEnd: async () => {
        atReturn = {
          decided: await count('applications'),
          pdfsDone: await count('certificate_pdfs', "status = 'DONE'"),
        };
      },
    });

    // What arrived while the database was away waited for it.
    expect(atReturn.decided).toBeLessThanOrEqual(200);
    // A verifier is told to come back, never that a genuine certificate is unknown or invalid.
    const { settled, refused } = refusedAsUnavailable(rounds);
    expect(settled).toBeGreaterThan(10);
    expect(refused).toBe(settled);
    expect(rounds.every((r) => r.reads.every((a) => [200, 503].includes(a.status)) && r.live === 200)).toBe(
      true,
    );

    await waitFor(
      'every declaration of the burst decided',
      async () => (await count('applications')) === burst.length,
      {
        timeoutMs: 120_000,
      },
    );
    const decidedAllMs = Date.now() - backAt;
    await waitFor('the outbox drained', async () => (await h.api.get(OutboxAdmin).backlog()).pending === 0, {
      timeoutMs: 60_000,
    });
    const messages = await waitFor('the decisions readable', () =>
      probe.readAll(h.topic(Topics.OriginDecidedV1), 30_000),
    );
    const decided = eventIdsBySubject(messages);
    expect(burst.filter((d) => decided.ids.get(d.declarationId)?.size !== 1)).toEqual([]);
    const issued = parseEvents<OriginDecided>(messages).filter((e) => e.data.outcome === 'ISSUED');
    const numbers = new Set(issued.map((e) => e.data.certificate!.number));
    expect(new Set(issued.map((e) => e.data.declarationId)).size).toBe(burst.length - burst.length / 3);
    expect(numbers.size).toBe(burst.length - burst.length / 3);
    expect(await count('certificates')).toBe(numbers.size);
    // Every issued certificate gets its PDF, renders cut off by the outage included.
    await waitFor(
      'every PDF rendered',
      async () => (await count('certificate_pdfs', "status = 'DONE'")) === numbers.size,
      {
        timeoutMs: 150_000,
      },
    );
    const pdfsAllMs = Date.now() - backAt;
    // Renders that ran out of attempts during the outage (a 100 ms backoff) are run again as soon as the
    // database answers, not when the dispatcher finds them still pending a minute after dispatch.
    const rerun = h.workers[0].get(PdfDispatcher).rerunAfterOutage;
    expect(rerun).toBeGreaterThan(0);
    expect(handled.filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
    expect(await probe.count(deadLetterTopic(h.config.KAFKA_GROUP_ID))).toBe(0);
    const verified = await h.call('GET', `/v1/certificates/${issuedBefore.number}/verify`, { key: null });
    expect(verified.status).toBe(200);

    process.stdout.write(
      `[pg-outage] origin-certificate: role refused for 30 s (${terminated} sessions terminated) with ${atRefusal.decided}/${burst.length} decided, ${atRefusal.pdfsDone} PDFs rendered; ` +
        `${atReturn.decided} decided, ${atReturn.pdfsDone} PDFs when it came back; ${rounds.length} verifications during: ${[...new Set(rounds.map((r) => r.reads[0].status))].join('/')}, live always 200; ` +
        `all ${burst.length} decided ${decidedAllMs} ms after, ${numbers.size} ISSUED with distinct numbers, every PDF rendered ${pdfsAllMs} ms after (${rerun} renders cut off by the outage run again); ` +
        `${decided.copies} decision messages; inbox duplicates ${handled.filter((e) => e.outcome === 'duplicate').length}, dead letters 0\n`,
    );
  }, 300_000);
});
