import { platformEnv } from '@cic/platform-config';
import { z } from 'zod';
import { INTAKE_SCHEMA } from './entities/schema';

export const SERVICE = 'declaration-intake';

export const intakeEnv = platformEnv.extend({
  /** Intake keeps nothing in Redis (its deadlines live in Postgres), so it does not require one. */
  REDIS_URL: platformEnv.shape.REDIS_URL.optional(),
  /** How long intake waits for the green-channel and exemption decisions (DESIGN.md: 30 s). */
  DECISION_TIMEOUT_MS: z.coerce.number().int().min(100).max(86_400_000).default(30_000),
  /** How often the worker sweeps for declarations whose decision deadline has passed. */
  TIMEOUT_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /**
   * Largest HTTP body read. Unset, it follows KAFKA_MAX_MESSAGE_BYTES; either way a declaration whose
   * accepted event would exceed what the broker takes is refused (413, or a rejection event on Kafka)
   * before anything is stored.
   */
  MAX_DECLARATION_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .optional(),
  /** The worker role's own port for /health and /metrics (it serves no API). */
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3101),
  KAFKA_GROUP_ID: z.string().min(1).default('declaration-intake'),
  /** Physical Kafka topic prefix (see MessagingOptions.topicPrefix). */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default(INTAKE_SCHEMA),
});
export type IntakeConfig = z.infer<typeof intakeEnv>;
