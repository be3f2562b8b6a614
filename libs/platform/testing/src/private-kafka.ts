import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, REPO_ROOT } from './child-service';
import { pace } from './wait-for';

const run = promisify(execFile);
const KAFKA_SH = join(REPO_ROOT, 'scripts/infra/kafka.sh');

/** A client of the broker that an outage cuts off: disconnected when it starts, connected again after. */
export interface BrokerClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export interface OutageOptions {
  /** SIGKILL (connections reset, restarted on the same data) or SIGSTOP (hung, then resumed). */
  kind?: 'killed' | 'frozen';
  /** Runs as soon as the broker is gone; the outage lasts at least `forMs` whatever it takes. */
  during?: () => Promise<void>;
  /** Runs at the end of the outage, just before the broker comes back (a snapshot of what piled up). */
  atEnd?: () => Promise<void>;
  /** The test's own clients, reconnected after a kill (a frozen broker keeps their connections). */
  clients?: BrokerClient[];
}

/**
 * A real Apache Kafka broker of one test's own (scripts/infra/kafka.sh on free ports, state in a
 * temporary directory), so the test can kill, freeze and restart it without disturbing anything else on
 * the machine. `IT_KEEP=1` keeps its state and logs after `down()` (cic-kafka-* in the temporary directory).
 */
export class PrivateKafka {
  readonly stateDir = mkdtempSync(join(tmpdir(), 'cic-kafka-'));
  private port = 0;
  private controllerPort = 0;

  /** host:port, once `up()` has run. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the broker (again, on the same ports and data, after `kill()`), and waits until it answers. */
  async up(): Promise<void> {
    if (!this.port) [this.port, this.controllerPort] = [await freePort(), await freePort()];
    await run('bash', [KAFKA_SH, 'up'], {
      env: {
        ...process.env,
        CIC_STATE_DIR: this.stateDir,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.controllerPort),
        KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
      },
      timeout: 120_000,
    });
  }

  /** SIGKILL: no clean shutdown; connections reset and whatever was in flight is cut. */
  kill(): void {
    process.kill(this.pid(), 'SIGKILL');
  }

  /** SIGSTOP: a hung broker; connections stay open and requests go unanswered until they time out. */
  freeze(): void {
    process.kill(this.pid(), 'SIGSTOP');
  }

  thaw(): void {
    process.kill(this.pid(), 'SIGCONT');
  }

  /**
   * A whole outage of `forMs`: the broker killed (or frozen), `during` and `atEnd` run while it is away,
   * then started again (or resumed) and `clients` reconnected. Returns when it is back, with the time
   * it came back (for "recovered N ms after the broker was back").
   */
  async outage(forMs: number, options: OutageOptions = {}): Promise<{ backAt: number }> {
    const { kind = 'killed', during, atEnd, clients = [] } = options;
    if (kind === 'killed') this.kill();
    else this.freeze();
    const start = Date.now();
    if (kind === 'killed') for (const c of clients) await c.disconnect().catch(() => undefined);
    await during?.();
    await pace(start + forMs - Date.now());
    await atEnd?.();
    if (kind === 'killed') {
      await this.up();
      for (const c of clients) await c.connect();
    } else this.thaw();
    return { backAt: Date.now() };
  }

  async down(): Promise<void> {
    try {
      this.thaw();
    } catch {
      // not running
    }
    await run('bash', [KAFKA_SH, 'down'], {
      env: { ...process.env, CIC_STATE_DIR: this.stateDir, KAFKA_PORT: String(this.port) },
      timeout: 60_000,
    }).catch(() => undefined);
    if (!process.env['IT_KEEP']) rmSync(this.stateDir, { recursive: true, force: true });
  }

  private pid(): number {
    return Number(readFileSync(join(this.stateDir, 'kafka/kafka.pid'), 'utf8').trim());
  }
}
