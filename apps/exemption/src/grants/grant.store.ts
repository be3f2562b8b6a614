import { type Reason, Topics } from '@cic/contracts';
import type { Grant, GrantChange, GrantState } from '@cic/exemption-domain';
import { OutboxWriter, type PreparedEvent } from '@cic/platform-messaging';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EXEMPTION_CONFIG, type ExemptionConfig } from '../config';
import { queryRows } from '../common/sql';

/** A grant as stored: the domain's Grant and its bookkeeping. */
export interface GrantRecord extends Grant {
  applicationId: string | null;
  version: number;
  createdBy: string;
  createdAt: string;
  statusSince: string;
  renewalRemindedAt: string | null;
}

/** One change of a locked grant: a new status, or (RENEWAL_DUE) the reminder with the status kept. */
export interface GrantChangeItem {
  before: GrantRecord;
  change: Exclude<GrantChange, 'GRANTED'>;
  to: GrantState;
  reason?: Reason;
  actor: string;
  evidence?: unknown;
}

type Db = Pick<EntityManager, 'query'>;

export const GRANT_COLUMNS = `g.id, g.enterprise_code, g.product_scope, to_char(g.valid_from, 'YYYY-MM-DD') AS valid_from,
  to_char(g.valid_until, 'YYYY-MM-DD') AS valid_until, g.status, g.approval_reference, g.application_id, g.version,
  g.created_by, g.created_at, g.status_since, g.renewal_reminded_at`;

interface GrantRow {
  id: string;
  enterprise_code: string;
  product_scope: string[];
  valid_from: string;
  valid_until: string;
  status: GrantState;
  approval_reference: string;
  application_id: string | null;
  version: number;
  created_by: string;
  created_at: Date;
  status_since: Date;
  renewal_reminded_at: Date | null;
}

export const toGrantRecord = (r: GrantRow): GrantRecord => ({
  id: r.id,
  enterpriseCode: r.enterprise_code,
  productScope: r.product_scope,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
  status: r.status,
  approvalReference: r.approval_reference,
  applicationId: r.application_id,
  version: r.version,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  statusSince: r.status_since.toISOString(),
  renewalRemindedAt: r.renewal_reminded_at?.toISOString() ?? null,
});

/**
 * Grants and their history (grant_events). Every change writes its history row and its
 * inspection.exemption.grant-changed.v1 event in the caller's transaction (outbox), guarded by the
 * status (and, for the reminder, renewal_reminded_at) the change starts from, so a change is made and
 * published once however many callers race for it.
 */
@Injectable()
export class GrantStore {
  private readonly schema: string;

  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(EXEMPTION_CONFIG) config: Pick<ExemptionConfig, 'DB_SCHEMA'>,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  /** Grants matching `where` (over alias g), in id order; `lock` holds them FOR UPDATE. */
  async find(m: Db, where: string, params: unknown[], opts: { lock?: boolean; limit?: number } = {}) {
    const rows = await queryRows<GrantRow>(
      m,
      `SELECT ${GRANT_COLUMNS} FROM "${this.schema}"."grants" g WHERE ${where} ORDER BY g.id
       ${opts.limit ? `LIMIT ${Number(opts.limit)}` : ''} ${opts.lock ? 'FOR UPDATE OF g' : ''}`,
      params,
    );
    return rows.map(toGrantRecord);
  }

  /** Inserts a new ACTIVE grant with its GRANTED event. */
  async create(
    m: EntityManager,
    g: Omit<Grant, 'status'> & { applicationId: string | null; actor: string; evidence?: unknown },
    at: Date,
  ): Promise<GrantRecord> {
    const s = this.schema;
    const [row] = await queryRows<GrantRow>(
      m,
      `INSERT INTO "${s}"."grants" AS g
         (id, enterprise_code, product_scope, valid_from, valid_until, status, approval_reference, application_id,
          created_by, created_at, status_since)
       VALUES ($1, $2, $3::text[], $4::date, $5::date, 'ACTIVE', $6, $7, $8, $9, $9)
       RETURNING ${GRANT_COLUMNS}`,
      [
        g.id,
        g.enterpriseCode,
        [...g.productScope],
        g.validFrom,
        g.validUntil,
        g.approvalReference,
        g.applicationId,
        g.actor,
        at,
      ],
    );
    const grant = toGrantRecord(row);
    await this.history(m, [
      {
        grantId: grant.id,
        change: 'GRANTED',
        from: null,
        to: 'ACTIVE',
        actor: g.actor,
        evidence: g.evidence,
      },
    ]);
    await this.outbox.publishMany(m, [this.event(grant, 'GRANTED', null, g.actor, at)]);
    return grant;
  }

