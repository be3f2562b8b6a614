import { randomUUID } from 'node:crypto';
import type { ApplicationEvaluation } from '@cic/exemption-domain';
import { toOfficeDate } from '@cic/exemption-domain';
import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../common/schemas';
import { queryRows } from '../common/sql';
import { EXEMPTION_CLOCK, EXEMPTION_CONFIG, type ExemptionConfig } from '../config';
import { ApplicationEvaluator } from './application.evaluator';

export interface ApplicationView extends ApplicationEvaluation {
  id: string;
  enterpriseCode: string;
  productScope: string[];
  submittedBy: string;
  submittedAt: string;
  /** The grant made from this application, if any. */
  grantId: string | null;
}

interface ApplicationRow {
  id: string;
  enterprise_code: string;
  product_scope: string[];
  evaluation: ApplicationEvaluation;
  submitted_by: string;
  submitted_at: Date;
  grant_id: string | null;
}

const toView = (r: ApplicationRow): ApplicationView => ({
  id: r.id,
  enterpriseCode: r.enterprise_code,
  productScope: r.product_scope,
  ...r.evaluation,
  submittedBy: r.submitted_by,
  submittedAt: r.submitted_at.toISOString(),
  grantId: r.grant_id,
});

/** Applications for an exemption: evaluated on submission (kept with their evaluation), listed, viewed. */
@Injectable()
export class ApplicationsService {
  private readonly schema: string;
  private readonly timeZone: string;

  constructor(
    private readonly db: DataSource,
    private readonly evaluator: ApplicationEvaluator,
    @Inject(EXEMPTION_CONFIG) config: Pick<ExemptionConfig, 'DB_SCHEMA' | 'OFFICE_TIME_ZONE'>,
    @Inject(EXEMPTION_CLOCK) private readonly clock: () => Date,
  ) {
    this.schema = config.DB_SCHEMA;
    this.timeZone = config.OFFICE_TIME_ZONE;
  }

  today(): string {
    return toOfficeDate(this.clock(), this.timeZone);
  }

  async submit(
    input: { enterpriseCode: string; productScope: string[] },
    actor: Actor,
  ): Promise<ApplicationView> {
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const evaluation = await this.evaluator.evaluate(
        m,
        input.enterpriseCode,
        input.productScope,
        this.today(),
      );
      const [row] = await queryRows<ApplicationRow>(
        m,
        `INSERT INTO "${this.schema}"."applications"
           (id, enterprise_code, product_scope, as_of, qualifies, ruleset_version, evaluation, submitted_by)
         VALUES ($1, $2, $3::text[], $4::date, $5, $6, $7::jsonb, $8)
         RETURNING id, enterprise_code, product_scope, evaluation, submitted_by, submitted_at, NULL::uuid AS grant_id`,
        [
          randomUUID(),
          input.enterpriseCode,
          input.productScope,
          evaluation.asOf,
          evaluation.qualifies,
          evaluation.rulesetVersion,
          JSON.stringify(evaluation),
          actor.name,
        ],
      );
      return toView(row);
    });
  }

  async get(id: string): Promise<ApplicationView> {
    const [row] = await this.select('a.id = $1', [id]);
    if (!row) throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no application ${id}`);
    return toView(row);
  }

  async list(q: { enterpriseCode?: string; limit: number; cursor?: string }) {
    const where: string[] = ['TRUE'];
    const params: unknown[] = [];
    if (q.enterpriseCode) where.push(`a.enterprise_code = $${params.push(q.enterpriseCode)}`);
    if (q.cursor) where.push(`a.id > $${params.push(q.cursor)}::uuid`);
    const rows = await this.select(where.join(' AND '), params, q.limit + 1);
    const items = rows.slice(0, q.limit).map(toView);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  private select(where: string, params: unknown[], limit = 1) {
    return queryRows<ApplicationRow>(
      this.db,
      `SELECT a.id, a.enterprise_code, a.product_scope, a.evaluation, a.submitted_by, a.submitted_at, g.id AS grant_id
         FROM "${this.schema}"."applications" a
         LEFT JOIN "${this.schema}"."grants" g ON g.application_id = a.id
        WHERE ${where} ORDER BY a.id LIMIT ${Number(limit)}`,
      params,
    );
  }
}
