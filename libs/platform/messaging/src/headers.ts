/** Kafka header names used on every event and on dead letters. */
export const Header = {
  traceparent: 'traceparent',
  ceType: 'ce_type',
  ceId: 'ce_id',
  dlqErrorCode: 'dlq-error-code',
  dlqErrorMessage: 'dlq-error-message',
  dlqSourceTopic: 'dlq-source-topic',
  dlqSourcePartition: 'dlq-source-partition',
  dlqSourceOffset: 'dlq-source-offset',
  dlqConsumerGroup: 'dlq-consumer-group',
  dlqAttempts: 'dlq-attempts',
  dlqFailedAt: 'dlq-failed-at',
  dlqReplayOf: 'dlq-replay-of',
} as const;

export type StringHeaders = Record<string, string>;

type RawHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** Kafka headers as plain strings (the last value wins for repeated headers). */
export function headersToStrings(headers: Record<string, RawHeaderValue> | undefined): StringHeaders {
  const out: StringHeaders = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[k] = last.toString();
  }
  return out;
}
