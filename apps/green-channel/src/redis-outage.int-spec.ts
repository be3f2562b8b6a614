// green-channel while its Redis (BullMQ) is killed for 30 s with document checks in flight, and comes
// back empty (no persistence): lanes that need no check are still decided inline, the lanes waiting for a
// check are never decided GREEN without it, the lost jobs are dispatched again from Postgres, and every
// declaration ends with exactly one decision.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type CloudEvent, type GreenChannelDecided, Topics } from '@cic/contracts';
import { KafkaProbe } from '@cic/platform-messaging';
import { pace, PrivateRedis, testInfra, waitFor } from '@cic/platform-testing';
import {
  accepted,
  acceptedMessage,
  type GreenChannelHarness,
  putEnterprise,
  startGreenChannel,
  uscc,
} from './testing/green-channel-harness';

const ADVANCED = uscc('91330200MA2H4K7L3');
const CONTENT = 'invoice served slowly';
const SHA = createHash('sha256').update(CONTENT).digest('hex');
const redis = new PrivateRedis();
const probe = new KafkaProbe(testInfra().brokers, 'it-gc-redis-outage-probe');
let h: GreenChannelHarness;
let server: Server;
let docUrl = '';
let served = 0;

async function count(where: string): Promise<number> {
  const [{ n }] = await h.ds.query(
    `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."lane_requests" WHERE ${where}`,
  );
  return n as number;
}

beforeAll(async () => {
  // A document server that takes 2 s per answer, so checks are in flight when Redis goes.
  server = createServer((_req, res) => {
    setTimeout(() => {
      served++;
      res.end(CONTENT);
    }, 2000);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  docUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/invoice.pdf`;
  await redis.up();
  h = await startGreenChannel({
    REDIS_URL: redis.url,
    DOCUMENT_ALLOWED_HOSTS: '127.0.0.1',
    DOCUMENT_ALLOW_HTTP: 'true',
    DOCUMENT_ALLOW_PRIVATE: 'true',
    // Long enough for a check lost with Redis to be dispatched again (after 30 s) and finish.
    CHECK_DEADLINE_MS: '180000',
  });
  await putEnterprise(h, { code: ADVANCED, tier: 'ADVANCED_CERTIFIED', category: 1 });
  await probe.connect();
}, 120_000);

afterAll(async () => {
  await probe.disconnect();
  await h?.close();
  await redis.kill();
  server?.close();
});

describe('Redis away for 30 s', () => {
  it('decides inline lanes meanwhile, never decides a lane waiting for a check without it, and finishes every lost check once Redis is back', async () => {
    const withDocument = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        accepted({
          declarant: { code: ADVANCED, name: 'A' },
          documents: [{ kind: 'INVOICE', number: `INV-${i}`, sha256: SHA, uri: docUrl }],
        }),
      );
    const inflight = withDocument(10);
    await probe.produce(
      h.topic(Topics.DeclarationAcceptedV1),
      inflight.map((d) => acceptedMessage(d)),
    );
    await waitFor('checks dispatched to the worker', async () => {
      const [{ n }] = await h.ds.query(
        `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."lane_checks" WHERE enqueued_at IS NOT NULL`,
      );
      return n >= inflight.length;
    });
    await redis.kill();
    const outageStart = Date.now();
    const servedAtKill = served;

    const inline = Array.from({ length: 100 }, () => accepted({ declarant: { code: ADVANCED, name: 'A' } }));
    const waiting = withDocument(10);
    await probe.produce(
      h.topic(Topics.DeclarationAcceptedV1),
      [...inline, ...waiting].map((d) => acceptedMessage(d)),
    );
    const inlineIds = inline.map((d) => `'${d.declarationId}'`).join(',');
    const checkIds = [...inflight, ...waiting].map((d) => `'${d.declarationId}'`).join(',');
    await waitFor(
      'the inline lanes decided without Redis',
      async () => (await count(`declaration_id IN (${inlineIds}) AND status = 'DECIDED'`)) === inline.length,
      { timeoutMs: 25_000 },
    );
    const inlineDecidedMs = Date.now() - outageStart;
    const live: number[] = [];
    while (Date.now() < outageStart + 30_000) {
      live.push((await fetch(`${h.url}/health/live`)).status);
      await pace(2000);
    }
    // In-flight checks may finish (their fetch was under way; the outcome goes to Postgres); the lanes
    // whose checks were never handed to the worker must wait.
    const inflightIds = inflight.map((d) => `'${d.declarationId}'`).join(',');
    const waitingIds = waiting.map((d) => `'${d.declarationId}'`).join(',');
    const inflightDecidedDuringOutage = await count(
      `declaration_id IN (${inflightIds}) AND status = 'DECIDED'`,
    );
    const waitingDecidedDuringOutage = await count(
      `declaration_id IN (${waitingIds}) AND status = 'DECIDED'`,
    );
    await redis.up();
    const backAt = Date.now();

    await waitFor(
      'every lane waiting for a check decided',
      async () => (await count(`declaration_id IN (${checkIds}) AND status = 'DECIDED'`)) === 20,
      { timeoutMs: 150_000 },
    );
    const checksDoneMs = Date.now() - backAt;
    const all = [...inflight, ...inline, ...waiting];
    const decisions = new Map<string, Array<CloudEvent<string, GreenChannelDecided>>>();
    await waitFor('every decision published', async () => {
      decisions.clear();
      for (const m of await probe.readAll(h.topic(Topics.GreenChannelDecidedV1))) {
        const e = JSON.parse(m.value!) as CloudEvent<string, GreenChannelDecided>;
        decisions.set(e.subject, [...(decisions.get(e.subject) ?? []), e]);
      }
      return all.every((d) => decisions.has(d.declarationId));
    });

    // No lane waiting for a check was decided while its check could not run; each ends with one decision.
    expect(waitingDecidedDuringOutage).toBe(0);
    expect(all.filter((d) => new Set(decisions.get(d.declarationId)!.map((e) => e.id)).size !== 1)).toEqual(
      [],
    );
    const checked = [...inflight, ...waiting].map((d) => decisions.get(d.declarationId)![0].data);
    expect(
      checked.every((e) => e.checks.find((c) => c.name === 'document-verification')?.outcome === 'PASS'),
    ).toBe(true);
    expect(await count(`declaration_id IN (${checkIds}) AND decided_by = 'checks'`)).toBe(20);
    expect(live.every((s) => s === 200)).toBe(true);

    process.stdout.write(
      `[redis-outage] green-channel: Redis SIGKILLed with ${inflight.length} document checks dispatched (${servedAtKill} documents served by then); ` +
        `${inline.length} inline lanes decided ${inlineDecidedMs} ms into the outage; during it ${inflightDecidedDuringOutage} of the in-flight checks finished and ${waitingDecidedDuringOutage} of the ${waiting.length} lanes waiting for a check were decided; ` +
        `Redis back empty, all 20 checks done and decided (PASS) ${checksDoneMs} ms later; documents fetched ${served} times; one decision per declaration\n`,
    );
  });
});
