import { HealthRegistry } from '@cic/platform-observability';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pdfRendersRerunTotal } from '../common/metrics';
import { queryRows } from '../common/sql';
import { ORIGIN_CONFIG, type OriginConfig } from '../config';
import { type PdfJobData, PdfQueue } from './pdf-queue';
import { PollingLoop } from '@cic/platform-queue';

/** Renders enqueued per round; a full round is followed at once by the next. */
const DISPATCH_BATCH = 500;
/**
 * A render enqueued this long ago and still pending is dispatched again: Redis may have lost it, or it
 * may have run out of attempts while the database was away.
 */
const REENQUEUE_AFTER = '60 seconds';

/**
 * Moves pending PDF renders from Postgres (written by the api in the issuing transaction) to BullMQ. The
 * api never calls Redis; here Redis is called with no transaction open. Job ids are deterministic, so two
 * workers dispatching the same render, or a render dispatched again after a Redis restart, give one job.
 */
@Injectable()
export class PdfDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: PollingLoop;
  private readonly logger = new Logger('PdfDispatcher');
  /** Renders run again because they ran out of attempts while the database was away (since start). */
  rerunAfterOutage = 0;

  constructor(
    private readonly db: DataSource,
    private readonly queue: PdfQueue,
    @Inject(ORIGIN_CONFIG) private readonly config: OriginConfig,
    health: HealthRegistry,
  ) {
    this.loop = new PollingLoop(
      {
        name: 'pdf dispatch',
        idleMs: config.PDF_SWEEP_MS,
        batch: DISPATCH_BATCH,
        logger: this.logger,
      },
      () => this.dispatchOnce(),
    );
    health.register({ name: 'pdf-dispatch', check: () => this.loop.health() });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One round now; returns how many renders it enqueued. */
  async dispatchOnce(): Promise<number> {
    const s = this.config.DB_SCHEMA;
    await this.rerunCutOff();
    const rows = await queryRows<{ number: string; again: boolean }>(
      this.db,
      `SELECT number, enqueued_at IS NOT NULL AS again FROM "${s}"."certificate_pdfs"
        WHERE status = 'PENDING' AND (enqueued_at IS NULL OR enqueued_at < now() - interval '${REENQUEUE_AFTER}')
        ORDER BY enqueued_at NULLS FIRST LIMIT ${DISPATCH_BATCH}`,
    );
    if (rows.length === 0) return 0;
    const numbers = rows.map((r) => r.number);
    await this.queue.addMany(rows.filter((r) => !r.again).map((r) => r.number));
    const again = rows.filter((r) => r.again).map((r) => r.number);
    const rerun = await this.queue.redispatch(again);
    if (rerun) pdfRendersRerunTotal.inc({ why: 'stale' }, rerun);
    if (again.length)
      this.logger.warn({
        msg: `${again.length} PDF render(s) still pending ${REENQUEUE_AFTER} after dispatch, dispatched again (${rerun} had run out of attempts and run again)`,
        certificates: again.slice(0, 20),
      });
    await this.db.query(
      `UPDATE "${s}"."certificate_pdfs" SET enqueued_at = now() WHERE number = ANY($1::text[]) AND status = 'PENDING'`,
      [numbers],
    );
    return rows.length;
  }

  /**
   * Renders this worker saw run out of attempts while the database was away, run again as soon as it
   * answers (this query is the proof); kept for the next round when it does not.
   */
  private async rerunCutOff(): Promise<void> {
    const { pending, rerun } = await this.queue.cutOff.rerun(
      async (held) =>
        queryRows<PdfJobData>(
          this.db,
          `SELECT number FROM "${this.config.DB_SCHEMA}"."certificate_pdfs" WHERE number = ANY($1::text[]) AND status = 'PENDING'`,
          [held.map((d) => d.number)],
        ),
      (jobs) => this.queue.redispatch(jobs.map((d) => d.number)),
    );
    if (!pending.length) return;
    if (rerun) pdfRendersRerunTotal.inc({ why: 'infrastructure' }, rerun);
    this.rerunAfterOutage += rerun;
    this.logger.log({
      msg: `${rerun} PDF render(s) that ran out of attempts while the database was away run again`,
      certificates: pending.slice(0, 20).map((d) => d.number),
    });
  }
}
