import IORedis, { type Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection suitable for BullMQ workers (maxRetriesPerRequest must be null there) and for
 * health checks. Reconnects with a capped backoff instead of crashing the process.
 */
export function createRedisConnection(url: string, name: string, extra: RedisOptions = {}): Redis {
  return new IORedis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 5000),
    ...extra,
  });
}
