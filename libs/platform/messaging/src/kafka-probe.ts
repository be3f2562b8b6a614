import { randomUUID } from 'node:crypto';
import { type Admin, ConfigResourceTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import { headersToStrings, type StringHeaders } from './headers';
import { dropKafkajsTimerWarning } from './kafka-client';
import { DefaultPartitioner } from './partitioner';

export interface RawMessage {
  key?: string | null;
  value: string | Buffer | null;
  headers?: StringHeaders;
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: StringHeaders;
}

/**
 * The distinct event ids (CloudEvent `id`) among `messages` for each subject, and how many messages that
 * took in all: a subject with one id in several copies was published more than once, a subject with
 * several ids was decided more than once. Only `subjects` when given; messages that are not events are
 * not counted.
 */
export function eventIdsBySubject(
  messages: ReadonlyArray<{ value: string | null }>,
  subjects?: ReadonlySet<string>,
): { ids: Map<string, Set<string>>; copies: number } {
  const ids = new Map<string, Set<string>>();
  let copies = 0;
  for (const m of messages) {
    const event = parseObject(m.value);
    if (typeof event?.subject !== 'string' || typeof event.id !== 'string') continue;
    if (subjects && !subjects.has(event.subject)) continue;
    copies++;
    const set = ids.get(event.subject) ?? new Set<string>();
    set.add(event.id);
    ids.set(event.subject, set);
  }
  return { ids, copies };
}

function parseObject(value: string | null): { id?: unknown; subject?: unknown } | null {
  try {
    return JSON.parse(value ?? 'null') as { id?: unknown; subject?: unknown } | null;
  } catch {
    return null; // not an event (a malformed message a test put there): not counted
  }
}

/**
 * Raw access to topics outside any consumer group: produce exact bytes (including malformed ones) and
 * read a topic from the start to its current end. For tests, tools and the operator console.
 */
export class KafkaProbe {
  private readonly kafka: Kafka;
  private admin?: Admin;
  private producer?: Producer;

  constructor(brokers: string[], clientId = 'cic-probe') {
    dropKafkajsTimerWarning();
    this.kafka = new Kafka({ clientId, brokers, logLevel: logLevel.ERROR });
  }

  async connect(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.producer = this.kafka.producer({
      createPartitioner: DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }

  async createTopics(topics: string[], partitions = 3, config: Record<string, string> = {}): Promise<void> {
    const existing = new Set(await this.admin!.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length) {
      await this.admin!.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
        })),
      });
    }
  }

  /** The topic's current values of the named configs (e.g. `cleanup.policy`). */
  async topicConfig(topic: string, names: string[]): Promise<Record<string, string | undefined>> {
    const { resources } = await this.admin!.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
    });
    const entries = resources[0]?.configEntries ?? [];
    return Object.fromEntries(names.map((n) => [n, entries.find((e) => e.configName === n)?.configValue]));
  }

  async produce(topic: string, messages: RawMessage[]): Promise<void> {
    await this.producer!.send({ topic, acks: -1, messages });
  }

  /**
   * Produces `messages` in requests of `perRequest` (one record batch per partition must stay within the
   * topic's message size limit), in order.
   */
  async produceAll(topic: string, messages: RawMessage[], perRequest = 200): Promise<void> {
    for (let i = 0; i < messages.length; i += perRequest)
      await this.produce(topic, messages.slice(i, i + perRequest));
  }

  /** How many messages the topic holds (sum of end minus start offsets over its partitions). */
  async count(topic: string): Promise<number> {
    const offsets = await this.admin!.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
  }

  /**
   * Consumer lag of `groupId` on `topic`: messages between the group's committed offset and the end of
   * each partition (a partition the group never committed counts from its start).
   */
  async lag(groupId: string, topic: string): Promise<number> {
    const [committed] = await this.admin!.fetchOffsets({ groupId, topics: [topic] });
    const ends = await this.admin!.fetchTopicOffsets(topic);
    let lag = 0n;
    for (const end of ends) {
      const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      const from = BigInt(at) >= 0n ? BigInt(at) : BigInt(end.low);
      if (BigInt(end.high) > from) lag += BigInt(end.high) - from;
    }
    return Number(lag);
  }

  /** Every message currently in the topic, in partition then offset order. */
  async readAll(topic: string, timeoutMs = 20000): Promise<ReadMessage[]> {
    const offsets = await this.admin!.fetchTopicOffsets(topic);
    const wanted = new Map(
      offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]),
    );
    if (wanted.size === 0) return [];
    const groupId = `cic-probe-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    const out: ReadMessage[] = [];
    const done = new Set<number>();
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), timeoutMs);
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const last = wanted.get(partition);
            if (last === undefined || BigInt(message.offset) > last) return;
            out.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              headers: headersToStrings(message.headers),
            });
            if (BigInt(message.offset) === last) done.add(partition);
            if (done.size === wanted.size) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
      await this.admin!.deleteGroups([groupId]).catch(() => undefined);
    }
    return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  }
}
