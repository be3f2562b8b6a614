// origin-certificate through a 30 s Kafka outage on a broker of its own, killed with SIGKILL in the middle
// of a burst of accepted declarations that request certificates, and started again on the same data:
// every declaration gets one decision and at most one certificate (numbers never reused), the worker
// keeps rendering PDFs meanwhile, and nothing is lost or dead-lettered.
import { type OriginDecided, Topics } from '@cic/contracts';
import {
  deadLetterTopic,
  eventIdsBySubject,
  type HandledEvent,
  KafkaProbe,
  KafkaTransport,
  OutboxAdmin,
} from '@cic/platform-messaging';
import { PrivateKafka, waitFor } from '@cic/platform-testing';
import {
  accepted,
  acceptedMessage,
  type OriginHarness,
  parseEvents,
  startOrigin,
} from './testing/origin-harness';

const broker = new PrivateKafka();
let h: OriginHarness;
let probe: KafkaProbe;
const handled: HandledEvent[] = [];

async function applications(): Promise<number> {
  const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."applications"`);
  return n as number;
}

async function pdfs(status: string): Promise<number> {
  const [{ n }] = await h.ds.query(
    `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."certificate_pdfs" WHERE status = $1`,
    [status],
  );
  return n as number;
}

beforeAll(async () => {
  await broker.up();
  h = await startOrigin({ KAFKA_BROKERS: broker.address });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  probe = new KafkaProbe([broker.address], 'it-or-kafka-outage-probe');
  await probe.connect();
}, 180_000);

afterAll(async () => {
  await probe?.disconnect().catch(() => undefined);
  await h?.close();
  await broker.down();
});

describe('Kafka away for 30 s', () => {
  it('decides every declaration of a burst cut off mid-stream once, with one certificate each and no number used twice, once the broker is back', async () => {
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
    await probe.produceAll(
      h.topic(Topics.DeclarationAcceptedV1),
      burst.map((d) => acceptedMessage(d)),
      200,
    );
    await waitFor('some of the burst decided', async () => (await applications()) >= 30, {
      timeoutMs: 60_000,
    });
    let atKill = { decided: 0, pdfsDone: 0 };
    let atRestart = { decided: 0, pdfsDone: 0, outbox: 0 };
    const { backAt } = await broker.outage(30_000, {
      clients: [probe],
      during: async () => {
        atKill = { decided: await applications(), pdfsDone: await pdfs('DONE') };
      },
      atEnd: async () => {
        atRestart = {
          decided: await applications(),
          pdfsDone: await pdfs('DONE'),
          outbox: (await h.api.get(OutboxAdmin).backlog()).pending,
        };
      },
    });

    await waitFor(
      'every declaration of the burst decided',
      async () => (await applications()) === burst.length,
      { timeoutMs: 120_000 },
    );
    const decidedAllMs = Date.now() - backAt;
    await waitFor('the outbox drained', async () => (await h.api.get(OutboxAdmin).backlog()).pending === 0, {
      timeoutMs: 60_000,
    });
    const messages = await waitFor('the decisions readable', () =>
      probe.readAll(h.topic(Topics.OriginDecidedV1), 30_000),
    );
    const events = parseEvents<OriginDecided>(messages);
    const decided = eventIdsBySubject(messages);
    expect(burst.filter((d) => decided.ids.get(d.declarationId)?.size !== 1)).toEqual([]);

    const certificates: Array<{ declaration_id: string; n: number }> = await h.ds.query(
      `SELECT declaration_id, count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."certificates" GROUP BY declaration_id`,
    );
    const issued = new Set(
      events.filter((e) => e.data.outcome === 'ISSUED').map((e) => e.data.declarationId),
    );
    expect(issued.size).toBe(burst.length - burst.length / 3);
    expect(certificates.every((c) => c.n === 1)).toBe(true);
    expect(new Set(certificates.map((c) => c.declaration_id))).toEqual(issued);
    const numbers = events.filter((e) => e.data.outcome === 'ISSUED').map((e) => e.data.certificate!.number);
    expect(new Set(numbers).size).toBe(issued.size);
    await waitFor('every PDF rendered', async () => (await pdfs('PENDING')) === 0, { timeoutMs: 120_000 });
    expect(handled.filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
    expect(await probe.count(deadLetterTopic(h.config.KAFKA_GROUP_ID))).toBe(0);

    process.stdout.write(
      `[kafka-outage] origin-certificate: broker SIGKILLed with ${atKill.decided}/${burst.length} decided, ${atKill.pdfsDone} PDFs rendered; ` +
        `at restart ${atRestart.decided} decided, ${atRestart.pdfsDone} PDFs rendered (the worker went on), ${atRestart.outbox} events waiting in the outbox; ` +
        `all ${burst.length} decided ${decidedAllMs} ms after the broker was back: ${issued.size} ISSUED with ${new Set(numbers).size} distinct numbers, ` +
        `${burst.length - issued.size} REFUSED; ${decided.copies} decision messages; inbox duplicates ${handled.filter((e) => e.outcome === 'duplicate').length}, dead letters 0\n`,
    );
  });
});
