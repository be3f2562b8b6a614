// The systems under test, each on its own run id: the platform (declaration-intake api + worker on their
// own schema, topic prefix and consumer group) and the bare relay (same topics and partition counts, no
// database), each answered by its own stub deciders; green-channel (api + worker on their own schema,
// prefix, group and queue prefix, with seeded reference data), exemption (api + worker likewise, with
// seeded grants) and origin-certificate (api + PDF worker likewise, nothing seeded), each fed accepted
// events directly.
import { Topics } from '@cic/contracts';
import { ensureDatabase } from '@cic/platform-persistence';
import Redis from 'ioredis';
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
import { seedGrants } from './exemption-data';
import { AcceptedFactory, seedReferenceData } from './green-channel-data';
import { type Admin, createTopics, type OutMessage, partitionCounts } from './kafka';
import type { BenchOptions, Target } from './options';
import { OFFICES, OriginAcceptedFactory } from './origin-data';
import { say } from './progress';
import { findPids, postgresPids, type ProcessGroup } from './resources';

const INTAKE = 'declaration-intake';
const GREEN_CHANNEL = 'green-channel';
const EXEMPTION = 'exemption';
const ORIGIN = 'origin-certificate';
const READY = /^BENCH_READY/;

export interface BenchContext {
  opts: BenchOptions;
  run: string;
  root: string;
  logDir: string;
  admin: Admin;
}

/** What the load generator produces through the Kafka door, when not submitted declarations. */
export interface KafkaLoad {
  topic: string;
  /** The key the tracker follows a declaration by (what comes back on the result). */
  ref(phasePrefix: string, seq: number): string;
  message(seq: number, ref: string): OutMessage;
}

