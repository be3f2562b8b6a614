import {
  type ApprovalAction,
  type ApprovalEvaluation,
  approvalTransition,
  DEFAULT_RULES,
  evaluateApproval,
  type GreenChannelRules,
} from '@cic/green-channel-domain';
import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import type { Actor } from '../reference/reference.sql';
import { type ApprovalEventView, type ApprovalState, ApprovalStore } from './approval.store';
import { loadEnterprise } from './enterprise-profile.loader';
import { officeToday } from './office-date';

/** The rules the approval criteria use (DEFAULT_RULES when the module provides none). */
export const GREEN_CHANNEL_RULES = Symbol('GREEN_CHANNEL_RULES');
/** `() => Date` giving now (the system clock when the module provides none); for tests. */
export const GREEN_CHANNEL_CLOCK = Symbol('GREEN_CHANNEL_CLOCK');

export interface GreenChannelView {
  enterpriseCode: string;
  status: ApprovalState['status'];
  since: string | null;
  version: number;
  qualifiesToday: boolean;
  asOf: string;
  rulesetVersion: string;
  criteria: ApprovalEvaluation['criteria'];
}

const TARGET: Record<'APPROVE' | 'SUSPEND' | 'REINSTATE', string> = {
  APPROVE: 'APPROVED',
  SUSPEND: 'SUSPENDED',
  REINSTATE: 'APPROVED',
};

/** Green-channel approval of an enterprise: does it qualify today, and approve / suspend / reinstate. */
@Injectable()
export class ApprovalService {
  private readonly schema: string;
  private readonly timeZone: string;
  private readonly rules: GreenChannelRules;

  constructor(
    private readonly db: DataSource,
    private readonly store: ApprovalStore,
    @Inject(GREEN_CHANNEL_CONFIG) config: Pick<GreenChannelConfig, 'DB_SCHEMA' | 'OFFICE_TIME_ZONE'>,
    @Optional() @Inject(GREEN_CHANNEL_RULES) rules?: GreenChannelRules,
    @Optional() @Inject(GREEN_CHANNEL_CLOCK) private readonly clock: () => Date = () => new Date(),
  ) {
    this.schema = config.DB_SCHEMA;
    this.timeZone = config.OFFICE_TIME_ZONE;
    this.rules = rules ?? DEFAULT_RULES;
  }

  /** Status and today's evaluation; 404 when the enterprise is not on file. */
  async view(code: string): Promise<GreenChannelView> {
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const evaluation = await this.evaluate(m, code);
      const state = await this.store.state(m, code);
      return this.toView(code, state, evaluation);
    });
  }

  approve(code: string, actor: Actor): Promise<GreenChannelView> {
    return this.act(code, 'APPROVE', actor, {
      reasonCode: 'QUALIFIES',
      reason: 'approved: every criterion met',
    });
  }

  suspend(code: string, reason: string, actor: Actor): Promise<GreenChannelView> {
    return this.act(code, 'SUSPEND', actor, { reasonCode: 'MANUAL', reason });
  }

  reinstate(code: string, actor: Actor): Promise<GreenChannelView> {
    return this.act(code, 'REINSTATE', actor, {
      reasonCode: 'QUALIFIES',
      reason: 'reinstated: every criterion met',
    });
  }

  async timeline(
    code: string,
    page: { limit: number; afterId: string },
  ): Promise<{ items: ApprovalEventView[]; nextCursor: string | null }> {
    const [known] = await this.db.query(`SELECT 1 FROM "${this.schema}"."enterprises" WHERE "code" = $1`, [
      code,
    ]);
    if (!known)
      throw new ProblemException(404, 'NOT_FOUND', 'Not found', `enterprise ${code} is not on file`);
    return this.store.timeline(this.db, code, page);
  }

  private async act(
    code: string,
    action: 'APPROVE' | 'SUSPEND' | 'REINSTATE',
    actor: Actor,
    why: { reasonCode: string; reason: string },
  ): Promise<GreenChannelView> {
    return this.db.transaction(async (m) => {
      // Lock the approval first, then read the enterprise and its history the lock protects decisions on.
      const before = await this.lockedState(m, code);
      const evaluation = await this.evaluate(m, code);
      const result = approvalTransition(before.status, action, evaluation.qualifies);
      if (!result.ok) {
        const failed = evaluation.criteria.filter((c) => !c.met);
        if (result.error.code === 'NOT_QUALIFIED')
          throw new ProblemException(
            409,
            'NOT_QUALIFIED',
            'The enterprise does not qualify for the green channel today',
            `${action} needs every criterion met on ${evaluation.asOf}; failed: ${failed.map((c) => c.id).join(', ')}`,
            {
              currentStatus: before.status,
              wantedStatus: TARGET[action],
              asOf: evaluation.asOf,
              failedCriteria: failed,
            },
          );
        throw new ProblemException(
          409,
          'ILLEGAL_TRANSITION',
          'Not possible from the current status',
          `cannot ${action.toLowerCase()} from ${before.status} to ${TARGET[action]}: ${result.error.message}`,
          { currentStatus: before.status, wantedStatus: TARGET[action], action },
        );
      }
      await this.store.transition(m, {
        enterpriseCode: code,
        action: action as ApprovalAction,
        from: before.status,
        to: result.state,
        reasonCode: why.reasonCode,
        reason: why.reason,
        actor: actor.name,
        evidence: {
          keyId: actor.keyId,
          asOf: evaluation.asOf,
          rulesetVersion: evaluation.rulesetVersion,
          qualifies: evaluation.qualifies,
          criteria: evaluation.criteria.map((c) => ({ id: c.id, met: c.met, evidence: c.evidence })),
        },
      });
      return this.toView(code, await this.store.state(m, code), evaluation);
    });
  }

  private async lockedState(m: EntityManager, code: string): Promise<ApprovalState> {
    // The enterprise must be on file before an approval row is made for it.
    const [known] = await m.query(
      `SELECT 1 FROM "${this.schema}"."enterprises" WHERE "code" = $1 FOR SHARE`,
      [code],
    );
    if (!known)
      throw new ProblemException(404, 'NOT_FOUND', 'Not found', `enterprise ${code} is not on file`);
    return this.store.state(m, code, true);
  }

  private async evaluate(m: Pick<EntityManager, 'query'>, code: string): Promise<ApprovalEvaluation> {
    const loaded = await loadEnterprise(m, this.schema, code);
    if (!loaded)
      throw new ProblemException(404, 'NOT_FOUND', 'Not found', `enterprise ${code} is not on file`);
    return evaluateApproval(
      loaded.profile,
      loaded.record,
      officeToday(this.timeZone, this.clock()),
      this.rules,
    );
  }

  private toView(code: string, state: ApprovalState, evaluation: ApprovalEvaluation): GreenChannelView {
    return {
      enterpriseCode: code,
      status: state.status,
      since: state.since,
      version: state.version,
      qualifiesToday: evaluation.qualifies,
      asOf: evaluation.asOf,
      rulesetVersion: evaluation.rulesetVersion,
      criteria: evaluation.criteria,
    };
  }
}
