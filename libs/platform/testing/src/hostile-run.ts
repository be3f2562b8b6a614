import { waitFor } from './wait-for';

interface Message {
  key?: string | null;
  value: string | Buffer | null;
}

/** What a hostile-input run needs of a Kafka test client (KafkaProbe fits). */
export interface TopicClient {
  produce(topic: string, messages: Message[]): Promise<void>;
  readAll(
    topic: string,
    timeoutMs?: number,
  ): Promise<Array<{ value: string | null; headers: Record<string, string> }>>;
  count(topic: string): Promise<number>;
}

/**
 * Sends `before`, then each hostile message on its own, then `after` to `topic` (the caller keys them all
 * alike, so they share a partition), and waits until every hostile one is in `deadLetters` and every
 * subject in `subjects` has an answer on `answers`. Returns the dead letters and the answers, for the test
 * to judge.
 */
export async function throughHostileInput(
  client: TopicClient,
  o: {
    topic: string;
    answers: string;
    deadLetters: string;
    before: Message[];
    hostile: Array<{ name: string; message: Message }>;
    after: Message[];
    subjects: string[];
  },
): Promise<{
  letters: Array<{ value: string | null; headers: Record<string, string> }>;
  answers: Array<{ value: string | null }>;
}> {
  await client.produce(o.topic, o.before);
  for (const { message } of o.hostile) await client.produce(o.topic, [message]);
  await client.produce(o.topic, o.after);
  await waitFor(
    'every hostile message dead-lettered',
    async () => (await client.count(o.deadLetters).catch(() => 0)) >= o.hostile.length,
    { timeoutMs: 60_000 },
  );
  const answers = await waitFor('every valid message answered', async () => {
    const all = await client.readAll(o.answers);
    const seen = new Set(all.map((m) => /"subject"\s*:\s*"([^"]+)"/.exec(m.value ?? '')?.[1]));
    return o.subjects.every((s) => seen.has(s)) && all;
  });
  return { letters: await client.readAll(o.deadLetters), answers };
}

/** How many of each: `{ MALFORMED_JSON: 1, INVALID_ENVELOPE: 9 }`. */
export function countBy<T>(items: T[], key: (item: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item) ?? '(none)';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
