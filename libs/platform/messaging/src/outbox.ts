import { buildEvent, type CloudEvent, type DataOf, type TopicDefinition } from '@cic/contracts';
import { currentTrace, toTraceparent } from '@cic/platform-observability';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Header } from './headers';
import { KafkaClient } from './kafka-client';
import { eventSource, MESSAGING_OPTIONS, type MessagingOptions, physicalTopic } from './messaging.options';

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
 * Writes events into the service's outbox inside the caller's transaction (transactional outbox): they
 * exist exactly when the state change that caused them commits. The relay publishes them afterwards.
 */
@Injectable()
export class OutboxWriter {
  private readonly source: string;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly client: KafkaClient,
  ) {
    this.source = eventSource(options.service);
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

  async publish<T extends TopicDefinition>(
    manager: EntityManager,
    topic: T,
    input: PublishInput<T>,
  ): Promise<CloudEvent<T['name'], DataOf<T>>> {
    const { event, headers } = this.build(topic, input);
    const schema = this.options.schema;
    await manager.query(
      `INSERT INTO "${schema}"."outbox" (event_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, $5)`,
      [
        event.id,
        physicalTopic(this.options, topic.name),
        event.subject,
        JSON.stringify(event),
        JSON.stringify(headers),
      ],
    );
    // Delivered at commit, collapsed per transaction: wakes the relay without polling.
    await manager.query('SELECT pg_notify($1, $2)', [outboxChannel(schema), '']);
    return event;
  }
}