export interface RunningTarget {
  name: Target;
  prefix: string;
  /** Consumer groups whose lag is sampled: the system under test's, then the stubs' (if any). */
  groups: Array<{ groupId: string; topics: string[] }>;
  httpPort: number;
  apiKey: string;
  /** The processes metered; those with a `short` name show their CPU on the progress line. */
  processGroups: Array<ProcessGroup & { short?: string }>;
  /**
   * What the benchmark's reader waits for: `clearance` (accepted, rejected and clearance decided, by
   * localRef), `lane` (green-channel decided, by declarationId), `exemption` (exemption decided, by
   * declarationId) or `origin` (origin decided, by declarationId).
   */
  observe: 'clearance' | 'lane' | 'exemption' | 'origin';
  /**
   * Kafka door: what to send instead of customs.declaration.submitted.v1 (green-channel, exemption: accepted
   * events).
   */
  kafkaLoad?: KafkaLoad;
  /** The doors this target can be measured through. */
  doors: ReadonlyArray<'kafka' | 'http'>;
  /**
   * Decisions in the service's database so far by the path that made them (green-channel: inline, checks,
   * deadline, to tell the fast path was taken; exemption, origin: inline, always), to tell one lost on its
   * way out.
   */
  decidedBy?(): Promise<Record<string, number>>;
  /**
   * Work the decisions leave behind for another process (origin: certificate PDFs for the worker to
   * render): how much is waiting now and how much was done so far. Sampled during a phase; the system is
   * idle again only when nothing is waiting.
   */
  background?: { what: string; pending(): Promise<number>; done(): Promise<number> };
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

function commonGroups(ctx: BenchContext, stubs: Child | undefined): ProcessGroup[] {
  const db = databaseName(ctx.opts.databaseUrl);
  return [
    ...(stubs ? [{ name: 'stub deciders', pids: () => (stubs.pid ? [stubs.pid] : []) }] : []),
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

/** green-channel's names; its topics and group start with `bench-<run>` like every other of the run. */
export function greenChannelNames(run: string) {
  return {
    schema: `bench_${run}_gc`,
    prefix: `bench-${run}-gc.`,
    groupId: `bench-${run}-green-channel`,
    queuePrefix: `bench-${run}-gc`,
  };
}

/** exemption's names; its topics and group start with `bench-<run>` like every other of the run. */
export function exemptionNames(run: string) {
  return {
    schema: `bench_${run}_ex`,
    prefix: `bench-${run}-ex.`,
    groupId: `bench-${run}-exemption`,
    queuePrefix: `bench-${run}-ex`,
  };
}

/** origin-certificate's names; its topics and group start with `bench-<run>` like every other of the run. */
export function originNames(run: string) {
  return {
    schema: `bench_${run}_or`,
    prefix: `bench-${run}-or.`,
    groupId: `bench-${run}-origin`,
    queuePrefix: `bench-${run}-or`,
  };
}

function outboxBacklog(pg: Client, schema: string) {
  return async () => {
    const { rows } = await pg.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}"."outbox" WHERE published_at IS NULL`,
    );
    return rows[0]?.n;
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

  // The api first, then the worker: the api is ready only after its outbox relay tried for the lock, so it
  // leads the relay in every run. Started together, either could lead, and runs differed by that alone
  // (CPU per declaration 3.5 vs 3.6-3.9 ms at 500/s on the 2-core AMD machine, p99 twice as long).
  const api = new Child('intake-api', cmd('main'), env, logDir, root);
  const services: Child[] = [api];
  let worker: Child | undefined;
  try {
    await waitHttpOk(`http://127.0.0.1:${port}/health/ready`, api, 180000);
    worker = new Child('intake-worker', cmd('worker'), env, logDir, root);
    services.push(worker);
    await waitHttpOk(`http://127.0.0.1:${workerPort}/health/ready`, worker, 180000);
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
      { name: 'intake api', short: 'api', pids: () => (api.pid ? [api.pid] : []) },
      { name: 'intake worker', short: 'worker', pids: () => (worker?.pid ? [worker.pid] : []) },
      ...commonGroups(ctx, stubs),
    ],
    observe: 'clearance',
    doors: ['kafka', 'http'],
    crashed: () => crashedOf(services),
    outboxBacklog: outboxBacklog(pg, names.schema),
    async stop() {
      await Promise.all(services.map((c) => c.stop()));
      await pg.end().catch(() => undefined);
    },
  };
}

/**
 * Drops the schemas of the run, intake's, green-channel's, exemption's and origin-certificate's (the services
 * must be stopped).
 */
export async function dropPlatformSchema(opts: BenchOptions, run: string): Promise<void> {
  const pg = new Client({ connectionString: opts.databaseUrl, connectionTimeoutMillis: 5000 });
  await pg.connect();
  try {
    for (const schema of [
      platformNames(run).schema,
      greenChannelNames(run).schema,
      exemptionNames(run).schema,
      originNames(run).schema,
    ])
      await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pg.end();
  }
}

/** Deletes the BullMQ keys of the run from Redis (green-channel's, exemption's and origin's QUEUE_PREFIX). */
export async function dropQueueKeys(opts: BenchOptions, run: string): Promise<number> {
  const redis = new Redis(opts.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 5000,
  });
  await redis.connect();
  let deleted = 0;
  try {
    for (const prefix of [
      greenChannelNames(run).queuePrefix,
      exemptionNames(run).queuePrefix,
      originNames(run).queuePrefix,
    ]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) deleted += await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
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
      { name: 'bare relay', short: 'relay', pids: () => (relay.pid ? [relay.pid] : []) },
      ...commonGroups(ctx, stubs),
    ],
    observe: 'clearance',
    doors: ['kafka', 'http'],
    crashed: () => crashedOf(children),
    outboxBacklog: async () => undefined,
    stop: async () => {
      await Promise.all(children.map((c) => c.stop()));
    },
  };
}

/**
 * green-channel's api (and worker, unless BENCH_GC_WORKER=0) after its migrations and with reference data
 * seeded into its schema before it starts (its risk-alert index is loaded at start-up). No stubs: the load
 * is inspection.declaration.accepted.v1 itself, and the result is inspection.greenchannel.decided.v1.
 */
