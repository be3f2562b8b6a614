// What the benchmark's own child processes (stub deciders, bare relay) share: their settings from the
// environment, the ready signal the orchestrator waits for, and leaving when told or orphaned.

export const READY_LINE = 'BENCH_READY';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${name} is required\n`);
    process.exit(78);
  }
  return value;
}

export function signalReady(detail: Record<string, unknown> = {}): void {
  process.stdout.write(`${READY_LINE} ${JSON.stringify(detail)}\n`);
}

/**
 * Runs `stop` once on SIGTERM/SIGINT, then exits; a stop that hangs is cut short after 5 s. (An orphaned
 * child exits by itself: the orchestrator preloads bench/lib/exit-with-parent.js into every child.)
 */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const leave = (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), 5000).unref();
    stop().then(
      () => process.exit(code),
      () => process.exit(code || 1),
    );
  };
  process.on('SIGTERM', () => leave(0));
  process.on('SIGINT', () => leave(0));
}

export function fail(what: string, error: unknown): never {
  process.stderr.write(`${what}: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
