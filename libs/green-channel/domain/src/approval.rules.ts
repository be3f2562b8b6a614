import { compareDecimals } from './decimal';
import type {
  DatedEvent,
  EnterpriseProfile,
  EnterpriseRecord,
  QualityCertification,
} from './enterprise.types';
import { isIsoDate, minusYears, requireIsoDate } from './iso-date';
import type { GreenChannelRules } from './rules.config';

/** The seven criteria of DOMAIN.md "Green channel", in its order. */
export const APPROVAL_CRITERIA = [
  'ANNUAL_EXPORTS',
  'QUALITY_CERTIFICATE',
  'NO_QUALITY_CLAIMS',
  'NO_NON_COMPLIANT_DECLARATIONS',
  'NO_ADMINISTRATIVE_PENALTIES',
  'ENTERPRISE_CATEGORY',
  'CREDIT_TIER',
] as const;
export type ApprovalCriterionId = (typeof APPROVAL_CRITERIA)[number];

export type EvidenceValue = string | number | boolean | null | readonly string[];

export interface ApprovalCriterion {
  id: ApprovalCriterionId;
  met: boolean;
  message: string;
  messageZh: string;
  /** The dates and figures the answer rests on. */
  evidence: Readonly<Record<string, EvidenceValue>>;
}

export interface ApprovalEvaluation {
  qualifies: boolean;
  asOf: string;
  rulesetVersion: string;
  criteria: ApprovalCriterion[];
}

/**
 * Window convention, used for every "in the last N years" of DOMAIN.md: the window starts at asOf minus
 * N calendar years (month-end clamp: 2028-02-29 minus 1 year is 2027-02-28) and an event counts when its
 * date is AFTER that start. So with asOf 2026-03-10 and 2 years, a claim of 2024-03-10 (exactly two
 * years ago) is outside and one of 2024-03-11 inside. An event dated after asOf still counts: a time-zone
 * skew or late data entry must not hide a claim. An unreadable date counts too: doubt never approves.
 */
export function windowStart(asOf: string, years: number): string {
  return minusYears(asOf, years);
}

export function eventsInWindow(
  events: readonly DatedEvent[],
  asOf: string,
  years: number,
): { windowStart: string; inside: DatedEvent[] } {
  const start = windowStart(asOf, years);
  return { windowStart: start, inside: events.filter((e) => !isIsoDate(e.date) || e.date > start) };
}

const describeEvent = (e: DatedEvent) =>
  `${e.reference ?? 'unreferenced'} ${isIsoDate(e.date) ? `on ${e.date}` : `with unreadable date ${JSON.stringify(e.date)}`}`;

function windowCriterion(
  id: ApprovalCriterionId,
  events: readonly DatedEvent[],
  years: number,
  asOf: string,
  label: { en: string; zh: string },
): ApprovalCriterion {
  const { windowStart: start, inside } = eventsInWindow(events, asOf, years);
  const listed = inside.map(describeEvent);
  const evidence = {
    asOf,
    windowStart: start,
    windowRule: 'counts when date > windowStart',
    windowYears: years,
    eventsOnRecord: events.length,
    eventsInWindow: listed,
  };
  if (inside.length === 0)
    return {
      id,
      met: true,
      message: `No ${label.en} after ${start} (the ${years}-year window up to ${asOf}); ${events.length} on record`,
      messageZh: `${start}之后（${years}年内）无${label.zh}`,
      evidence,
    };
  return {
    id,
    met: false,
    message: `${inside.length} ${label.en} inside the ${years}-year window (after ${start}, up to ${asOf}): ${listed.join('; ')}`,
    messageZh: `${start}之后（${years}年内）有${inside.length}项${label.zh}：${listed.join('；')}`,
    evidence,
  };
}

/** 'ISO 9001:2015', 'iso-9001' and 'ISO9001' are one standard. */
export const normalizeStandard = (s: string): string =>
  s
    .toUpperCase()
    .replace(/:\d{4}$/, '')
    .replace(/[\s_-]/g, '');

function certificateProblem(
  c: QualityCertification,
  asOf: string,
  accepted: readonly string[],
): string | undefined {
  if (!accepted.includes(normalizeStandard(c.standard))) return `${c.standard} is not an accepted standard`;
  if (!isIsoDate(c.validFrom) || !isIsoDate(c.validUntil)) return 'its validity dates are unreadable';
  if (c.validFrom > asOf) return `not valid before ${c.validFrom}`;
  if (c.validUntil < asOf) return `expired after ${c.validUntil}`;
  return undefined;
}