export async function startGreenChannel(ctx: BenchContext): Promise<RunningTarget> {
  const { opts, run, root, logDir } = ctx;
  const names = greenChannelNames(run);
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
    QUEUE_PREFIX: names.queuePrefix,
    // Fixed, so that random selection is the same function on every run (of random declarationIds).
    SELECTION_KEY: 'bench-selection-key-not-a-secret',
    DOCS_ENABLED: 'false',
    PORT: String(port),
    WORKER_PORT: String(workerPort),
    ...(opts.partitions ? { KAFKA_PARTITIONS: String(opts.partitions) } : {}),
  };
  const cmd = (role: string) => serviceCommand(GREEN_CHANNEL, role, opts.runtime);
  if (opts.runtime === 'dist')
    await runToEnd('green-channel-build', buildCommand(GREEN_CHANNEL), env, logDir, root, 300000);
  await runToEnd('green-channel-migrate', cmd('migrate'), env, logDir, root, 180000);

  const pg = new Client({ connectionString: opts.databaseUrl, application_name: 'bench-monitor' });
  await pg.connect();
  const services: Child[] = [];
  try {
    const seeded = await seedReferenceData(pg, names.schema, opts.greenChannel);
    say(
      `[green-channel] seeded ${seeded.enterprises} enterprises, ${seeded.zones} zones, ${seeded.alerts} risk alerts, ` +
        `${seeded.approvals} approvals, ${seeded.sampleResults} lab results in ${seeded.ms} ms`,
    );
    const api = new Child('green-channel-api', cmd('main'), env, logDir, root);
    services.push(api);
    // The api first, so it leads the outbox relay in every run (as for intake).
    await waitHttpOk(`http://127.0.0.1:${port}/health/ready`, api, 180000);
    if (opts.greenChannel.worker) {
      const worker = new Child('green-channel-worker', cmd('worker'), env, logDir, root);
      services.push(worker);
      await waitHttpOk(`http://127.0.0.1:${workerPort}/health/ready`, worker, 180000);
    }
  } catch (error) {
    await Promise.all(services.map((c) => c.stop(5000)));
    await pg.end().catch(() => undefined);
    throw error;
  }
  const [api, worker] = services;
  const factory = new AcceptedFactory(opts.lines, opts.documents, opts.greenChannel.enterprises);
  const accepted = `${names.prefix}${Topics.DeclarationAcceptedV1.name}`;
  return {
    name: 'green-channel',
    prefix: names.prefix,
    groups: [{ groupId: names.groupId, topics: [accepted] }],
    httpPort: port,
    apiKey: '',
    processGroups: [
      { name: 'green-channel api', short: 'api', pids: () => (api.pid ? [api.pid] : []) },
      ...(worker
        ? [{ name: 'green-channel worker', short: 'worker', pids: () => (worker.pid ? [worker.pid] : []) }]
        : []),
      ...commonGroups(ctx, undefined),
    ],
    observe: 'lane',
    doors: ['kafka'],
    kafkaLoad: {
      topic: accepted,
      ref: () => factory.ref(),
      message: (seq, ref) => factory.message(seq, ref),
    },
    async decidedBy() {
      const { rows } = await pg.query<{ by: string | null; n: number }>(
        `SELECT decided_by AS by, count(*)::int AS n FROM "${names.schema}"."lane_requests" GROUP BY 1`,
      );
      return Object.fromEntries(rows.map((r) => [r.by ?? 'pending', r.n]));
    },
    crashed: () => crashedOf(services),
    outboxBacklog: outboxBacklog(pg, names.schema),
    async stop() {
      await Promise.all(services.map((c) => c.stop()));
      await pg.end().catch(() => undefined);
    },
  };
}

/**
 * exemption's api (and worker, unless BENCH_EX_WORKER=0) after its migrations, with grants seeded into its
 * schema. No stubs: the load is inspection.declaration.accepted.v1 (green-channel's events: declarants, and
 * manufacturers of every line, cycling over the seeded enterprises) and the result is
 * inspection.exemption.decided.v1, decided in the api's consumer batch transaction.
 */
