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
import { NonRetryableError, OutboxWriter } from '@cic/platform-messaging';
import { runWithTrace, traceFromParent } from '@cic/platform-observability';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DeclarationEntity, DeclarationLineEntity } from '../entities';
import { ProblemException } from '../http/problem';
import { addTimeline } from './timeline';

/** The line numbers the declaration was accepted with (its validated payload). */
function declaredLines(d: DeclarationEntity): number[] {
  const goods = (d.payload as { goods?: Array<{ lineNo: number }> }).goods ?? [];
  return goods.map((g) => g.lineNo);
}

export interface InspectionResultInput {
  kind: InspectionResultRecorded['kind'];
  lines: Array<{ lineNo: number; outcome: 'PASS' | 'FAIL'; findings?: string[] }>;
}

/**
 * Owns the clearance status: records the decisions of green-channel and exemption, decides once both
 * are in (or the timeout passed), and applies inspection results as new revisions.
 */
@Injectable()
export class ClearanceService {
  private readonly logger = new Logger('ClearanceService');

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  private async lock(manager: EntityManager, id: string): Promise<DeclarationEntity | null> {
    return manager
      .getRepository(DeclarationEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  private async lockOrFail(manager: EntityManager, id: string, what: string): Promise<DeclarationEntity> {
    const d = await this.lock(manager, id);
    // Decisions only ever follow an accepted declaration; an unknown id is not going to appear by retrying.
    if (!d) throw new NonRetryableError('UNKNOWN_DECLARATION', `${what} for unknown declaration ${id}`);
    return d;
  }

  async onGreenChannel(manager: EntityManager, data: GreenChannelDecided): Promise<void> {
    const d = await this.lockOrFail(manager, data.declarationId, 'green-channel decision');
    const summary = `Green-channel decision: lane ${data.lane}${data.hardStop ? ' (hard stop)' : ''}${data.randomlySelected ? ' (randomly selected)' : ''}`;
    await this.onDecision(
      manager,
      d,
      'GREEN_CHANNEL_DECIDED',
      summary,
      { ...data },
      () => (d.greenChannel = data),
    );
  }

  async onExemption(manager: EntityManager, data: ExemptionDecided): Promise<void> {
    const d = await this.lockOrFail(manager, data.declarationId, 'exemption decision');
    const exemptLines = data.lines.filter((l) => l.exempt).length;
    const summary = `Exemption decision: ${data.exempt ? 'every line exempt' : `${exemptLines} of ${data.lines.length} line(s) exempt`}`;
    await this.onDecision(manager, d, 'EXEMPTION_DECIDED', summary, { ...data }, () => (d.exemption = data));
  }

  async onOrigin(manager: EntityManager, data: OriginDecided): Promise<void> {
    const d = await this.lockOrFail(manager, data.declarationId, 'origin decision');
    const cert = data.certificate ? ` certificate ${data.certificate.number}` : '';
    await addTimeline(manager, d.id, 'ORIGIN_DECIDED', `Origin: ${data.outcome}${cert}`, { ...data });
  }

  private async onDecision(
    manager: EntityManager,
    d: DeclarationEntity,
    kind: string,
    summary: string,
    detail: Record<string, unknown>,
    apply: () => void,
  ): Promise<void> {
    const late = d.status !== 'AWAITING_DECISIONS';
    apply();
    await manager
      .getRepository(DeclarationEntity)
      .update(d.id, { greenChannel: d.greenChannel, exemption: d.exemption });
    if (late) {
      // A late decision is kept for the record and may only make the outcome stricter, never looser.
      await addTimeline(
        manager,
        d.id,
        `LATE_${kind}`,
        `${summary}, received after the outcome ${d.status}`,
        detail,
      );
      const stricter = reviseOnLateDecision({
        status: d.status as Exclude<DeclarationEntity['status'], 'AWAITING_DECISIONS'>,
        settledByInspection: d.settledBy === 'INSPECTION',
        greenChannel: d.greenChannel ?? undefined,
        exemption: d.exemption ?? undefined,
        declaredLines: declaredLines(d),
      });
      this.logger.warn({
        msg: `late ${kind} for declaration ${d.id} (status ${d.status}) recorded${stricter ? `; outcome made stricter: ${stricter.outcome}` : ''}`,
        declarationId: d.id,
      });
      if (stricter) await this.conclude(manager, d, stricter, 'LATE_DECISION');
      return;
    }
    await addTimeline(manager, d.id, kind, summary, detail);
    const decision = decideClearance({
      greenChannel: d.greenChannel ?? undefined,
      exemption: d.exemption ?? undefined,
      timedOut: false,
      declaredLines: declaredLines(d),
    });
    if (decision) await this.conclude(manager, d, decision, 'DECISIONS');
  }

  /**
   * Decides every declaration whose decision deadline has passed (up to `limit`), in one transaction.
   * Rows locked by a concurrent decision or another sweeper are skipped, not waited for. Each decision
   * continues the trace of its submission. Returns how many were decided.
   */
  async decideDue(limit = 200): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await manager
        .getRepository(DeclarationEntity)
        .createQueryBuilder('d')
        .where('d.status = :status', { status: 'AWAITING_DECISIONS' })
        .andWhere('d.decision_due_at <= now()')
        .orderBy('d.decision_due_at', 'ASC')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const d of due) {
        await runWithTrace(traceFromParent(d.traceParent ?? undefined, d.id), () => this.timeOut(manager, d));
      }
      return due.length;
    });
  }

  private async timeOut(manager: EntityManager, d: DeclarationEntity): Promise<void> {
    const decision = decideClearance({
      greenChannel: d.greenChannel ?? undefined,
      exemption: d.exemption ?? undefined,
      timedOut: true,
      declaredLines: declaredLines(d),
    })!;
    await addTimeline(
      manager,
      d.id,
      'DECISION_TIMEOUT',
      `Decision timeout: ${decision.reasons[0].message}`,
      null,
    );
    await this.conclude(manager, d, decision, 'TIMEOUT');
    this.logger.warn({
      msg: `declaration ${d.id} timed out waiting for decisions: ${decision.outcome}`,
      declarationId: d.id,
    });
  }

  private async conclude(
    manager: EntityManager,
    d: DeclarationEntity,
    decision: Pick<ClearanceDecision, 'directRelease' | 'reasons' | 'basis'> & {
      outcome: ClearanceDecision['outcome'] | 'REFUSED';
    },
    settledBy: NonNullable<DeclarationEntity['settledBy']>,
  ): Promise<void> {
    const now = new Date();
    const revision = d.revision + 1;
    await manager.getRepository(DeclarationEntity).update(d.id, {
      status: decision.outcome,
      revision,
      decidedAt: now,
      directRelease: decision.directRelease,
      reasons: decision.reasons,
      settledBy,
    });
    d.status = decision.outcome;
    d.revision = revision;
    d.settledBy = settledBy;
    const elapsedMs = Math.max(0, now.getTime() - d.receivedAt.getTime());
    await addTimeline(
      manager,
      d.id,
      'CLEARANCE_DECIDED',
      `Clearance ${decision.outcome} (revision ${revision})${decision.directRelease ? ', direct release' : ''}`,
      {
        outcome: decision.outcome,
        revision,
        reasons: decision.reasons,
        elapsedMs,
      },
      now,
    );
    await this.outbox.publish(manager, Topics.ClearanceDecidedV1, {
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
    });
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
      const d = await this.lock(manager, declarationId);
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
      await addTimeline(
        manager,
        d.id,
        'INSPECTION_RESULT',
        `${input.kind} inspection by ${recordedBy}: ${result.outcome === 'RELEASED' ? 'all lines passed' : 'failed'}`,
        { ...input },
        recordedAt,
      );
      const gc = d.greenChannel ?? undefined;
      const ex = d.exemption ?? undefined;
      await this.conclude(
        manager,
        d,
        {
          outcome: result.outcome,
          directRelease: isDirectRelease(result.outcome, gc, ex, declaredLines(d)),
          reasons: result.reasons,
          basis: {
            lane: gc?.lane ?? null,
            exempt: ex ? exemptionCoverage(ex, declaredLines(d)) === 'ALL_EXEMPT' : null,
          },
        },
        'INSPECTION',
      );
      return (await manager.getRepository(DeclarationEntity).findOneBy({ id: d.id }))!;
    });
  }
}
