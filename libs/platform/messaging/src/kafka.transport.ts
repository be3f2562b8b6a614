import { EventEmitter } from 'node:events';
import { type CloudEvent, topicByName, type TopicDefinition } from '@cic/contracts';
import { HealthRegistry, runWithTrace, traceFromParent } from '@cic/platform-observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { decodeEvent } from './codec';
import { DeadLetters } from './dead-letters';
import { NonRetryableError } from './event-error.filter';
import { type EventHandlerExtras, KafkaEventContext, type KafkaMessageInfo } from './event-context';
import { headersToStrings, Header } from './headers';
import { claimInbox } from './inbox';
import { KafkaClient } from './kafka-client';
import {
  deadLetterTopic,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  physicalTopic,
} from './messaging.options';
import { consumedTotal, consumerUp, handlerRetriesTotal, handlerSeconds } from './messaging.metrics';
import { OutboxWriter } from './outbox';
import { provisionTopics } from './topic-provisioner';

export type HandledOutcome = 'handled' | 'duplicate' | 'dead_lettered';
export interface HandledEvent {
  topic: string;
  partition: number;
  offset: string;
  eventId?: string;
  outcome: HandledOutcome;
}

export interface KafkaTransportEvents extends Record<string, (e: HandledEvent) => void> {
  handled: (e: HandledEvent) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Nest custom transport over kafkajs. Handlers stay `@EventPattern(Topic.X)`; this class does the rest
 * once for every service: topic provisioning, batch consumption with per-partition order and several
 * partitions at a time, envelope/payload validation, the inbox transaction, bounded retries with
 * backoff, the dead-letter topic, and a graceful stop.
 */
@Injectable()
export class KafkaTransport extends Server<KafkaTransportEvents> implements CustomTransportStrategy {
  private consumer?: Consumer;
  private readonly events = new EventEmitter();
  private joined = false;
  private stopping = false;
  private readonly log = new Logger('KafkaTransport');

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly client: KafkaClient,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly deadLetters: DeadLetters,
    health: HealthRegistry,
  ) {
    super();
    if (options.consume !== false) {
      health.register({
        name: 'kafka-consumer',
        check: async () => {
          if (!this.isConsuming())
            throw new Error(this.consumer ? 'consumer is not in its group' : 'consumer not started');
        },
      });
    }
  }

  /** True while the consumer is in its group and fetching. */
  isConsuming(): boolean {
    return !!this.consumer && this.joined && !this.stopping;
  }

  /** 'handled' fires after each message is settled (committed, skipped as duplicate or dead-lettered). */
  override on<K extends keyof KafkaTransportEvents = keyof KafkaTransportEvents>(
    event: K,
    callback: KafkaTransportEvents[K],
  ): this {
    this.events.on(event as string, callback);
    return this;
  }

