import { HealthRegistry } from '@cic/platform-observability';
import { redisOptions } from '@cic/platform-queue';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { EXEMPTION_CONFIG, type ExemptionConfig, SERVICE } from '../config';
import { GrantMaintenance, type MaintenanceRun } from '../grants/grant-maintenance';
import { MAINTENANCE_QUEUE, type MaintenanceJobData } from './maintenance.queue';

/**
 * A worker killed mid-run loses the job's lock after this long, and another worker's stalled check (every
 * as long) takes the job again: back within about two to three times this (worker-kill.int-spec). The lock
 * is renewed every half of it while the run goes on; a run whose lock is lost anyway (an event loop stalled
 * that long) is at worst run twice at once, which the maintenance is safe against.
 */
export const MAINTENANCE_LOCK_MS = 10_000;

/**
 * Runs the daily grant maintenance (worker role). Thin: the work is GrantMaintenance.runOnce, whose
 * batches commit with their events, so a job re-run after a crash or on a second worker finds only what
 * is still due.
 */
@Injectable()
export class GrantMaintenanceJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GrantMaintenanceJob');
  private worker?: Worker<MaintenanceJobData, MaintenanceRun>;

  constructor(
    private readonly maintenance: GrantMaintenance,
    @Inject(EXEMPTION_CONFIG) private readonly config: ExemptionConfig,
    health: HealthRegistry,
  ) {
    health.register({
      name: 'maintenance-worker',
      check: async () => {
        if (!this.worker?.isRunning()) throw new Error('maintenance worker not running');
      },
    });
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<MaintenanceJobData, MaintenanceRun>(
      MAINTENANCE_QUEUE,
      (job) => this.process(job),
      {
        connection: redisOptions(this.config.REDIS_URL, `${SERVICE}:maintenance-worker`),
        prefix: this.config.QUEUE_PREFIX,
        concurrency: 1,
        lockDuration: MAINTENANCE_LOCK_MS,
        stalledInterval: MAINTENANCE_LOCK_MS,
        maxStalledCount: 3,
      },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.warn(
        `grant maintenance ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`,
      ),
    );
    this.worker.on('error', (error) =>
      this.logger.error(`maintenance worker error (it reconnects by itself): ${error.message}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
  }

  process(_job: Job<MaintenanceJobData>): Promise<MaintenanceRun> {
    return this.maintenance.runOnce();
  }
}