export async function startExemption(ctx: BenchContext): Promise<RunningTarget> {
  const { opts, run, root, logDir } = ctx;
  const names = exemptionNames(run);
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
    QUEUE_PREFIX: names.queuePrefix,
    DOCS_ENABLED: 'false',
    PORT: String(port),
    WORKER_PORT: String(workerPort),
    ...(opts.partitions ? { KAFKA_PARTITIONS: String(opts.partitions) } : {}),
  };
  const cmd = (role: string) => serviceCommand(EXEMPTION, role, opts.runtime);
  if (opts.runtime === 'dist')
    await runToEnd('exemption-build', buildCommand(EXEMPTION), env, logDir, root, 300000);
  await runToEnd('exemption-migrate', cmd('migrate'), env, logDir, root, 180000);

  const pg = new Client({ connectionString: opts.databaseUrl, application_name: 'bench-monitor' });
  await pg.connect();
  const services: Child[] = [];
  try {
    const seeded = await seedGrants(pg, names.schema, opts.exemption.enterprises);
    say(
      `[exemption] seeded ${seeded.grants} grants for ${seeded.withGrants} of ${seeded.enterprises} enterprises ` +
        `(${Object.entries(seeded.byKind)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}) in ${seeded.ms} ms`,
    );
    const api = new Child('exemption-api', cmd('main'), env, logDir, root);
    services.push(api);
    // The api first, so it leads the outbox relay in every run (as for intake).
    await waitHttpOk(`http://127.0.0.1:${port}/health/ready`, api, 180000);
    if (opts.exemption.worker) {
      const worker = new Child('exemption-worker', cmd('worker'), env, logDir, root);
      services.push(worker);
      await waitHttpOk(`http://127.0.0.1:${workerPort}/health/ready`, worker, 180000);
    }
  } catch (error) {
    await Promise.all(services.map((c) => c.stop(5000)));
    await pg.end().catch(() => undefined);
    throw error;
  }
  const [api, worker] = services;
  const factory = new AcceptedFactory(opts.lines, opts.documents, opts.exemption.enterprises);
  const accepted = `${names.prefix}${Topics.DeclarationAcceptedV1.name}`;
  return {
    name: 'exemption',
    prefix: names.prefix,
    groups: [{ groupId: names.groupId, topics: [accepted] }],
    httpPort: port,
    apiKey: '',
    processGroups: [
      { name: 'exemption api', short: 'api', pids: () => (api.pid ? [api.pid] : []) },
      ...(worker
        ? [{ name: 'exemption worker', short: 'worker', pids: () => (worker.pid ? [worker.pid] : []) }]
        : []),
      ...commonGroups(ctx, undefined),
    ],
    observe: 'exemption',
    doors: ['kafka'],
    kafkaLoad: {
      topic: accepted,
      ref: () => factory.ref(),
      message: (seq, ref) => factory.message(seq, ref),
    },
    async decidedBy() {
      // Every decision is made inline, in the consumer's batch transaction (there is no other path).
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${names.schema}"."decisions"`,
      );
      return { inline: rows[0]?.n ?? 0 };
    },
    crashed: () => crashedOf(services),
    outboxBacklog: outboxBacklog(pg, names.schema),
    async stop() {
      await Promise.all(services.map((c) => c.stop()));
      await pg.end().catch(() => undefined);
    },
  };
}

/**
 * origin-certificate's api (and worker, unless BENCH_OR_WORKER=0: it renders the certificates' PDFs, so it
 * belongs to what a certificate costs) after its migrations; nothing is seeded (the api creates its signing
 * key at start-up, enterprises get their registration number on their first certificate). No stubs: the
 * load is inspection.declaration.accepted.v1 with an originCertificate request (lib/origin-data.ts) and the
 * result is inspection.origin.decided.v1, decided in the api's consumer batch transaction.
 */
