// Checks PostgreSQL and Redis from DATABASE_URL / REDIS_URL and creates the databases if missing.
// One line per problem, naming what is missing and the Docker alternative.
import { ensureDatabase } from '@cic/platform-persistence';
import IORedis from 'ioredis';

const DOCKER_HINT = '(or run the stack with Docker: docker compose up -d kafka postgres redis)';
const databaseUrl = process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/cic';
const testDatabaseUrl = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/cic_test';
const redisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function checkPostgres(url: string): Promise<void> {
  try {
    if ((await ensureDatabase(url)) === 'created')
      console.log(`[postgres] created database ${new URL(url).pathname.slice(1)}`);
  } catch (error) {
    throw new Error(`PostgreSQL unreachable at ${redact(url)}: ${(error as Error).message} ${DOCKER_HINT}`);
  }
}

async function checkRedis(url: string): Promise<void> {
  const redis = new IORedis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 5000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis unreachable at ${redact(url)}: ${(error as Error).message} ${DOCKER_HINT}`);
  } finally {
    redis.disconnect();
  }
}

(async () => {
  const problems: string[] = [];
  for (const url of new Set([databaseUrl, testDatabaseUrl]))
    await checkPostgres(url).catch((e: Error) => problems.push(e.message));
  await checkRedis(redisUrl).catch((e: Error) => problems.push(e.message));
  if (problems.length) {
    for (const p of new Set(problems)) console.error(`[infra] ERROR: ${p}`);
    process.exit(1);
  }
  console.log(`[postgres] ready at ${redact(databaseUrl)}; [redis] ready at ${redact(redisUrl)}`);
})();
