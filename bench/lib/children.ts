// Child processes of the benchmark: how a service is started (one place: serviceCommand), their logs,
// waiting for them with deadlines, and stopping every one of them whatever happens.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { BenchOptions } from './options';

export interface Command {
  command: string;
  args: string[];
}

/**
 * The command that runs entry point `role` (main, worker, migrate, cli/api-keys.cli, ...) of `app`: from
 * source through the SWC register hook (BENCH_RUNTIME=ts, the default), or from the compiled output of
 * scripts/build.js (BENCH_RUNTIME=dist: `node dist/apps/<app>/src/<role>.js`, as npm start and the image
 * run them). The one place to change when the services start differently.
 */
export function serviceCommand(app: string, role: string, runtime: BenchOptions['runtime']): Command {
  const args = [...serviceNodeFlags(), '-r', './bench/lib/exit-with-parent.js'];
  if (runtime === 'dist')
    return {
      command: process.execPath,
      args: [...args, `dist/apps/${app}/src/${role}.js`],
    };
  return {
    command: process.execPath,
    args: [...args, '-r', './scripts/register.js', `apps/${app}/src/${role}.ts`],
  };
}

/** Compiles `app` to dist/ (for BENCH_RUNTIME=dist). */
export function buildCommand(app: string): Command {
  return { command: process.execPath, args: ['scripts/build.js', app] };
}

/** A benchmark script of bench/ (stub deciders, bare relay), always from source. */
export function benchCommand(script: string): Command {
  return {
    command: process.execPath,
    args: ['-r', './bench/lib/exit-with-parent.js', '-r', './scripts/register.js', `bench/${script}.ts`],
  };
}

const live = new Set<Child>();
// kafkajs 2.2 on Node >= 23 warns of a negative timer once per client: harmless, and not what to show
// when a process dies (it stays in the log file).
const NOISE = /TimeoutNegativeWarning|^Timeout duration was set to 1\.|^\(Use `node --trace-warnings/;

export class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitStatus?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly tail: string[] = [];
  private readonly log: WriteStream;
  private lineWatchers: Array<(line: string) => void> = [];
  private stopping = false;

  constructor(
    readonly name: string,
    cmd: Command,
    env: NodeJS.ProcessEnv,
    logDir: string,
    readonly cwd: string,
  ) {
    this.log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    this.proc = spawn(cmd.command, cmd.args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this);
    for (const stream of [this.proc.stdout!, this.proc.stderr!]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        this.log.write(chunk);
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.onLine(line);
      });
    }
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        live.delete(this);
        resolve({ code, signal });
      });
      this.proc.on('error', (error) => {
        this.onLine(`spawn failed: ${error.message}`);
        this.exitStatus = { code: -1, signal: null };
        live.delete(this);
        resolve({ code: -1, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return !this.exitStatus;
  }

  /** Whether it exited on its own (not because the benchmark stopped it). */
  get crashed(): boolean {
    return !!this.exitStatus && !this.stopping;
  }

  private onLine(line: string): void {
    if (NOISE.test(line)) return;
    this.tail.push(line);
    if (this.tail.length > 40) this.tail.shift();
    for (const w of this.lineWatchers) w(line);
  }

  lastLines(n = 12): string {
    return this.tail.slice(-n).join('\n');
  }

  describeExit(): string {
    const s = this.exitStatus;
    const how = s ? (s.signal ? `killed by ${s.signal}` : `exited with code ${s.code}`) : 'is running';
    return `${this.name} ${how}${this.tail.length ? `; last output:\n${this.lastLines()}` : ''}`;
  }

  /** Resolves with the first output line matching, fails at the deadline or if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.lineWatchers = this.lineWatchers.filter((w) => w !== watch);
        fn();
      };
      const watch = (line: string) => {
        if (pattern.test(line)) done(() => resolve(line));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.name}: no "${pattern.source}" within ${timeoutMs} ms`))),
        timeoutMs,
      );
      this.lineWatchers.push(watch);
      void this.exited.then(() => done(() => reject(new Error(this.describeExit()))));
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10000): Promise<void> {
    this.stopping = true;
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    this.log.end();
  }
}

/** Last resort on exit: every child still running is killed at once. */
export function killAllChildren(): void {
  for (const c of live) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function liveChildren(): Child[] {
  return [...live];
}

/** Runs a command to its end within `timeoutMs`; fails with its output when it exits non-zero. */
export async function runToEnd(
  name: string,
  cmd: Command,
  env: NodeJS.ProcessEnv,
  logDir: string,
  cwd: string,
  timeoutMs: number,
): Promise<string> {
  const child = new Child(name, cmd, env, logDir, cwd);
  let out = '';
  child.proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => void child.stop(2000), timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(
      signal ? `${name} timed out after ${timeoutMs} ms:\n${child.lastLines()}` : child.describeExit(),
    );
  }
  return out;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Polls `url` until it answers 200; fails at the deadline or as soon as `child` exits. */
export async function waitHttpOk(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(child.describeExit());
    last = await httpStatus(url);
    if (last === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${child.name}: ${url} not ready within ${timeoutMs} ms (last status ${last})`);
}

/**
 * The services' memory settings, as the image (deploy/Dockerfile) and npm start (scripts/start.sh) run
 * them: an 8 MB young-generation semi-space (V8 picks 64 MB on this 24 GB machine, and a loaded api kept
 * it all resident; 16 MB left the loaded intake api and green-channel api above 200 MB, at no CPU gain),
 * a full collection once the old generation grew 40% over what the last one left (V8's default let it
 * triple: at 500 declarations/s the intake api promotes ~10 MB/s of short-lived garbage, and
 * its heap reached 230 MB over a live 60-80 MB) and at most two glibc malloc arenas (each thread's own arena
 * held freed native memory), a fixed 128 KB mmap threshold (glibc raises its own after freeing a large
 * buffer, and later large buffers then stay resident in the arenas). No `--enable-source-maps`: the compiled
 * entry turns source maps on for the service's own code only (scripts/build.js), as the flag kept every
 * dependency's source map in memory.
 * BENCH_NODE_FLAGS replaces the V8 flags (`BENCH_NODE_FLAGS=" "` runs with V8's defaults).
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=40'];
process.env['MALLOC_ARENA_MAX'] ??= '2'; // read by glibc when each child starts
process.env['MALLOC_MMAP_THRESHOLD_'] ??= '131072';

function serviceNodeFlags(): string[] {
  const flags = process.env['BENCH_NODE_FLAGS'];
  return flags === undefined ? SERVICE_NODE_FLAGS : flags.split(/\s+/).filter(Boolean);
}
