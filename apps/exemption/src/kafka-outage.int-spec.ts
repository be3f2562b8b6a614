// exemption through a 30 s Kafka outage on a broker of its own, killed with SIGKILL in the middle of a
// burst of accepted declarations and started again on the same data: every declaration gets exactly one
// decision, nothing is lost or dead-lettered, and the service resumes by itself.
import { Topics } from '@cic/contracts';
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
  type ExemptionHarness,
  startExemption,
} from './testing/exemption-harness';

const broker = new PrivateKafka();
let h: ExemptionHarness;
let probe: KafkaProbe;
const handled: HandledEvent[] = [];

async function decisions(): Promise<number> {
  const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."decisions"`);
  return n as number;
}

beforeAll(async () => {
  await broker.up();
  h = await startExemption({ KAFKA_BROKERS: broker.address });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  probe = new KafkaProbe([broker.address], 'it-ex-kafka-outage-probe');
  await probe.connect();
}, 180_000);

afterAll(async () => {
  await probe?.disconnect().catch(() => undefined);
  await h?.close();
  await broker.down();
});

describe('Kafka away for 30 s', () => {
  it('decides every declaration of a burst cut off mid-stream exactly once, once the broker is back', async () => {
    const burst = Array.from({ length: 1500 }, () => accepted());
    await probe.produceAll(
      h.topic(Topics.DeclarationAcceptedV1),
      burst.map((d) => acceptedMessage(d)),
      250,
    );
    await waitFor('some of the burst decided', async () => (await decisions()) >= 50, { timeoutMs: 60_000 });
    let atKill = 0;
    let atRestart = { decided: 0, outbox: 0 };
    const { backAt } = await broker.outage(30_000, {
      clients: [probe],
      during: async () => {
        atKill = await decisions();
      },
      atEnd: async () => {
        atRestart = { decided: await decisions(), outbox: (await h.api.get(OutboxAdmin).backlog()).pending };
      },
    });

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

    process.stdout.write(
      `[kafka-outage] exemption: broker SIGKILLed with ${atKill}/${burst.length} decided; at restart ${atRestart.decided} decided, ` +
        `${atRestart.outbox} decisions waiting in the outbox; all ${burst.length} decided ${decidedAllMs} ms after the broker was back; ` +
        `${decided.copies} decision messages for ${decided.ids.size} declarations; inbox duplicates ${handled.filter((e) => e.outcome === 'duplicate').length}, dead letters 0\n`,
    );
  });
});
