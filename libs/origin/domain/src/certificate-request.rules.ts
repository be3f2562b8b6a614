import type { OriginCertificateRequest } from '@cic/contracts';
import { AGREEMENT_NAMES, partiesProblem } from './agreement.rules';
import { certificateValidUntil } from './certificate-validity.rules';
import { requireIsoDate } from './iso-date';
import { assessLine, DEFAULT_PSR_TABLE, type PsrTable } from './line.rules';
import type { LineAssessment } from './line.types';
import type { BuildUpCosts, CertificateFlags, OriginReason, RvcMethod } from './origin.types';
import { DEFAULT_ORIGIN_RULES, type OriginRules, rulesetVersion } from './rules.config';

// A certificate request as a whole (DOMAIN.md "Preferential certificate of origin"): ISSUED only when
// the countries are parties, there are at most 20 items, every item is a line of the declaration, and
// every line meets its criterion; otherwise REFUSED with every reason found.

/** A goods line of the declaration the request belongs to. */
export interface DeclaredGoods {
  lineNo: number;
  hsCode: string;
  description: string;
}

export interface CertificateRequestInput {
  request: OriginCertificateRequest;
  /** Where the certificate is issued: 'CN'. */
  exporterCountry: string;
  /** The declaration's goods: each request line names one by lineNo and takes its HS code. */
  goods: readonly DeclaredGoods[];
  /** The office's local date of the decision (YYYY-MM-DD), from the caller's clock. */
  issueDate: string;
  /** RVC method for every line; default the rules' (build-down). */
  rvcMethod?: RvcMethod;
  /** Build-up costs per request line, by lineNo. */
  costs?: Readonly<Record<number, BuildUpCosts>>;
}

export interface CertificateAssessment {
  outcome: 'ISSUED' | 'REFUSED';
  agreement: OriginCertificateRequest['agreement'];
  lines: LineAssessment[];
  /** Every reason for a refusal; for an issue, one ORIGIN_CONFIRMED. */
  reasons: OriginReason[];
  /** The settings and the rule table used (ORIGIN_RULESET_VERSION;PSR_TABLE_VERSION). */
  rulesetVersion: string;
  issueDate: string;
  /** When ISSUED: the last day the certificate is valid (inclusive). */
  validUntil?: string;
  /** Carried unchanged onto the certificate (DOMAIN.md: issued retroactively, third-party invoicing,
   * back-to-back, exhibition); they do not change the decision. */
  flags: CertificateFlags;
}

export function assessCertificateRequest(
  input: CertificateRequestInput,
  rules: OriginRules = DEFAULT_ORIGIN_RULES,
  table: PsrTable = DEFAULT_PSR_TABLE,
): CertificateAssessment {
  requireIsoDate(input.issueDate, 'issueDate');
  const { request, exporterCountry } = input;
  const { agreement } = request;
  const reasons: OriginReason[] = [];

  const parties = partiesProblem(agreement, exporterCountry, request.importingCountry);
  if (parties) reasons.push(parties);
  if (request.lines.length > rules.maxItems)
    reasons.push({
      code: 'TOO_MANY_ITEMS',
      message: `The request has ${request.lines.length} goods items; a certificate takes at most ${rules.maxItems}`,
      messageZh: `申请包含${request.lines.length}项货物；每份证书最多${rules.maxItems}项`,
    });
  if (request.lines.length === 0)
    reasons.push({
      code: 'NO_ITEMS',
      message: 'The request has no goods items',
      messageZh: '申请未列明货物',
    });

  const goodsByLine = new Map(input.goods.map((g) => [g.lineNo, g]));
  const seen = new Set<number>();
  const lines: LineAssessment[] = [];
  for (const line of request.lines) {
    if (seen.has(line.lineNo)) {
      reasons.push({
        code: 'DUPLICATE_LINE',
        message: `Line ${line.lineNo} is listed more than once`,
        messageZh: `第${line.lineNo}项重复列明`,
      });
      continue;
    }
    seen.add(line.lineNo);
    const goods = goodsByLine.get(line.lineNo);
    if (!goods) {
      const reason: OriginReason = {
        code: 'LINE_NOT_DECLARED',
        message: `Line ${line.lineNo} is not a goods line of the declaration`,
        messageZh: `第${line.lineNo}项不是报检单所列货物`,
      };
      reasons.push(reason);
      lines.push({
        lineNo: line.lineNo,
        criterion: line.criterion,
        met: false,
        rule: line.criterion,
        reason,
        details: { productHsCode: '', evaluations: [], nonOriginatingMaterials: [], offendingMaterials: [] },
      });
      continue;
    }
    const assessed = assessLine(
      {
        agreement,
        exporterCountry,
        lineNo: line.lineNo,
        hsCode: goods.hsCode,
        fob: line.fob,
        criterion: line.criterion,
        materials: line.materials,
        rvcMethod: input.rvcMethod,
        costs: input.costs?.[line.lineNo],
      },
      rules,
      table,
    );
    lines.push(assessed);
    if (!assessed.met) reasons.push(assessed.reason);
  }

  const outcome = reasons.length === 0 ? 'ISSUED' : 'REFUSED';
  if (outcome === 'ISSUED') {
    const name = AGREEMENT_NAMES[agreement];
    reasons.push({
      code: 'ORIGIN_CONFIRMED',
      message: `All ${lines.length} goods items meet the origin rules of ${name.en} for export to ${request.importingCountry}`,
      messageZh: `全部${lines.length}项货物符合${name.zh}原产地规则，出口至${request.importingCountry}`,
    });
  }
  return {
    outcome,
    agreement,
    lines,
    reasons,
    rulesetVersion: rulesetVersion(rules, table.version),
    issueDate: input.issueDate,
    ...(outcome === 'ISSUED'
      ? { validUntil: certificateValidUntil(input.issueDate, rules.validityYears) }
      : {}),
    flags: { ...request.flags },
  };
}
