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

/**
 * Connection options from a redis:// URL, for BullMQ to open (and close) connections of its own.
 * Passing options rather than a client keeps ownership clear: BullMQ never closes a client it was given.
 */
export function redisOptions(url: string, name: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  };
}
