import { z } from 'zod';
import { secret } from './config';

const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'host:port')).min(1));

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Variables every service reads. Services extend this with their own. The defaults here are the
 * production ones: no address of a database, Redis or broker is guessed, topics are replicated 3 times
 * with min.insync.replicas 2, and API docs are off. Outside production, `LOCAL_DEFAULTS` fill in the
 * local stack (see parseConfig).
 */
export const platformEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  PORT: z.coerce.number().int().min(1).max(65535).optional(),
  DATABASE_URL: secret(z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')),
  REDIS_URL: secret(z.string().regex(/^rediss?:\/\//, 'a redis:// URL')),
  KAFKA_BROKERS: csv,
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(3),
  /** With acks=all, a write needs this many in-sync replicas: 2 of 3 survives one broker down. */
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(7).default(2),
  /** Largest message accepted and published; checked against the topics at start-up. */
  KAFKA_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** Handler attempts before a message that fails on its own goes to the dead-letter topic. */
  KAFKA_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  KAFKA_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(200),
  KAFKA_RETRY_MAX_MS: z.coerce.number().int().min(1).default(5000),
  /** Backoff cap while the infrastructure is away (retried without limit). */
  KAFKA_RETRY_INFRA_MAX_MS: z.coerce.number().int().min(1).default(5000),
  /** Longest one handler call may take before it is retried. */
  KAFKA_HANDLER_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
  /**
   * Partitions handled at once by one instance. High enough that every partition of a fetch runs at once:
   * a batch handler's batches of one fetch then share one transaction (order within a partition is kept).
   */
  KAFKA_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
  /** Resolved offsets are committed in the background at most this often (the inbox skips redeliveries). */
  KAFKA_COMMIT_INTERVAL_MS: z.coerce.number().int().min(10).max(60000).default(200),
  /**
   * Consumer group session timeout. A member that stops heartbeating (a killed instance, or the member a
   * restarted broker still remembers after the client rejoined under a new id) holds its partitions this
   * long. Heartbeats continue every 2 s during long batches.
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300000).default(10000),
  /** A fetch returns after this long or once KAFKA_FETCH_MIN_BYTES are there (an idle consumer's long poll). */
  KAFKA_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(1).max(10000).default(500),
  KAFKA_FETCH_MIN_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(16 * 1024 * 1024)
    .default(1),
  /**
   * After a batch that emptied its partition was handled, the next fetch waits this long, so that under load batches gather what arrived meanwhile (0: no pause).
   */
  KAFKA_FETCH_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /** Serve the OpenAPI document and UI at /docs. */
  DOCS_ENABLED: flag.default(false),
});
export type PlatformEnv = z.infer<typeof platformEnv>;

/**
 * What a developer's machine, CI and `npm start` use when a variable is unset and NODE_ENV is not
 * production: the local stack of the README, one broker (replication 1), 3 partitions, docs on.
 */
export const LOCAL_DEFAULTS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cic',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_PARTITIONS: '3',
  KAFKA_REPLICATION_FACTOR: '1',
  KAFKA_MIN_INSYNC_REPLICAS: '1',
  DOCS_ENABLED: 'true',
};