export async function startOrigin(ctx: BenchContext): Promise<RunningTarget> {
  const { opts, run, root, logDir } = ctx;
  const names = originNames(run);
  // Built first: a template the rules would decide otherwise than intended stops the run before it starts.
  const factory = new OriginAcceptedFactory(opts.origin.enterprises);
  say(
    `[origin] ${factory.mix.templates} request templates of ${factory.mix.lines[0]}–${factory.mix.lines[1]} lines ` +
      `(${factory.mix.issued} issue, ${factory.mix.refused} refuse), ${opts.origin.enterprises} exporters, ` +
      `${OFFICES.length} offices`,
  );
  await ensureDatabase(opts.databaseUrl);
  const [port, workerPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Not production: the local key-encryption key and verify URL defaults are accepted.
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    KAFKA_BROKERS: opts.brokers.join(','),
    DB_SCHEMA: names.schema,
    KAFKA_TOPIC_PREFIX: names.prefix,
    KAFKA_GROUP_ID: names.groupId,
    QUEUE_PREFIX: names.queuePrefix,
    DOCS_ENABLED: 'false',
    PORT: String(port),
    WORKER_PORT: String(workerPort),
    ...(opts.partitions ? { KAFKA_PARTITIONS: String(opts.partitions) } : {}),
  };
  const cmd = (role: string) => serviceCommand(ORIGIN, role, opts.runtime);
  if (opts.runtime === 'dist')
    await runToEnd('origin-build', buildCommand(ORIGIN), env, logDir, root, 300000);
  await runToEnd('origin-migrate', cmd('migrate'), env, logDir, root, 180000);

  const pg = new Client({ connectionString: opts.databaseUrl, application_name: 'bench-monitor' });
  await pg.connect();
  const services: Child[] = [];
  try {
    const api = new Child('origin-api', cmd('main'), env, logDir, root);
    services.push(api);
    // The api first: it creates the signing key at start-up, and the worker's dispatcher reads its schema.
    await waitHttpOk(`http://127.0.0.1:${port}/health/ready`, api, 180000);
    if (opts.origin.worker) {
      const worker = new Child('origin-worker', cmd('worker'), env, logDir, root);
      services.push(worker);
      await waitHttpOk(`http://127.0.0.1:${workerPort}/health/ready`, worker, 180000);
    }
  } catch (error) {
    await Promise.all(services.map((c) => c.stop(5000)));
    await pg.end().catch(() => undefined);
    throw error;
  }
  const [api, worker] = services;
  const accepted = `${names.prefix}${Topics.DeclarationAcceptedV1.name}`;
  const s = `"${names.schema}"`;
  return {
    name: 'origin',
    prefix: names.prefix,
    groups: [{ groupId: names.groupId, topics: [accepted] }],
    httpPort: port,
    apiKey: '',
    processGroups: [
      { name: 'origin api', short: 'api', pids: () => (api.pid ? [api.pid] : []) },
      ...(worker
        ? [{ name: 'origin worker', short: 'worker', pids: () => (worker.pid ? [worker.pid] : []) }]
        : []),
      ...commonGroups(ctx, undefined),
    ],
    observe: 'origin',
    doors: ['kafka'],
    kafkaLoad: {
      topic: accepted,
      ref: () => factory.ref(),
      message: (seq, ref) => factory.message(seq, ref),
    },
    async decidedBy() {
      // Every declaration is decided inline, in the consumer's batch transaction (there is no other path).
      const { rows } = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}."applications"`);
      return { inline: rows[0]?.n ?? 0 };
    },
    ...(worker
      ? {
          background: {
            what: 'PDFs',
            async pending() {
              const { rows } = await pg.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM ${s}."certificate_pdfs" WHERE status = 'PENDING'`,
              );
              return rows[0]?.n ?? 0;
            },
            async done() {
              const { rows } = await pg.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM ${s}."certificate_pdfs" WHERE status = 'DONE'`,
              );
              return rows[0]?.n ?? 0;
            },
          },
        }
      : {}),
    crashed: () => crashedOf(services),
    outboxBacklog: outboxBacklog(pg, names.schema),
    async stop() {
      await Promise.all(services.map((c) => c.stop()));
      await pg.end().catch(() => undefined);
    },
  };
}
