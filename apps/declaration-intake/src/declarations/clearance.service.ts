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
  isDirectRelease,
} from '@cic/intake-domain';
import { NonRetryableError, OutboxWriter } from '@cic/platform-messaging';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager, LessThan } from 'typeorm';
import { DeclarationEntity, DeclarationLineEntity } from '../entities';
import { ProblemException } from '../http/problem';
import { addTimeline } from './timeline';

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
    if (d.status !== 'AWAITING_DECISIONS') {
      // A late decision is kept for the record; it never reopens an outcome already sent.
      await addTimeline(
        manager,
        d.id,
        `LATE_${kind}`,
        `${summary}, received after the outcome ${d.status}`,
        detail,
      );
      this.logger.warn({
        msg: `late ${kind} for declaration ${d.id} (status ${d.status}) recorded`,
        declarationId: d.id,
      });
      return;
    }
    apply();
    await manager
      .getRepository(DeclarationEntity)
      .update(d.id, { greenChannel: d.greenChannel, exemption: d.exemption });
    await addTimeline(manager, d.id, kind, summary, detail);
    const decision = decideClearance({
      greenChannel: d.greenChannel ?? undefined,
      exemption: d.exemption ?? undefined,
      timedOut: false,
    });
    if (decision) await this.conclude(manager, d, decision);
  }

  /** The decision timeout of one declaration (from its delayed job). */
  async onTimeout(declarationId: string): Promise<'decided' | 'already-decided' | 'unknown'> {
    return this.dataSource.transaction(async (manager) => {
      const d = await this.lock(manager, declarationId);
      if (!d) return 'unknown';
      if (d.status !== 'AWAITING_DECISIONS') return 'already-decided';
      const decision = decideClearance({
        greenChannel: d.greenChannel ?? undefined,
        exemption: d.exemption ?? undefined,
        timedOut: true,
      })!;
      await addTimeline(
        manager,
        d.id,
        'DECISION_TIMEOUT',
        `Decision timeout: ${decision.reasons[0].message}`,
        null,
      );
      await this.conclude(manager, d, decision);
      return 'decided';
    });
  }

  /** Declarations still awaiting decisions after the timeout (their delayed job was lost). */
  async overdue(timeoutMs: number, limit = 100): Promise<string[]> {
    const rows = await this.dataSource.getRepository(DeclarationEntity).find({
      select: { id: true },
      where: { status: 'AWAITING_DECISIONS', receivedAt: LessThan(new Date(Date.now() - timeoutMs)) },
      order: { receivedAt: 'ASC' },
      take: limit,
    });
    return rows.map((r) => r.id);
  }

  private async conclude(
    manager: EntityManager,
    d: DeclarationEntity,
    decision: Pick<ClearanceDecision, 'directRelease' | 'reasons' | 'basis'> & {
      outcome: ClearanceDecision['outcome'] | 'REFUSED';
    },
  ): Promise<void> {
    const now = new Date();
    const revision = d.revision + 1;
    await manager.getRepository(DeclarationEntity).update(d.id, {
      status: decision.outcome,
      revision,
      decidedAt: now,
      directRelease: decision.directRelease,
      reasons: decision.reasons,
    });
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
      );
      if (!result.ok) {
        throw new ProblemException(
          result.code === 'NOT_AWAITING_INSPECTION' ? 409 : 422,
          result.code,
          result.message,
          result.message,
          {
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
          },
        );
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
      await this.conclude(manager, d, {
        outcome: result.outcome,
        directRelease: isDirectRelease(result.outcome, gc, ex),
        reasons: result.reasons,
        basis: { lane: gc?.lane ?? null, exempt: ex?.exempt ?? null },
      });
      return (await manager.getRepository(DeclarationEntity).findOneBy({ id: d.id }))!;
    });
  }
}
