import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failureKind } from '@cic/platform-messaging';
import { HealthRegistry } from '@cic/platform-observability';
import { redisOptions } from '@cic/platform-queue';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { pdfRenderSeconds } from '../common/metrics';
import { queryRows } from '../common/sql';
import { ORIGIN_CONFIG, type OriginConfig, SERVICE } from '../config';
import type { CertificateContent } from '../issuance/certificate-content';
import { PDF_JOB, PDF_QUEUE, type PdfJobData, PdfQueue } from './pdf-queue';

/**
 * The PDF renderer, loaded by the first render: pdfkit with its font metrics is about 14 MB resident
 * (29 MB with fontkit, which lazy-fontkit keeps unloaded), and the api process, which loads this file
 * with the worker module, never renders.
 */
let renderer: Promise<typeof import('../pdf/certificate-pdf')> | undefined;

/**
 * Renders a certificate's PDF (worker role) and stores it: in certificate_pdfs.pdf, or as a file in
 * PDF_DIRECTORY (written to a temporary name, then renamed). Rendering is a pure function of the stored
 * certificate, so a job run twice (a worker killed mid-job: its lock lapses after PDF_LOCK_MS and BullMQ's
 * stalled check hands the job to another worker) stores the same bytes; the row is written only while
 * still PENDING.
 */
@Injectable()
export class PdfRenderJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PdfRenderJob');
  private worker?: Worker<PdfJobData>;

  constructor(
    private readonly db: DataSource,
    @Inject(ORIGIN_CONFIG) private readonly config: OriginConfig,
    private readonly queue: PdfQueue,
    health: HealthRegistry,
  ) {
    health.register({
      name: 'pdf-worker',
      check: async () => {
        if (!this.worker?.isRunning()) throw new Error('pdf worker not running');
      },
    });
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<PdfJobData>(
      PDF_QUEUE,
      async (job) => {
        if (job.name !== PDF_JOB) throw new UnrecoverableError(`unknown job ${job.name}`);
        return this.process(job);
      },
      {
        connection: redisOptions(this.config.REDIS_URL, `${SERVICE}:pdf-worker`),
        prefix: this.config.QUEUE_PREFIX,
        concurrency: this.config.PDF_CONCURRENCY,
        lockDuration: this.config.PDF_LOCK_MS,
        stalledInterval: this.config.PDF_LOCK_MS,
        maxStalledCount: 3,
      },
    );
    this.worker.on('failed', (job, error) => {
      // The last attempt lost to an outage: run again once the database answers (not a minute later).
      const cutOff = this.queue.cutOff.noteFailure(job, failureKind(error) === 'infrastructure');
      this.logger.warn({
        msg: `PDF of ${job?.data.number} failed (attempt ${job?.attemptsMade}): ${error.message}${
          cutOff ? '; out of attempts, run again once the database answers' : ''
        }`,
        certificate: job?.data.number,
      });
    });
    this.worker.on('error', (error) =>
      this.logger.error({ msg: `pdf worker error (it reconnects by itself): ${error.message}` }),
    );
    this.logger.log(`PDF renders: queue ${PDF_QUEUE}, concurrency ${this.config.PDF_CONCURRENCY}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
  }

  /** Renders and stores one PDF; 'skipped' when it is already there. */
  async process(job: Pick<Job<PdfJobData>, 'data'>): Promise<string> {
    const { number } = job.data;
    const s = this.config.DB_SCHEMA;
    const [row] = await queryRows<{ status: string; content: CertificateContent }>(
      this.db,
      `SELECT p.status, c.content FROM "${s}"."certificate_pdfs" p JOIN "${s}"."certificates" c USING (number)
        WHERE p.number = $1`,
      [number],
    );
    if (!row) throw new UnrecoverableError(`no certificate ${number} waiting for a PDF`);
    if (row.status === 'DONE') return 'skipped';
    if (this.config.PDF_RENDER_DELAY_MS)
      await new Promise((r) => setTimeout(r, this.config.PDF_RENDER_DELAY_MS));
    const { renderCertificatePdf } = await (renderer ??= import('../pdf/certificate-pdf'));
    const timer = pdfRenderSeconds.startTimer();
    const pdf = await renderCertificatePdf(row.content);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    let fileName: string | null = null;
    if (this.config.PDF_DIRECTORY) {
      fileName = `${number}.pdf`;
      await mkdir(this.config.PDF_DIRECTORY, { recursive: true });
      const tmp = join(this.config.PDF_DIRECTORY, `.${fileName}.${process.pid}.tmp`);
      await writeFile(tmp, pdf);
      await rename(tmp, join(this.config.PDF_DIRECTORY, fileName));
    }
    await this.db.query(
      `UPDATE "${s}"."certificate_pdfs"
          SET status = 'DONE', pdf = $2, file_name = $3, bytes = $4, sha256 = $5, rendered_at = now()
        WHERE number = $1 AND status = 'PENDING'`,
      [number, fileName ? null : pdf, fileName, pdf.length, sha256],
    );
    timer();
    return 'rendered';
  }
}
