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
/** A check enqueued this long ago and still pending is enqueued again (Redis may have lost it). */
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
        logger: new Logger('CheckDispatcher'),
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
    const rows: Array<{ declaration_id: string; check_name: string }> = await this.dataSource.query(
      `SELECT declaration_id, check_name FROM "${s}"."lane_checks"
        WHERE status = 'PENDING' AND (enqueued_at IS NULL OR enqueued_at < now() - interval '${REENQUEUE_AFTER}')
        ORDER BY enqueued_at NULLS FIRST LIMIT ${DISPATCH_BATCH}`,
    );
    if (rows.length === 0) return 0;
    await this.queue.addMany(rows.map((r) => ({ declarationId: r.declaration_id, checkName: r.check_name })));
    await this.dataSource.query(
      `UPDATE "${s}"."lane_checks" c SET enqueued_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS x(d, n)
        WHERE c.declaration_id = x.d AND c.check_name = x.n AND c.status = 'PENDING'`,
      [rows.map((r) => r.declaration_id), rows.map((r) => r.check_name)],
    );
    return rows.length;
  }
}
