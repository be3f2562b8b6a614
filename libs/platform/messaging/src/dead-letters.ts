import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
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

/**
 * The consumer group's dead-letter topic: the original key, value and headers, plus the error, source
 * topic, partition and offset in headers, so an operator can see why and replay it.
 */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger('DeadLetters');
  readonly topic: string;

  constructor(
    private readonly client: KafkaClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    this.topic = deadLetterTopic(options.groupId);
  }

  async send(
    source: { topic: string; partition: number; message: KafkaMessage },
    reason: DeadLetterReason,
  ): Promise<void> {
    const original = headersToStrings(source.message.headers);
    const headers: StringHeaders = {
      ...original,
      [Header.dlqErrorCode]: reason.code,
      [Header.dlqErrorMessage]: reason.message.slice(0, MAX_ERROR_HEADER),
      [Header.dlqSourceTopic]: source.topic,
      [Header.dlqSourcePartition]: String(source.partition),
      [Header.dlqSourceOffset]: source.message.offset,
      [Header.dlqConsumerGroup]: this.options.groupId,
      [Header.dlqAttempts]: String(reason.attempts),
      [Header.dlqFailedAt]: new Date().toISOString(),
    };
    const producer = await this.client.producer();
    await producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: source.message.key, value: source.message.value, headers }],
    });
    deadLettersTotal.inc({ topic: source.topic, code: reason.code });
    this.logger.warn({
      msg: `dead-lettered ${source.topic}/${source.partition}@${source.message.offset}: ${reason.code}`,
      code: reason.code,
      error: reason.message,
      sourceTopic: source.topic,
      partition: source.partition,
      offset: source.message.offset,
      attempts: reason.attempts,
      deadLetterTopic: this.topic,
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
   * Puts a dead letter back on its source topic with its original key, value and headers (the dlq-*
   * headers dropped, `dlq-replay-of` added). Its event id is unchanged, so if it was handled meanwhile
   * the inbox absorbs it.
   */
  async replay(ref: DeadLetterRef): Promise<{ topic: string; partition: number; offset: string }> {
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
    this.logger.log({
      msg: `replayed dead letter ${replayHeaders[Header.dlqReplayOf]} to ${sourceTopic}`,
      sourceTopic,
    });
    return { topic: sourceTopic, partition: meta.partition, offset: meta.baseOffset ?? meta.offset ?? '' };
  }
}