function certificateCriterion(
  profile: EnterpriseProfile,
  asOf: string,
  rules: GreenChannelRules,
): ApprovalCriterion {
  const accepted = rules.acceptedCertificateStandards.map(normalizeStandard);
  const acceptedText = rules.acceptedCertificateStandards.join(' or ');
  // Valid means validFrom <= asOf <= validUntil: both days are covered. The longest-lasting one is shown.
  const valid = profile.certifications
    .filter((c) => certificateProblem(c, asOf, accepted) === undefined)
    .sort((a, b) => (a.validUntil < b.validUntil ? 1 : a.validUntil > b.validUntil ? -1 : 0));
  if (valid.length > 0) {
    const c = valid[0];
    return {
      id: 'QUALITY_CERTIFICATE',
      met: true,
      message: `${c.standard} certificate ${c.number} is valid on ${asOf} (from ${c.validFrom} until ${c.validUntil})`,
      messageZh: `${c.standard}认证证书${c.number}在${asOf}有效（${c.validFrom}至${c.validUntil}）`,
      evidence: {
        asOf,
        standard: c.standard,
        number: c.number,
        validFrom: c.validFrom,
        validUntil: c.validUntil,
      },
    };
  }
  const rejected = profile.certifications.map(
    (c) => `${c.number} (${c.standard}): ${certificateProblem(c, asOf, accepted)}`,
  );
  return {
    id: 'QUALITY_CERTIFICATE',
    met: false,
    message: `No ${acceptedText} certificate valid on ${asOf}${rejected.length ? `: ${rejected.join('; ')}` : ' (none on record)'}`,
    messageZh: `${asOf}无有效的${acceptedText}认证证书`,
    evidence: { asOf, acceptedStandards: [...rules.acceptedCertificateStandards], certificates: rejected },
  };
}

function exportsCriterion(profile: EnterpriseProfile, rules: GreenChannelRules): ApprovalCriterion {
  const figure = profile.annualExportsUsd;
  const threshold = rules.minAnnualExportsUsd;
  const cmp = compareDecimals(figure, threshold);
  const evidence = { annualExportsUsd: figure, minAnnualExportsUsd: threshold };
  if (cmp === undefined)
    return {
      id: 'ANNUAL_EXPORTS',
      met: false,
      message: `Annual exports ${JSON.stringify(figure)} are not a decimal amount, so the US$${threshold} minimum is not shown to be met`,
      messageZh: `年出口额"${figure}"不是有效金额，无法认定达到${threshold}美元`,
      evidence,
    };
  const met = cmp >= 0;
  return {
    id: 'ANNUAL_EXPORTS',
    met,
    message: `Annual exports US$${figure} ${met ? 'meet' : 'are below'} the US$${threshold} minimum`,
    messageZh: `年出口额${figure}美元${met ? '达到' : '低于'}${threshold}美元的最低要求`,
    evidence,
  };
}

/**
 * Does the enterprise qualify for green-channel approval on `asOf` (the office's local date), and which
 * of the seven criteria of DOMAIN.md fail (Decree 50 of 2003 as practised). Every criterion is evaluated,
 * so the answer lists all that fail, not only the first. Throws RangeError on a malformed asOf.
 */
export function evaluateApproval(
  profile: EnterpriseProfile,
  record: EnterpriseRecord,
  asOf: string,
  rules: GreenChannelRules,
): ApprovalEvaluation {
  requireIsoDate(asOf);
  const categoryMet = rules.allowedCategories.includes(profile.category);
  const tierMet = !rules.excludedTiers.includes(profile.tier);
  const criteria: ApprovalCriterion[] = [
    exportsCriterion(profile, rules),
    certificateCriterion(profile, asOf, rules),
    windowCriterion('NO_QUALITY_CLAIMS', record.qualityClaims, rules.qualityClaimWindowYears, asOf, {
      en: 'quality claim(s) or dispute(s)',
      zh: '质量索赔或争议',
    }),
    windowCriterion(
      'NO_NON_COMPLIANT_DECLARATIONS',
      record.nonCompliantDeclarations,
      rules.nonCompliantWindowYears,
      asOf,
      { en: 'non-compliant inspection declaration(s)', zh: '报检不合格记录' },
    ),
    windowCriterion('NO_ADMINISTRATIVE_PENALTIES', record.penalties, rules.penaltyWindowYears, asOf, {
      en: 'administrative penalty(ies)',
      zh: '行政处罚',
    }),
    {
      id: 'ENTERPRISE_CATEGORY',
      met: categoryMet,
      message: `Category ${profile.category} is ${categoryMet ? '' : 'not '}among the allowed categories ${rules.allowedCategories.join(', ')}`,
      messageZh: `企业类别${profile.category}${categoryMet ? '符合' : '不符合'}要求（${rules.allowedCategories.join('、')}类）`,
      evidence: { category: profile.category, allowedCategories: rules.allowedCategories.map(String) },
    },
    {
      id: 'CREDIT_TIER',
      met: tierMet,
      message: `Credit tier ${profile.tier} is ${tierMet ? 'not ' : ''}excluded (${rules.excludedTiers.join(', ')} are)`,
      messageZh: `信用等级${profile.tier}${tierMet ? '不在' : '属于'}排除范围（${rules.excludedTiers.join('、')}）`,
      evidence: { tier: profile.tier, excludedTiers: [...rules.excludedTiers] },
    },
  ];
  return { qualifies: criteria.every((c) => c.met), asOf, rulesetVersion: rules.version, criteria };
}
