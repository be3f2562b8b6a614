// What the figures were measured on: machine, runtime, infrastructure versions and the code's commit.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { Client } from 'pg';
import { findPids, listProcesses } from './resources';
import { withDeadline } from './kafka';

export interface Environment {
  cores: number;
  cpuModel: string;
  totalMemoryMb: number;
  kernel: string;
  node: string;
  kafka: string;
  postgres: string;
  redis: string;
  git: { commit: string; short: string; dirty: boolean; branch: string };
}

function git(root: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '';
  }
}

/** The local broker's process (java ... kafka.Kafka), when it runs on this machine. */
export function kafkaPids(): number[] {
  return findPids((p) => p.comm === 'java' && / kafka\.Kafka( |$)/.test(p.cmdline));
}

function kafkaVersion(): string {
  const broker = listProcesses().find((p) => p.comm === 'java' && / kafka\.Kafka( |$)/.test(p.cmdline));
  if (!broker) return 'unknown (broker not on this machine)';
  const cp = / -cp (\S+)/.exec(broker.cmdline)?.[1] ?? '';
  for (const entry of cp.split(':')) {
    try {
      const dir = entry.replace(/\/\*$/, '');
      const jar = readdirSync(dir).find((f) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(f));
      if (jar) return /-([\d.]+)\.jar$/.exec(jar)![1];
    } catch {
      // not a directory
    }
  }
  return /kafka[-_]([\d]+\.[\d]+\.[\d]+)/.exec(cp)?.[1] ?? 'unknown';
}

async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisVersion(url: string): Promise<string> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await withDeadline(redis.connect(), 5000, 'redis');
    const info = await withDeadline(redis.info('server'), 5000, 'redis INFO');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  } finally {
    redis.disconnect();
  }
}

export async function describeEnvironment(root: string, databaseUrl: string, redisUrl: string) {
  const cpu = cpus();
  const env: Environment = {
    cores: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
    kernel: release(),
    node: process.version,
    kafka: kafkaVersion(),
    postgres: await postgresVersion(databaseUrl),
    redis: await redisVersion(redisUrl),
    git: {
      commit: git(root, 'rev-parse', 'HEAD') || 'unknown',
      short: git(root, 'rev-parse', '--short', 'HEAD') || 'nogit',
      dirty: git(root, 'status', '--porcelain').length > 0,
      branch: git(root, 'rev-parse', '--abbrev-ref', 'HEAD'),
    },
  };
  return env;
}
