// The benchmark's one door to Kafka. The platform keeps kafkajs inside libs/platform/messaging so services
// can swap the client; the benchmark is not a service: its load generator, stub deciders and bare relay
// need a plain streaming consumer and a batching producer, which the library deliberately does not export
// (its KafkaProbe only reads a topic to its end). Keeping every kafkajs use of bench/ in this file keeps
// the exception to one place.
/* eslint-disable no-restricted-imports -- see above: bench/ is tooling, not a service */
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaMessage,
  logLevel,
  type Producer,
} from 'kafkajs';
/* eslint-enable no-restricted-imports */
// The file itself, not @cic/platform-messaging: the bare relay and the stubs stay free of Nest and TypeORM.
/* eslint-disable @nx/enforce-module-boundaries */
import { OffsetCommitter } from '../../libs/platform/messaging/src/offset-committer';
import { DefaultPartitioner } from '../../libs/platform/messaging/src/partitioner';
/* eslint-enable @nx/enforce-module-boundaries */

export type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer };

export interface OutMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export function kafkaClient(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 5000,
    retry: { initialRetryTime: 200, retries: 6 },
    logLevel: logLevel.ERROR,
  });
}

/**
 * `idempotent` gives the platform's producer settings (acks=all, one request in flight), for the bare
 * relay; the load generator sends like an ordinary client (acks=all, several requests in flight).
 */
export async function connectProducer(kafka: Kafka, idempotent: boolean): Promise<Producer> {
  const producer = kafka.producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
    createPartitioner: DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

export async function connectAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}

/**
 * Collects messages and sends them in batches: while one batch is in flight the next one fills, so the
 * batch size follows the load without a fixed linger. `send` resolves when its messages are acknowledged.
 */
export class BatchingProducer {
  private queue: Array<{
    topic: string;
    messages: OutMessage[];
    bytes: number;
    resolve: () => void;
    reject: (e: unknown) => void;
  }> = [];
  private inFlight = 0;

  constructor(
    private readonly producer: Producer,
    private readonly maxInFlight = 1,
    private readonly maxBatch = 2000,
    /**
     * Bytes (keys and values) of one produce request at most: below the broker's message.max.bytes (1 MiB)
     * even if they all went to one partition, whose record batch the broker would refuse whole. A relay's
     * catch-up fetch of thousands of events went out as one request and was refused.
     */
    private readonly maxBytes = 768 * 1024,
  ) {}

  send(topic: string, messages: OutMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const parts: Array<Promise<void>> = [];
    for (const chunk of this.chunks(messages))
      parts.push(
        new Promise<void>((resolve, reject) =>
          this.queue.push({ topic, messages: chunk, bytes: bytesOf(chunk), resolve, reject }),
        ),
      );
    this.flush();
    return parts.length === 1 ? parts[0] : Promise.all(parts).then(() => undefined);
  }

  /** The messages in pieces of at most maxBatch messages and maxBytes bytes (a larger message alone). */
  private *chunks(messages: OutMessage[]): Generator<OutMessage[]> {
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) {
      const size = messageBytes(messages[i]);
      if (i > start && (i - start >= this.maxBatch || bytes + size > this.maxBytes)) {
        yield messages.slice(start, i);
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    yield start === 0 ? messages : messages.slice(start);
  }

  /** Like `send`, without waiting: a failed batch is reported through `onError`. */
  fire(topic: string, messages: OutMessage[], onError: (e: unknown) => void): void {
    this.send(topic, messages).catch(onError);
  }

  private flush(): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    let taken = 0;
    let bytes = 0;
    let n = 0;
    while (
      n < this.queue.length &&
      (n === 0 ||
        (taken + this.queue[n].messages.length <= this.maxBatch &&
          bytes + this.queue[n].bytes <= this.maxBytes))
    ) {
      taken += this.queue[n].messages.length;
      bytes += this.queue[n].bytes;
      n++;
    }
    const sends = this.queue.splice(0, n);
    const byTopic = new Map<string, OutMessage[]>();
    for (const s of sends) {
      const list = byTopic.get(s.topic);
      if (list) for (const m of s.messages) list.push(m);
      else byTopic.set(s.topic, [...s.messages]);
    }
    this.inFlight++;
    this.producer
      .sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1 })
      .then(
        () => sends.forEach((s) => s.resolve()),
        (error: unknown) => sends.forEach((s) => s.reject(error)),
      )
      .finally(() => {
        this.inFlight--;
        this.flush();
      });
  }
}

