import { HealthRegistry } from '@cic/platform-observability';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { CheckQueue } from './check-queue';
import { PollingLoop } from '@cic/platform-queue';

/** Checks enqueued per round; a full round is followed at once by the next. */
const DISPATCH_BATCH = 500;
/**
 * A check enqueued this long ago and still pending is dispatched again: Redis may have lost it, or it may
 * have run out of attempts while the database was away.
 */
const REENQUEUE_AFTER = '30 seconds';

/**
 * Moves pending slow checks from Postgres (written by the api in the lane's transaction) to BullMQ.
 * Postgres is the source of truth: the api never calls Redis, and Redis is called here with no
 * transaction open. Job ids are deterministic, so two workers dispatching the same check, or a check
 * dispatched again after a Redis restart, still give one job.
 */
@Injectable()
export class CheckDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: PollingLoop;
  private readonly logger = new Logger('CheckDispatcher');
  /** Checks run again because they ran out of attempts while the database was away (since start). */
  rerunAfterOutage = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: CheckQueue,
    @Inject(GREEN_CHANNEL_CONFIG) private readonly config: GreenChannelConfig,
    health: HealthRegistry,
  ) {
    this.loop = new PollingLoop(
      {
        name: 'check dispatch',
        idleMs: config.CHECK_SWEEP_MS,
        batch: DISPATCH_BATCH,
        logger: this.logger,
      },
      () => this.dispatchOnce(),
    );
    health.register({ name: 'check-dispatch', check: () => this.loop.health() });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One round now; returns how many checks it enqueued. */
  async dispatchOnce(): Promise<number> {
    const s = this.config.DB_SCHEMA;
    await this.rerunCutOff();
    const rows: Array<{ declaration_id: string; check_name: string; again: boolean }> =
      await this.dataSource.query(
        `SELECT declaration_id, check_name, enqueued_at IS NOT NULL AS again FROM "${s}"."lane_checks"
        WHERE status = 'PENDING' AND (enqueued_at IS NULL OR enqueued_at < now() - interval '${REENQUEUE_AFTER}')
        ORDER BY enqueued_at NULLS FIRST LIMIT ${DISPATCH_BATCH}`,
      );
    if (rows.length === 0) return 0;
    const job = (r: (typeof rows)[number]) => ({ declarationId: r.declaration_id, checkName: r.check_name });
    await this.queue.addMany(rows.filter((r) => !r.again).map(job));
    const again = rows.filter((r) => r.again).map(job);
    const rerun = await this.queue.redispatch(again);
    if (again.length)
      this.logger.warn({
        msg: `${again.length} check(s) still pending ${REENQUEUE_AFTER} after dispatch, dispatched again (${rerun} had run out of attempts and run again)`,
        checks: again.slice(0, 20),
      });
    await this.dataSource.query(
      `UPDATE "${s}"."lane_checks" c SET enqueued_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS x(d, n)
        WHERE c.declaration_id = x.d AND c.check_name = x.n AND c.status = 'PENDING'`,
      [rows.map((r) => r.declaration_id), rows.map((r) => r.check_name)],
    );
    return rows.length;
  }

  /**
   * Checks this worker saw run out of attempts while the database was away, run again as soon as it
   * answers (this query is the proof); kept for the next round when it does not.
   */
  private async rerunCutOff(): Promise<void> {
    const { pending, rerun } = await this.queue.cutOff.rerun(
      async (held) =>
        (
          (await this.dataSource.query(
            `SELECT c.declaration_id, c.check_name FROM "${this.config.DB_SCHEMA}"."lane_checks" c
               JOIN unnest($1::uuid[], $2::text[]) AS x(d, n) ON c.declaration_id = x.d AND c.check_name = x.n
              WHERE c.status = 'PENDING'`,
            [held.map((j) => j.declarationId), held.map((j) => j.checkName)],
          )) as Array<{ declaration_id: string; check_name: string }>
        ).map((r) => ({ declarationId: r.declaration_id, checkName: r.check_name })),
      (jobs) => this.queue.redispatch(jobs),
    );
    if (!pending.length) return;
    this.rerunAfterOutage += rerun;
    this.logger.log({
      msg: `${rerun} check(s) that ran out of attempts while the database was away run again`,
      checks: pending.slice(0, 20),
    });
  }
}
