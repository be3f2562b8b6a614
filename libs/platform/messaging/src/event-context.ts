import type { CloudEvent, DataOf, TopicDefinition } from '@cic/contracts';
import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { StringHeaders } from './headers';
import type { OutboxWriter, PublishInput } from './outbox';

export interface KafkaMessageInfo {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: StringHeaders;
  groupId: string;
  /** 1 on first delivery to the handler, higher on retries. */
  attempt: number;
}

/**
 * What a handler gets with `@Ctx()`: where the message came from, the transaction it runs in (the inbox
 * entry is already part of it) and a way to publish events in that same transaction.
 */
export class KafkaEventContext extends BaseRpcContext<[KafkaMessageInfo]> {
  constructor(
    readonly info: KafkaMessageInfo,
    readonly event: CloudEvent,
    private readonly tx: EntityManager | undefined,
    private readonly outbox: OutboxWriter,
  ) {
    super([info]);
  }

  /** The transaction of this message: write state through it so it commits with the inbox entry. */
  get manager(): EntityManager {
    if (!this.tx)
      throw new Error(`handler of ${this.info.topic} runs without a transaction ({ inbox: false })`);
    return this.tx;
  }

  /** Adds an event to the outbox in this message's transaction. */
  publish<T extends TopicDefinition>(
    topic: T,
    input: PublishInput<T>,
  ): Promise<CloudEvent<T['name'], DataOf<T>>> {
    return this.outbox.publish(this.manager, topic, input);
  }

  /** Publishes at once, for `{ inbox: false }` handlers that keep no state (see OutboxWriter.publishDirect). */
  publishDirect<T extends TopicDefinition>(
    topic: T,
    input: PublishInput<T>,
  ): Promise<CloudEvent<T['name'], DataOf<T>>> {
    return this.outbox.publishDirect(topic, input);
  }
}

/** Options of a handler, given as `@EventPattern(Topic.X, { ... })`. */
export interface EventHandlerExtras {
  /**
   * 'full' (default): the payload must match the topic's schema or the message is dead-lettered.
   * 'envelope': only the CloudEvents envelope is checked; the handler validates the data itself (to
   * answer bad business input with a rejection event rather than a dead letter).
   */
  validate?: 'full' | 'envelope';
  /** false: no transaction and no inbox (for handlers with no state of their own). */
  inbox?: boolean;
}
