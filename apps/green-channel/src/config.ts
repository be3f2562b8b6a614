import { platformEnv } from '@cic/platform-config';
import { z } from 'zod';

export const SERVICE = 'green-channel';
export const GREEN_CHANNEL_SCHEMA = 'green_channel';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const greenChannelEnv = platformEnv.extend({
  /** The worker role's own port for /health and /metrics (it serves no API). */
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3102),
  KAFKA_GROUP_ID: z.string().min(1).default('green-channel'),
  /** Physical Kafka topic prefix (see MessagingOptions.topicPrefix). */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default(GREEN_CHANNEL_SCHEMA),
  /**
   * Key of the keyed hash behind random selection (DOMAIN.md: deterministic and auditable). Keep it
   * secret, or submitters could pick declaration ids that are never selected; the local default is
   * for development only and refused in production.
   */
  SELECTION_KEY: z.string().min(16).default('local-development-selection-key'),
  /**
   * How long the slow checks of a declaration may take before its lane falls to YELLOW with
   * CHECK_TIMEOUT. Shorter than intake's decision timeout (30 s), so intake gets a lane, not a timeout.
   */
  CHECK_DEADLINE_MS: z.coerce.number().int().min(500).max(3_600_000).default(20_000),
  /** Attempts of one slow check (BullMQ), with exponential backoff from CHECK_BACKOFF_MS. */
  CHECK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  CHECK_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  /** BullMQ key prefix in Redis (tests and side-by-side installs use their own). */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('bull'),
  /** Parallel slow checks per worker process. */
  CHECK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** How often the worker looks for checks to enqueue and for lanes past their deadline. */
  CHECK_SWEEP_MS: z.coerce.number().int().min(50).max(60_000).default(250),
  /** Largest reference-data import (CSV or JSON) read, in bytes. */
  MAX_IMPORT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(32 * 1024 * 1024),
  /** Documents: file:// uris only inside this directory (unset: file:// refused). */
  DOCUMENT_FILE_ROOT: z.string().optional(),
  /** Documents: hosts that may be fetched over http(s), comma-separated, `*.example.com` allowed. */
  DOCUMENT_ALLOWED_HOSTS: z.string().optional(),
  DOCUMENT_ALLOW_PRIVATE: flag.optional(),
  DOCUMENT_ALLOW_HTTP: flag.optional(),
  DOCUMENT_MAX_BYTES: z.coerce.number().int().min(1).optional(),
  DOCUMENT_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  /** The office's time zone: "today" for the approval criteria and lane windows. */
  OFFICE_TIME_ZONE: z.string().min(1).default('Asia/Shanghai'),
});
export type GreenChannelConfig = z.infer<typeof greenChannelEnv>;

export const GREEN_CHANNEL_CONFIG = Symbol('GREEN_CHANNEL_CONFIG');

/** Refuses settings that are only safe on a developer's machine. */
export function assertProductionSafe(config: GreenChannelConfig): void {
  if (config.NODE_ENV === 'production' && config.SELECTION_KEY === 'local-development-selection-key') {
    throw new Error('SELECTION_KEY must be set in production (a secret of at least 16 characters)');
  }
}
