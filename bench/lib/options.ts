// Every option of `npm run bench`, from the environment (documented in bench/README.md).

export type Target = 'platform' | 'bare' | 'green-channel' | 'exemption' | 'origin';
export const TARGETS: readonly Target[] = ['platform', 'bare', 'green-channel', 'exemption', 'origin'];
export type Door = 'kafka' | 'http';
export type Mode = 'fixed' | 'max' | 'both';

export interface BenchOptions {
  mode: Mode;
  targets: Target[];
  doors: Door[];
  /** fixed mode: offered rate (declarations/s) and how long. */
  rate: number;
  durationS: number;
  /** max mode: the offered rates tried in order, each for stepS; stops at the first that fails. */
  steps: number[];
  stepS: number;
  /** After a failed step, this many bisections between the last passing and the failing rate. */
  refine: number;
  p99LimitMs: number;
  /**
   * The doors alone (platform and bare relay): the HTTP door's request p99 limit (the goal's 100 ms); the
   * Kafka door's is p99LimitMs, submitted -> accepted.
   */
  httpP99LimitMs: number;
  minAchieved: number;
  httpConcurrency: number;
  /** Kafka door: the generator's produce linger (ms). */
  lingerMs: number;
  /** Longest wait for the last declarations of a phase, then for the system to be idle again. */
  drainS: number;
  settleS: number;
  warmup: number;
  lines: number;
  documents: number;
  decisionTimeoutMs: number;
  /** green-channel target: reference data seeded into its schema, and whether its worker runs too. */
  greenChannel: { enterprises: number; zones: number; alerts: number; worker: boolean };
  /** exemption target: enterprises whose grants are seeded into its schema, and whether its worker runs too. */
  exemption: { enterprises: number; worker: boolean };
  /**
   * origin target: enterprises the load's declarants cycle over (each registered on its first certificate),
   * and whether its worker (the PDF renders) runs too.
   */
  origin: { enterprises: number; worker: boolean };
  /** KAFKA_PARTITIONS for the services (unset: their local default, 3). */
  partitions?: number;
  databaseUrl: string;
  redisUrl: string;
  brokers: string[];
  resultsDir: string;
  /** How services are started: `ts` (node -r scripts/register.js <src>.ts) or `dist` (compiled). */
  runtime: 'ts' | 'dist';
  keep: boolean;
}

function num(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min} (got "${raw}")`);
  return n;
}

function list<T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const items = raw.split(',').map((s) => s.trim()) as T[];
  const bad = items.filter((i) => !allowed.includes(i));
  if (bad.length || items.length === 0) throw new Error(`${name} takes ${allowed.join(',')} (got "${raw}")`);
  return items;
}

export function readOptions(root: string): BenchOptions {
  const mode = list<Mode>('BENCH_MODE', ['fixed', 'max', 'both'], ['max'])[0];
  const steps = (process.env['BENCH_STEPS'] ?? '25,50,100,200,400,800,1600,3200,6400')
    .split(',')
    .map((s) => Number(s.trim()));
  if (steps.some((s) => !(s > 0))) throw new Error('BENCH_STEPS must be positive rates, e.g. 100,200,400');
  const partitions = process.env['BENCH_PARTITIONS'] ? num('BENCH_PARTITIONS', 3, 1) : undefined;
  return {
    mode,
    targets: list<Target>('BENCH_TARGETS', TARGETS, [...TARGETS]),
    doors: list<Door>('BENCH_DOORS', ['kafka', 'http'], ['kafka', 'http']),
    rate: num('BENCH_RATE', 100, 1),
    durationS: num('BENCH_DURATION_S', 30, 1),
    steps: steps.sort((a, b) => a - b),
    stepS: num('BENCH_STEP_S', 10, 1),
    refine: num('BENCH_REFINE', 2),
    p99LimitMs: num('BENCH_P99_MS', 500, 1),
    httpP99LimitMs: num('BENCH_HTTP_P99_MS', 100, 1),
    minAchieved: num('BENCH_MIN_ACHIEVED', 0.95),
    httpConcurrency: num('BENCH_HTTP_CONCURRENCY', 64, 1),
    lingerMs: num('BENCH_LINGER_MS', 5, 1),
    drainS: num('BENCH_DRAIN_S', 15, 1),
    settleS: num('BENCH_SETTLE_S', 60, 1),
    warmup: num('BENCH_WARMUP', 200),
    lines: num('BENCH_LINES', 3, 1),
    documents: num('BENCH_DOCUMENTS', 3, 2),
    decisionTimeoutMs: num('BENCH_DECISION_TIMEOUT_MS', 30000, 100),
    greenChannel: {
      enterprises: Math.round(num('BENCH_GC_ENTERPRISES', 300, 1)),
      zones: Math.round(num('BENCH_GC_ZONES', 6, 1)),
      alerts: Math.round(num('BENCH_GC_ALERTS', 10000)),
      worker: process.env['BENCH_GC_WORKER'] !== '0',
    },
    exemption: {
      enterprises: Math.round(num('BENCH_EX_ENTERPRISES', 300, 1)),
      worker: process.env['BENCH_EX_WORKER'] !== '0',
    },
    origin: {
      enterprises: Math.round(num('BENCH_OR_ENTERPRISES', 300, 1)),
      worker: process.env['BENCH_OR_WORKER'] !== '0',
    },
    partitions,
    databaseUrl: process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/cic_bench',
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    resultsDir: process.env['BENCH_RESULTS_DIR'] ?? `${root}/bench/results`,
    runtime: list<'ts' | 'dist'>('BENCH_RUNTIME', ['ts', 'dist'], ['dist'])[0],
    keep: process.env['BENCH_KEEP'] === '1',
  };
}
