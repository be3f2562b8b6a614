import {
  type ExemptionDecided,
  type GreenChannelDecided,
  type InspectionResultRecorded,
  type OriginDecided,
  Topics,
} from '@cic/contracts';
import {
  applyInspectionResult,
  CLEARANCE_RULESET,
  type ClearanceDecision,
  decideClearance,
  exemptionCoverage,
  isDirectRelease,
  reviseOnLateDecision,
} from '@cic/intake-domain';
import { NonRetryableError, OutboxWriter, type TransactionScope } from '@cic/platform-messaging';
import { currentTrace, runWithTrace, traceFromParent } from '@cic/platform-observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DeclarationEntity, DeclarationLineEntity } from '../entities';
import { ProblemException } from '@cic/platform-http';
import type { IntakeConfig } from '../config';
import { INTAKE_CONFIG } from '../intake.tokens';
import { ClearanceWork, type ClearanceState } from './clearance.work';

/** The line numbers the declaration was accepted with (its validated payload). */
function declaredLinesOf(d: DeclarationEntity): number[] {
  const goods = (d.payload as { goods?: Array<{ lineNo: number }> }).goods ?? [];
  return goods.map((g) => g.lineNo);
}

interface ClearanceRow {
  id: string;
  declarant_code: string;
  local_ref: string;
  status: DeclarationEntity['status'];
  received_at: Date;
  decided_at: Date | null;
  trace_parent: string | null;
  settled_by: DeclarationEntity['settledBy'];
  revision: number;
  direct_release: boolean | null;
  green_channel: DeclarationEntity['greenChannel'];
  exemption: DeclarationEntity['exemption'];
  reasons: DeclarationEntity['reasons'];
  declared_lines: number[] | null;
}

function clearanceState(r: ClearanceRow): ClearanceState {
  return {
    id: r.id,
    declarantCode: r.declarant_code,
    localRef: r.local_ref,
    status: r.status,
    receivedAt: r.received_at,
    decidedAt: r.decided_at,
    traceParent: r.trace_parent,
    settledBy: r.settled_by,
    revision: r.revision,
    directRelease: r.direct_release,
    greenChannel: r.green_channel,
    exemption: r.exemption,
    reasons: r.reasons,
    declaredLines: r.declared_lines ?? [],
  };
}

/**
 * The clearance columns, and the accepted line numbers read from the payload inside Postgres. A stored
 * payload that is not a validated declaration (a rejected submission is kept raw, and a decision may name
 * one) must not fail the statement, which would hold up the whole batch: whatever is not an array of
 * objects with a whole lineNo counts as no line.
 */
const CLEARANCE_COLUMNS = `d.id, d.declarant_code, d.local_ref, d.status, d.received_at, d.decided_at, d.trace_parent,
  d.settled_by, d.revision, d.direct_release, d.green_channel, d.exemption, d.reasons,
  ARRAY(SELECT (g->>'lineNo')::int
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d.payload->'goods') = 'array'
                                         THEN d.payload->'goods' ELSE '[]'::jsonb END) AS g
         WHERE g->>'lineNo' ~ '^[0-9]{1,9}$') AS declared_lines`;

export interface InspectionResultInput {
  kind: InspectionResultRecorded['kind'];
  lines: Array<{ lineNo: number; outcome: 'PASS' | 'FAIL'; findings?: string[] }>;
}

export type Decision =
  | { kind: 'green'; data: GreenChannelDecided }
  | { kind: 'exemption'; data: ExemptionDecided };

/**
 * Owns the clearance status: records the decisions of green-channel and exemption, decides once both
 * are in (or the timeout passed), and applies inspection results as new revisions. Changes are gathered
 * in a ClearanceWork and written set-based, so a Kafka batch of decisions costs a handful of statements.
 */
