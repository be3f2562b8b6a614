// green-channel through a 30 s Kafka outage on a broker of its own, killed with SIGKILL in the middle of a
// burst of accepted declarations (some decided inline, some through the worker's document checks) and
// started again on the same data: every declaration gets exactly one lane decision, none is lost or
// dead-lettered, and the service resumes by itself.
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
import { pace, PrivateKafka, waitFor } from '@cic/platform-testing';
import {
  accepted,
  acceptedMessage,
  type GreenChannelHarness,
  putEnterprise,
  startGreenChannel,
  uscc,
} from './testing/green-channel-harness';

const ADVANCED = uscc('91330200MA2H4K7L3');
const broker = new PrivateKafka();
const docs = mkdtempSync(join(tmpdir(), 'gc-outage-docs-'));
let h: GreenChannelHarness;
let probe: KafkaProbe;
const handled: HandledEvent[] = [];

async function lanes(status?: string): Promise<number> {
  const [{ n }] = await h.ds.query(
    `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."lane_requests"${status ? ' WHERE status = $1' : ''}`,
    status ? [status] : [],
  );
  return n as number;
}

async function outboxPending(): Promise<number> {
  return (await h.api.get(OutboxAdmin).backlog()).pending;
}

beforeAll(async () => {
  await broker.up();
  // A long check deadline: every document check here is expected to finish, not to time out.
  h = await startGreenChannel({
    KAFKA_BROKERS: broker.address,
    DOCUMENT_FILE_ROOT: docs,
    CHECK_DEADLINE_MS: '300000',
  });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  probe = new KafkaProbe([broker.address], 'it-gc-kafka-outage-probe');
  await probe.connect();
  await putEnterprise(h, { code: ADVANCED, tier: 'ADVANCED_CERTIFIED', category: 1 });
}, 180_000);

afterAll(async () => {
  await probe?.disconnect().catch(() => undefined);
  await h?.close();
  await broker.down();
  rmSync(docs, { recursive: true, force: true });
});

describe('Kafka away for 30 s', () => {
  it('decides every declaration of a burst cut off mid-stream exactly once, inline or through the worker, once the broker is back', async () => {
    const content = 'invoice content for the outage';
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
    await probe.produceAll(
      h.topic(Topics.DeclarationAcceptedV1),
      burst.map((d) => acceptedMessage(d)),
      250,
    );
    await waitFor('some of the burst decided', async () => (await lanes('DECIDED')) >= 50, {
      timeoutMs: 60_000,
    });
    let atKill = { seen: 0, decided: 0 };
    let atRestart = { seen: 0, decided: 0, outbox: 0 };
    const health: number[] = [];
    const { backAt } = await broker.outage(30_000, {
      clients: [probe],
      during: async () => {
        atKill = { seen: await lanes(), decided: await lanes('DECIDED') };
        for (let i = 0; i < 9; i++) {
          health.push((await fetch(`${h.url}/health/live`)).status);
          await pace(3000);
        }
      },
      atEnd: async () => {
        atRestart = { seen: await lanes(), decided: await lanes('DECIDED'), outbox: await outboxPending() };
      },
    });

    await waitFor(
      'every declaration of the burst decided',
      async () => (await lanes('DECIDED')) === burst.length,
      {
        timeoutMs: 120_000,
      },
    );
    const decidedAllMs = Date.now() - backAt;
    await waitFor('the outbox drained', async () => (await outboxPending()) === 0, { timeoutMs: 60_000 });
    const decided = eventIdsBySubject(
      await waitFor('the decisions readable', () =>
        probe.readAll(h.topic(Topics.GreenChannelDecidedV1), 30_000),
      ),
    );
    expect(await lanes()).toBe(burst.length);
    expect(burst.filter((d) => decided.ids.get(d.declarationId)?.size !== 1)).toEqual([]);
    expect(health.every((s) => s === 200)).toBe(true);
    expect(handled.filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
    expect(await probe.count(deadLetterTopic(h.config.KAFKA_GROUP_ID))).toBe(0);
    const [{ n: byWorker }] = await h.ds.query(
      `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."lane_requests" WHERE decided_by = 'checks'`,
    );
    expect(byWorker).toBe(burst.length / 10);

    process.stdout.write(
      `[kafka-outage] green-channel: broker SIGKILLed with ${atKill.seen}/${burst.length} declarations taken, ${atKill.decided} decided; ` +
        `during 30 s down the service went on to ${atRestart.seen} taken, ${atRestart.decided} decided, ${atRestart.outbox} decisions waiting in the outbox; ` +
        `all ${burst.length} decided (${byWorker} by the worker's checks) ${decidedAllMs} ms after the broker was back; ` +
        `${decided.copies} decision messages for ${decided.ids.size} declarations; inbox duplicates ${handled.filter((e) => e.outcome === 'duplicate').length}, dead letters 0\n`,
    );
  });
});
