import type { ApprovalAction, ApprovalStatus } from '@cic/green-channel-domain';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { queryRows } from '../reference/reference.sql';

export interface SuspendItem {
  enterpriseCode: string;
  /** e.g. FOREIGN_NOTIFICATION, INSPECTION_FAIL. */
  reasonCode: string;
  reason: string;
  actor: string;
  evidence: Record<string, unknown>;
}

export interface ApprovalState {
  status: ApprovalStatus;
  /** When the status was entered (null for an enterprise never approved). */
  since: string | null;
  version: number;
}

export interface ApprovalEventView {
  id: string;
  action: string;
  fromStatus: ApprovalStatus;
  toStatus: ApprovalStatus;
  reasonCode: string;
  reason: string;
  actor: string;
  at: string;
  evidence: unknown;
}

/**
 * Green-channel approval status per enterprise and its timeline (approval_events). Every change of
 * status writes its event in the caller's transaction.
 */
@Injectable()
export class ApprovalStore {
  private readonly schema: string;

  constructor(@Inject(GREEN_CHANNEL_CONFIG) config: Pick<GreenChannelConfig, 'DB_SCHEMA'>) {
    this.schema = config.DB_SCHEMA;
  }

  /** The current state; with `lock`, the row is created (NONE) if missing and held FOR UPDATE. */
  async state(m: Pick<EntityManager, 'query'>, enterpriseCode: string, lock = false): Promise<ApprovalState> {
    const s = this.schema;
    if (lock)
      await m.query(
        `INSERT INTO "${s}"."approvals" ("enterprise_code", "status") VALUES ($1, 'NONE') ON CONFLICT DO NOTHING`,
        [enterpriseCode],
      );
    const [row] = await queryRows<{ status: ApprovalStatus; since: Date; version: number; events: number }>(
      m,
      `SELECT "status", "since", "version" FROM "${s}"."approvals" WHERE "enterprise_code" = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [enterpriseCode],
    );
    if (!row) return { status: 'NONE', since: null, version: 0 };
    return {
      status: row.status,
      since: row.status === 'NONE' ? null : row.since.toISOString(),
      version: row.version,
    };
  }

  /** Moves a locked approval (see state(…, true)) to `to`, with its timeline event. */
  async transition(
    m: EntityManager,
    t: {
      enterpriseCode: string;
      action: ApprovalAction;
      from: ApprovalStatus;
      to: ApprovalStatus;
      reasonCode: string;
      reason: string;
      actor: string;
      evidence: unknown;
    },
  ): Promise<void> {
    const s = this.schema;
    await m.query(
      `UPDATE "${s}"."approvals" SET "status" = $2, "since" = now(), "version" = "version" + 1 WHERE "enterprise_code" = $1`,
      [t.enterpriseCode, t.to],
    );
    await m.query(
      `INSERT INTO "${s}"."approval_events"
         ("enterprise_code", "action", "from_status", "to_status", "reason_code", "reason", "actor", "evidence")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        t.enterpriseCode,
        t.action,
        t.from,
        t.to,
        t.reasonCode.slice(0, 64),
        t.reason.slice(0, 2000),
        t.actor.slice(0, 100),
        JSON.stringify(t.evidence ?? null),
      ],
    );
  }

  /**
   * Suspends every APPROVED enterprise among `items` at once (a FAIL inspection result or a foreign
   * notification, DOMAIN.md), in the caller's transaction: one UPDATE … WHERE status = 'APPROVED' and one
   * INSERT of their SUSPEND events. Others (NONE, SUSPENDED, unknown) are left alone. The first item of
   * an enterprise named twice gives the reason. Returns the codes suspended.
   */
  async suspendMany(m: Pick<EntityManager, 'query'>, items: readonly SuspendItem[]): Promise<string[]> {
    if (items.length === 0) return [];
    const s = this.schema;
    const rows = await queryRows<{ enterprise_code: string }>(
      m,
      `WITH input AS (
         SELECT DISTINCT ON (t.code) t.code, t.reason_code, t.reason, t.actor, t.evidence
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) WITH ORDINALITY
           AS t(code, reason_code, reason, actor, evidence, ord)
         ORDER BY t.code, t.ord),
       locked AS (
         -- key order, so two batches suspending overlapping enterprises cannot deadlock
         SELECT a."enterprise_code" FROM "${s}"."approvals" a JOIN input i ON i.code = a."enterprise_code"
         WHERE a."status" = 'APPROVED' ORDER BY a."enterprise_code" FOR UPDATE),
       suspended AS (
         UPDATE "${s}"."approvals" a SET "status" = 'SUSPENDED', "since" = now(), "version" = a."version" + 1
         FROM input i
         WHERE a."enterprise_code" = i.code AND a."status" = 'APPROVED'
           AND a."enterprise_code" IN (SELECT "enterprise_code" FROM locked)
         RETURNING a."enterprise_code", i.reason_code, i.reason, i.actor, i.evidence)
       INSERT INTO "${s}"."approval_events"
         ("enterprise_code", "action", "from_status", "to_status", "reason_code", "reason", "actor", "evidence")
       SELECT "enterprise_code", 'SUSPEND', 'APPROVED', 'SUSPENDED', reason_code, reason, actor, evidence FROM suspended
       RETURNING "enterprise_code"`,
      [
        items.map((i) => i.enterpriseCode),
        items.map((i) => i.reasonCode.slice(0, 64)),
        items.map((i) => i.reason.slice(0, 2000)),
        items.map((i) => i.actor.slice(0, 100)),
        items.map((i) => JSON.stringify(i.evidence)),
      ],
    );
    return rows.map((r) => r.enterprise_code);
  }

  /** The approval timeline of an enterprise, oldest first. */
  async timeline(
    m: Pick<EntityManager, 'query'>,
    enterpriseCode: string,
    page: { limit: number; afterId: string },
  ): Promise<{ items: ApprovalEventView[]; nextCursor: string | null }> {
    const rows = await queryRows<{
      id: string;
      action: string;
      from_status: ApprovalStatus;
      to_status: ApprovalStatus;
      reason_code: string;
      reason: string;
      actor: string;
      at: Date;
      evidence: unknown;
    }>(
      m,
      `SELECT "id"::text AS "id", "action", "from_status", "to_status", "reason_code", "reason", "actor", "at", "evidence"
       FROM "${this.schema}"."approval_events" WHERE "enterprise_code" = $1 AND "id" > $2::bigint
       ORDER BY "id" LIMIT $3`,
      [enterpriseCode, page.afterId, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map((r) => ({
      id: r.id,
      action: r.action,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      reasonCode: r.reason_code,
      reason: r.reason,
      actor: r.actor,
      at: r.at.toISOString(),
      evidence: r.evidence,
    }));
    return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].id : null };
  }
}
