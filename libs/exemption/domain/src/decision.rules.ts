import type { ExemptionDecided, Reason } from '@cic/contracts';
import { lineExemptibility } from './exemptibility.rules';
import { grantDateStatus } from './grant-validity.rules';
import type { Grant } from './grant.types';
import { coveringPrefix } from './hs-code';
import { isIsoDate } from './iso-date';
import type { ExemptionRules } from './rules.config';

export interface DeclarationLine {
  lineNo: number;
  hsCode: string;
  manufacturerCode?: string;
  dangerousGoods?: string;
  bulk?: boolean;
}

export interface ExemptionRequest {
  declarationId: string;
  /** ISO date the goods leave; the grant must be in force on it. */
  departureDate: string;
  declarantCode: string;
  lines: readonly DeclarationLine[];
  /** Every grant of the declarant and of the lines' manufacturers, in any status; others are ignored. */
  grants: readonly Grant[];
}

/** The data of inspection.exemption.decided.v1 without declarationId and decidedAt. */
export type ExemptionDecision = Omit<ExemptionDecided, 'declarationId' | 'decidedAt'>;
export type ExemptionLineDecision = ExemptionDecision['lines'][number];

/** The `reason` of a line, best first (see decideExemption for the precedence). */
export const LINE_REASON_CODES = [
  'COVERED_BY_GRANT',
  'GRANT_SUSPENDED',
  'NOT_YET_VALID',
  'EXPIRED',
  'GRANT_REVOKED',
  'SCOPE_MISMATCH',
  'NO_GRANT',
  'NON_EXEMPTIBLE_CATEGORY',
  'INVALID_HS_CODE',
  'INVALID_DEPARTURE_DATE',
] as const;
export type LineReasonCode = (typeof LINE_REASON_CODES)[number];

type GrantVerdict = Extract<
  LineReasonCode,
  'COVERED_BY_GRANT' | 'GRANT_SUSPENDED' | 'NOT_YET_VALID' | 'EXPIRED' | 'GRANT_REVOKED'
>;
type Role = 'manufacturer' | 'declarant';
interface Candidate {
  grant: Grant;
  role: Role;
  prefix: string;
  verdict: GrantVerdict;
}

/**
 * What one covering grant says about the departure date. A final status wins over the dates (REVOKED,
 * EXPIRED); a date past validUntil wins over a suspension (reinstating would not help: renew); a
 * suspension wins over a validFrom still to come (waiting would not help).
 */
function verdictOf(grant: Grant, date: string): GrantVerdict {
  if (grant.status === 'REVOKED') return 'GRANT_REVOKED';
  const dates = grantDateStatus(grant, date);
  if (grant.status === 'EXPIRED' || dates === 'EXPIRED') return 'EXPIRED';
  if (grant.status === 'SUSPENDED') return 'GRANT_SUSPENDED';
  if (dates === 'NOT_YET_VALID') return 'NOT_YET_VALID';
  return 'COVERED_BY_GRANT';
}

const rank = (code: LineReasonCode) => LINE_REASON_CODES.indexOf(code);

// Best first: verdict, manufacturer before declarant, most specific prefix, latest validUntil, id.
function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    rank(a.verdict) - rank(b.verdict) ||
    (a.role === b.role ? 0 : a.role === 'manufacturer' ? -1 : 1) ||
    b.prefix.length - a.prefix.length ||
    (a.grant.validUntil < b.grant.validUntil ? 1 : a.grant.validUntil > b.grant.validUntil ? -1 : 0) ||
    (a.grant.id < b.grant.id ? -1 : a.grant.id > b.grant.id ? 1 : 0)
  );
}

const ROLE_ZH: Record<Role, string> = { manufacturer: '生产企业', declarant: '申报企业' };