  /**
   * Applies changes to grants the caller holds locked (find(…, { lock: true })), set-based: one UPDATE
   * guarded by the status each change starts from (and, for RENEWAL_DUE, by renewal_reminded_at IS NULL),
   * one INSERT of history, one outbox write. Returns the grants changed, after the change.
   */
  async apply(m: EntityManager, items: readonly GrantChangeItem[], at: Date): Promise<GrantRecord[]> {
    if (items.length === 0) return [];
    const s = this.schema;
    const byId = new Map<string, GrantChangeItem>();
    for (const i of items) if (!byId.has(i.before.id)) byId.set(i.before.id, i);
    const list = [...byId.values()];
    const rows = await queryRows<GrantRow>(
      m,
      `UPDATE "${s}"."grants" g
          SET status = x.to_status,
              status_since = CASE WHEN x.reminder THEN g.status_since ELSE $5 END,
              renewal_reminded_at = CASE WHEN x.reminder THEN $5 ELSE g.renewal_reminded_at END,
              version = g.version + 1
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[]) AS x(id, from_status, to_status, reminder)
        WHERE g.id = x.id AND g.status = x.from_status
          AND (NOT x.reminder OR g.renewal_reminded_at IS NULL)
        RETURNING ${GRANT_COLUMNS}`,
      [
        list.map((i) => i.before.id),
        list.map((i) => i.before.status),
        list.map((i) => i.to),
        list.map((i) => i.change === 'RENEWAL_DUE'),
        at,
      ],
    );
    const changed = rows.map(toGrantRecord).sort((a, b) => (a.id < b.id ? -1 : 1));
    const done = changed.map((g) => ({ g, item: byId.get(g.id)! }));
    await this.history(
      m,
      done.map(({ item }) => ({
        grantId: item.before.id,
        change: item.change,
        from: item.before.status,
        to: item.to,
        reason: item.reason,
        actor: item.actor,
        evidence: item.evidence,
      })),
    );
    await this.outbox.publishMany(
      m,
      done.map(({ g, item }) => this.event(g, item.change, item.before.status, item.actor, at, item.reason)),
    );
    return changed;
  }

  /** The history of a grant, oldest first. */
  async events(m: Db, grantId: string) {
    const rows = await queryRows<{
      id: string;
      change: string;
      from_status: string | null;
      to_status: string;
      reason_code: string | null;
      reason: string | null;
      actor: string;
      at: Date;
      evidence: unknown;
    }>(
      m,
      `SELECT id::text AS id, change, from_status, to_status, reason_code, reason, actor, at, evidence
         FROM "${this.schema}"."grant_events" WHERE grant_id = $1 ORDER BY id`,
      [grantId],
    );
    return rows.map((r) => ({
      id: r.id,
      change: r.change,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      reasonCode: r.reason_code,
      reason: r.reason,
      actor: r.actor,
      at: r.at.toISOString(),
      evidence: r.evidence,
    }));
  }

  private async history(
    m: Db,
    rows: ReadonlyArray<{
      grantId: string;
      change: GrantChange;
      from: GrantState | null;
      to: GrantState;
      reason?: Reason;
      actor: string;
      evidence?: unknown;
    }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await m.query(
      `INSERT INTO "${this.schema}"."grant_events" (grant_id, change, from_status, to_status, reason_code, reason, actor, evidence)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])`,
      [
        rows.map((r) => r.grantId),
        rows.map((r) => r.change),
        rows.map((r) => r.from),
        rows.map((r) => r.to),
        rows.map((r) => r.reason?.code.slice(0, 64) ?? null),
        rows.map((r) => r.reason?.message.slice(0, 2000) ?? null),
        rows.map((r) => r.actor.slice(0, 100)),
        rows.map((r) => JSON.stringify(r.evidence ?? null)),
      ],
    );
  }

  private event(
    g: GrantRecord,
    change: GrantChange,
    previous: GrantState | null,
    actor: string,
    at: Date,
    reason?: Reason,
  ): PreparedEvent<typeof Topics.ExemptionGrantChangedV1> {
    return this.outbox.prepare(Topics.ExemptionGrantChangedV1, {
      subject: g.id,
      time: at,
      data: {
        grantId: g.id,
        enterpriseCode: g.enterpriseCode,
        scope: [...g.productScope],
        change,
        status: g.status,
        previousStatus: previous,
        validFrom: g.validFrom,
        validUntil: g.validUntil,
        changedAt: at.toISOString(),
        changedBy: actor,
        ...(reason ? { reason } : {}),
      },
    });
  }
}
