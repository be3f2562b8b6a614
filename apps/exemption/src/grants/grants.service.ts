import { randomUUID } from 'node:crypto';
import type { Reason } from '@cic/contracts';
import {
  allowedGrantActions,
  type ExemptionRules,
  type GrantAction,
  grantTransition,
  grantValidUntil,
  hsChapter,
  toOfficeDate,
} from '@cic/exemption-domain';
import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ApplicationEvaluator } from '../applications/application.evaluator';
import type { Actor } from '../common/schemas';
import { isUniqueViolation, queryRows } from '../common/sql';
import { EXEMPTION_CLOCK, EXEMPTION_CONFIG, EXEMPTION_RULES, type ExemptionConfig } from '../config';
import { type GrantChangeItem, type GrantRecord, GrantStore } from './grant.store';

export type CreateGrantInput =
  | { applicationId: string; approvalReference: string; validFrom?: string }
  | { enterpriseCode: string; productScope: string[]; approvalReference: string; validFrom?: string };

export type GrantView = GrantRecord & { allowedActions: GrantAction[] };

const TARGET: Record<GrantAction, string> = {
  SUSPEND: 'SUSPENDED',
  REINSTATE: 'ACTIVE',
  REVOKE: 'REVOKED',
  EXPIRE: 'EXPIRED',
};

const view = (g: GrantRecord): GrantView => ({ ...g, allowedActions: allowedGrantActions(g.status) });

/** Grants over HTTP: create (from a qualifying application or by an admin), list, view, change status. */
@Injectable()
export class GrantsService {
  private readonly schema: string;
  private readonly timeZone: string;

  constructor(
    private readonly db: DataSource,
    private readonly store: GrantStore,
    private readonly evaluator: ApplicationEvaluator,
    @Inject(EXEMPTION_CONFIG) config: Pick<ExemptionConfig, 'DB_SCHEMA' | 'OFFICE_TIME_ZONE'>,
    @Inject(EXEMPTION_RULES) private readonly rules: ExemptionRules,
    @Inject(EXEMPTION_CLOCK) private readonly clock: () => Date,
  ) {
    this.schema = config.DB_SCHEMA;
    this.timeZone = config.OFFICE_TIME_ZONE;
  }

  async create(input: CreateGrantInput, actor: Actor): Promise<GrantView> {
    try {
      return await this.db.transaction(async (m) => {
        await this.refuseKnownReference(m, input.approvalReference);
        const now = this.clock();
        const today = toOfficeDate(now, this.timeZone);
        const { enterpriseCode, productScope, applicationId, evidence } =
          'applicationId' in input
            ? await this.fromApplication(m, input.applicationId, today)
            : this.byAdmin(input);
        const validFrom = input.validFrom ?? today;
        const grant = await this.store.create(
          m,
          {
            id: randomUUID(),
            enterpriseCode,
            productScope,
            validFrom,
            validUntil: grantValidUntil(validFrom, this.rules),
            approvalReference: input.approvalReference,
            applicationId,
            actor: actor.name,
            evidence: { keyId: actor.keyId, rulesetVersion: this.rules.version, ...evidence },
          },
          now,
        );
        return view(grant);
      });
    } catch (error) {
      // Two requests with one reference (or one application) at once: the unique index decides.
      if (isUniqueViolation(error, 'UQ_grants_approval_reference'))
        await this.refuseKnownReference(this.db, input.approvalReference);
      if (isUniqueViolation(error, 'UQ_grants_application'))
        throw this.alreadyGranted((input as { applicationId: string }).applicationId);
      throw error;
    }
  }