function candidateReason(c: Candidate, line: DeclarationLine, date: string): Reason {
  const g = c.grant;
  const who = `grant ${g.approvalReference} of the ${c.role} ${g.enterpriseCode} (scope ${c.prefix}, valid ${g.validFrom} to ${g.validUntil}, ${g.status})`;
  const whoZh = `${ROLE_ZH[c.role]}${g.enterpriseCode}的免验证书${g.approvalReference}（范围${c.prefix}，有效期${g.validFrom}至${g.validUntil}，状态${g.status}）`;
  const head = `Line ${line.lineNo} (HS ${line.hsCode})`;
  const headZh = `第${line.lineNo}项（HS ${line.hsCode}）`;
  const text: Record<GrantVerdict, [string, string]> = {
    COVERED_BY_GRANT: [`${head} is exempt on ${date} under ${who}`, `${headZh}于${date}免验，依据${whoZh}`],
    GRANT_SUSPENDED: [`${head} is not exempt: ${who} is suspended`, `${headZh}不免验：${whoZh}已暂停`],
    NOT_YET_VALID: [
      `${head} is not exempt: departure ${date} is before ${who} takes effect`,
      `${headZh}不免验：出运日期${date}早于${whoZh}生效日期`,
    ],
    EXPIRED: [
      `${head} is not exempt: ${who} has expired for departure ${date}`,
      `${headZh}不免验：出运日期${date}时${whoZh}已过期`,
    ],
    GRANT_REVOKED: [`${head} is not exempt: ${who} was revoked`, `${headZh}不免验：${whoZh}已撤销`],
  };
  const [message, messageZh] = text[c.verdict];
  return { code: c.verdict, message, messageZh };
}

function noCoverReason(
  line: DeclarationLine,
  holders: ReadonlyArray<{ role: Role; code: string; grants: readonly Grant[] }>,
): Reason {
  const head = `Line ${line.lineNo} (HS ${line.hsCode})`;
  const headZh = `第${line.lineNo}项（HS ${line.hsCode}）`;
  const withGrants = holders.filter((h) => h.grants.length > 0);
  if (withGrants.length === 0)
    return {
      code: 'NO_GRANT',
      message: `${head} is not exempt: ${holders.map((h) => `the ${h.role} ${h.code}`).join(' and ')} hold(s) no exemption grant`,
      messageZh: `${headZh}不免验：${holders.map((h) => `${ROLE_ZH[h.role]}${h.code}`).join('及')}无免验证书`,
    };
  const scopes = withGrants.map(
    (h) =>
      `the ${h.role} ${h.code} holds ${[...new Set(h.grants.flatMap((g) => g.productScope))].join(', ')}`,
  );
  const scopesZh = withGrants.map(
    (h) =>
      `${ROLE_ZH[h.role]}${h.code}的免验范围为${[...new Set(h.grants.flatMap((g) => g.productScope))].join('、')}`,
  );
  return {
    code: 'SCOPE_MISMATCH',
    message: `${head} is not exempt: no grant scope covers this HS code (${scopes.join('; ')})`,
    messageZh: `${headZh}不免验：免验范围不含该HS编码（${scopesZh.join('；')}）`,
  };
}

