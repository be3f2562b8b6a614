import type { DocumentResult, LabCount, RiskAlert } from '@cic/green-channel-domain';
import { labWindowStart } from '@cic/green-channel-domain';
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
import { type FetchPolicy, fetchPolicyFromEnv, verifyDocument } from '../checks/document-fetcher';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig, SERVICE } from '../config';
import { AlertIndexCache } from '../lanes/alert-index.cache';
import { LaneDecider } from '../lanes/lane-decider';
import { CHECK_KIND, type LaneRequestInput } from '../lanes/lane-input';
import { CHECK_QUEUE, type CheckJobData, CheckQueue } from './check-queue';

/**
 * A job's lock: a worker killed mid-check loses it after this long and another worker (or the same one
 * restarted) takes the job again, well inside the check deadline.
 */
export const CHECK_LOCK_MS = 5000;

interface CheckRecord {
  kind: string;
  params: { uri?: string; sha256?: string; number?: string };
  status: 'PENDING' | 'DONE' | 'ABANDONED';
  lane_status: 'PENDING' | 'DECIDED';
  enterprise_code: string;
  as_of: string;
  input: LaneRequestInput;
}

/**
 * The slow checks, in the worker role: document verification (fetched only from allowed locations,
 * hashed and compared), lab-history aggregation and risk-alert screening. A job that fails for a
 * passing reason (the document host down) is retried with backoff; on its last attempt the failure
 * itself is the result (UNREACHABLE, never a pass). The result and, when it is the lane's last check,
 * the lane's decision are written in one transaction (LaneDecider.completeCheck).
 */
