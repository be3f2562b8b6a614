import type { InspectionResultRecorded } from '@cic/contracts';
import { toOfficeDate } from '@cic/exemption-domain';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../common/sql';
import { EXEMPTION_CLOCK, EXEMPTION_CONFIG, type ExemptionConfig } from '../config';
import { GrantSuspender } from '../grants/grant-suspender';

export interface RecordedResultEvent {
  eventId: string;
  data: InspectionResultRecorded;
}

/**
 * inspection.result.recorded.v1, a batch at a time in its transaction: one row per line (the evidence of
 * applications), then the grants a FAIL line touches are suspended. Only lines new to this service act:
 * a result replayed under a new event id hits the unique (declaration, kind, recordedAt, line) index and
 * changes nothing, not even a grant an admin reinstated since.
 */
@Injectable()
export class ResultRecorder {
  private readonly logger = new Logger('ResultRecorder');

  constructor(
    private readonly suspender: GrantSuspender,
    @Inject(EXEMPTION_CONFIG)
    private readonly config: Pick<ExemptionConfig, 'DB_SCHEMA' | 'OFFICE_TIME_ZONE'>,
    @Inject(EXEMPTION_CLOCK) private readonly clock: () => Date,
  ) {}

  async record(m: EntityManager, results: readonly RecordedResultEvent[]): Promise<void> {
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
        date: toOfficeDate(new Date(r.data.recordedAt), this.config.OFFICE_TIME_ZONE),
      })),
    );
    const fresh = await queryRows<{ event_id: string; line_no: number }>(
      m,
      `INSERT INTO "${this.config.DB_SCHEMA}"."inspection_results"
         (event_id, line_no, declaration_id, enterprise_code, hs_code, outcome, kind, recorded_at, result_date)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::timestamptz[], $9::date[])
       ON CONFLICT DO NOTHING
       RETURNING event_id, line_no`,
      [
        rows.map((r) => r.eventId),
        rows.map((r) => r.lineNo),
        rows.map((r) => r.declarationId),
        rows.map((r) => r.enterprise),
        rows.map((r) => r.hsCode),
        rows.map((r) => r.outcome),
        rows.map((r) => r.kind),
        rows.map((r) => r.at),
        rows.map((r) => r.date),
      ],
    );
    const isFresh = new Set(fresh.map((f) => `${f.event_id}/${f.line_no}`));
    const causes = results
      .map((r) => ({
        r,
        lines: r.data.lines.filter((l) => l.outcome === 'FAIL' && isFresh.has(`${r.eventId}/${l.lineNo}`)),
      }))
      .filter(({ lines }) => lines.length > 0)
      .map(({ r, lines }) => ({
        result: { enterpriseCode: r.data.enterpriseCode, lines },
        actor: r.data.recordedBy,
        evidence: {
          eventId: r.eventId,
          declarationId: r.data.declarationId,
          kind: r.data.kind,
          recordedAt: r.data.recordedAt,
          lines: lines.map((l) => ({ lineNo: l.lineNo, hsCode: l.hsCode, findings: l.findings })),
        },
      }));
    const suspended = await this.suspender.suspend(m, causes, this.clock());
    if (suspended.length)
      this.logger.warn({
        msg: `exemption grant(s) suspended after a FAIL result: ${suspended.map((g) => g.approvalReference).join(', ')}`,
        grants: suspended.map((g) => g.id),
      });
  }
}
