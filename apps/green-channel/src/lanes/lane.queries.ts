import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';

export interface LaneView {
  declarationId: string;
  enterpriseCode: string;
  status: 'PENDING' | 'DECIDED';
  receivedAt: string;
  dueAt: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  lane: string | null;
  decision: unknown;
  checks: Array<{
    name: string;
    kind: string;
    status: string;
    attempts: number;
    enqueuedAt: string | null;
    finishedAt: string | null;
    result: unknown;
  }>;
}

/** Read side of lanes, for operators: where a declaration's lane stands and why. */
@Injectable()
export class LaneQueries {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(GREEN_CHANNEL_CONFIG) private readonly config: Pick<GreenChannelConfig, 'DB_SCHEMA'>,
  ) {}

  async get(declarationId: string): Promise<LaneView | undefined> {
    const s = this.config.DB_SCHEMA;
    const [r] = await this.dataSource.query(
      `SELECT declaration_id, enterprise_code, status, received_at, due_at, decided_at, decided_by, lane, decision
         FROM "${s}"."lane_requests" WHERE declaration_id = $1`,
      [declarationId],
    );
    if (!r) return undefined;
    const checks: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT check_name, kind, status, attempts, enqueued_at, finished_at, result
         FROM "${s}"."lane_checks" WHERE declaration_id = $1 ORDER BY check_name`,
      [declarationId],
    );
    const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);
    return {
      declarationId: r.declaration_id,
      enterpriseCode: r.enterprise_code,
      status: r.status,
      receivedAt: (r.received_at as Date).toISOString(),
      dueAt: iso(r.due_at),
      decidedAt: iso(r.decided_at),
      decidedBy: r.decided_by,
      lane: r.lane,
      decision: r.decision,
      checks: checks.map((c) => ({
        name: c.check_name as string,
        kind: c.kind as string,
        status: c.status as string,
        attempts: c.attempts as number,
        enqueuedAt: iso(c.enqueued_at),
        finishedAt: iso(c.finished_at),
        result: c.result,
      })),
    };
  }

  /** Lanes per state and how many checks wait, for operators and the bench. */
  async summary(): Promise<{ pending: number; decided: number; pendingChecks: number; overdue: number }> {
    const s = this.config.DB_SCHEMA;
    const [r] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM "${s}"."lane_requests" WHERE status = 'PENDING')::int AS pending,
              (SELECT count(*) FROM "${s}"."lane_requests" WHERE status = 'DECIDED')::int AS decided,
              (SELECT count(*) FROM "${s}"."lane_checks" WHERE status = 'PENDING')::int AS pending_checks,
              (SELECT count(*) FROM "${s}"."lane_requests" WHERE status = 'PENDING' AND due_at < now())::int AS overdue`,
    );
    return { pending: r.pending, decided: r.decided, pendingChecks: r.pending_checks, overdue: r.overdue };
  }
}
