import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HealthRegistry } from '@cic/platform-observability';
import { redisOptions } from '@cic/platform-queue';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { IntakeConfig } from '../config';
import { ClearanceService } from '../declarations/clearance.service';
import { INTAKE_CONFIG } from '../intake.tokens';
import {
  DECISION_TIMEOUT_QUEUE,
  type DecisionTimeoutJobData,
  JOB_TIMEOUT_MS,
  JobName,
} from './jobs.constants';

type Handler = (job: Job<DecisionTimeoutJobData>) => Promise<unknown>;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The intake worker role: decision timeouts and the sweep that catches any lost timeout job. */
@Injectable()
export class IntakeWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IntakeWorker');
  private worker?: Worker<DecisionTimeoutJobData>;
  private queue?: Queue<DecisionTimeoutJobData>;
  private readonly handlers: Record<JobName, Handler>;

  constructor(
    private readonly clearance: ClearanceService,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
    health: HealthRegistry,
  ) {
    health.register({
      name: 'bullmq-worker',
      check: async () => {
        if (!this.worker?.isRunning()) throw new Error(`not processing ${DECISION_TIMEOUT_QUEUE}`);
      },
    });
    this.handlers = {
      [JobName.DecisionTimeout]: async (job) => {
        const outcome = await this.clearance.onTimeout(job.data.declarationId);
        if (outcome === 'decided')
          this.logger.warn({
            msg: `declaration ${job.data.declarationId} timed out waiting for decisions: DOCUMENT_REVIEW or stricter`,
            declarationId: job.data.declarationId,
          });
        return outcome;
      },
      [JobName.TimeoutSweep]: async (job) => {
        const ids = await this.clearance.overdue(this.config.DECISION_TIMEOUT_MS + 5000);
        for (const [i, id] of ids.entries()) {
          await this.clearance.onTimeout(id);
          await job.updateProgress(Math.round(((i + 1) / ids.length) * 100));
        }
        if (ids.length)
          this.logger.warn({
            msg: `sweep decided ${ids.length} overdue declaration(s) whose timeout job was lost`,
          });
        return ids.length;
      },
    };
    // Start-up check: every job name has exactly one handler.
    const missing = Object.values(JobName).filter((n) => typeof this.handlers[n] !== 'function');
    if (missing.length) throw new Error(`no handler for job(s): ${missing.join(', ')}`);
  }

  async onApplicationBootstrap(): Promise<void> {
    const connection = redisOptions(this.config.REDIS_URL, 'declaration-intake:worker');
    this.worker = new Worker<DecisionTimeoutJobData>(
      DECISION_TIMEOUT_QUEUE,
      async (job) => {
        const handler = this.handlers[job.name as JobName];
        if (!handler) throw new UnrecoverableError(`unknown job ${job.name}`);
        return withTimeout(handler(job), JOB_TIMEOUT_MS, `${job.name} ${job.id}`);
      },
      { connection, prefix: this.config.QUEUE_PREFIX, concurrency: 4 },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.error({
        msg: `job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`,
        jobId: job?.id,
      }),
    );
    this.queue = new Queue(DECISION_TIMEOUT_QUEUE, {
      connection: redisOptions(this.config.REDIS_URL, 'declaration-intake:scheduler'),
      prefix: this.config.QUEUE_PREFIX,
    });
    await this.queue.upsertJobScheduler(
      'timeout-sweep',
      { every: this.config.TIMEOUT_SWEEP_MS },
      {
        name: JobName.TimeoutSweep,
        data: { declarationId: '' },
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
    this.logger.log(
      `worker consuming ${DECISION_TIMEOUT_QUEUE} (timeout ${this.config.DECISION_TIMEOUT_MS} ms, sweep every ${this.config.TIMEOUT_SWEEP_MS} ms)`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
