import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait-for';

/** The repository root (tests start services from their sources there). */
export const REPO_ROOT = join(__dirname, '../../../..');

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
  });
}

/**
 * Starts a service entry point from its TypeScript source in a child process (as another service, a
 * black box reached only over HTTP and Kafka), e.g. `apps/declaration-intake/src/main.ts`.
 */
export function spawnService(entry: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['-r', './scripts/register.js', entry, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a service command (migrate, a CLI) to its end; its stdout, or an error with its stderr. */
export function runService(entry: string, env: Record<string, string>, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnService(entry, env, args);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${entry} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}

/** Waits until `<url>/health/ready` answers 200. */
export function waitReady(name: string, url: string, timeoutMs = 90_000): Promise<unknown> {
  return waitFor(
    `${name} ready`,
    async () => (await fetch(`${url}/health/ready`).catch(() => undefined))?.ok,
    {
      timeoutMs,
    },
  );
}

/** Whether the child has not exited yet (a child killed by a signal has no exit code, only a signal). */
export function isRunning(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

/** Stops child services (SIGTERM) and waits for them to exit; those already gone are skipped. */
export async function stopServices(children: ChildProcess[]): Promise<void> {
  const running = children.filter(isRunning);
  const exited = running.map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of running) c.kill('SIGTERM');
  await Promise.all(exited);
}
