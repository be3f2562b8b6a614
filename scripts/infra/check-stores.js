// Checks PostgreSQL and Redis from DATABASE_URL / REDIS_URL and creates the databases if missing.
// One line per problem, naming what is missing and the Docker alternative.
const { Client } = require('pg');
const IORedis = require('ioredis');

const DOCKER_HINT = '(or run the stack with Docker: docker compose up -d kafka postgres redis)';
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/cic';
const testDatabaseUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/cic_test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function ensureDatabase(url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL unreachable at ${redact(url)}: ${error.message} ${DOCKER_HINT}`);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!found.rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`).catch((e) => {
        if (e.code !== '42P04') throw e;
      });
      console.log(`[postgres] created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

async function checkRedis(url) {
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
    throw new Error(`Redis unreachable at ${redact(url)}: ${error.message} ${DOCKER_HINT}`);
  } finally {
    redis.disconnect();
  }
}

(async () => {
  const problems = [];
  for (const url of [databaseUrl, testDatabaseUrl])
    await ensureDatabase(url).catch((e) => problems.push(e.message));
  await checkRedis(redisUrl).catch((e) => problems.push(e.message));
  if (problems.length) {
    for (const p of [...new Set(problems)]) console.error(`[infra] ERROR: ${p}`);
    process.exit(1);
  }
  console.log(`[postgres] ready at ${redact(databaseUrl)}; [redis] ready at ${redact(redisUrl)}`);
})();
