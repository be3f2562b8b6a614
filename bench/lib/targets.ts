// The systems under test, each on its own run id: the platform (declaration-intake api + worker on their
// own schema, topic prefix and consumer group) and the bare relay (same topics and partition counts, no
// database), each answered by its own stub deciders.
import { Topics } from '@cic/contracts';
import { ensureDatabase } from '@cic/platform-persistence';
import { Client } from 'pg';
import {
  benchCommand,
  buildCommand,
  Child,
  freePort,
  runToEnd,
  serviceCommand,
  waitHttpOk,
} from './children';
import { kafkaPids } from './environment';
import { type Admin, createTopics, partitionCounts } from './kafka';
import type { BenchOptions, Target } from './options';
import { findPids, postgresPids, type ProcessGroup } from './resources';

const INTAKE = 'declaration-intake';
const READY = /^BENCH_READY/;

export interface BenchContext {
  opts: BenchOptions;
  run: string;
  root: string;
  logDir: string;
  admin: Admin;
}

export interface RunningTarget {
  name: Target;
  prefix: string;
  /** Consumer groups whose lag is sampled: the system under test's, then the stubs'. */
  groups: Array<{ groupId: string; topics: string[] }>;
  httpPort: number;
  apiKey: string;
  processGroups: ProcessGroup[];
  /** What crashed among the processes of the target, if anything did. */
  crashed(): string | undefined;
  outboxBacklog(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Physical names of the topics intake consumes (what the bare relay consumes too). */
function consumed(prefix: string): string[] {
  return [
    Topics.DeclarationSubmittedV1,
    Topics.GreenChannelDecidedV1,
    Topics.ExemptionDecidedV1,
    Topics.OriginDecidedV1,
  ].map((t) => `${prefix}${t.name}`);
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function commonGroups(ctx: BenchContext, stubs: Child): ProcessGroup[] {
  const db = databaseName(ctx.opts.databaseUrl);
  return [
    { name: 'stub deciders', pids: () => (stubs.pid ? [stubs.pid] : []) },
    { name: 'load generator (bench)', pids: () => [process.pid] },
    { name: 'kafka', pids: kafkaPids },
    { name: 'postgres', pids: () => postgresPids(db) },
    { name: 'redis', pids: () => findPids((p) => p.comm === 'redis-server') },
  ];
}

async function startStubs(ctx: BenchContext, name: Target, prefix: string): Promise<Child> {
  const stubs = new Child(
    `${name}-stub-deciders`,
    benchCommand('stub-deciders'),
    {
      ...process.env,
      BENCH_BROKERS: ctx.opts.brokers.join(','),
      BENCH_PREFIX: prefix,
      BENCH_GROUP: `bench-${ctx.run}-${name}-stubs`,
    },
    ctx.logDir,
    ctx.root,
  );
  await stubs.waitForLine(READY, 90000);
  return stubs;
}

function crashedOf(children: Child[]): string | undefined {
  const dead = children.find((c) => c.crashed);
  return dead?.describeExit();
}

export function platformNames(run: string) {
  return {
    schema: `bench_${run}`,
    prefix: `bench-${run}.`,
    groupId: `bench-${run}-intake`,
  };
}

export async function startPlatform(ctx: BenchContext): Promise<RunningTarget> {
  const { opts, run, root, logDir } = ctx;
  const names = platformNames(run);
  await ensureDatabase(opts.databaseUrl);
  const [port, workerPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    KAFKA_BROKERS: opts.brokers.join(','),
    DB_SCHEMA: names.schema,
    KAFKA_TOPIC_PREFIX: names.prefix,
    KAFKA_GROUP_ID: names.groupId,
    DECISION_TIMEOUT_MS: String(opts.decisionTimeoutMs),
    DOCS_ENABLED: 'false',
    PORT: String(port),
    WORKER_PORT: String(workerPort),
    ...(opts.partitions ? { KAFKA_PARTITIONS: String(opts.partitions) } : {}),
  };
  const cmd = (role: string) => serviceCommand(INTAKE, role, opts.runtime);
  if (opts.runtime === 'dist')
    await runToEnd('intake-build', buildCommand(INTAKE), env, logDir, root, 300000);
  await runToEnd('intake-migrate', cmd('migrate'), env, logDir, root, 180000);
  const created = await runToEnd(
    'intake-api-keys',
    {
      ...cmd('cli/api-keys.cli'),
      args: [...cmd('cli/api-keys.cli').args, 'create', '--name', 'bench', '--role', 'operator'],
    },
    env,
    logDir,
    root,
    180000,
  );
  const apiKey = (JSON.parse(created) as { key?: string }).key;
  if (!apiKey) throw new Error(`the api-keys CLI printed no key: ${created.slice(0, 200)}`);

  const api = new Child('intake-api', cmd('main'), env, logDir, root);
  const worker = new Child('intake-worker', cmd('worker'), env, logDir, root);
  const services = [api, worker];
  try {
    await Promise.all([
      waitHttpOk(`http://127.0.0.1:${port}/health/ready`, api, 180000),
      waitHttpOk(`http://127.0.0.1:${workerPort}/health/ready`, worker, 180000),
    ]);
    services.push(await startStubs(ctx, 'platform', names.prefix));
  } catch (error) {
    await Promise.all(services.map((c) => c.stop(5000)));
    throw error;
  }
  const stubs = services[2];
  const pg = new Client({ connectionString: opts.databaseUrl, application_name: 'bench-monitor' });
  await pg.connect();
  return {
    name: 'platform',
    prefix: names.prefix,
    groups: [
      { groupId: names.groupId, topics: consumed(names.prefix) },
      {
        groupId: `bench-${run}-platform-stubs`,
        topics: [`${names.prefix}${Topics.DeclarationAcceptedV1.name}`],
      },
    ],
    httpPort: port,
    apiKey,
    processGroups: [
      { name: 'intake api', pids: () => (api.pid ? [api.pid] : []) },
      { name: 'intake worker', pids: () => (worker.pid ? [worker.pid] : []) },
      ...commonGroups(ctx, stubs),
    ],
    crashed: () => crashedOf(services),
    async outboxBacklog() {
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${names.schema}"."outbox" WHERE published_at IS NULL`,
      );
      return rows[0]?.n;
    },
    async stop() {
      await Promise.all(services.map((c) => c.stop()));
      await pg.end().catch(() => undefined);
    },
  };
}

/** Drops the platform's schema (the services must be stopped). */
export async function dropPlatformSchema(opts: BenchOptions, run: string): Promise<void> {
  const pg = new Client({ connectionString: opts.databaseUrl, connectionTimeoutMillis: 5000 });
  await pg.connect();
  try {
    await pg.query(`DROP SCHEMA IF EXISTS "${platformNames(run).schema}" CASCADE`);
  } finally {
    await pg.end();
  }
}

export async function startBare(ctx: BenchContext): Promise<RunningTarget> {
  const { opts, run, root, logDir, admin } = ctx;
  const prefix = `bench-${run}-bare.`;
  const groupId = `bench-${run}-bare-relay`;
  // The platform's topics as provisioned (when it ran first), else the services' local default.
  const all = [
    Topics.DeclarationSubmittedV1,
    Topics.GreenChannelDecidedV1,
    Topics.ExemptionDecidedV1,
    Topics.OriginDecidedV1,
    Topics.DeclarationAcceptedV1,
    Topics.DeclarationRejectedV1,
    Topics.ClearanceDecidedV1,
  ].map((t) => t.name);
  const platformCounts = await partitionCounts(
    admin,
    all.map((t) => `${platformNames(run).prefix}${t}`),
  );
  const fallback = opts.partitions ?? 3;
  await createTopics(
    admin,
    new Map(
      all.map((t) => [`${prefix}${t}`, platformCounts.get(`${platformNames(run).prefix}${t}`) ?? fallback]),
    ),
  );
  const port = await freePort();
  const relay = new Child(
    'bare-relay',
    benchCommand('bare-relay'),
    {
      ...process.env,
      BENCH_BROKERS: opts.brokers.join(','),
      BENCH_PREFIX: prefix,
      BENCH_GROUP: groupId,
      BENCH_HTTP_PORT: String(port),
    },
    logDir,
    root,
  );
  const children = [relay];
  try {
    await relay.waitForLine(READY, 90000);
    children.push(await startStubs(ctx, 'bare', prefix));
  } catch (error) {
    await Promise.all(children.map((c) => c.stop(5000)));
    throw error;
  }
  const stubs = children[1];
  return {
    name: 'bare',
    prefix,
    groups: [
      { groupId, topics: consumed(prefix) },
      { groupId: `bench-${run}-bare-stubs`, topics: [`${prefix}${Topics.DeclarationAcceptedV1.name}`] },
    ],
    httpPort: port,
    apiKey: 'bare-relay-takes-any-key',
    processGroups: [
      { name: 'bare relay', pids: () => (relay.pid ? [relay.pid] : []) },
      ...commonGroups(ctx, stubs),
    ],
    crashed: () => crashedOf(children),
    outboxBacklog: async () => undefined,
    stop: async () => {
      await Promise.all(children.map((c) => c.stop()));
    },
  };
}
