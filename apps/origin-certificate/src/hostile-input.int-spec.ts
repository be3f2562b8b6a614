// origin-certificate's Kafka door under the worst input: hostile accepted events (not JSON, no envelope, the wrong
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
import { countBy, testInfra, throughHostileInput } from '@cic/platform-testing';
import { accepted, acceptedMessage, type OriginHarness, startOrigin } from './testing/origin-harness';

const probe = new KafkaProbe(testInfra().brokers, 'it-or-hostile-probe');
let h: OriginHarness;
const handled: HandledEvent[] = [];

beforeAll(async () => {
  h = await startOrigin({}, { worker: false });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  await probe.connect();
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
});

it('dead-letters every hostile accepted event with a reason and decides every valid one around them once', async () => {
  const key = 'one-partition';
  const [before, after] = [0, 1].map(() => Array.from({ length: 20 }, () => accepted()));
  const valid = [...before, ...after];
  const hostile = hostileMessages(key, JSON.parse(acceptedMessage(before[0]).value as string));
  const { letters, answers } = await throughHostileInput(probe, {
    topic: h.topic(Topics.DeclarationAcceptedV1),
    answers: h.topic(Topics.OriginDecidedV1),
    deadLetters: deadLetterTopic(h.config.KAFKA_GROUP_ID),
    before: before.map((d) => ({ ...acceptedMessage(d), key })),
    hostile,
    after: after.map((d) => ({ ...acceptedMessage(d), key })),
    subjects: valid.map((d) => d.declarationId),
  });

  const decided = eventIdsBySubject(answers);
  expect(valid.filter((v) => decided.ids.get(v.declarationId)?.size !== 1)).toEqual([]);
  expect(letters).toHaveLength(hostile.length);
  // Each with the reason it failed on.
  expect(countBy(letters, (l) => l.headers['dlq-error-code'])).toEqual(countBy(hostile, (x) => x.code));
  expect(h.api.get(KafkaTransport).isConsuming()).toBe(true);
  expect((await fetch(`${h.url}/health/live`)).status).toBe(200);

  process.stdout.write(
    `[hostile] origin-certificate: ${hostile.length} hostile events (${hostile.map((x) => x.name).join(', ')}) dead-lettered, codes ` +
      `${JSON.stringify(countBy(letters, (l) => l.headers['dlq-error-code']))}; ${valid.length} valid around them decided once each; ` +
      `handled ${JSON.stringify(countBy(handled, (e) => e.outcome))}\n`,
  );
});
