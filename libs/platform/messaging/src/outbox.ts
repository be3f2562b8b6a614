import { buildEvent, type CloudEvent, type DataOf, type TopicDefinition } from '@cic/contracts';
import { currentTrace, toTraceparent } from '@cic/platform-observability';
import {
  joinJson,
  jsonbArraySql,
  joinJsonTexts,
  jsonTextsSql,
  preparedQuery,
} from '@cic/platform-persistence';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Header } from './headers';
import { KafkaClient } from './kafka-client';
import { NonRetryableError } from './event-error.filter';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  eventSource,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  physicalTopic,
} from './messaging.options';

export interface PreparedEvent<T extends TopicDefinition> {
  topic: T;
  event: CloudEvent<T['name'], DataOf<T>>;
  /** The serialised event, as it will be published. */
  value: string;
  headers: Record<string, string>;
  bytes: number;
}

export interface PublishInput<T extends TopicDefinition> {
  /** Kafka key and CloudEvents subject: the declarationId for declaration events. */
  subject: string;
  data: DataOf<T>;
  /** Fix the event id to make a retried operation produce the same event. */
  id?: string;
  time?: Date;
}

export function outboxChannel(schema: string): string {
  return `cic_outbox_${schema}`;
}

/**
 * Bytes a message takes in a Kafka record batch of its own: value, key, headers and the batch and record
 * framing (61 bytes of batch header plus per-record varints, rounded up generously).
 */
export function messageBytes(message: {
  key?: string | null;
  value: string | null;
  headers?: Record<string, string>;
}): number {
  let bytes = 128 + Buffer.byteLength(message.value ?? '') + Buffer.byteLength(message.key ?? '');
  for (const [k, v] of Object.entries(message.headers ?? {}))
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return bytes;
}

/** An event larger than the broker takes: refused before it is stored, so nothing stalls behind it. */
export class EventTooLargeError extends NonRetryableError {
  constructor(
    readonly topic: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super('EVENT_TOO_LARGE', `a ${topic} event of ${bytes} bytes exceeds the broker's ${limit}-byte limit`);
    this.name = 'EventTooLargeError';
  }
}

/**
 * Writes events into the service's outbox inside the caller's transaction (transactional outbox): they
 * exist exactly when the state change that caused them commits. The relay publishes them afterwards.
 */
@Injectable()
export class OutboxWriter {
  private readonly source: string;
  /** Largest message the broker takes for this service's topics (see MessagingOptions.maxMessageBytes). */
  readonly maxMessageBytes: number;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly client: KafkaClient,
  ) {
    this.source = eventSource(options.service);
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /**
   * Builds and serialises the event, refusing it when the broker would. Services call this before they
   * change state when the event's size depends on the input (a declaration's accepted event), so the
   * caller can answer "too large" instead of storing something that can never be published.
   */
  prepare<T extends TopicDefinition>(topic: T, input: PublishInput<T>): PreparedEvent<T> {
    const { event, headers } = this.build(topic, input);
    const value = JSON.stringify(event);
    const bytes = messageBytes({ key: event.subject, value, headers });
    if (bytes > this.maxMessageBytes) throw new EventTooLargeError(topic.name, bytes, this.maxMessageBytes);
    return { topic, event, value, headers, bytes };
  }

  private build<T extends TopicDefinition>(topic: T, input: PublishInput<T>) {
    // Validate at the producer too: a bad event is a bug here, better caught before it leaves.
    const data = topic.data.parse(input.data) as DataOf<T>;
    const event = buildEvent(topic.name as T['name'], {
      subject: input.subject,
      source: this.source,
      data,
      id: input.id,
      time: input.time,
    });
    const trace = currentTrace();
    const headers: Record<string, string> = { [Header.ceType]: topic.name, [Header.ceId]: event.id };
    if (trace) headers[Header.traceparent] = toTraceparent(trace);
    return { event, headers };
  }

  /**
   * Publishes at once, outside any transaction. Only for work with no state of its own to commit
   * (nothing would be lost or contradicted if the process died right after).
   */
  async publishDirect<T extends TopicDefinition>(
    topic: T,
    input: PublishInput<T>,
  ): Promise<CloudEvent<T['name'], DataOf<T>>> {
    const { event, headers } = this.build(topic, input);
    const producer = await this.client.producer();
    await producer.send({
      topic: physicalTopic(this.options, topic.name),
      acks: -1,
      messages: [{ key: event.subject, value: JSON.stringify(event), headers }],
    });
    return event;
  }

  /** Adds prepared events to the outbox in the caller's transaction with one statement and one wake-up. */
  async publishMany(
    manager: EntityManager,
    events: ReadonlyArray<PreparedEvent<TopicDefinition>>,
  ): Promise<void> {
    if (events.length === 0) return;
    const insert = this.insertStatement(events, 1);
    await preparedQuery(
      manager,
      `WITH e AS (${insert.sql}) SELECT pg_notify($${insert.params.length + 1}, '')`,
      [...insert.params, insert.channel],
    );
  }

  /**
   * The outbox insert of prepared events as SQL with numbered parameters from `$first` on, for a caller
   * that writes its own rows in the same statement (as a data-modifying CTE: one round trip instead of
   * two). The caller must also `pg_notify(channel, '')` in that statement, as publishMany does.
   *
   * Payloads and headers travel as one text each (joinJsonTexts): no per-string escaping on the way out,
   * no array_in on the way in.
   */
  insertStatement(
    events: ReadonlyArray<PreparedEvent<TopicDefinition>>,
    first: number,
  ): { sql: string; params: unknown[]; channel: string } {
    const p = (i: number) => `$${first + i}`;
    return {
      sql: `INSERT INTO "${this.options.schema}"."outbox" (event_id, topic, message_key, payload, headers)
         SELECT * FROM unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[],
                ${jsonTextsSql(p(3))}, ${jsonbArraySql(p(4))})`,
      params: [
        events.map((e) => e.event.id),
        events.map((e) => physicalTopic(this.options, e.topic.name)),
        events.map((e) => e.event.subject),
        joinJsonTexts(events.map((e) => e.value)),
        joinJson(events.map((e) => e.headers)),
      ],
      channel: outboxChannel(this.options.schema),
    };
  }

  async publish<T extends TopicDefinition>(
    manager: EntityManager,
    topic: T,
    input: PublishInput<T> | PreparedEvent<T>,
  ): Promise<CloudEvent<T['name'], DataOf<T>>> {
    const { event, value, headers } = 'value' in input ? input : this.prepare(topic, input);
    const schema = this.options.schema;
    await manager.query(
      `INSERT INTO "${schema}"."outbox" (event_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, $5)`,
      [event.id, physicalTopic(this.options, topic.name), event.subject, value, JSON.stringify(headers)],
    );
    // Delivered at commit, collapsed per transaction: wakes the relay without polling.
    await manager.query('SELECT pg_notify($1, $2)', [outboxChannel(schema), '']);
    return event;
  }
}
