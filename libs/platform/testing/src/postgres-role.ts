import { Client } from 'pg';
import { runId } from './test-env';
import { pace, waitFor } from './wait-for';

export interface PostgresOutageOptions {
  /** Runs as soon as the role is refused; the outage lasts at least `forMs` whatever it takes. */
  during?: () => Promise<void>;
  /** Runs at the end of the outage, just before the role may log in again. */
  atEnd?: () => Promise<void>;
}

/**
 * A login role of one test's own on the shared PostgreSQL, for a service under test to connect as, so the
 * test can take the database away from that service alone: the role set NOLOGIN and its sessions
 * terminated is how a failover or a restart looks to a client (connections reset, new ones refused),
 * without disturbing anything else on the server. A superuser, so the service runs its own migrations.
 */
export class PostgresRole {
  readonly name = `it_pg_${runId()}`;
  /** The database URL of `databaseUrl` with this role as its user: give it to the service. */
  readonly url: string;
  private admin?: Client;
  private terminated = 0;

  constructor(private readonly databaseUrl: string) {
    const url = new URL(databaseUrl);
    url.username = this.name;
    url.password = '';
    this.url = url.toString();
  }

  async create(): Promise<void> {
    this.admin = new Client({ connectionString: this.databaseUrl });
    // The test's own session: losing it fails the next statement, never the process.
    this.admin.on('error', (error) =>
      process.stderr.write(`[postgres-role] admin session: ${error.message}\n`),
    );
    await this.admin.connect();
    await this.admin.query(`CREATE ROLE "${this.name}" LOGIN SUPERUSER`);
  }

  /** A statement on the test's own (superuser) session, which the outage leaves alone: counts while it lasts. */
  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.admin!.query<T>(sql, params)).rows;
  }

  /** Terminates the role's sessions; how many there were. */
  async terminate(): Promise<number> {
    const { rows } = await this.admin!.query<{ killed: boolean }>(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE usename = $1',
      [this.name],
    );
    const n = rows.filter((r) => r.killed).length;
    this.terminated += n;
    return n;
  }

  /** New sessions of the role refused, and the ones it has terminated. */
  async refuse(): Promise<void> {
    await this.admin!.query(`ALTER ROLE "${this.name}" NOLOGIN`);
    await this.terminate();
  }

  async allow(): Promise<void> {
    await this.admin!.query(`ALTER ROLE "${this.name}" LOGIN`);
  }

  /**
   * A whole outage of `forMs`: the role refused, `during` and `atEnd` run while it is (with its sessions
   * terminated again every second, in case one was opened just before the refusal), then allowed again.
   * Returns when it may log in again, and how many sessions were terminated in all.
   */
  async outage(
    forMs: number,
    options: PostgresOutageOptions = {},
  ): Promise<{ backAt: number; terminated: number }> {
    const before = this.terminated;
    await this.refuse();
    const start = Date.now();
    let over = false;
    const sweeper = (async () => {
      while (!over) {
        await pace(1000);
        if (!over) await this.terminate();
      }
    })();
    try {
      await options.during?.();
      await pace(start + forMs - Date.now());
      await options.atEnd?.();
    } finally {
      over = true;
      await sweeper;
      await this.allow();
    }
    return { backAt: Date.now(), terminated: this.terminated - before };
  }

  /**
   * Lets the role in again, ends its sessions and drops it with whatever it still owns. Sessions still open
   * get up to 5 s to close on their own first (a service that has just closed may still be saying goodbye:
   * a session terminated then reaches its client as an error event, and a client without an error listener
   * would turn it into an uncaught exception); the ones left are named on stderr, then terminated.
   */
  async drop(): Promise<void> {
    if (!this.admin) return;
    await this.allow().catch(() => undefined);
    const open = async () =>
      (
        await this.admin!.query<{ app: string }>(
          'SELECT application_name AS app FROM pg_stat_activity WHERE usename = $1',
          [this.name],
        )
      ).rows.map((r) => r.app || '(unnamed)');
    const closed = await waitFor("the role's sessions closed", async () => (await open()).length === 0, {
      timeoutMs: 5000,
    }).catch(() => false);
    if (!closed) {
      const left = await open().catch(() => []);
      process.stderr.write(
        `[postgres-role] ${this.name}: session(s) still open 5 s after the test, terminated: ${left.join(', ')}\n`,
      );
    }
    await this.terminate().catch(() => undefined);
    await this.admin.query(`DROP OWNED BY "${this.name}"`).catch(() => undefined);
    await this.admin.query(`DROP ROLE IF EXISTS "${this.name}"`);
    await this.admin.end();
    this.admin = undefined;
  }
}
