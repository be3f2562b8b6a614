import { Injectable } from '@nestjs/common';

export interface HealthCheck {
  name: string;
  /** Resolves when healthy; rejects (or throws) with the reason when not. */
  check(): Promise<void>;
}

export interface LivenessCheck {
  name: string;
  /** False when this part of the process is broken for good and only a restart helps. */
  live(): boolean;
}

type Status = 'ok' | 'degraded' | 'error';

export interface HealthReport {
  status: Status;
  checks: Record<string, { status: Status; error?: string; ms: number; failingForMs?: number }>;
}

export interface HealthOptions {
  /**
   * How long a check that has worked before may fail before readiness fails. Every replica shares the
   * database and the broker: a blip of one must not take every replica out of rotation at once (their
   * requests answer 503 with Retry-After meanwhile, and Kafka work waits). Default 20 s.
   */
  readinessGraceMs?: number;
}

/**
 * Readiness checks registered by the platform libraries in use (Postgres, Kafka consumer, sweeps...),
 * and liveness checks for parts that cannot recover by themselves.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly liveness = new Map<string, LivenessCheck>();
  private readonly lastOk = new Map<string, number>();
  private readonly failingSince = new Map<string, number>();
  readinessGraceMs = 20_000;

  register(check: HealthCheck): void {
    this.checks.set(check.name, check);
  }

  registerLiveness(check: LivenessCheck): void {
    this.liveness.set(check.name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Liveness: every part that cannot heal itself is still working. Never touches dependencies. */
  live(): { status: 'ok' | 'error'; failing: string[] } {
    const failing = [...this.liveness.values()].filter((c) => !c.live()).map((c) => c.name);
    return { status: failing.length ? 'error' : 'ok', failing };
  }

  /**
   * Readiness. A check failing now counts as 'degraded' (still ready) when it worked before and has
   * been failing for less than the grace period; one that never worked, or fails beyond the grace,
   * makes the instance not ready.
   */
  async run(timeoutMs = 3000, now: () => number = Date.now): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks.keys()].map(async (name) => [name, await this.runOne(name, timeoutMs, now)] as const),
    );
    const checks = Object.fromEntries(entries);
    const statuses = entries.map(([, r]) => r.status);
    const status: Status = statuses.includes('error')
      ? 'error'
      : statuses.includes('degraded')
        ? 'degraded'
        : 'ok';
    return { status, checks };
  }

  /** One readiness check, with the grace rule applied. */
  async runOne(
    name: string,
    timeoutMs = 3000,
    now: () => number = Date.now,
  ): Promise<HealthReport['checks'][string]> {
    const c = this.checks.get(name);
    if (!c) return { status: 'error', error: `no check named ${name}`, ms: 0 };
    const started = now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      this.lastOk.set(c.name, now());
      this.failingSince.delete(c.name);
      return { status: 'ok', ms: now() - started };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const since = this.failingSince.get(c.name) ?? started;
      this.failingSince.set(c.name, since);
      const failingForMs = now() - since;
      const tolerated = this.lastOk.has(c.name) && failingForMs < this.readinessGraceMs;
      return { status: tolerated ? 'degraded' : 'error', error: message, ms: now() - started, failingForMs };
    } finally {
      clearTimeout(timer);
    }
  }

  livenessNames(): string[] {
    return [...this.liveness.keys()];
  }

  isLive(name: string): boolean {
    return this.liveness.get(name)?.live() ?? false;
  }
}
