import { EventEmitter } from 'node:events';
import { type CloudEvent, topicByName, type TopicDefinition } from '@cic/contracts';
import { HealthRegistry, runWithTrace, traceFromParent } from '@cic/platform-observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { BatchCoalescer } from './batch-coalescer';
import { decodeEvent } from './codec';
import { DeadLetters } from './dead-letters';
import { NonRetryableError } from './event-error.filter';
import {
  type EventHandlerExtras,
  KafkaBatchContext,
  KafkaEventContext,
  type KafkaMessageInfo,
  TransactionScope,
} from './event-context';
import { headersToStrings, Header } from './headers';
import { claimInbox, claimInboxMany } from './inbox';
import { KafkaClient } from './kafka-client';
import {
  deadLetterTopic,
  DEFAULT_MAX_MESSAGE_BYTES,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  physicalTopic,
} from './messaging.options';
import {
  consumedTotal,
  consumerUp,
  groupSize,
  handlerRetriesTotal,
  handlerSeconds,
  pausedPartitions,
} from './messaging.metrics';
import { type FailureKind, failureKind, HandlerTimeoutError } from './failure-kind';
import { OffsetCommitter } from './offset-committer';
import { OutboxWriter } from './outbox';
import { ON_EVENT_MARK } from './on-event.decorator';
import { provisionTopics, topicConfigOf } from './topic-provisioner';

export type HandledOutcome = 'handled' | 'duplicate' | 'dead_lettered';
export interface HandledEvent {
  topic: string;
  partition: number;
  offset: string;
  eventId?: string;
  outcome: HandledOutcome;
}

interface GroupEntry {
  message: KafkaMessage;
  event: CloudEvent;
  info: KafkaMessageInfo;
}

interface RetryState {
  /** The message being retried; its partition is paused meanwhile. */
  offset: string;
  /** Failures of any kind so far (drives the backoff). */
  failures: number;
  /** Failures of the message's own making (bounded by retry.maxAttempts). */
  messageAttempts: number;
  nextDelayMs: number;
}

function withTimeout<T>(work: Promise<T>, ms: number, reportedMs = ms): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandlerTimeoutError(reportedMs)), Math.max(0, ms));
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * kafkajs fetches again only once every batch of the previous fetch from that broker is done, so a long
 * batch on one partition would hold up all the others: a batch stops at a message boundary after this
 * long, and the rest of it is fetched again (its offsets are not resolved).
 */
const BATCH_TIME_BUDGET_MS = 1000;

/** See MessagingOptions.commitIntervalMs, fetchMaxWaitMs, fetchMinBytes and fetchLingerMs. */
export const DEFAULT_COMMIT_INTERVAL_MS = 200;
export const DEFAULT_FETCH_MAX_WAIT_MS = 500;
export const DEFAULT_FETCH_MIN_BYTES = 1;
export const DEFAULT_FETCH_LINGER_MS = 20;
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/** Messages handled in one shared transaction at most (the fast path). */
const GROUP_MAX = 200;

/**
 * Messages of several partitions' batches joined in one transaction at most (batch handlers). Small
 * batches join up to it; large ones (a loaded consumer fetches up to GROUP_MAX per partition) go in
 * transactions of their own, run side by side, so the database and the handler overlap.
 */
const COMBINED_MAX = 500;

/** Time beyond the handler's own limit for its transaction to roll back before the attempt is abandoned. */
const ROLLBACK_GRACE_MS = 1000;

