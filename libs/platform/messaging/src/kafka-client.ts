import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { DefaultPartitioner } from './partitioner';

const levelName: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs 2.2.4 arms its request queue's throttle check with `throttledUntil - Date.now()`, a large negative
 * delay when the connection was never throttled (network/requestQueue `scheduleCheckPendingRequests`).
 * Node 20 ran such a timer after 1 ms silently; Node 24 does the same but prints a TimeoutNegativeWarning
 * to stderr, which tells an operator nothing. Only that warning is dropped; every other one is printed by
 * Node's own handler as before.
 */
export function dropKafkajsTimerWarning(): void {
  if (warningPrinters) return;
  const printers = process.listeners('warning');
  warningPrinters = printers;
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const print of printers) print(warning);
  });
}
let warningPrinters: Array<(warning: Error) => void> | undefined;

/**
 * The service's one Kafka client and its idempotent producer (acks=all, one request in flight, so order
 * per partition survives retries). Shared by the relay, the dead-letter path and direct publishing.
 */
@Injectable()
export class KafkaClient implements OnApplicationShutdown {
  readonly kafka: Kafka;
  private producerPromise?: Promise<Producer>;
  private readonly logger = new Logger('Kafka');

  constructor(@Inject(MESSAGING_OPTIONS) readonly options: MessagingOptions) {
    dropKafkajsTimerWarning();
    const logger = this.logger;
    this.kafka = new Kafka({
      clientId: options.service,
      brokers: options.brokers,
      connectionTimeout: 5000,
      retry: { initialRetryTime: 300, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }) => {
          const { message, ...extra } = log;
          logger[levelName[level] ?? 'log']({ msg: `kafkajs: ${message}`, ...extra });
        },
    });
  }

  producer(): Promise<Producer> {
    this.producerPromise ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // Idempotence needs unbounded retries; while the broker is away, sends wait instead of failing.
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30000 },
        allowAutoTopicCreation: false,
        createPartitioner: DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })().catch((error) => {
      this.producerPromise = undefined;
      throw error;
    });
    return this.producerPromise;
  }

  /**
   * Drops the producer; the next `producer()` connects a new one (new producer id, sequence numbers from
   * 0). After a failed produce request kafkajs rolls back the sequence numbers of every partition in it,
   * also of those the broker did write, so the next different batch to such a partition would fail with
   * OUT_OF_ORDER_SEQUENCE_NUMBER for good. Sends in flight on the old producer fail (and are retried by
   * their callers).
   */
  async resetProducer(): Promise<void> {
    const p = this.producerPromise;
    this.producerPromise = undefined;
    if (p) await (await p.catch(() => undefined))?.disconnect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    const p = this.producerPromise;
    this.producerPromise = undefined;
    if (p) await (await p.catch(() => undefined))?.disconnect();
  }
}
