import { Topics } from '@cic/contracts';
import {
  type ApprovalStatus,
  CHECK,
  DEFAULT_RULES,
  decideLane,
  type DocumentResult,
  type EnterpriseProfile,
  type LabCount,
  labWindowStart,
  type LaneDecision,
  type RiskAlert,
} from '@cic/green-channel-domain';
import { OutboxWriter, type PreparedEvent } from '@cic/platform-messaging';
import { runWithTrace, traceFromParent } from '@cic/platform-observability';
import { joinJson, jsonbArraySql } from '@cic/platform-persistence';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { AlertIndexCache } from './alert-index.cache';
import { CHECK_KIND, type LaneRow } from './lane-input';

interface Enterprise {
  profile: EnterpriseProfile;
  approval: ApprovalStatus;
}

/** What the rules need beyond the declaration, loaded for a whole batch at once. */
export interface LaneContext {
  enterprises: Map<string, Enterprise>;
  /** Per enterprise code, per heading. */
  labs: Map<string, LabCount[]>;
}

/** What the slow checks found, per lane (absent on the fast path). */
export interface CheckFindings {
  documentResults?: Record<string, DocumentResult>;
  /** Alerts from the risk-alert job; undefined: screen now from the in-memory index. */
  alerts?: RiskAlert[];
  /** Lab counts from the lab-history job; undefined: count now. */
  labCounts?: LabCount[];
  timedOutChecks: string[];
}

export type DecidedBy = 'inline' | 'checks' | 'deadline';

interface CheckRow {
  declaration_id: string;
  check_name: string;
  kind: string;
  status: 'PENDING' | 'DONE' | 'ABANDONED';
  params: { number?: string };
  result: unknown;
}

/**
 * Decides lanes from the pure rules and writes them: the lane row turns DECIDED and the decision joins
 * the outbox in the same transaction, guarded by the row's PENDING status so that a lane is published
 * once whichever path (inline, the last check, the deadline) gets there first.
 */
