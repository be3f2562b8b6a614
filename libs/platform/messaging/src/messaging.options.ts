import type { TopicDefinition } from '@cic/contracts';

export interface MessagingOptions {
  /** Service name: CloudEvents `source` is `urn:cic:<service>`; also the Kafka client id prefix. */
  service: string;
  brokers: string[];
  /** The consumer group; its dead-letter topic is `<groupId>.dlq`. */
  groupId: string;
  /** Database schema holding this service's inbox and outbox tables. */
  schema: string;
  /** Connection for the relay's leader lock and LISTEN (same database as the DataSource). */
  databaseUrl: string;
  /** Topics this service consumes; start-up fails unless each has exactly one handler. */
  consumes: readonly TopicDefinition[];
  /** Topics this service publishes; provisioned at start-up. */
  produces: readonly TopicDefinition[];
  partitions: number;
  replicationFactor: number;
  /** `min.insync.replicas` of provisioned topics (production 2 with replication 3; locally 1). */
  minInsyncReplicas?: number;
  /**
   * Largest message (value, key and headers) the broker takes for these topics; events above it are
   * refused before they are stored, and the relay caps its produce requests to it. Checked against the
   * broker and topic settings at start-up. Default 1 MiB (Kafka's own default is 1,048,588 bytes).
   */
  maxMessageBytes?: number;
  /**
   * `maxAttempts` bounds handler failures of the message's own making (then the dead-letter topic);
   * infrastructure failures retry without limit, backing off up to `infraMaxMs`.
   */
  retry: { maxAttempts: number; initialMs: number; maxMs: number; infraMaxMs?: number };
  /** Longest one handler call may take before it counts as failed (infrastructure) and is retried. */
  handlerTimeoutMs?: number;
  /**
   * Consumer group session timeout; heartbeats continue during long batches. Default 10 s: how long a
   * vanished member keeps its partitions, which includes the member a broker remembers across its own
   * restart after the client rejoined under a new id.
   */
  sessionTimeoutMs?: number;
  /**
   * Resolved offsets are committed in the background at most this often (default 200 ms), not once per
   * fetch; a crash or rebalance redelivers at most this much handled work, which the inbox skips.
   */
  commitIntervalMs?: number;
  /**
   * A fetch returns once `fetchMinBytes` are there or after `fetchMaxWaitMs` (defaults 1 byte and 500 ms):
   * an idle consumer holds one long poll open and a message arriving is fetched at once.
   */
  fetchMaxWaitMs?: number;
  fetchMinBytes?: number;
  /**
   * After a batch that reached the end of its partition was handled, the next fetch waits this long (default
   * 20 ms), so that under load batches (and the transactions and produce
   * requests that follow them) gather what arrived meanwhile. Returning on the first byte with no pause,
   * every hop ran as many tiny fetches as round trips allowed (2026-12-02, intake at 300 declarations/s:
   * 5.3 -> 3.8 ms of CPU per declaration, p99 418 -> 199 ms, when this pause was a 20 ms fetch wait with
   * a 64 KiB minimum). Waiting here instead of in the broker keeps that batching without the cost of the
   * short fetch wait: an idle consumer polled 50 times a second, which on the 2-core benchmark machine
   * cost about a third of a core across the platform's idle processes and the broker. A batch that left
   * messages behind in its partition does not wait. 0 turns the pause off.
   */
  fetchLingerMs?: number;
  /** Partitions handled at once by one instance (order within a partition is always kept). */
  partitionsConcurrency: number;
  relay?: {
    enabled?: boolean;
    batchSize?: number;
    /** Poll interval when no NOTIFY arrives (safety net). */
    pollMs?: number;
    /** Wait after a wake-up so a burst of commits goes out in one produce request. Default 3 ms. */
    lingerMs?: number;
    /** Rows marked published by an earlier version (which marked rather than deleted) are removed after this (default one minute). */
    retentionMs?: number;
    /** Handled event ids older than this are removed from the inbox (default 14 days). */
    inboxRetentionHours?: number;
  };
  /** Set false for a role that only publishes (e.g. a worker). */
  consume?: boolean;
  /**
   * Prefix of every physical topic name (e.g. "staging." or a test run's id) so several environments can
   * share one cluster. The CloudEvents `type` stays the public topic name. Default: none.
   */
  topicPrefix?: string;
}

export function physicalTopic(options: Pick<MessagingOptions, 'topicPrefix'>, name: string): string {
  return `${options.topicPrefix ?? ''}${name}`;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export function deadLetterTopic(groupId: string): string {
  return `${groupId}.dlq`;
}

export function eventSource(service: string): string {
  return `urn:cic:${service}`;
}
