import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, REPO_ROOT } from './child-service';

const run = promisify(execFile);
const KAFKA_SH = join(REPO_ROOT, 'scripts/infra/kafka.sh');

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
