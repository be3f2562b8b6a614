// exemption's Kafka door under the worst input: hostile accepted events (not JSON, no envelope, the wrong
// type, a payload of the wrong shape, 20,000 levels deep, 700 KB, control characters) on the same partition
// as valid ones. Each hostile one is dead-lettered with a reason; the consumer keeps running, and every
// valid declaration, before and after them, is decided once.
import { Topics } from '@cic/contracts';
import {
  deadLetterTopic,
  eventIdsBySubject,
  type HandledEvent,
  hostileMessages,
  KafkaProbe,
  KafkaTransport,
} from '@cic/platform-messaging';
import { testInfra, waitFor } from '@cic/platform-testing';
import {
  accepted,
  acceptedMessage,
  type ExemptionHarness,
  startExemption,
} from './testing/exemption-harness';

const probe = new KafkaProbe(testInfra().brokers, 'it-ex-hostile-probe');
let h: ExemptionHarness;
const handled: HandledEvent[] = [];

beforeAll(async () => {
  h = await startExemption({}, { worker: false });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  await probe.connect();
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
});

it('dead-letters every hostile accepted event with a reason and decides every valid one around them once', async () => {
  const key = 'one-partition';
  const before = Array.from({ length: 20 }, () => accepted());
  const after = Array.from({ length: 20 }, () => accepted());
  const template = JSON.parse(acceptedMessage(before[0]).value as string);
  const hostile = hostileMessages(key, template);
  const onPartition = (d: ReturnType<typeof accepted>) => ({ ...acceptedMessage(d), key });
  const topic = h.topic(Topics.DeclarationAcceptedV1);
  await probe.produce(topic, before.map(onPartition));
  for (const { message } of hostile) await probe.produce(topic, [message]);
  await probe.produce(topic, after.map(onPartition));

  const dlq = deadLetterTopic(h.config.KAFKA_GROUP_ID);
  await waitFor(
    'every hostile event dead-lettered',
    async () => (await probe.count(dlq).catch(() => 0)) >= hostile.length,
    {
      timeoutMs: 60_000,
    },
  );
  const valid = [...before, ...after];
  const decided = await waitFor('every valid declaration decided', async () => {
    const d = eventIdsBySubject(await probe.readAll(h.topic(Topics.ExemptionDecidedV1)));
    return valid.every((v) => d.ids.has(v.declarationId)) && d;
  });
  expect(valid.filter((v) => decided.ids.get(v.declarationId)?.size !== 1)).toEqual([]);

  const letters = await probe.readAll(dlq);
  expect(letters).toHaveLength(hostile.length);
  const codes = letters.map((l) => l.headers['dlq-error-code']);
  expect(codes.every((c) => typeof c === 'string' && c.length > 0)).toBe(true);
  // The consumer is still in its group and healthy.
  expect(await h.api.get(KafkaTransport).isConsuming()).toBe(true);
  expect((await fetch(`${h.url}/health/live`)).status).toBe(200);

  process.stdout.write(
    `[hostile] exemption: ${hostile.length} hostile events (${hostile.map((x) => x.name).join(', ')}) dead-lettered with codes ` +
      `${JSON.stringify(codes.reduce<Record<string, number>>((m, c) => ({ ...m, [c!]: (m[c!] ?? 0) + 1 }), {}))}; ` +
      `${valid.length} valid around them decided once each; handled outcomes ${JSON.stringify(handled.reduce<Record<string, number>>((m, e) => ({ ...m, [e.outcome]: (m[e.outcome] ?? 0) + 1 }), {}))}\n`,
  );
});