const messageBytes = (m: OutMessage) => m.key.length + m.value.length;
const bytesOf = (messages: OutMessage[]) => messages.reduce((n, m) => n + messageBytes(m), 0);

export interface StreamOptions {
  groupId: string;
  topics: string[];
  /** Partitions handled at once (the platform's default is 64: every partition of a fetch). */
  concurrency?: number;
  onBatch: (payload: EachBatchPayload) => Promise<void>;
  /**
   * Fetch settings; by default a fetch returns on the first byte and the next follows at once (the observer
   * times arrivals). `lingerMs` holds the next fetch as the platform's transport does (KAFKA_FETCH_LINGER_MS).
   */
  fetch?: { maxWaitMs: number; minBytes: number; lingerMs?: number };
  /**
   * The consumer stopped for good (kafkajs gave up and will not restart it): a child process ends, so the
   * benchmark sees it crashed instead of a relay that silently stopped relaying.
   */
  onFatal?: (error: Error) => void;
}

/**
 * The platform's fetch settings (KAFKA_FETCH_MAX_WAIT_MS, KAFKA_FETCH_MIN_BYTES, KAFKA_FETCH_LINGER_MS), for
 * stand-ins of its services.
 */
export const PLATFORM_FETCH = { maxWaitMs: 500, minBytes: 1, lingerMs: 20 };

/** A consumer that reads its topics from the start and hands each fetched batch to `onBatch`. */
export async function startStream(kafka: Kafka, options: StreamOptions): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: options.fetch?.maxWaitMs ?? 500,
    minBytes: options.fetch?.minBytes ?? 1,
    sessionTimeout: 30000,
    heartbeatInterval: 3000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  // Like the platform's transport: every partition of a fetch at once, and offsets committed in the
  // background at most every 200 ms (one request for all that was resolved), not once per fetch.
  const committer = new OffsetCommitter(200, (error) =>
    console.warn(`[bench] ${options.groupId}: offset commit failed, retried: ${String(error)}`),
  );
  consumer.on(consumer.events.STOP, () => committer.close());
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) options.onFatal?.(payload.error);
  });
  await consumer.run({
    partitionsConsumedConcurrently: options.concurrency ?? 64,
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      await options.onBatch(payload);
      payload.resolveOffset(payload.batch.lastOffset());
      committer.request(payload);
      const rest = options.fetch?.lingerMs ?? 0;
      if (rest > 0 && payload.batch.offsetLag() === '0' && payload.isRunning())
        await new Promise((resolve) => setTimeout(resolve, rest));
    },
  });
  await withDeadline(joined, 30000, `consumer group ${options.groupId} to form`);
  return consumer;
}

/** Sum over the group's topics of (log end offset - committed offset); uncommitted counts from the start. */
export async function consumerLag(admin: Admin, groupId: string, topics: string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  let lag = 0;
  for (const t of committed) {
    const ends = await admin.fetchTopicOffsets(t.topic);
    for (const p of t.partitions) {
      const end = ends.find((e) => e.partition === p.partition);
      if (!end) continue;
      const at = Number(p.offset) >= 0 ? Number(p.offset) : Number(end.low);
      lag += Math.max(0, Number(end.high) - at);
    }
  }
  return lag;
}

/** Partition count of each topic (missing topics are left out). */
export async function partitionCounts(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length === 0) return new Map();
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: present });
  return new Map(meta.map((t) => [t.name, t.partitions.length]));
}

export async function createTopics(admin: Admin, topics: Map<string, number>): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [...topics].filter(([t]) => !existing.has(t));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 1 })),
  });
}

/** Deletes every topic starting with one of the prefixes, and the groups starting with one of them. */
export async function deleteByPrefix(admin: Admin, prefixes: string[]): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 10000 });
  const { groups } = await admin.listGroups();
  const ids = groups.map((g) => g.groupId).filter((g) => prefixes.some((p) => g.startsWith(p)));
  if (ids.length) await admin.deleteGroups(ids).catch(() => undefined);
}

export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
