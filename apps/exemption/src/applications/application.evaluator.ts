import {
  type ApplicationEvaluation,
  type Certification,
  evaluateApplication,
  type ExemptionRules,
  type InspectionRecord,
  minusYears,
  type QualityDispute,
} from '@cic/exemption-domain';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EXEMPTION_CONFIG, EXEMPTION_RULES, type ExemptionConfig } from '../config';
import { queryRows } from '../common/sql';

/**
 * Evaluates an application on the evidence this service holds: inspection results learnt from
 * inspection.result.recorded.v1, and the certificates and quality disputes recorded through the API.
 */
@Injectable()
export class ApplicationEvaluator {
  private readonly schema: string;

  constructor(
    @Inject(EXEMPTION_CONFIG) config: Pick<ExemptionConfig, 'DB_SCHEMA'>,
    @Inject(EXEMPTION_RULES) readonly rules: ExemptionRules,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  async evaluate(
    m: Pick<EntityManager, 'query'>,
    enterpriseCode: string,
    productScope: readonly string[],
    asOf: string,
  ): Promise<ApplicationEvaluation> {
    const s = this.schema;
    const windowStart = minusYears(asOf, this.rules.cleanHistoryYears);
    // Results of the scope after the window start, also those after asOf (a late FAIL must not hide).
    const results = await queryRows<InspectionRecord>(
      m,
      `SELECT to_char(result_date, 'YYYY-MM-DD') AS date, hs_code AS "hsCode", outcome
         FROM "${s}"."inspection_results"
        WHERE enterprise_code = $1 AND result_date > $2::date AND hs_code LIKE ANY($3::text[])`,
      [enterpriseCode, windowStart, productScope.map((p) => `${p}%`)],
    );
    const certifications = await queryRows<Certification>(
      m,
      `SELECT standard, number, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_until, 'YYYY-MM-DD') AS "validUntil"
         FROM "${s}"."certificates" WHERE enterprise_code = $1 ORDER BY valid_until DESC, number`,
      [enterpriseCode],
    );
    const disputes = (
      await queryRows<{ date: string; hs_code: string | null; reference: string }>(
        m,
        `SELECT to_char(occurred_on, 'YYYY-MM-DD') AS date, hs_code, reference
           FROM "${s}"."quality_disputes" WHERE enterprise_code = $1 ORDER BY occurred_on, reference`,
        [enterpriseCode],
      )
    ).map(
      (d): QualityDispute => ({
        date: d.date,
        reference: d.reference,
        ...(d.hs_code ? { hsCode: d.hs_code } : {}),
      }),
    );
    return evaluateApplication(
      { enterpriseCode, productScope, certifications, results, disputes, asOf },
      this.rules,
    );
  }
}