@Injectable()
export class CheckProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CheckProcessor');
  private worker?: Worker<CheckJobData>;
  private readonly policy: FetchPolicy;

  constructor(
    private readonly dataSource: DataSource,
    private readonly decider: LaneDecider,
    private readonly alerts: AlertIndexCache,
    @Inject(GREEN_CHANNEL_CONFIG) private readonly config: GreenChannelConfig,
    private readonly queue: CheckQueue,
    health: HealthRegistry,
  ) {
    this.policy = fetchPolicyFromEnv({
      DOCUMENT_FILE_ROOT: config.DOCUMENT_FILE_ROOT,
      DOCUMENT_ALLOWED_HOSTS: config.DOCUMENT_ALLOWED_HOSTS,
      DOCUMENT_ALLOW_PRIVATE:
        config.DOCUMENT_ALLOW_PRIVATE === undefined ? undefined : String(config.DOCUMENT_ALLOW_PRIVATE),
      DOCUMENT_ALLOW_HTTP:
        config.DOCUMENT_ALLOW_HTTP === undefined ? undefined : String(config.DOCUMENT_ALLOW_HTTP),
      DOCUMENT_MAX_BYTES: config.DOCUMENT_MAX_BYTES?.toString(),
      DOCUMENT_TIMEOUT_MS: config.DOCUMENT_TIMEOUT_MS?.toString(),
    });
    health.register({
      name: 'check-worker',
      check: async () => {
        if (!this.worker?.isRunning()) throw new Error('check worker not running');
      },
    });
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<CheckJobData>(CHECK_QUEUE, (job) => this.process(job), {
      connection: redisOptions(this.config.REDIS_URL, `${SERVICE}:checks-worker`),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.CHECK_CONCURRENCY,
      lockDuration: CHECK_LOCK_MS,
      stalledInterval: CHECK_LOCK_MS,
      maxStalledCount: 3,
    });
    this.worker.on('failed', (job, error) => {
      // The last attempt lost to an outage: run again once the database answers (not 30 s later).
      const cutOff = this.queue.cutOff.noteFailure(job, failureKind(error) === 'infrastructure');
      this.logger.warn({
        msg: `check ${job?.data.checkName} of ${job?.data.declarationId} failed (attempt ${job?.attemptsMade}): ${error.message}${
          cutOff ? '; out of attempts, run again once the database answers' : ''
        }`,
        declarationId: job?.data.declarationId,
        check: job?.data.checkName,
      });
    });
    this.worker.on('error', (error) =>
      this.logger.error({ msg: `check worker error (it reconnects by itself): ${error.message}` }),
    );
    this.logger.log(
      `slow checks: queue ${CHECK_QUEUE}, concurrency ${this.config.CHECK_CONCURRENCY}, deadline ${this.config.CHECK_DEADLINE_MS} ms`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
  }

  /** One check; returns what it recorded ('skipped' when the check or its lane is already settled). */
  async process(job: Job<CheckJobData>): Promise<string> {
    const { declarationId, checkName } = job.data;
    const s = this.config.DB_SCHEMA;
    const [check]: CheckRecord[] = await this.dataSource.query(
      `SELECT c.kind, c.params, c.status, r.status AS lane_status, r.enterprise_code, r.as_of::text AS as_of, r.input
         FROM "${s}"."lane_checks" c JOIN "${s}"."lane_requests" r USING (declaration_id)
        WHERE c.declaration_id = $1 AND c.check_name = $2`,
      [declarationId, checkName],
    );
    if (!check) throw new UnrecoverableError(`no check ${checkName} for declaration ${declarationId}`);
    if (check.status !== 'PENDING' || check.lane_status === 'DECIDED') return 'skipped';
    const result = await this.run(job, check);
    const decided = await this.decider.completeCheck(declarationId, checkName, result);
    return decided ? 'decided' : 'recorded';
  }

  private async run(job: Job<CheckJobData>, check: CheckRecord): Promise<unknown> {
    switch (check.kind) {
      case CHECK_KIND.document:
        return this.document(job, check);
      case CHECK_KIND.labHistory:
        return { counts: await this.labCounts(check) };
      case CHECK_KIND.riskAlerts:
        return { alerts: this.screen(check) };
      default:
        throw new UnrecoverableError(`unknown check kind ${check.kind}`);
    }
  }

  private async document(job: Job<CheckJobData>, check: CheckRecord): Promise<DocumentResult> {
    const { uri, sha256 } = check.params;
    if (!uri || !sha256) return { status: 'NOT_ALLOWED', reason: 'the check has no uri or digest' };
    const r = await verifyDocument(uri, sha256, this.policy);
    switch (r.outcome) {
      case 'MATCH':
        return { status: 'MATCH' };
      case 'MISMATCH':
        return { status: 'MISMATCH', expected: r.expected, actual: r.actual };
      case 'NOT_ALLOWED':
        return { status: 'NOT_ALLOWED', reason: r.reason };
      case 'UNREACHABLE': {
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        // Retried with backoff while it may still come back; the last attempt records the failure.
        if (r.transient && !last) throw new Error(`document unreachable, will retry: ${r.error}`);
        return { status: 'UNREACHABLE', error: r.error };
      }
    }
  }

  private async labCounts(check: CheckRecord): Promise<LabCount[]> {
    const headings = [...new Set(check.input.lines.map((l) => l.hsCode.slice(0, 4)))];
    const rows: Array<{ hs_heading: string; n: number; p: number }> = await this.dataSource.query(
      `SELECT hs_heading, count(*)::int AS n, (count(*) FILTER (WHERE outcome = 'PASS'))::int AS p
         FROM "${this.config.DB_SCHEMA}"."sample_results"
        WHERE enterprise_code = $1 AND hs_heading = ANY($2::text[]) AND recorded_at >= (($3::date + 1)::timestamp AT TIME ZONE $4)
        GROUP BY hs_heading`,
      [
        check.enterprise_code,
        headings,
        labWindowStart(check.as_of, this.decider.rules),
        this.config.OFFICE_TIME_ZONE,
      ],
    );
    return rows.map((r) => ({ heading: r.hs_heading, samples: r.n, passes: r.p }));
  }

  private screen(check: CheckRecord): RiskAlert[] {
    // Throws while the index is not loaded: the job is retried, and the deadline covers the rest.
    return this.alerts.match(check.input.lines, check.input.destinationCountry, check.as_of);
  }
}
