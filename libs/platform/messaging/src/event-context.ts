import type { CloudEvent, DataOf, TopicDefinition } from '@cic/contracts';
import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { StringHeaders } from './headers';
import type { OutboxWriter, PreparedEvent, PublishInput } from './outbox';

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

/**
 * What a batch handler (`@OnEvent(Topic.X, { batch: true })`) gets with `@Ctx()`, beside the array
 * of new events (redeliveries already removed by the inbox): the one transaction they share and ways to
 * publish in it. A batch that fails on a message's own account is retried one event at a time, so a
 * batch handler must give the same result for one event as for many.
 */
export class KafkaBatchContext extends BaseRpcContext<[KafkaMessageInfo[]]> {
  constructor(
    readonly infos: KafkaMessageInfo[],
    readonly events: CloudEvent[],
    private readonly tx: EntityManager,
    private readonly outbox: OutboxWriter,
    /** Shared by every handler called in this transaction (handlers joined with `join`). */
    readonly transaction: TransactionScope = new TransactionScope(),
  ) {
    super([infos]);
  }

  get manager(): EntityManager {
    return this.tx;
  }

  /** Adds events to the outbox in this batch's transaction with one statement. */
  publishMany(events: ReadonlyArray<PreparedEvent<TopicDefinition>>): Promise<void> {
    return this.outbox.publishMany(this.tx, events);
  }

  prepare<T extends TopicDefinition>(topic: T, input: PublishInput<T>): PreparedEvent<T> {
    return this.outbox.prepare(topic, input);
  }
}

/** Options of a handler, given as `@OnEvent(Topic.X, { ... })`. */
export interface EventHandlerExtras {
  /**
   * 'full' (default): the payload must match the topic's schema or the message is dead-lettered.
   * 'envelope': only the CloudEvents envelope is checked; the handler validates the data itself (to
   * answer bad business input with a rejection event rather than a dead letter).
   */
  validate?: 'full' | 'envelope';
  /** false: no transaction and no inbox (for handlers with no state of their own). */
  inbox?: boolean;
  /**
   * true: the handler takes the new events of a batch at once, `(events: CloudEvent[], ctx:
   * KafkaBatchContext)`, for set-based work on a hot path.
   */
  batch?: boolean;
  /**
   * Batch handlers of several topics with the same `join` name share one transaction when their batches
   * arrive in the same fetch (each is called with its own topic's events, then the scope's
   * beforeCommit hooks run once). Without it, a batch handler's transaction takes the batches of every
   * partition of its own topic.
   */
  join?: string;
}

/**
 * What the handlers of one transaction share: state they build up together and work to do once, after
 * the last of them and before the commit. Handlers joined with `join` use it to write once for all.
 */
export class TransactionScope {
  private readonly state = new Map<unknown, unknown>();
  private readonly hooks: Array<() => Promise<void>> = [];

  /** The state under `key`, created on first use. */
  shared<T>(key: unknown, create: () => T): T {
    if (!this.state.has(key)) this.state.set(key, create());
    return this.state.get(key) as T;
  }

  /** Runs `hook` after every handler of the transaction, before the commit (in registration order). */
  beforeCommit(hook: () => Promise<void>): void {
    this.hooks.push(hook);
  }

  /** Called by the transport once the handlers are done. */
  async settle(): Promise<void> {
    for (let i = 0; i < this.hooks.length; i++) await this.hooks[i]();
    this.hooks.length = 0;
  }
}
