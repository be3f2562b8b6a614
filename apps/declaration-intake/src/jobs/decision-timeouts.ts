import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { redisOptions } from '@cic/platform-queue';
import { INTAKE_CONFIG } from '../intake.tokens';
import type { IntakeConfig } from '../config';
import {
  DECISION_TIMEOUT_QUEUE,
  type DecisionTimeoutJobData,
  decisionTimeoutJobId,
  decisionTimeoutJobOptions,
  JobName,
} from './jobs.constants';

/** Schedules the decision timeout of a declaration (a delayed BullMQ job with a deterministic id). */
@Injectable()
export class DecisionTimeouts implements OnApplicationShutdown {
  readonly queue: Queue<DecisionTimeoutJobData>;

  constructor(@Inject(INTAKE_CONFIG) private readonly config: IntakeConfig) {
    this.queue = new Queue<DecisionTimeoutJobData>(DECISION_TIMEOUT_QUEUE, {
      connection: redisOptions(config.REDIS_URL, 'declaration-intake:queue'),
      prefix: config.QUEUE_PREFIX,
    });
  }

  async schedule(declarationId: string): Promise<void> {
    await this.queue.add(
      JobName.DecisionTimeout,
      { declarationId },
      {
        ...decisionTimeoutJobOptions,
        jobId: decisionTimeoutJobId(declarationId),
        delay: this.config.DECISION_TIMEOUT_MS,
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
