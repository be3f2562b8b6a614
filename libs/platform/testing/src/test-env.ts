import { randomBytes } from 'node:crypto';

/**
 * Where integration tests find the real infrastructure. Tests use their own database (cic_test by
 * default) and unique schema, topic and group names per run, so they never touch demo data and can
 * run against a broker that is in use.
 */
export function testInfra(): { databaseUrl: string; redisUrl: string; brokers: string[] } {
  return {
    databaseUrl: process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/cic_test',
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
  };
}

/** A short unique suffix, safe in schema, topic and group names. */
export function runId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
