import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { freePort } from './child-service';
import { waitFor } from './wait-for';

/**
 * A redis-server of one test's own on a free port (no persistence, as on these machines), so the test can
 * kill it and start it again (empty) without disturbing anything else.
 */
export class PrivateRedis {
  private port = 0;
  private proc?: ChildProcess;

  /** redis://127.0.0.1:<port>, once `up()` has run. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again, on the same port) and waits until it accepts connections. */
  async up(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(`test Redis listening on ${this.port}`, () => {
      return new Promise<boolean>((resolve) => {
        const s = new Socket();
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
        s.connect(this.port, '127.0.0.1');
      });
    });
  }

  /** SIGKILL; what it held is gone. */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    await exited;
  }
}
