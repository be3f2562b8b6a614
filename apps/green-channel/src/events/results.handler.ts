import { type InspectionResultRecorded } from '@cic/contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalStore } from '../approval/approval.store';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';

export interface RecordedResult {
  eventId: string;
  data: InspectionResultRecorded;
}

/**
 * History learnt from inspection.result.recorded.v1: one sample row per line (the lab history behind
 * the lane's hard stop), and a FAIL suspends the enterprise's green-channel approval at once. A batch of
 * events is two statements plus the suspensions, in the batch's transaction; redelivered events are
 * removed by the inbox, and the (event, line) key makes a replay under a new id harmless too.
 */
@Injectable()
export class ResultHistory {
  private readonly logger = new Logger('ResultHistory');

  constructor(
    private readonly approvals: ApprovalStore,
    @Inject(GREEN_CHANNEL_CONFIG) private readonly config: Pick<GreenChannelConfig, 'DB_SCHEMA'>,
  ) {}

  async record(manager: EntityManager, results: RecordedResult[]): Promise<void> {
    if (results.length === 0) return;
    const rows = results.flatMap((r) =>
      r.data.lines.map((l) => ({
        eventId: r.eventId,
        lineNo: l.lineNo,
        declarationId: r.data.declarationId,
        enterprise: r.data.enterpriseCode,
        hsCode: l.hsCode,
        outcome: l.outcome,
        kind: r.data.kind,
        at: r.data.recordedAt,
      })),
    );
    const s = this.config.DB_SCHEMA;
    await manager.query(
      `INSERT INTO "${s}"."sample_results"
         (event_id, line_no, declaration_id, enterprise_code, hs_code, hs_heading, outcome, kind, recorded_at)
       SELECT e, l, d, c, h, substr(h, 1, 4), o, k, t
         FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
           AS x(e, l, d, c, h, o, k, t)
       ON CONFLICT DO NOTHING`,
      [
        rows.map((r) => r.eventId),
        rows.map((r) => r.lineNo),
        rows.map((r) => r.declarationId),
        rows.map((r) => r.enterprise),
        rows.map((r) => r.hsCode),
        rows.map((r) => r.outcome),
        rows.map((r) => r.kind),
        rows.map((r) => r.at),
      ],
    );
    // A FAIL suspends approval (DOMAIN.md). One suspension per enterprise, naming the first failing result.
    const failing = new Map<string, RecordedResult>();
    for (const r of results)
      if (!failing.has(r.data.enterpriseCode) && r.data.lines.some((l) => l.outcome === 'FAIL'))
        failing.set(r.data.enterpriseCode, r);
    if (failing.size === 0) return;
    const suspended = await this.approvals.suspendMany(
      manager,
      [...failing.entries()].map(([enterpriseCode, r]) => {
        const failed = r.data.lines.filter((l) => l.outcome === 'FAIL');
        return {
          enterpriseCode,
          reasonCode: 'FAIL_RESULT',
          reason: `${r.data.kind} result FAIL on declaration ${r.data.declarationId}, line(s) ${failed
            .map((l) => `${l.lineNo} (${l.hsCode})`)
            .join(', ')}`,
          actor: r.data.recordedBy,
          evidence: {
            eventId: r.eventId,
            declarationId: r.data.declarationId,
            kind: r.data.kind,
            recordedAt: r.data.recordedAt,
            lines: failed,
          },
        };
      }),
    );
    if (Array.isArray(suspended) && suspended.length)
      this.logger.warn({
        msg: `green-channel approval suspended after a FAIL result: ${suspended.join(', ')}`,
        enterprises: suspended,
      });
  }
}