function decideLine(
  line: DeclarationLine,
  req: ExemptionRequest,
  rules: ExemptionRules,
): { line: ExemptionLineDecision; reason: Reason } {
  const category = lineExemptibility(line, rules);
  if (!category.exemptible)
    return {
      line: { lineNo: line.lineNo, exempt: false, reason: category.reason.code },
      reason: category.reason,
    };
  if (!isIsoDate(req.departureDate))
    return {
      line: { lineNo: line.lineNo, exempt: false, reason: 'INVALID_DEPARTURE_DATE' },
      reason: {
        code: 'INVALID_DEPARTURE_DATE',
        message: `Line ${line.lineNo}: departure date ${JSON.stringify(req.departureDate)} is not a date, so no grant can be shown in force`,
        messageZh: `第${line.lineNo}项：出运日期${JSON.stringify(req.departureDate)}无效，无法判定免验证书是否有效`,
      },
    };

  const manufacturer = line.manufacturerCode?.trim();
  const holders = [
    ...(manufacturer && manufacturer !== req.declarantCode
      ? [{ role: 'manufacturer' as const, code: manufacturer }]
      : []),
    { role: 'declarant' as const, code: req.declarantCode },
  ].map((h) => ({ ...h, grants: req.grants.filter((g) => g.enterpriseCode === h.code) }));
  const candidates: Candidate[] = holders
    .flatMap((h) =>
      h.grants.map((grant) => ({
        grant,
        role: h.role,
        prefix: coveringPrefix(grant.productScope, line.hsCode),
      })),
    )
    .filter((c): c is Omit<Candidate, 'verdict'> => c.prefix !== undefined)
    .map((c) => ({ ...c, verdict: verdictOf(c.grant, req.departureDate) }))
    .sort(compareCandidates);

  const bestOfManufacturer = candidates.find((c) => c.role === 'manufacturer');
  // A sanction on the manufacturer's product (suspension after a FAIL or a foreign notification, or a
  // revocation) is not bypassed through the declarant's grant; a lapse in time is.
  const sanctioned =
    bestOfManufacturer &&
    (bestOfManufacturer.verdict === 'GRANT_SUSPENDED' || bestOfManufacturer.verdict === 'GRANT_REVOKED');
  const chosen = sanctioned ? bestOfManufacturer : candidates[0];
  if (!chosen) {
    const reason = noCoverReason(line, holders);
    return { line: { lineNo: line.lineNo, exempt: false, reason: reason.code }, reason };
  }
  const reason = candidateReason(chosen, line, req.departureDate);
  if (chosen.verdict === 'COVERED_BY_GRANT')
    return {
      line: { lineNo: line.lineNo, exempt: true, grantId: chosen.grant.id, reason: reason.code },
      reason,
    };
  // No grantId on a line that is not exempt: intake reads a grantId as "holds an exemption" (直通放行).
  return { line: { lineNo: line.lineNo, exempt: false, reason: reason.code }, reason };
}

/**
 * Per line, whether it is exempt on the departure date (DOMAIN.md "Inspection exemption"), and the
 * declaration exempt only when it has lines and every one is. Precedence for a line:
 * 1. a non-exemptible line (HS chapters 01-24, a UN number, bulk) or an unreadable HS code is never
 *    exempt, whatever grant covers it;
 * 2. the grants considered are those of the line's manufacturer (when named and not the declarant) and
 *    of the declarant whose scope covers the HS code (longest prefix of each);
 * 3. an ACTIVE grant in force on the departure date (validFrom <= departureDate <= validUntil) exempts
 *    the line: the manufacturer's before the declarant's, then the most specific prefix, the latest
 *    validUntil, the smallest id;
 * 4. except that a SUSPENDED or REVOKED covering grant of the manufacturer (when it has nothing better)
 *    is the answer: a sanction on the product is not bypassed through the declarant's grant;
 * 5. otherwise the most informative covering grant is reported, in the order GRANT_SUSPENDED,
 *    NOT_YET_VALID, EXPIRED, GRANT_REVOKED (nearest to being exempt first; ties as in 3);
 * 6. with no covering grant: SCOPE_MISMATCH when the manufacturer or declarant holds grants, else NO_GRANT.
 * Exempt lines carry the grantId; reasons[] has one reason per line, in line order. The status alone
 * does not decide: an ACTIVE grant past validUntil (the daily expiry job not yet run) is EXPIRED.
 */
export function decideExemption(req: ExemptionRequest, rules: ExemptionRules): ExemptionDecision {
  const decided = req.lines.map((l) => decideLine(l, req, rules));
  const reasons = decided.map((d) => d.reason);
  if (decided.length === 0)
    reasons.push({
      code: 'NO_LINES',
      message: 'The declaration has no lines, so it is not exempt',
      messageZh: '报检单无商品项，不免验',
    });
  return {
    rulesetVersion: rules.version,
    exempt: decided.length > 0 && decided.every((d) => d.line.exempt),
    lines: decided.map((d) => d.line),
    reasons,
  };
}