@Injectable()
export class LaneDecider {
  private readonly logger = new Logger('LaneDecider');
  readonly rules = DEFAULT_RULES;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly alerts: AlertIndexCache,
    @Inject(GREEN_CHANNEL_CONFIG) private readonly config: GreenChannelConfig,
  ) {}

  private get schema(): string {
    return this.config.DB_SCHEMA;
  }

  /** Profiles, approval status and lab counts for the lanes' enterprises: two statements per batch. */
  async context(manager: EntityManager, rows: readonly LaneRow[]): Promise<LaneContext> {
    const s = this.schema;
    const codes = [...new Set(rows.map((r) => r.enterpriseCode))];
    const enterprises = new Map<string, Enterprise>();
    const labs = new Map<string, LabCount[]>();
    if (codes.length === 0) return { enterprises, labs };
    const found: Array<{
      code: string;
      name: string;
      tier: EnterpriseProfile['tier'];
      category: EnterpriseProfile['category'];
      exports: string;
      certifications: EnterpriseProfile['certifications'];
      zones: EnterpriseProfile['zones'];
      history_since: string | null;
      approval: ApprovalStatus;
    }> = await manager.query(
      `SELECT e.code, e.name, e.tier, e.category, e.annual_exports_usd::text AS exports, e.certifications,
              e.history_since::text AS history_since, coalesce(a.status, 'NONE') AS approval,
              coalesce((SELECT json_agg(json_build_object('zoneId', z.id, 'name', z.name, 'level', z.level,
                                                          'industry', z.industry) ORDER BY z.id)
                          FROM "${s}"."zones" z WHERE z.id = ANY(e.zone_ids)), '[]'::json) AS zones
         FROM "${s}"."enterprises" e
         LEFT JOIN "${s}"."approvals" a ON a.enterprise_code = e.code
        WHERE e.code = ANY($1::text[])`,
      [codes],
    );
    for (const e of found)
      enterprises.set(e.code.trim(), {
        approval: e.approval,
        profile: {
          code: e.code.trim(),
          name: e.name,
          tier: e.tier,
          category: Number(e.category) as EnterpriseProfile['category'],
          annualExportsUsd: e.exports,
          certifications: e.certifications,
          zones: e.zones,
          historySince: e.history_since,
        },
      });
    // One lab window for the batch: its lanes are decided within moments of each other.
    const asOf = rows.reduce((max, r) => (r.asOf > max ? r.asOf : max), rows[0].asOf);
    const headings = [...new Set(rows.flatMap((r) => r.input.lines.map((l) => l.hsCode.slice(0, 4))))];
    const counts: Array<{ enterprise_code: string; hs_heading: string; n: number; p: number }> =
      await manager.query(
        `SELECT enterprise_code, hs_heading, count(*)::int AS n, (count(*) FILTER (WHERE outcome = 'PASS'))::int AS p
           FROM "${s}"."sample_results"
          WHERE enterprise_code = ANY($1::text[]) AND hs_heading = ANY($2::text[]) AND recorded_at >= (($3::date + 1)::timestamp AT TIME ZONE $4)
          GROUP BY enterprise_code, hs_heading`,
        [codes, headings, labWindowStart(asOf, this.rules), this.config.OFFICE_TIME_ZONE],
      );
    for (const c of counts) {
      const list = labs.get(c.enterprise_code) ?? [];
      list.push({ heading: c.hs_heading, samples: c.n, passes: c.p });
      labs.set(c.enterprise_code, list);
    }
    return { enterprises, labs };
  }

  /** The lane of one declaration (pure, given the context). */
  decide(row: LaneRow, ctx: LaneContext, findings: CheckFindings): LaneDecision {
    const enterprise = ctx.enterprises.get(row.enterpriseCode);
    const headings = new Set(row.input.lines.map((l) => l.hsCode.slice(0, 4)));
    const timedOut = [...findings.timedOutChecks];
    let alerts = findings.alerts;
    if (!alerts) {
      if (this.alerts.ready)
        alerts = this.alerts.match(row.input.lines, row.input.destinationCountry, row.asOf);
      else {
        // No screening possible: the lane can be at best YELLOW.
        alerts = [];
        if (!timedOut.includes(CHECK.riskAlerts)) timedOut.push(CHECK.riskAlerts);
      }
    }
    return decideLane(
      {
        declarationId: row.declarationId,
        destinationCountry: row.input.destinationCountry,
        lines: row.input.lines,
        documents: row.input.documents,
        profile: enterprise?.profile ?? null,
        approvalStatus: enterprise?.approval ?? 'NONE',
        matchedAlerts: alerts,
        labCounts:
          findings.labCounts ??
          (ctx.labs.get(row.enterpriseCode) ?? []).filter((c) => headings.has(c.heading)),
        documentResults: findings.documentResults,
        timedOutChecks: timedOut,
        asOf: row.asOf,
      },
      this.rules,
      this.config.SELECTION_KEY,
    );
  }

  /**
   * Marks the lanes DECIDED (only those still PENDING: the guard against a second decision) and adds
   * their decisions to the outbox, all in the caller's transaction. Returns the lanes written.
   */
  async write(
    manager: EntityManager,
    decided: Array<{ row: LaneRow; decision: LaneDecision }>,
    by: DecidedBy,
  ): Promise<number> {
    if (decided.length === 0) return 0;
    const decidedAt = new Date();
    const prepared = decided.map(({ row, decision }) =>
      runWithTrace(traceFromParent(row.traceParent), () =>
        this.outbox.prepare(Topics.GreenChannelDecidedV1, {
          subject: row.declarationId,
          time: decidedAt,
          data: {
            declarationId: row.declarationId,
            decidedAt: decidedAt.toISOString(),
            rulesetVersion: decision.rulesetVersion,
            reasons: decision.reasons,
            lane: decision.lane,
            hardStop: decision.hardStop,
            randomlySelected: decision.randomlySelected,
            greenChannelApproved: decision.greenChannelApproved,
            enterpriseCategory: decision.enterpriseCategory,
            checks: decision.checks,
          },
        }),
      ),
    );
    // An UPDATE ... RETURNING answers [rows, count] through TypeORM.
    const [updated]: [Array<{ declaration_id: string }>, number] = await manager.query(
      `UPDATE "${this.schema}"."lane_requests" r
          SET status = 'DECIDED', decided_at = $4, decided_by = $5, lane = x.lane, decision = x.decision
         FROM unnest($1::uuid[], $2::text[], ${jsonbArraySql('$3')}) AS x(id, lane, decision)
        WHERE r.declaration_id = x.id AND r.status = 'PENDING'
        RETURNING r.declaration_id`,
      [
        prepared.map((p) => p.event.subject),
        decided.map((d) => d.decision.lane),
        joinJson(prepared.map((p) => p.event.data)),
        decidedAt,
        by,
      ],
    );
    const written = new Set(updated.map((u) => u.declaration_id));
    const events: PreparedEvent<typeof Topics.GreenChannelDecidedV1>[] = prepared.filter((p) =>
      written.has(p.event.subject),
    );
    await this.outbox.publishMany(manager, events);
    return events.length;
  }

  /** Pending lanes (locked in id order) with their checks; `skipLocked` for sweeps. */
  private async lockPending(
    manager: EntityManager,
    where: string,
    params: unknown[],
    skipLocked: boolean,
  ): Promise<{ rows: LaneRow[]; checks: Map<string, CheckRow[]> }> {
    const s = this.schema;
    const found: Array<{
      declaration_id: string;
      enterprise_code: string;
      as_of: string;
      input: LaneRow['input'];
      trace_parent: string | null;
    }> = await manager.query(
      `SELECT declaration_id, enterprise_code, as_of::text AS as_of, input, trace_parent
         FROM "${s}"."lane_requests" WHERE status = 'PENDING' AND ${where}
        ORDER BY declaration_id FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`,
      params,
    );
    const rows = found.map((r) => ({
      declarationId: r.declaration_id,
      enterpriseCode: r.enterprise_code,
      asOf: r.as_of,
      input: r.input,
      traceParent: r.trace_parent ?? undefined,
    }));
    const checks = new Map<string, CheckRow[]>();
    if (rows.length) {
      const list: CheckRow[] = await manager.query(
        `SELECT declaration_id, check_name, kind, status, params, result
           FROM "${s}"."lane_checks" WHERE declaration_id = ANY($1::uuid[])`,
        [rows.map((r) => r.declarationId)],
      );
      for (const c of list) {
        const l = checks.get(c.declaration_id) ?? [];
        l.push(c);
        checks.set(c.declaration_id, l);
      }
    }
    return { rows, checks };
  }

  /** What the finished checks of a lane found, the unfinished ones named as timed out. */
  findings(checks: CheckRow[]): CheckFindings {
    const out: CheckFindings = { timedOutChecks: [] };
    const timedOut = new Set<string>();
    for (const c of checks) {
      if (c.status !== 'DONE') {
        timedOut.add(c.kind === CHECK_KIND.document ? CHECK.documentVerification : c.kind);
        continue;
      }
      if (c.kind === CHECK_KIND.document && c.params.number) {
        out.documentResults ??= {};
        out.documentResults[c.params.number] = c.result as DocumentResult;
      } else if (c.kind === CHECK_KIND.labHistory)
        out.labCounts = (c.result as { counts: LabCount[] }).counts;
      else if (c.kind === CHECK_KIND.riskAlerts) out.alerts = (c.result as { alerts: RiskAlert[] }).alerts;
    }
    out.timedOutChecks = [...timedOut];
    return out;
  }

  /**
   * Records a finished check and, when it was the lane's last, decides the lane: one transaction, so a
   * check recorded twice (a job retried after a crash) changes nothing and the lane is decided once.
   * Returns whether this call decided the lane.
   */
  async completeCheck(declarationId: string, checkName: string, result: unknown): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const s = this.schema;
      const [marked]: [unknown[], number] = await manager.query(
        `UPDATE "${s}"."lane_checks" SET status = 'DONE', result = $3, finished_at = now(), attempts = attempts + 1
          WHERE declaration_id = $1 AND check_name = $2 AND status = 'PENDING' RETURNING 1`,
        [declarationId, checkName, JSON.stringify(result)],
      );
      if (marked.length === 0) return false;
      const { rows, checks } = await this.lockPending(manager, 'declaration_id = $1', [declarationId], false);
      const row = rows[0];
      const list = row ? (checks.get(row.declarationId) ?? []) : [];
      if (!row || list.some((c) => c.status !== 'DONE')) return false;
      const ctx = await this.context(manager, rows);
      return (
        (await this.write(
          manager,
          [{ row, decision: this.decide(row, ctx, this.findings(list)) }],
          'checks',
        )) > 0
      );
    });
  }

  /** Decides lanes past their deadline with what is known (unfinished checks: CHECK_TIMEOUT). */
  async decideOverdue(limit: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const { rows, checks } = await this.lockPending(
        manager,
        `declaration_id IN (SELECT declaration_id FROM "${this.schema}"."lane_requests"
                             WHERE status = 'PENDING' AND due_at <= now() ORDER BY due_at LIMIT ${Number(limit)})`,
        [],
        true,
      );
      if (rows.length === 0) return 0;
      const ctx = await this.context(manager, rows);
      const decided = rows.map((row) => {
        const findings = this.findings(checks.get(row.declarationId) ?? []);
        return { row, decision: this.decide(row, ctx, findings) };
      });
      for (const d of decided)
        this.logger.warn({
          msg: `lane of ${d.row.declarationId} decided at its check deadline: ${d.decision.lane}`,
          declarationId: d.row.declarationId,
          lane: d.decision.lane,
        });
      const written = await this.write(manager, decided, 'deadline');
      // Their unfinished checks are abandoned: no longer dispatched, waited for or counted as waiting (a
      // job still running finds them so and records nothing).
      await manager.query(
        `UPDATE "${this.schema}"."lane_checks" SET status = 'ABANDONED', finished_at = now()
          WHERE declaration_id = ANY($1::uuid[]) AND status = 'PENDING'`,
        [rows.map((r) => r.declarationId)],
      );
      return written;
    });
  }
}
