import type { JobsOptions } from 'bullmq';

/** Queue, job names and retry options of the intake service, in one place. */
export const DECISION_TIMEOUT_QUEUE = 'intake-decision-timeout';

export const JobName = {
  /** One per declaration, delayed by the decision timeout. */
  DecisionTimeout: 'decision-timeout',
  /** Repeating safety net: Redis keeps nothing on disk, so a lost delayed job must not strand a declaration. */
  TimeoutSweep: 'timeout-sweep',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface DecisionTimeoutJobData {
  declarationId: string;
}

export const decisionTimeoutJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: 1000,
  removeOnFail: 5000,
};

/** Longest a job may run before it counts as failed (and is retried). */
export const JOB_TIMEOUT_MS = 30_000;

export function decisionTimeoutJobId(declarationId: string): string {
  return `decision-timeout-${declarationId}`;
}
