import { toOfficeDate } from '@cic/exemption-domain';
import { HealthRegistry } from '@cic/platform-observability';
import { redisOptions, redispatch } from '@cic/platform-queue';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Queue } from 'bullmq';
import { EXEMPTION_CONFIG, type ExemptionConfig, SERVICE } from '../config';

// Queue, job and scheduler names, in one place.
export const MAINTENANCE_QUEUE = 'exemption-maintenance';
export const MAINTENANCE_JOB = 'grant-maintenance';
/** The one job scheduler (upserted by every worker: the same id is one scheduler). */
export const MAINTENANCE_SCHEDULER = 'grant-maintenance-daily';

/** A maintenance job carries nothing: it works on today at the office, whatever is due. */
export type MaintenanceJobData = Record<string, never>;

/** Catch-up job id: one per office day however many workers start that day (BullMQ refuses ':'). */
export const catchUpJobId = (today: string) => `grant-maintenance.catch-up.${today}`;

/**
 * The BullMQ queue of the daily grant maintenance (worker role only). At boot it upserts the job
 * scheduler (cron MAINTENANCE_CRON in the office's time zone, or every MAINTENANCE_EVERY_MS in tests)
 * and adds a catch-up run for today under a deterministic id, so a worker that was down at the
 * scheduled time still expires and reminds today (and a catch-up that failed every attempt earlier today
 * runs again). Redis being away at boot is retried in the background; the health check fails until the
 * scheduler is registered.
 */
@Injectable()
export class MaintenanceQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MaintenanceQueue');
  readonly queue: Queue<MaintenanceJobData>;
  private registered = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(EXEMPTION_CONFIG) private readonly config: ExemptionConfig,
    health: HealthRegistry,
  ) {
    this.queue = new Queue<MaintenanceJobData>(MAINTENANCE_QUEUE, {
      connection: redisOptions(config.REDIS_URL, `${SERVICE}:maintenance-queue`),
      prefix: config.QUEUE_PREFIX,
      defaultJobOptions: {
        attempts: config.MAINTENANCE_ATTEMPTS,
        backoff: { type: 'exponential', delay: 5000 },
        // Kept two days, so a catch-up id of today is not run twice; then dropped.
        removeOnComplete: { age: 2 * 86_400, count: 1000 },
        removeOnFail: { age: 7 * 86_400, count: 1000 },
      },
    });
    health.register({
      name: 'maintenance-scheduler',
      check: async () => {
        if (!this.registered) throw new Error('grant maintenance scheduler not registered yet');
      },
    });
  }

  onApplicationBootstrap(): void {
    void this.register(1);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue.close().catch(() => undefined);
  }

  private async register(attempt: number): Promise<void> {
    if (this.stopped) return;
    const c = this.config;
    try {
      await this.queue.upsertJobScheduler(
        MAINTENANCE_SCHEDULER,
        c.MAINTENANCE_EVERY_MS
          ? { every: c.MAINTENANCE_EVERY_MS }
          : { pattern: c.MAINTENANCE_CRON, tz: c.OFFICE_TIME_ZONE },
        { name: MAINTENANCE_JOB, data: {} },
      );
      const today = toOfficeDate(new Date(), c.OFFICE_TIME_ZONE);
      // Under today's id: added once however many workers start; run again if it failed every attempt
      // earlier today (the database away longer than its backoff), instead of waiting for tomorrow's run.
      const rerun = await redispatch(this.queue, [
        { name: MAINTENANCE_JOB, data: {}, jobId: catchUpJobId(today) },
      ]);
      if (rerun)
        this.logger.warn(`today's catch-up grant maintenance had failed every attempt; running it again`);
      this.registered = true;
      this.logger.log(
        `grant maintenance scheduled ${c.MAINTENANCE_EVERY_MS ? `every ${c.MAINTENANCE_EVERY_MS} ms` : `at "${c.MAINTENANCE_CRON}" (${c.OFFICE_TIME_ZONE})`}`,
      );
    } catch (error) {
      if (attempt <= 3 || attempt % 20 === 0)
        this.logger.error(
          `cannot register the maintenance scheduler (attempt ${attempt}), retrying: ${(error as Error).message}`,
        );
      this.timer = setTimeout(() => void this.register(attempt + 1), Math.min(500 * attempt, 5000));
    }
  }
}
