// Dead letters from the command line (npm run intake:dlq -- <command>):
//   list [--status OPEN|REPLAYED|DISCARDED] [--topic T] [--limit N] [--after ID] [--json]
//   show ID
//   replay ID
//   replay-all [--topic T] [--limit N]
//   discard ID --reason "why"
// Every action is audited with the actor cli:<os user>. Output is JSON, or a table for `list`; on error,
// one line on stderr and exit code 1.
import { userInfo } from 'node:os';
import { loadConfig } from '@cic/platform-config';
import {
  DEAD_LETTER_STATUSES,
  DeadLetterAdmin,
  type DeadLetterStatus,
  type DeadLetterSummary,
  KafkaClient,
  type MessagingOptions,
} from '@cic/platform-messaging';
import { Logger, type LoggerService } from '@nestjs/common';
import { type IntakeConfig, intakeEnv, SERVICE } from '../config';
import { createIntakeDataSource } from '../data-source';

const USAGE = `usage: npm run intake:dlq -- list [--status ${DEAD_LETTER_STATUSES.join('|')}] [--topic T] [--limit N] [--after ID] [--json] | show ID | replay ID | replay-all [--topic T] [--limit N] | discard ID --reason "why"`;

class UsageError extends Error {}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
  return value;
}

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function positiveInt(name: string): number | undefined {
  const raw = arg(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

function idArg(): string {
  const id = process.argv[3];
  if (!id || id.startsWith('--')) throw new UsageError(`${process.argv[2]} needs a dead letter ID`);
  return id;
}

/** Only what the dead-letter tools use: the client id, brokers, consumer group and schema. */
function messagingOptions(config: IntakeConfig): MessagingOptions {
  return {
    service: `${SERVICE}-cli`,
    brokers: config.KAFKA_BROKERS,
    groupId: config.KAFKA_GROUP_ID,
    schema: config.DB_SCHEMA,
    databaseUrl: config.DATABASE_URL,
    consumes: [],
    produces: [],
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    retry: {
      maxAttempts: config.KAFKA_MAX_ATTEMPTS,
      initialMs: config.KAFKA_RETRY_INITIAL_MS,
      maxMs: config.KAFKA_RETRY_MAX_MS,
    },
    partitionsConcurrency: 1,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    consume: false,
    relay: { enabled: false },
  };
}

/** Logs go to stderr so that stdout holds only the command's output. */
const stderrLogger: LoggerService = {
  log: () => undefined,
  warn: (message: unknown) => process.stderr.write(`warn: ${describe(message)}\n`),
  error: (message: unknown) => process.stderr.write(`error: ${describe(message)}\n`),
};

function describe(message: unknown): string {
  if (typeof message === 'object' && message !== null && 'msg' in message)
    return String((message as { msg: unknown }).msg);
  return String(message);
}

function table(items: DeadLetterSummary[]): string {
  const rows = items.map((d) => [
    d.id,
    d.status,
    d.failedAt.replace(/\.\d+Z$/, 'Z'),
    `${d.sourceTopic}/${d.sourcePartition}@${d.sourceOffset}`,
    d.errorCode,
    String(d.attempts),
    d.replayOf ?? '',
    d.bytes === null ? '' : String(d.bytes),
    d.errorMessage.replace(/\s+/g, ' ').slice(0, 80),
  ]);
  const header = ['ID', 'STATUS', 'FAILED AT', 'SOURCE', 'CODE', 'TRIES', 'REPLAY OF', 'BYTES', 'ERROR'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (!command || !['list', 'show', 'replay', 'replay-all', 'discard'].includes(command))
    throw new UsageError(USAGE);
  Logger.overrideLogger(stderrLogger);
  const config = loadConfig(intakeEnv);
  const actor = `cli:${userInfo().username}`;
  const ds = createIntakeDataSource(config, 'cli-dlq');
  // TypeORM's own query logging writes to stdout; the typed errors below say what went wrong.
  ds.setOptions({ logging: false });
  await ds.initialize();
  const options = messagingOptions(config);
  const client = new KafkaClient(options);
  const admin = new DeadLetterAdmin(ds, client, options);
  try {
    if (command === 'list') {
      const status = arg('status')?.toUpperCase();
      if (status !== undefined && !DEAD_LETTER_STATUSES.includes(status as DeadLetterStatus))
        throw new UsageError(`--status must be one of ${DEAD_LETTER_STATUSES.join(', ')}`);
      const page = await admin.list({
        status: status as DeadLetterStatus | undefined,
        sourceTopic: arg('topic'),
        limit: positiveInt('limit') ?? 50,
        afterId: arg('after'),
      });
      if (flag('json')) print(page);
      else {
        process.stdout.write(page.items.length ? `${table(page.items)}\n` : 'no dead letters\n');
        if (page.nextAfterId) process.stdout.write(`more: --after ${page.nextAfterId}\n`);
      }
    } else if (command === 'show') {
      print(await admin.get(idArg()));
    } else if (command === 'replay') {
      print(await admin.replay(idArg(), actor));
    } else if (command === 'replay-all') {
      print(await admin.replayAll(actor, { sourceTopic: arg('topic'), limit: positiveInt('limit') }));
    } else {
      const id = idArg();
      const reason = arg('reason');
      if (!reason?.trim()) throw new UsageError('discard needs --reason "why"');
      print(await admin.discard(id, actor, reason));
    }
  } finally {
    await client.onApplicationShutdown();
    await ds.destroy();
  }
}

main().catch((error: unknown) => {
  const e = error as Error & { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  const message =
    code === '42P01'
      ? `the dead-letter tables are missing in this database schema; run the migrations first (${e.message})`
      : e.message;
  process.stderr.write(`intake:dlq: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