  async get(id: string) {
    const [grant] = await this.store.find(this.db, 'g.id = $1', [id]);
    if (!grant) throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no grant ${id}`);
    return { ...view(grant), history: await this.store.events(this.db, id) };
  }

  async list(q: {
    enterpriseCode?: string;
    status?: string;
    approvalReference?: string;
    limit: number;
    cursor?: string;
  }) {
    const where: string[] = ['TRUE'];
    const params: unknown[] = [];
    if (q.enterpriseCode) where.push(`g.enterprise_code = $${params.push(q.enterpriseCode)}`);
    if (q.status) where.push(`g.status = $${params.push(q.status)}`);
    if (q.approvalReference) where.push(`g.approval_reference = $${params.push(q.approvalReference)}`);
    if (q.cursor) where.push(`g.id > $${params.push(q.cursor)}::uuid`);
    const rows = await this.store.find(this.db, where.join(' AND '), params, { limit: q.limit + 1 });
    const items = rows.slice(0, q.limit).map(view);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  /** SUSPEND, REINSTATE or REVOKE by an admin; 409 ILLEGAL_TRANSITION names the current and wanted status. */
  async act(id: string, action: Exclude<GrantAction, 'EXPIRE'>, reasonText: string, actor: Actor) {
    return this.db.transaction(async (m) => {
      const [before] = await this.store.find(m, 'g.id = $1', [id], { lock: true });
      if (!before) throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no grant ${id}`);
      const t = grantTransition(before.status, action);
      if (!t.ok)
        throw new ProblemException(
          409,
          'ILLEGAL_TRANSITION',
          'Not possible from the current status',
          `cannot ${action.toLowerCase()} grant ${id}: it is ${before.status}, and ${before.status} -> ${TARGET[action]} is not allowed (${
            t.error.allowedActions.length
              ? `allowed: ${t.error.allowedActions.join(', ')}`
              : `${before.status} is final`
          })`,
          {
            currentStatus: before.status,
            wantedStatus: TARGET[action],
            action,
            allowedActions: t.error.allowedActions,
            messageZh: t.error.messageZh,
          },
        );
      const reason: Reason = {
        code: `MANUAL_${action}`,
        message: reasonText,
        messageZh: reasonText,
      };
      const [after] = await this.store.apply(
        m,
        [
          {
            before,
            change: t.change as GrantChangeItem['change'],
            to: t.state,
            reason,
            actor: actor.name,
            evidence: { keyId: actor.keyId },
          },
        ],
        this.clock(),
      );
      return { ...view(after), history: await this.store.events(m, id) };
    });
  }

  private async fromApplication(m: EntityManager, applicationId: string, today: string) {
    const [app] = await queryRows<{
      enterprise_code: string;
      product_scope: string[];
      granted: string | null;
    }>(
      m,
      `SELECT a.enterprise_code, a.product_scope, g.id AS granted
         FROM "${this.schema}"."applications" a LEFT JOIN "${this.schema}"."grants" g ON g.application_id = a.id
        WHERE a.id = $1 FOR UPDATE OF a`,
      [applicationId],
    );
    if (!app) throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no application ${applicationId}`);
    if (app.granted) throw this.alreadyGranted(applicationId, app.granted);
    // Evaluated again today: evidence may have changed since the application (a FAIL, a lapsed certificate).
    const evaluation = await this.evaluator.evaluate(m, app.enterprise_code, app.product_scope, today);
    if (!evaluation.qualifies) {
      const failed = evaluation.conditions.filter((c) => !c.met);
      throw new ProblemException(
        409,
        'NOT_QUALIFIED',
        'The application does not qualify today',
        `application ${applicationId} fails on ${evaluation.asOf}: ${failed.map((c) => c.id).join(', ')}`,
        { asOf: evaluation.asOf, rulesetVersion: evaluation.rulesetVersion, failedConditions: failed },
      );
    }
    return {
      enterpriseCode: app.enterprise_code,
      productScope: app.product_scope,
      applicationId,
      evidence: { applicationId, evaluatedOn: evaluation.asOf },
    };
  }

  private byAdmin(input: { enterpriseCode: string; productScope: string[] }) {
    // Goods of HS chapters 01-24 are never exemptible (Decree 23 of 2002): no grant may name them.
    const errors = input.productScope.flatMap((p, i) =>
      this.rules.nonExemptibleChapters.includes(hsChapter(p))
        ? [
            {
              pointer: `/productScope/${i}`,
              code: 'NON_EXEMPTIBLE_CHAPTER',
              message: `HS chapter ${hsChapter(p)} (food, live animals, plants and their products) is never exempt`,
              messageZh: `HS第${hsChapter(p)}章（食品、活动物、植物及其产品）不予免验`,
            },
          ]
        : [],
    );
    if (errors.length)
      throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', undefined, { errors });
    return {
      enterpriseCode: input.enterpriseCode,
      productScope: input.productScope,
      applicationId: null,
      evidence: { grantedBy: 'admin' },
    };
  }

  private async refuseKnownReference(m: Pick<EntityManager, 'query'>, reference: string): Promise<void> {
    const [known] = await queryRows<{ id: string }>(
      m,
      `SELECT id FROM "${this.schema}"."grants" WHERE approval_reference = $1`,
      [reference],
    );
    if (known)
      throw new ProblemException(
        409,
        'DUPLICATE_APPROVAL_REFERENCE',
        'A grant with this approval reference exists',
        `approval reference ${reference} is grant ${known.id}`,
        { grantId: known.id },
      );
  }

  private alreadyGranted(applicationId: string, grantId?: string) {
    return new ProblemException(
      409,
      'ALREADY_GRANTED',
      'The application already has a grant',
      `application ${applicationId} was granted${grantId ? ` as ${grantId}` : ''}`,
      grantId ? { grantId } : {},
    );
  }
}
