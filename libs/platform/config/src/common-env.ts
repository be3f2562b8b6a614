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

/** Variables every service reads. Services extend this with their own. */
export const platformEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  PORT: z.coerce.number().int().min(1).max(65535).optional(),
  DATABASE_URL: secret(z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')).default(
    'postgres://postgres@127.0.0.1:5432/cic',
  ),
  REDIS_URL: secret(z.string().regex(/^rediss?:\/\//, 'a redis:// URL')).default('redis://127.0.0.1:6379'),
  KAFKA_BROKERS: csv.default(['127.0.0.1:9092']),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
  /** Handler attempts before a message goes to the dead-letter topic. */
  KAFKA_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  KAFKA_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(200),
  KAFKA_RETRY_MAX_MS: z.coerce.number().int().min(1).default(5000),
  KAFKA_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
});
export type PlatformEnv = z.infer<typeof platformEnv>;
