import { metricsRegistry } from '@cic/platform-observability';
import { Counter, Gauge, Histogram } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (metricsRegistry.getSingleMetric(name) as T | undefined) ?? make();
}

export const consumedTotal = once(
  'cic_messaging_consumed_total',
  () =>
    new Counter({
      name: 'cic_messaging_consumed_total',
      help: 'Messages consumed, by topic and outcome (handled, duplicate, dead_lettered)',
      labelNames: ['topic', 'outcome'],
      registers: [metricsRegistry],
    }),
);

export const handlerRetriesTotal = once(
  'cic_messaging_handler_retries_total',
  () =>
    new Counter({
      name: 'cic_messaging_handler_retries_total',
      help: 'Handler attempts that failed and will be retried, by kind (infrastructure: without limit; message: bounded)',
      labelNames: ['topic', 'kind'],
      registers: [metricsRegistry],
    }),
);

export const handlerSeconds = once(
  'cic_messaging_handler_duration_seconds',
  () =>
    new Histogram({
      name: 'cic_messaging_handler_duration_seconds',
      help: 'Time to handle one message, transaction included',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metricsRegistry],
    }),
);

export const deadLettersTotal = once(
  'cic_messaging_dead_letters_total',
  () =>
    new Counter({
      name: 'cic_messaging_dead_letters_total',
      help: 'Messages sent to the dead-letter topic, by source topic and error code',
      labelNames: ['topic', 'code'],
      registers: [metricsRegistry],
    }),
);

export const outboxPublishedTotal = once(
  'cic_messaging_outbox_published_total',
  () =>
    new Counter({
      name: 'cic_messaging_outbox_published_total',
      help: 'Events published by the outbox relay',
      labelNames: ['topic'],
      registers: [metricsRegistry],
    }),
);

export const outboxPending = once(
  'cic_messaging_outbox_pending',
  () =>
    new Gauge({
      name: 'cic_messaging_outbox_pending',
      help: "Outbox events not yet published, as of the relay's last look",
      registers: [metricsRegistry],
    }),
);

export const consumerUp = once(
  'cic_messaging_consumer_up',
  () =>
    new Gauge({
      name: 'cic_messaging_consumer_up',
      help: '1 while the Kafka consumer is in its group and fetching',
      registers: [metricsRegistry],
    }),
);

export const pausedPartitions = once(
  'cic_messaging_paused_partitions',
  () =>
    new Gauge({
      name: 'cic_messaging_paused_partitions',
      help: 'Partitions paused while a message waits for its retry (only that partition waits)',
      registers: [metricsRegistry],
    }),
);

export const outboxParkedTotal = once(
  'cic_messaging_outbox_parked_total',
  () =>
    new Counter({
      name: 'cic_messaging_outbox_parked_total',
      help: 'Outbox events the broker refused for good, parked for operators (the rows behind flow on)',
      labelNames: ['topic', 'reason'],
      registers: [metricsRegistry],
    }),
);

export const outboxParked = once(
  'cic_messaging_outbox_parked',
  () =>
    new Gauge({
      name: 'cic_messaging_outbox_parked',
      help: "Parked outbox events awaiting an operator, as of the relay's last look",
      registers: [metricsRegistry],
    }),
);

export const relayFailuresTotal = once(
  'cic_messaging_outbox_relay_failures_total',
  () =>
    new Counter({
      name: 'cic_messaging_outbox_relay_failures_total',
      help: 'Outbox relay rounds that failed (database or broker unavailable) and were retried',
      registers: [metricsRegistry],
    }),
);

export const groupSize = once(
  'cic_messaging_group_size',
  () =>
    new Histogram({
      name: 'cic_messaging_group_size',
      help: 'Messages handled together in one transaction (the batch fast path)',
      buckets: [2, 5, 10, 25, 50, 100, 200],
      registers: [metricsRegistry],
    }),
);