  override unwrap<T>(): T {
    return this.consumer as T;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      this.log.error({ msg: `Kafka transport failed to start: ${(error as Error).message}`, err: error });
      callback(error);
    }
  }

  /** Consumed topics by physical name, checked against the handlers. */
  private resolveTopics(): Map<string, TopicDefinition> {
    const declared = new Map(this.options.consumes.map((t) => [t.name, t]));
    const handled = [...this.messageHandlers.keys()];
    const problems: string[] = [];
    for (const pattern of handled) {
      if (!declared.has(pattern))
        problems.push(`handler for "${pattern}" but the topic is not declared in consumes`);
      if (this.messageHandlers.get(pattern)?.next) problems.push(`more than one handler for "${pattern}"`);
      if (!this.messageHandlers.get(pattern)?.isEventHandler)
        problems.push(`"${pattern}" must be an @EventPattern`);
    }
    for (const name of declared.keys()) {
      if (!this.messageHandlers.has(name)) problems.push(`no handler for consumed topic "${name}"`);
      if (!topicByName(name) && !this.options.consumes.some((t) => t.name === name))
        problems.push(`unknown topic "${name}"`);
    }
    if (problems.length) throw new Error(`messaging wiring is wrong: ${problems.join('; ')}`);
    return new Map([...declared.values()].map((t) => [physicalTopic(this.options, t.name), t]));
  }

  private async start(): Promise<void> {
    const topics = this.resolveTopics();
    const admin = this.client.kafka.admin();
    await admin.connect();
    try {
      const created = await provisionTopics(
        admin,
        [
          ...topics.keys(),
          ...this.options.produces.map((t) => physicalTopic(this.options, t.name)),
          deadLetterTopic(this.options.groupId),
        ],
        this.options.partitions,
        this.options.replicationFactor,
      );
      if (created.length) this.log.log(`created topics: ${created.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
    if (this.options.consume === false || topics.size === 0) return;

    const consumer = this.client.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      consumerUp.set(1);
      this.log.log({
        msg: `joined group ${payload.groupId} as ${payload.memberId}`,
        assignment: payload.memberAssignment,
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      consumerUp.set(0);
      this.log.error({
        msg: `consumer crashed: ${payload.error.message}; restarting: ${payload.restart}`,
        err: payload.error,
      });
    });
    consumer.on(consumer.events.STOP, () => {
      this.joined = false;
      consumerUp.set(0);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics.keys()], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrency,
      eachBatch: (payload) => this.handleBatch(payload, topics),
    });
  }

  private async handleBatch(payload: EachBatchPayload, topics: Map<string, TopicDefinition>): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const topic = topics.get(batch.topic);
    if (!topic) throw new Error(`received a batch for unsubscribed topic ${batch.topic}`);
    for (const message of batch.messages) {
      // After a rebalance or on shutdown, stop at a message boundary; what is not resolved is redelivered.
      if (!isRunning() || isStale()) break;
      await this.handleMessage(topic, batch.topic, batch.partition, message, heartbeat);
      resolveOffset(message.offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
  }

  private async handleMessage(
    topic: TopicDefinition,
    physical: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const handler = this.messageHandlers.get(topic.name)!;
    const extras = (handler.extras ?? {}) as EventHandlerExtras;
    const decoded = decodeEvent(topic, message.value, extras.validate !== 'envelope');
    const where = { topic: physical, partition, message };
    if (!decoded.ok) {
      await this.deadLetters.send(where, { code: decoded.code, message: decoded.message, attempts: 0 });
      return this.settled(topic.name, partition, message.offset, undefined, 'dead_lettered');
    }
    const event = decoded.event;
    const headers = headersToStrings(message.headers);
    const trace = traceFromParent(headers[Header.traceparent], event.subject);
    const { maxAttempts, initialMs, maxMs } = this.options.retry;

    for (let attempt = 1; ; attempt++) {
      const info: KafkaMessageInfo = {
        topic: topic.name,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        headers,
        groupId: this.options.groupId,
        attempt,
      };
      const timer = handlerSeconds.startTimer({ topic: topic.name });
      try {
        const outcome = await runWithTrace(trace, () => this.invoke(handler, extras, event, info));
        timer();
        return this.settled(topic.name, partition, message.offset, event.id, outcome);
      } catch (error) {
        timer();
        const err = error instanceof Error ? error : new Error(describeError(error));
        const retryable = !(err instanceof NonRetryableError);
        if (!retryable || attempt >= maxAttempts || this.stopping) {
          if (this.stopping && retryable && attempt < maxAttempts) {
            // Shutting down mid-retry: leave the offset unresolved so the next owner retries it.
            throw err;
          }
          await this.deadLetters.send(where, {
            code: err instanceof NonRetryableError ? err.code : 'HANDLER_FAILED',
            message: `${err.name}: ${err.message}`,
            attempts: attempt,
          });
          return this.settled(topic.name, partition, message.offset, event.id, 'dead_lettered');
        }
        handlerRetriesTotal.inc({ topic: topic.name });
        const delay = Math.min(initialMs * 2 ** (attempt - 1), maxMs);
        this.log.warn({
          msg: `handler for ${topic.name} failed (attempt ${attempt}/${maxAttempts}), retrying in ${delay} ms: ${err.message}`,
          eventId: event.id,
          partition,
          offset: message.offset,
        });
        await sleep(delay);
        await heartbeat();
      }
    }
  }

  private async invoke(
    handler: MessageHandler,
    extras: EventHandlerExtras,
    event: CloudEvent,
    info: KafkaMessageInfo,
  ): Promise<HandledOutcome> {
    const call = async (ctx: KafkaEventContext) => {
      const result = await handler(event, ctx);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    };
    if (extras.inbox === false) {
      await call(new KafkaEventContext(info, event, undefined, this.outbox));
      return 'handled';
    }
    return this.dataSource.transaction(async (manager) => {
      const fresh = await claimInbox(manager, this.options.schema, {
        groupId: this.options.groupId,
        eventId: event.id,
        topic: info.topic,
        partition: info.partition,
        offset: info.offset,
      });
      if (!fresh) {
        this.log.log({
          msg: `duplicate event ${event.id} on ${info.topic} skipped (already handled)`,
          eventId: event.id,
        });
        return 'duplicate';
      }
      await call(new KafkaEventContext(info, event, manager, this.outbox));
      return 'handled';
    });
  }

  private settled(
    topic: string,
    partition: number,
    offset: string,
    eventId: string | undefined,
    outcome: HandledOutcome,
  ): void {
    consumedTotal.inc({ topic, outcome });
    this.events.emit('handled', { topic, partition, offset, eventId, outcome } satisfies HandledEvent);
  }

  /** Stops fetching, lets the batch in progress finish and commit, then leaves the group. */
  async close(): Promise<void> {
    this.stopping = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) {
      await consumer.stop();
      await consumer.disconnect();
    }
    consumerUp.set(0);
  }
}

function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error)
    return String((error as { message: unknown }).message);
  return String(error);
}
