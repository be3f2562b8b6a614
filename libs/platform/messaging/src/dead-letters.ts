import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { DeadLetterAdmin } from './dead-letter-admin';
import { DeadLetterStore, eventIdOf, isDeadLetterId } from './dead-letter-store';
import { Header, headersToStrings, type StringHeaders } from './headers';
import { KafkaClient } from './kafka-client';
import { deadLetterTopic, MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { deadLettersTotal } from './messaging.metrics';

export interface DeadLetterReason {
  code: string;
  message: string;
  attempts: number;
}

export interface DeadLetterRef {
  partition: number;
  offset: string;
}

const MAX_ERROR_HEADER = 2000;
const MAX_ERROR_STORED = 20000;
/** The dead letter's id in the `dead_letters` table, on its copy in the dead-letter topic. */
export const DLQ_ID_HEADER = 'dlq-id';

/**
 * The consumer group's dead letters: each is recorded in the service schema's `dead_letters` table (the
 * original key, value and headers, the error, where it came from) and produced to the group's dead-letter
 * topic with the error, source topic, partition and offset in headers. Operators act on them through
 * DeadLetterAdmin.
 */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger('DeadLetters');
  readonly topic: string;
  private readonly store: DeadLetterStore;
  private readonly admin: DeadLetterAdmin;

  constructor(
    private readonly client: KafkaClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    dataSource: DataSource,
  ) {
    this.topic = deadLetterTopic(options.groupId);
    this.store = new DeadLetterStore(dataSource, options.schema);
    this.admin = new DeadLetterAdmin(dataSource, client, options);
  }

  /**
   * Records the dead letter (once per source position: a redelivered failure finds its row), then produces
   * it to the dead-letter topic and stores where it landed; both exist when this returns. Any failure
   * (database or broker away) is thrown for the caller to retry: nothing is swallowed. A redelivered failure
   * that is already in the dead-letter topic is not produced twice.
   */
  async send(
    source: { topic: string; partition: number; message: KafkaMessage },
    reason: DeadLetterReason,
  ): Promise<void> {
    const original = headersToStrings(source.message.headers);
    const failedAt = new Date();
    const value = source.message.value ?? null;
    const key =
      source.message.key === null || source.message.key === undefined ? null : source.message.key.toString();
    const replayOf = original[Header.dlqReplayOf];
    const recorded = await this.store.record({
      consumerGroup: this.options.groupId,
      sourceTopic: source.topic,
      sourcePartition: source.partition,
      sourceOffset: source.message.offset,
      eventId: eventIdOf(original, value),
      key,
      value,
      headers: original,
      errorCode: reason.code,
      errorMessage: reason.message.slice(0, MAX_ERROR_STORED),
      attempts: reason.attempts,
      failedAt,
      replayOf: replayOf && isDeadLetterId(replayOf) ? replayOf : null,
    });
    const where = `${source.topic}/${source.partition}@${source.message.offset}`;
    if (!recorded.created && recorded.dlqPartition !== null) {
      this.logger.warn({
        msg: `${where} failed again on redelivery; it is dead letter ${recorded.id} already (${this.topic}/${recorded.dlqPartition}@${recorded.dlqOffset})`,
        deadLetterId: recorded.id,
        code: reason.code,
      });
      return;
    }
    const headers: StringHeaders = {
      ...original,
      [Header.dlqErrorCode]: reason.code,
      [Header.dlqErrorMessage]: reason.message.slice(0, MAX_ERROR_HEADER),
      [Header.dlqSourceTopic]: source.topic,
      [Header.dlqSourcePartition]: String(source.partition),
      [Header.dlqSourceOffset]: source.message.offset,
      [Header.dlqConsumerGroup]: this.options.groupId,
      [Header.dlqAttempts]: String(reason.attempts),
      [Header.dlqFailedAt]: failedAt.toISOString(),
      [DLQ_ID_HEADER]: recorded.id,
    };
    const producer = await this.client.producer();
    const [meta] = await producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: source.message.key, value: source.message.value, headers }],
    });
    const dlqOffset = String(meta.baseOffset ?? meta.offset ?? '');
    await this.store.setPosition(recorded.id, meta.partition, dlqOffset);
    deadLettersTotal.inc({ topic: source.topic, code: reason.code });
    this.logger.warn({
      msg: `dead-lettered ${where}: ${reason.code} (dead letter ${recorded.id})`,
      deadLetterId: recorded.id,
      code: reason.code,
      error: reason.message,
      sourceTopic: source.topic,
      partition: source.partition,
      offset: source.message.offset,
      attempts: reason.attempts,
      deadLetterTopic: this.topic,
      dlqPartition: meta.partition,
      dlqOffset,
      replayOf: replayOf ?? undefined,
    });
  }

  /** Reads one dead letter by its position in the dead-letter topic. */
  async read(ref: DeadLetterRef, timeoutMs = 20000): Promise<KafkaMessage> {
    const groupId = `${this.options.groupId}.dlq-reader.${randomUUID()}`;
    const consumer = this.client.kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      const found = new Promise<KafkaMessage>((resolve) => {
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (partition === ref.partition && message.offset === ref.offset) resolve(message);
          },
        });
      });
      consumer.seek({ topic: this.topic, partition: ref.partition, offset: ref.offset });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no dead letter at ${this.topic}/${ref.partition}@${ref.offset}`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([found, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await consumer.disconnect();
      const admin = this.client.kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  }

  /**
   * Puts a dead letter back on its source topic, found by its position in the dead-letter topic. A
   * recorded dead letter goes through DeadLetterAdmin.replay (locked, audited, marked REPLAYED, refused
   * unless OPEN); one from before the table existed is read from Kafka and produced with its original key,
   * value and headers (the dlq-* headers dropped, `dlq-replay-of` added). Its event id is unchanged, so if
   * it was handled meanwhile the inbox absorbs it.
   */
  async replay(
    ref: DeadLetterRef,
    actor = 'system:dead-letters',
  ): Promise<{ topic: string; partition: number; offset: string; deadLetterId?: string }> {
    const id = await this.store.findByPosition(this.options.groupId, ref.partition, ref.offset);
    if (id) {
      const outcome = await this.admin.replay(id, actor);
      return { ...outcome.replayedTo, deadLetterId: id };
    }
    const message = await this.read(ref);
    const headers = headersToStrings(message.headers);
    const sourceTopic = headers[Header.dlqSourceTopic];
    if (!sourceTopic)
      throw new Error(`dead letter ${this.topic}/${ref.partition}@${ref.offset} names no source topic`);
    const replayHeaders: StringHeaders = Object.fromEntries(
      Object.entries(headers).filter(([k]) => !k.startsWith('dlq-')),
    );
    replayHeaders[Header.dlqReplayOf] = `${this.topic}/${ref.partition}@${ref.offset}`;
    const producer = await this.client.producer();
    const [meta] = await producer.send({
      topic: sourceTopic,
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers: replayHeaders }],
    });
    this.logger.warn({
      msg: `replayed unrecorded dead letter ${replayHeaders[Header.dlqReplayOf]} to ${sourceTopic} by ${actor}`,
      sourceTopic,
      actor,
    });
    return { topic: sourceTopic, partition: meta.partition, offset: meta.baseOffset ?? meta.offset ?? '' };
  }
}
