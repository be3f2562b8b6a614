import type { DeclarationAccepted } from '@cic/contracts';
import { documentsToVerify } from '@cic/green-channel-domain';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { joinJson, jsonbArraySql } from '@cic/platform-persistence';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { AlertIndexCache } from './alert-index.cache';
import { LaneDecider } from './lane-decider';
import { CHECK_KIND, laneInputOf, type LaneRow, officeDate } from './lane-input';

export interface AcceptedDeclaration {
  data: DeclarationAccepted;
  traceParent?: string;
}

export interface LaneIntakeResult {
  /** Decided in the batch's transaction (nothing slow needed). */
  inline: number;
  /** Waiting for slow checks in the worker. */
  slow: number;
  /** Already known (a replay of the same declaration): nothing done. */
  known: number;
}

/**
 * inspection.declaration.accepted.v1, a Kafka batch at a time in one transaction: every new
 * declaration gets a lane row (its primary key makes a replayed declaration a no-op, so a decision is
 * never published twice); those with nothing slow to check are decided at once, set-based; the others
 * get their checks written for the worker (the api never calls Redis).
 */
@Injectable()
export class LaneIntake {
  constructor(
    private readonly decider: LaneDecider,
    private readonly alerts: AlertIndexCache,
    @Inject(GREEN_CHANNEL_CONFIG) private readonly config: GreenChannelConfig,
  ) {}

  async onAccepted(manager: EntityManager, declarations: AcceptedDeclaration[]): Promise<LaneIntakeResult> {
    const s = this.config.DB_SCHEMA;
    const now = new Date();
    const asOf = officeDate(now, this.config.OFFICE_TIME_ZONE);
    const byId = new Map<string, LaneRow>();
    for (const d of declarations)
      if (!byId.has(d.data.declarationId))
        byId.set(d.data.declarationId, {
          declarationId: d.data.declarationId,
          enterpriseCode: d.data.declarant.code,
          asOf,
          input: laneInputOf(d.data),
          traceParent: d.traceParent,
        });
    const candidates = [...byId.values()];
    if (candidates.length === 0) return { inline: 0, slow: 0, known: 0 };
    const inserted: Array<{ declaration_id: string }> = await manager.query(
      `INSERT INTO "${s}"."lane_requests"
         (declaration_id, enterprise_code, received_at, as_of, input, status, due_at, trace_parent)
       SELECT id, code, $5, $6::date, input, 'PENDING', $5::timestamptz + make_interval(secs => $7::double precision / 1000), tp
         FROM unnest($1::uuid[], $2::text[], ${jsonbArraySql('$3')}, $4::text[]) AS x(id, code, input, tp)
       ON CONFLICT (declaration_id) DO NOTHING
       RETURNING declaration_id`,
      [
        candidates.map((r) => r.declarationId),
        candidates.map((r) => r.enterpriseCode),
        joinJson(candidates.map((r) => r.input)),
        candidates.map((r) => r.traceParent ?? null),
        now,
        asOf,
        this.config.CHECK_DEADLINE_MS,
      ],
    );
    const fresh = inserted.map((r) => byId.get(r.declaration_id)!);
    // The slow path: documents to fetch and hash, or no risk-alert index to screen against here.
    const slow = fresh.filter((r) => documentsToVerify(r.input.documents).length > 0 || !this.alerts.ready);
    const fast = fresh.filter((r) => !slow.includes(r));
    if (slow.length) {
      const checks = slow.flatMap((r) => [
        ...r.input.documents
          .map((doc, i) => ({ doc, i }))
          .filter(({ doc }) => doc.uri)
          .map(({ doc, i }) => ({
            id: r.declarationId,
            name: `${CHECK_KIND.document}:${i + 1}`,
            kind: CHECK_KIND.document,
            params: { number: doc.number, kind: doc.kind, uri: doc.uri, sha256: doc.sha256 },
          })),
        { id: r.declarationId, name: CHECK_KIND.labHistory, kind: CHECK_KIND.labHistory, params: {} },
        { id: r.declarationId, name: CHECK_KIND.riskAlerts, kind: CHECK_KIND.riskAlerts, params: {} },
      ]);
      await manager.query(
        `INSERT INTO "${s}"."lane_checks" (declaration_id, check_name, kind, params)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])`,
        [
          checks.map((c) => c.id),
          checks.map((c) => c.name),
          checks.map((c) => c.kind),
          checks.map((c) => JSON.stringify(c.params)),
        ],
      );
    }
    if (fast.length) {
      const ctx = await this.decider.context(manager, fast);
      await this.decider.write(
        manager,
        fast.map((row) => ({ row, decision: this.decider.decide(row, ctx, { timedOutChecks: [] }) })),
        'inline',
      );
    }
    return { inline: fast.length, slow: slow.length, known: candidates.length - fresh.length };
  }
}