export interface KafkaTransportEvents extends Record<string, (e: HandledEvent) => void> {
  handled: (e: HandledEvent) => void;
}

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
  /** The consumer crashed and kafkajs gave up restarting it: only a new process helps. */
  private crashedFatally = false;
  private readonly retrying = new Map<string, RetryState>();
  /** Commits resolved offsets in the background, at most once per `commitIntervalMs`. */
  private committer?: OffsetCommitter;
  /** Joins the concurrent batches of a batch handler's topic (or join name) into one transaction. */
  private readonly batches = new BatchCoalescer<GroupEntry, Set<GroupEntry>>(COMBINED_MAX);
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly handlerTimeoutMs: number;
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
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 30000;
    if (options.consume !== false) {
      health.registerLiveness({ name: 'kafka-consumer', live: () => this.isLive() });
      health.register({
        name: 'kafka-consumer',
        check: async () => {
          if (!this.isConsuming())
            throw new Error(this.consumer ? 'consumer is not in its group' : 'consumer not started');
        },
      });
    }
  }

  /**
   * False once the consumer has crashed for good (kafkajs will not restart it): liveness fails so the
   * orchestrator restarts the process. A consumer that is rejoining or retrying is still live.
   */
  isLive(): boolean {
    return !this.crashedFatally;
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
        problems.push(`"${pattern}" must be an event handler`);
      if (
        !(this.messageHandlers.get(pattern)?.extras as Record<string, unknown> | undefined)?.[ON_EVENT_MARK]
      )
        problems.push(`"${pattern}" must be declared with @OnEvent (it keeps handler errors intact)`);
      const extras = (this.messageHandlers.get(pattern)?.extras ?? {}) as EventHandlerExtras;
      if (extras.join && !extras.batch)
        problems.push(`"${pattern}": only batch handlers can be joined ({ batch: true, join })`);
      if (extras.batch && extras.inbox === false)
        problems.push(`"${pattern}": a batch handler needs the inbox (its events share one transaction)`);
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
      const report = await provisionTopics(
        admin,
        [
          ...[...topics].map(([name, t]) => ({ name, config: topicConfigOf(t) })),
          ...this.options.produces.map((t) => ({
            name: physicalTopic(this.options, t.name),
            config: topicConfigOf(t),
          })),
          deadLetterTopic(this.options.groupId),
        ],
        {
          partitions: this.options.partitions,
          replicationFactor: this.options.replicationFactor,
          minInsyncReplicas: this.options.minInsyncReplicas ?? 1,
          maxMessageBytes: this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
        },
      );
      if (report.created.length) this.log.log(`created topics: ${report.created.join(', ')}`);
      for (const warning of report.warnings) this.log.warn(`topic settings: ${warning}`);
    } finally {
      await admin.disconnect();
    }
    if (this.options.consume === false || topics.size === 0) return;

    const consumer = this.client.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS,
      minBytes: this.options.fetchMinBytes ?? DEFAULT_FETCH_MIN_BYTES,
      // Fetch sizes stay kafkajs's (10 MiB, 1 MiB a partition). Capped at 2 MiB (512 KiB a partition) or 1 MiB,
      // the api's resident memory fell only when the consumer was behind (green-channel at 3,200/s offered,
      // 2-core AMD, 2026-12-05: 209-212 and 189-202 against 215-224 MB) and not at a rate it keeps up with
      // (2,000 and 2,800/s: alike), while the 1 MiB cap decided ~10% fewer declarations a second when behind.
      retry: {
        retries: 5, // kafkajs's default for consumers
        // After a crash kafkajs restarts the consumer on a timer; one racing with close() would start a
        // consumer nobody stops, retrying a broker that may be gone and keeping the process alive.
        restartOnFailure: async () => !this.stopping,
      },
    });
    this.consumer = consumer;
    this.committer = new OffsetCommitter(
      this.options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS,
      (error) =>
        this.log.warn({
          msg: `offset commit failed (retried; handled messages it leaves uncommitted are skipped by the inbox if redelivered): ${describeError(error)}`,
        }),
    );
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.crashedFatally = false;
      consumerUp.set(1);
      this.log.log({
        msg: `joined group ${payload.groupId} as ${payload.memberId}`,
        assignment: payload.memberAssignment,
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      consumerUp.set(0);
      // kafkajs restarts the consumer itself unless the error is not retriable; then nothing will.
      if (!payload.restart) this.crashedFatally = true;
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
      // Offsets are committed by commitSoon: in the background, at most once per commit interval.
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrency,
      eachBatch: (payload) => this.handleBatch(payload, topics),
    });
  }

  private async handleBatch(payload: EachBatchPayload, topics: Map<string, TopicDefinition>): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, pause } = payload;
    const topic = topics.get(batch.topic);
    if (!topic) throw new Error(`received a batch for unsubscribed topic ${batch.topic}`);
    const partitionKey = `${batch.topic}:${batch.partition}`;
    // Long handlers must not cost the group membership: heartbeat on a timer while the batch runs.
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), 2000);
    const started = Date.now();
    try {
      let next = 0;
      let oneByOne = this.retrying.has(partitionKey);
      // Fast path: consecutive messages share one transaction (one inbox statement, one commit). A group
      // that fails on a message's own account falls back to one transaction per message below, which
      // isolates the poison; an infrastructure failure retries the group's first message later.
      while (next < batch.messages.length && !this.retrying.has(partitionKey)) {
        if (!isRunning() || isStale() || this.stopping) break;
        if (Date.now() - started >= BATCH_TIME_BUDGET_MS) break;
        const group = await this.handleGroup(topic, batch.topic, batch.partition, batch.messages.slice(next));
        if (group.kind === 'done') {
          next += group.count;
          resolveOffset(batch.messages[next - 1].offset);
          await heartbeat();
          continue;
        }
        if (group.kind === 'retry-later') {
          this.scheduleRetry(batch.topic, batch.partition, batch.messages[next].offset, pause);
          await this.commitSoon(payload);
          return;
        }
        oneByOne = true; // from here on, one transaction per message
        break;
      }
      // Out of time, stale or stopping after groups: the rest is fetched again, not handled one by one.
      for (const message of oneByOne ? batch.messages.slice(next) : []) {
        // After a rebalance or on shutdown, stop at a message boundary; what is not resolved is redelivered.
        if (!isRunning() || isStale() || this.stopping) break;
        const retry = this.retrying.get(partitionKey);
        if (retry && retry.offset !== message.offset) {
          // A different message than the one being retried: that retry is settled or stale.
          this.retrying.delete(partitionKey);
        }
        const outcome = await this.handleMessage(topic, batch.topic, batch.partition, message);
        if (outcome === 'retry-later') {
          this.scheduleRetry(batch.topic, batch.partition, message.offset, pause);
          break;
        }
        this.retrying.delete(partitionKey);
        resolveOffset(message.offset);
        // Throttled by kafkajs; throws when the group rebalances, ending the batch at this boundary.
        await heartbeat();
        // Let the fetch loop serve the other partitions; the rest of this batch is fetched again.
        if (Date.now() - started >= BATCH_TIME_BUDGET_MS) break;
      }
      await this.commitSoon(payload);
      await this.linger(payload);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Holds the next fetch (kafkajs fetches again once every batch of a fetch returned) for the linger after
   * a batch that emptied its partition: what arrives meanwhile comes as one batch. See
   * MessagingOptions.fetchLingerMs.
   */
  private async linger(payload: EachBatchPayload): Promise<void> {
    const rest = this.options.fetchLingerMs ?? DEFAULT_FETCH_LINGER_MS;
    if (rest <= 0 || this.stopping || !payload.isRunning() || payload.isStale()) return;
    if (payload.batch.offsetLag() !== '0') return; // more is waiting: fetch it now
    await new Promise((resolve) => setTimeout(resolve, rest));
  }

  /**
   * Has the offsets resolved so far committed: in the background within the commit interval, or now, before
   * the batch returns, when the consumer is stopping (it leaves the group once this batch is done).
   */
  private async commitSoon(payload: EachBatchPayload): Promise<void> {
    if (!this.committer) return;
    if (this.stopping) await this.committer.commitNow(payload);
    else this.committer.request(payload);
  }

  /**
   * Handles the leading messages of `messages` that decode cleanly as one transaction: a bulk inbox
   * claim, then each new event's handler in offset order, one commit. Returns how many were settled, or
   * what to do instead.
   */
  private async handleGroup(
    topic: TopicDefinition,
    physical: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<{ kind: 'done'; count: number } | { kind: 'retry-later' } | { kind: 'one-by-one' }> {
    const handler = this.messageHandlers.get(topic.name)!;
    const extras = (handler.extras ?? {}) as EventHandlerExtras;
    if (extras.inbox === false) return { kind: 'one-by-one' };
    const group: GroupEntry[] = [];
    for (const message of messages.slice(0, GROUP_MAX)) {
      const decoded = decodeEvent(topic, message.value, extras.validate !== 'envelope');
      if (!decoded.ok) break; // dead-lettered on the one-by-one path
      group.push({
        message,
        event: decoded.event,
        info: {
          topic: topic.name,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          headers: headersToStrings(message.headers),
          groupId: this.options.groupId,
          attempt: 1,
        },
      });
    }
    // A lone message of a plain handler is the one-by-one path anyway; a batch handler's joins the others.
    if (group.length < (extras.batch ? 1 : 2)) return { kind: 'one-by-one' };
    const timer = handlerSeconds.startTimer({ topic: topic.name });
    let fresh: Set<GroupEntry>;
    try {
      fresh = extras.batch
        ? // The batches of one fetch (every partition of the topic) share one transaction.
          await this.batches.run(extras.join ? `join:${extras.join}` : topic.name, group, (entries) =>
            this.groupTransaction(entries, true),
          )
        : await this.groupTransaction(group, false);
    } catch (error) {
      timer();
      if (failureKind(error) === 'message') return { kind: 'one-by-one' };
      const err = error instanceof Error ? error : new Error(describeError(error));
      this.recordFailure(
        `${physical}:${partition}`,
        group[0].message.offset,
        'infrastructure',
        undefined,
        err,
        {
          topic: topic.name,
          attempt: 1,
        },
      );
      return { kind: 'retry-later' };
    }
    timer();
    groupSize.observe(group.length);
    for (const g of group) {
      const outcome = fresh.has(g) ? 'handled' : 'duplicate';
      if (outcome === 'duplicate')
        this.log.log({
          msg: `duplicate event ${g.event.id} on ${topic.name} skipped (already handled)`,
          eventId: g.event.id,
        });
      this.settled(topic.name, partition, g.message.offset, g.event.id, outcome);
    }
    return { kind: 'done', count: group.length };
  }

  /**
   * One transaction for `entries` (in order; from one partition, or from several for a batch handler):
   * a bulk inbox claim, then the handler on the events not handled before. Returns those entries.
   */
  private groupTransaction(entries: GroupEntry[], batch: boolean): Promise<Set<GroupEntry>> {
    const deadline = Date.now() + this.handlerTimeoutMs;
    return withTimeout(
      this.dataSource.transaction(async (manager) => {
        const claimed = await claimInboxMany(
          manager,
          this.options.schema,
          this.options.groupId,
          entries.map((g) => ({
            eventId: g.event.id,
            topic: g.info.topic,
            partition: g.info.partition,
            offset: g.message.offset,
          })),
        );
        // Not handled before, once each. Postgres answers ids in lower case; an envelope may carry upper case.
        const fresh = entries.filter((g) => claimed.delete(g.event.id.toLowerCase()));
        if (batch) {
          // Each topic's handler with its own events (joined topics in the order they arrived), then
          // the work they leave for the end of the transaction.
          const byTopic = new Map<string, GroupEntry[]>();
          for (const g of fresh) {
            const list = byTopic.get(g.info.topic);
            if (list) list.push(g);
            else byTopic.set(g.info.topic, [g]);
          }
          const scope = new TransactionScope();
          const work = async () => {
            for (const [topicName, list] of byTopic)
              await this.callHandler(
                this.messageHandlers.get(topicName)!,
                list.map((g) => g.event),
                new KafkaBatchContext(
                  list.map((g) => g.info),
                  list.map((g) => g.event),
                  manager,
                  this.outbox,
                  scope,
                ),
              );
            await scope.settle();
          };
          if (fresh.length) await withTimeout(work(), deadline - Date.now(), this.handlerTimeoutMs);
          return new Set(fresh);
        }
        for (const g of fresh) {
          const trace = traceFromParent(g.info.headers[Header.traceparent], g.event.subject);
          await runWithTrace(trace, () =>
            withTimeout(
              this.callHandler(
                this.messageHandlers.get(g.info.topic)!,
                g.event,
                new KafkaEventContext(g.info, g.event, manager, this.outbox),
              ),
              deadline - Date.now(),
              this.handlerTimeoutMs,
            ),
          );
        }
        return new Set(fresh);
      }),
      this.handlerTimeoutMs + ROLLBACK_GRACE_MS,
      this.handlerTimeoutMs,
    );
  }

  private async callHandler(
    handler: MessageHandler,
    event: CloudEvent | CloudEvent[],
    ctx: KafkaEventContext | KafkaBatchContext,
  ): Promise<void> {
    const result = await handler(event, ctx);
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  /**
   * Holds up only this partition: it is paused and its fetch position stays at the failed message (its
   * offset is not resolved), so it is fetched again when the pause ends. Other partitions keep flowing
   * because the batch returns at once instead of sleeping inside the fetch loop.
   */
  private scheduleRetry(physical: string, partition: number, offset: string, pause: () => () => void): void {
    const key = `${physical}:${partition}`;
    const state = this.retrying.get(key);
    const delay = state?.nextDelayMs ?? this.options.retry.initialMs;
    const resume = pause();
    pausedPartitions.inc();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      pausedPartitions.dec();
      resume();
    }, delay);
    this.resumeTimers.add(timer);
    this.log.debug?.(`paused ${key} for ${delay} ms before retrying offset ${offset}`);
  }

  /** Settles one message: handled, duplicate, dead-lettered, or 'retry-later' (partition pauses). */
  private async handleMessage(
    topic: TopicDefinition,
    physical: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<HandledOutcome | 'retry-later'> {
    const handler = this.messageHandlers.get(topic.name)!;
    const extras = (handler.extras ?? {}) as EventHandlerExtras;
    const where = { topic: physical, partition, message };
    const key = `${physical}:${partition}`;
    const state = this.retrying.get(key);
    const previous = state && state.offset === message.offset ? state : undefined;
    const attempt = (previous?.messageAttempts ?? 0) + 1;

    try {
      const decoded = decodeEvent(topic, message.value, extras.validate !== 'envelope');
      if (!decoded.ok) {
        await this.deadLetters.send(where, { code: decoded.code, message: decoded.message, attempts: 0 });
        return this.settled(topic.name, partition, message.offset, undefined, 'dead_lettered');
      }
      const event = decoded.event;
      const headers = headersToStrings(message.headers);
      const trace = traceFromParent(headers[Header.traceparent], event.subject);
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
        // The handler's limit applies inside its transaction (so a timed-out handler's transaction is
        // rolled back at once and releases its locks); this outer limit also covers connecting and commit.
        const deadline = Date.now() + this.handlerTimeoutMs;
        const outcome = await runWithTrace(trace, () =>
          withTimeout(
            this.invoke(handler, extras, event, info, deadline),
            this.handlerTimeoutMs + ROLLBACK_GRACE_MS,
            this.handlerTimeoutMs,
          ),
        );
        return this.settled(topic.name, partition, message.offset, event.id, outcome);
      } catch (error) {
        const err = error instanceof Error ? error : new Error(describeError(error));
        const kind = failureKind(err);
        if (
          kind === 'message' &&
          (err instanceof NonRetryableError || attempt >= this.options.retry.maxAttempts)
        ) {
          await this.deadLetters.send(where, {
            code: err instanceof NonRetryableError ? err.code : 'HANDLER_FAILED',
            message: `${err.name}: ${err.message}`,
            attempts: attempt,
          });
          return this.settled(topic.name, partition, message.offset, event.id, 'dead_lettered');
        }
        this.recordFailure(key, message.offset, kind, previous, err, {
          eventId: event.id,
          topic: topic.name,
          attempt,
        });
        return 'retry-later';
      } finally {
        timer();
      }
    } catch (error) {
      // Dead-lettering itself failed (broker or database away): an infrastructure failure like any other.
      const err = error instanceof Error ? error : new Error(describeError(error));
      this.recordFailure(key, message.offset, 'infrastructure', previous, err, {
        topic: topic.name,
        attempt,
      });
      return 'retry-later';
    }
  }

  private recordFailure(
    key: string,
    offset: string,
    kind: FailureKind,
    previous: RetryState | undefined,
    err: Error,
    where: { topic: string; attempt: number; eventId?: string },
  ): void {
    const { initialMs, maxMs, infraMaxMs = 5000, maxAttempts } = this.options.retry;
    const failures = (previous?.failures ?? 0) + 1;
    const messageAttempts = (previous?.messageAttempts ?? 0) + (kind === 'message' ? 1 : 0);
    const cap = kind === 'message' ? maxMs : infraMaxMs;
    const nextDelayMs = Math.min(initialMs * 2 ** Math.min(failures - 1, 20), cap);
    this.retrying.set(key, { offset, failures, messageAttempts, nextDelayMs });
    handlerRetriesTotal.inc({ topic: where.topic, kind });
    const [physical, partition] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
    const detail = {
      eventId: where.eventId,
      topic: physical,
      partition: Number(partition),
      offset,
      failureKind: kind,
      failures,
      retryInMs: nextDelayMs,
    };
    const text =
      kind === 'infrastructure'
        ? `infrastructure unavailable while handling ${physical}/${partition}@${offset} (failure ${failures}, retrying without limit in ${nextDelayMs} ms; only this partition waits): ${err.message}`
        : `handler for ${where.topic} failed (attempt ${messageAttempts}/${maxAttempts}), retrying in ${nextDelayMs} ms: ${err.message}`;
    // The first failures are warnings; a long outage logs every tenth so the log stays readable.
    if (failures <= 3 || failures % 10 === 0) this.log.warn({ msg: text, ...detail });
  }

  private async invoke(
    handler: MessageHandler,
    extras: EventHandlerExtras,
    event: CloudEvent,
    info: KafkaMessageInfo,
    deadline: number,
  ): Promise<HandledOutcome> {
    const call = (ctx: KafkaEventContext) =>
      withTimeout(
        (async () => {
          const result = await handler(event, ctx);
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        })(),
        deadline - Date.now(),
        this.handlerTimeoutMs,
      );
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
      if (extras.batch) {
        const scope = new TransactionScope();
        await withTimeout(
          this.callHandler(
            handler,
            [event],
            new KafkaBatchContext([info], [event], manager, this.outbox, scope),
          ).then(() => scope.settle()),
          deadline - Date.now(),
          this.handlerTimeoutMs,
        );
      } else await call(new KafkaEventContext(info, event, manager, this.outbox));
      return 'handled';
    });
  }

  private settled(
    topic: string,
    partition: number,
    offset: string,
    eventId: string | undefined,
    outcome: HandledOutcome,
  ): HandledOutcome {
    consumedTotal.inc({ topic, outcome });
    this.events.emit('handled', { topic, partition, offset, eventId, outcome } satisfies HandledEvent);
    return outcome;
  }

  /** Stops fetching, lets the batch in progress finish and commit, then leaves the group. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const timer of this.resumeTimers) clearTimeout(timer);
    pausedPartitions.dec(this.resumeTimers.size);
    this.resumeTimers.clear();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) {
      // What idle batches resolved and left to the timer; a batch still running commits its own (stopping).
      await this.committer?.commitNow();
      await consumer.stop();
      this.committer?.close();
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
