import type { ApplicationCondition, Certification, ExemptionApplication } from './application.types';
import { isIsoDate } from './iso-date';
import type { ExemptionRules } from './rules.config';

/** 'ISO 9001:2015', 'iso-9001' and 'ISO9001' are one standard. */
export const normalizeStandard = (s: string): string =>
  s
    .toUpperCase()
    .replace(/:\d{4}$/, '')
    .replace(/[\s_-]/g, '');

function certificateProblem(c: Certification, asOf: string, accepted: readonly string[]): string | undefined {
  if (!accepted.includes(normalizeStandard(c.standard))) return `${c.standard} is not an accepted standard`;
  if (!isIsoDate(c.validFrom) || !isIsoDate(c.validUntil)) return 'its validity dates are unreadable';
  if (c.validFrom > asOf) return `not valid before ${c.validFrom}`;
  if (c.validUntil < asOf) return `expired after ${c.validUntil}`;
  return undefined;
}

export function certificateCondition(app: ExemptionApplication, rules: ExemptionRules): ApplicationCondition {
  const { asOf } = app;
  const accepted = rules.acceptedCertificateStandards.map(normalizeStandard);
  const acceptedText = rules.acceptedCertificateStandards.join(' or ');
  // Valid means validFrom <= asOf <= validUntil: both days are covered. The longest-lasting one is shown.
  const valid = app.certifications
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
  const rejected = app.certifications.map(
    (c) => `${c.number} (${c.standard}): ${certificateProblem(c, asOf, accepted)}`,
  );
  return {
    id: 'QUALITY_CERTIFICATE',
    met: false,
    message: `No ${acceptedText} certificate valid on ${asOf}${rejected.length ? `: ${rejected.join('; ')}` : ' (none on record)'}`,
    messageZh: `${asOf}无有效的${acceptedText}认证证书${rejected.length ? `：${rejected.join('；')}` : ''}`,
    evidence: { asOf, acceptedStandards: [...rules.acceptedCertificateStandards], certificates: rejected },
  };
}