@Injectable()
export class ClearanceService {
  private readonly logger = new Logger('ClearanceService');

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(INTAKE_CONFIG) private readonly config: Pick<IntakeConfig, 'DB_SCHEMA'>,
  ) {}

  private work(): ClearanceWork {
    return new ClearanceWork(this.config.DB_SCHEMA, this.outbox);
  }

  /**
   * Locks the declarations (in id order, so concurrent batches cannot deadlock on each other). One raw
   * statement on the decision path: the clearance columns only, not the payload.
   */
  private async lockMany(manager: EntityManager, ids: string[]): Promise<Map<string, ClearanceState>> {
    const rows = (await manager.query(
      `SELECT ${CLEARANCE_COLUMNS} FROM "${this.config.DB_SCHEMA}"."declarations" d
        WHERE d.id = ANY($1::uuid[]) ORDER BY d.id FOR UPDATE`,
      [[...new Set(ids)]],
    )) as ClearanceRow[];
    return new Map(rows.map((r) => [r.id, clearanceState(r)]));
  }

  /** The whole entity, locked, with its line numbers (an operator's request, which answers with it). */
  private async lockEntity(
    manager: EntityManager,
    id: string,
  ): Promise<(DeclarationEntity & ClearanceState) | null> {
    const d = await manager
      .getRepository(DeclarationEntity)
      .createQueryBuilder('d')
      .where('d.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
    return d ? Object.assign(d, { declaredLines: declaredLinesOf(d) }) : null;
  }

  async onGreenChannel(manager: EntityManager, data: GreenChannelDecided): Promise<void> {
    await this.onDecisions(manager, [{ kind: 'green', data }]);
  }

  async onExemption(manager: EntityManager, data: ExemptionDecided): Promise<void> {
    await this.onDecisions(manager, [{ kind: 'exemption', data }]);
  }

  /**
   * Decisions in arrival order, in the caller's transaction. With a transaction scope (the Kafka handlers
   * of both decision topics, joined), they are gathered and applied once before the commit: one lock of
   * every declaration in id order and one write, however many topics and partitions they came from.
   */
  async onDecisions(
    manager: EntityManager,
    decisions: readonly Decision[],
    scope?: TransactionScope,
  ): Promise<void> {
    if (!decisions.length) return;
    if (!scope) return this.applyDecisions(manager, decisions);
    const gathered = scope.shared(ClearanceService, () => {
      const all: Decision[] = [];
      scope.beforeCommit(() => this.applyDecisions(manager, all));
      return all;
    });
    gathered.push(...decisions);
  }

  private async applyDecisions(manager: EntityManager, decisions: readonly Decision[]): Promise<void> {
    if (!decisions.length) return;
    const found = await this.lockMany(
      manager,
      decisions.map((x) => x.data.declarationId),
    );
    const work = this.work();
    for (const x of decisions) {
      const d = found.get(x.data.declarationId);
      // Decisions only ever follow an accepted declaration; an unknown id will not appear by retrying.
      if (!d)
        throw new NonRetryableError(
          'UNKNOWN_DECLARATION',
          `${x.kind === 'green' ? 'green-channel' : 'exemption'} decision for unknown declaration ${x.data.declarationId}`,
        );
      if (x.kind === 'green') {
        const g = x.data;
        const summary = `Green-channel decision: lane ${g.lane}${g.hardStop ? ' (hard stop)' : ''}${g.randomlySelected ? ' (randomly selected)' : ''}`;
        this.onDecision(work, d, 'GREEN_CHANNEL_DECIDED', summary, { ...g }, () => (d.greenChannel = g));
      } else {
        const e = x.data;
        const exemptLines = e.lines.filter((l) => l.exempt).length;
        const summary = `Exemption decision: ${e.exempt ? 'every line exempt' : `${exemptLines} of ${e.lines.length} line(s) exempt`}`;
        this.onDecision(work, d, 'EXEMPTION_DECIDED', summary, { ...e }, () => (d.exemption = e));
      }
    }
    await work.flush(manager);
  }

  async onOrigin(manager: EntityManager, data: OriginDecided): Promise<void> {
    const d = (await this.lockMany(manager, [data.declarationId])).get(data.declarationId);
    if (!d)
      throw new NonRetryableError(
        'UNKNOWN_DECLARATION',
        `origin decision for unknown declaration ${data.declarationId}`,
      );
    const work = this.work();
    const cert = data.certificate ? ` certificate ${data.certificate.number}` : '';
    work.timeline(d.id, 'ORIGIN_DECIDED', `Origin: ${data.outcome}${cert}`, { ...data });
    await work.flush(manager);
  }

  private onDecision(
    work: ClearanceWork,
    d: ClearanceState,
    kind: string,
    summary: string,
    detail: Record<string, unknown>,
    apply: () => void,
  ): void {
    const late = d.status !== 'AWAITING_DECISIONS';
    apply();
    work.touch(d);
    if (late) {
      // A late decision is kept for the record and may only make the outcome stricter, never looser.
      work.timeline(d.id, `LATE_${kind}`, `${summary}, received after the outcome ${d.status}`, detail);
      const stricter = reviseOnLateDecision({
        status: d.status as Exclude<DeclarationEntity['status'], 'AWAITING_DECISIONS'>,
        settledByInspection: d.settledBy === 'INSPECTION',
        greenChannel: d.greenChannel ?? undefined,
        exemption: d.exemption ?? undefined,
        declaredLines: d.declaredLines,
      });
      this.logger.warn({
        msg: `late ${kind} for declaration ${d.id} (status ${d.status}) recorded${stricter ? `; outcome made stricter: ${stricter.outcome}` : ''}`,
        declarationId: d.id,
      });
      if (stricter) this.conclude(work, d, stricter, 'LATE_DECISION');
      return;
    }
    work.timeline(d.id, kind, summary, detail);
    const decision = decideClearance({
      greenChannel: d.greenChannel ?? undefined,
      exemption: d.exemption ?? undefined,
      timedOut: false,
      declaredLines: d.declaredLines,
    });
    if (decision) this.conclude(work, d, decision, 'DECISIONS');
  }

  /**
   * Decides every declaration whose decision deadline has passed (up to `limit`), in one transaction.
   * Rows locked by a concurrent decision or another sweeper are skipped, not waited for. Each decision
   * continues the trace of its submission. Returns how many were decided.
   */
  async decideDue(limit = 200): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = (
        (await manager.query(
          `SELECT ${CLEARANCE_COLUMNS} FROM "${this.config.DB_SCHEMA}"."declarations" d
          WHERE d.status = 'AWAITING_DECISIONS' AND d.decision_due_at <= now()
          ORDER BY d.decision_due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        )) as ClearanceRow[]
      ).map(clearanceState);
      const work = this.work();
      for (const d of due) {
        runWithTrace(traceFromParent(d.traceParent ?? undefined, d.id), () => this.timeOut(work, d));
      }
      await work.flush(manager);
      return due.length;
    });
  }

  private timeOut(work: ClearanceWork, d: ClearanceState): void {
    const decision = decideClearance({
      greenChannel: d.greenChannel ?? undefined,
      exemption: d.exemption ?? undefined,
      timedOut: true,
      declaredLines: d.declaredLines,
    })!;
    work.timeline(d.id, 'DECISION_TIMEOUT', `Decision timeout: ${decision.reasons[0].message}`, null);
    this.conclude(work, d, decision, 'TIMEOUT');
    this.logger.warn({
      msg: `declaration ${d.id} timed out waiting for decisions: ${decision.outcome}`,
      declarationId: d.id,
    });
  }

  private conclude(
    work: ClearanceWork,
    d: ClearanceState,
    decision: Pick<ClearanceDecision, 'directRelease' | 'reasons' | 'basis'> & {
      outcome: ClearanceDecision['outcome'] | 'REFUSED';
    },
    settledBy: NonNullable<DeclarationEntity['settledBy']>,
  ): void {
    const now = new Date();
    const revision = d.revision + 1;
    d.status = decision.outcome;
    d.revision = revision;
    d.decidedAt = now;
    d.directRelease = decision.directRelease;
    d.reasons = decision.reasons;
    d.settledBy = settledBy;
    work.touch(d);
    const elapsedMs = Math.max(0, now.getTime() - d.receivedAt.getTime());
    work.timeline(
      d.id,
      'CLEARANCE_DECIDED',
      `Clearance ${decision.outcome} (revision ${revision})${decision.directRelease ? ', direct release' : ''}`,
      { outcome: decision.outcome, revision, reasons: decision.reasons, elapsedMs },
      now,
    );
    // The event continues the trace of the work that decided it, or else the submission's own trace.
    const trace = currentTrace() ?? traceFromParent(d.traceParent ?? undefined, d.id);
    work.publish(
      runWithTrace(trace, () =>
        this.outbox.prepare(Topics.ClearanceDecidedV1, {
          subject: d.id,
          data: {
            declarationId: d.id,
            decidedAt: now.toISOString(),
            rulesetVersion: CLEARANCE_RULESET,
            reasons: decision.reasons,
            localRef: d.localRef,
            declarantCode: d.declarantCode,
            outcome: decision.outcome,
            directRelease: decision.directRelease,
            revision,
            basis: decision.basis,
            elapsedMs,
          },
        }),
      ),
    );
    this.logger.log({
      msg: `declaration ${d.id} cleared ${decision.outcome} (revision ${revision}) after ${elapsedMs} ms`,
      declarationId: d.id,
    });
  }

  /** An operator's inspection result: result.recorded.v1 and a new clearance revision, in one transaction. */
  async recordInspectionResult(
    declarationId: string,
    input: InspectionResultInput,
    recordedBy: string,
  ): Promise<DeclarationEntity> {
    return this.dataSource.transaction(async (manager) => {
      const d = await this.lockEntity(manager, declarationId);
      if (!d) throw new ProblemException(404, 'NOT_FOUND', 'Declaration not found');
      const lines = await manager
        .getRepository(DeclarationLineEntity)
        .find({ where: { declarationId }, order: { lineNo: 'ASC' } });
      const result = applyInspectionResult(
        d.status,
        lines.map((l) => l.lineNo),
        input.lines,
        input.kind,
      );
      if (!result.ok) {
        // A state the result cannot change (already decided, or needs a physical inspection) is a
        // conflict; a result that does not fit the declaration's lines is invalid input.
        const conflict =
          result.code === 'NOT_AWAITING_INSPECTION' || result.code === 'RESULT_KIND_INSUFFICIENT';
        throw new ProblemException(conflict ? 409 : 422, result.code, result.message, result.message, {
          errors:
            result.code === 'NOT_AWAITING_INSPECTION'
              ? []
              : [
                  {
                    pointer: '/lines',
                    code: result.code,
                    message: result.message,
                    messageZh: result.messageZh,
                  },
                ],
        });
      }
      const hsByLine = new Map(lines.map((l) => [l.lineNo, l.hsCode]));
      const recordedAt = new Date();
      const work = this.work();
      await this.outbox.publish(manager, Topics.InspectionResultRecordedV1, {
        subject: d.id,
        data: {
          declarationId: d.id,
          enterpriseCode: d.declarantCode,
          kind: input.kind,
          recordedBy,
          recordedAt: recordedAt.toISOString(),
          lines: input.lines.map((l) => ({
            lineNo: l.lineNo,
            hsCode: hsByLine.get(l.lineNo)!,
            outcome: l.outcome,
            findings: l.findings ?? [],
          })),
        },
      });
      work.timeline(
        d.id,
        'INSPECTION_RESULT',
        `${input.kind} inspection by ${recordedBy}: ${result.outcome === 'RELEASED' ? 'all lines passed' : 'failed'}`,
        { ...input },
        recordedAt,
      );
      const gc = d.greenChannel ?? undefined;
      const ex = d.exemption ?? undefined;
      this.conclude(
        work,
        d,
        {
          outcome: result.outcome,
          directRelease: isDirectRelease(result.outcome, gc, ex, d.declaredLines),
          reasons: result.reasons,
          basis: {
            lane: gc?.lane ?? null,
            exempt: ex ? exemptionCoverage(ex, d.declaredLines) === 'ALL_EXEMPT' : null,
          },
        },
        'INSPECTION',
      );
      await work.flush(manager);
      return d;
    });
  }
}
