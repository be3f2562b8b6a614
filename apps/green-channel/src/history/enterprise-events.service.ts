import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApprovalStore } from '../approval/approval.store';
import { officeToday } from '../approval/office-date';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import type { Actor } from '../reference/reference.sql';
import { queryRows } from '../reference/reference.sql';

export const ENTERPRISE_EVENT_KINDS = [
  'QUALITY_CLAIM',
  'NON_COMPLIANT_DECLARATION',
  'PENALTY',
  'FOREIGN_NOTIFICATION',
  'RETURNED_GOODS',
] as const;
export type EnterpriseEventKind = (typeof ENTERPRISE_EVENT_KINDS)[number];

export interface NewEnterpriseEvent {
  kind: EnterpriseEventKind;
  occurredOn: string;
  reference?: string;
  hsCode?: string;
  detail?: string;
}

export interface EnterpriseEventView {
  id: string;
  enterpriseCode: string;
  kind: EnterpriseEventKind;
  occurredOn: string;
  reference: string | null;
  hsCode: string | null;
  detail: string | null;
  recordedBy: string;
  recordedAt: string;
}

interface EventRow {
  id: string;
  enterprise_code: string;
  kind: EnterpriseEventKind;
  occurred_on: string;
  reference: string | null;
  hs_code: string | null;
  detail: string | null;
  recorded_by: string;
  recorded_at: Date;
}

const COLUMNS = `"id"::text AS "id", "enterprise_code", "kind", to_char("occurred_on", 'YYYY-MM-DD') AS "occurred_on",
  "reference", "hs_code", "detail", "recorded_by", "recorded_at"`;

const view = (r: EventRow): EnterpriseEventView => ({
  id: r.id,
  enterpriseCode: r.enterprise_code,
  kind: r.kind,
  occurredOn: r.occurred_on,
  reference: r.reference,
  hsCode: r.hs_code,
  detail: r.detail,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at.toISOString(),
});

/**
 * An enterprise's history entered through the API: quality claims, non-compliant declarations,
 * penalties, foreign notifications, returned goods. A foreign notification suspends an APPROVED
 * green-channel approval in the same transaction (DOMAIN.md).
 */
@Injectable()
export class EnterpriseEventsService {
  private readonly schema: string;
  private readonly timeZone: string;

  constructor(
    private readonly db: DataSource,
    private readonly approvals: ApprovalStore,
    @Inject(GREEN_CHANNEL_CONFIG) config: Pick<GreenChannelConfig, 'DB_SCHEMA' | 'OFFICE_TIME_ZONE'>,
  ) {
    this.schema = config.DB_SCHEMA;
    this.timeZone = config.OFFICE_TIME_ZONE;
  }

  async record(
    code: string,
    event: NewEnterpriseEvent,
    actor: Actor,
  ): Promise<{ event: EnterpriseEventView; approvalSuspended: boolean }> {
    const today = officeToday(this.timeZone);
    if (event.occurredOn > today)
      throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', undefined, {
        errors: [
          {
            pointer: '/occurredOn',
            code: 'IN_THE_FUTURE',
            message: `must not be after today (${today}, ${this.timeZone})`,
            messageZh: `不得晚于今天（${today}）`,
          },
        ],
      });
    const s = this.schema;
    return this.db.transaction(async (m) => {
      const [known] = await m.query(`SELECT 1 FROM "${s}"."enterprises" WHERE "code" = $1 FOR SHARE`, [code]);
      if (!known)
        throw new ProblemException(404, 'NOT_FOUND', 'Not found', `enterprise ${code} is not on file`);
      const [row] = await queryRows<EventRow>(
        m,
        `INSERT INTO "${s}"."enterprise_events"
           ("id", "enterprise_code", "kind", "occurred_on", "reference", "hs_code", "detail", "recorded_by")
         VALUES ($1::uuid, $2, $3, $4::date, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [
          randomUUID(),
          code,
          event.kind,
          event.occurredOn,
          event.reference ?? null,
          event.hsCode ?? null,
          event.detail ?? null,
          actor.name.slice(0, 100),
        ],
      );
      let approvalSuspended = false;
      if (event.kind === 'FOREIGN_NOTIFICATION') {
        const suspended = await this.approvals.suspendMany(m, [
          {
            enterpriseCode: code,
            reasonCode: 'FOREIGN_NOTIFICATION',
            reason: `foreign notification${event.reference ? ` ${event.reference}` : ''} of ${event.occurredOn}`,
            actor: actor.name,
            evidence: {
              eventId: row.id,
              kind: event.kind,
              occurredOn: event.occurredOn,
              reference: event.reference ?? null,
              hsCode: event.hsCode ?? null,
              keyId: actor.keyId,
            },
          },
        ]);
        approvalSuspended = suspended.length > 0;
      }
      return { event: view(row), approvalSuspended };
    });
  }

  async list(
    code: string,
    q: { limit: number; offset: number; kind?: EnterpriseEventKind },
  ): Promise<{ items: EnterpriseEventView[]; limit: number; offset: number; total: number }> {
    const s = this.schema;
    const [known] = await this.db.query(`SELECT 1 FROM "${s}"."enterprises" WHERE "code" = $1`, [code]);
    if (!known)
      throw new ProblemException(404, 'NOT_FOUND', 'Not found', `enterprise ${code} is not on file`);
    const params: unknown[] = [code];
    const kind = q.kind ? ` AND "kind" = $${params.push(q.kind)}` : '';
    const [{ total }] = await queryRows<{ total: number }>(
      this.db,
      `SELECT count(*)::int AS "total" FROM "${s}"."enterprise_events" WHERE "enterprise_code" = $1${kind}`,
      params,
    );
    const rows = await queryRows<EventRow>(
      this.db,
      `SELECT ${COLUMNS} FROM "${s}"."enterprise_events" WHERE "enterprise_code" = $1${kind}
       ORDER BY "occurred_on" DESC, "recorded_at" DESC, "id" LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`,
      params,
    );
    return { items: rows.map(view), limit: q.limit, offset: q.offset, total };
  }
}
