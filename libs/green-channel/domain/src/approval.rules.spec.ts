import { type ApprovalCriterionId, APPROVAL_CRITERIA, evaluateApproval } from './approval.rules';
import type { EnterpriseProfile, EnterpriseRecord } from './enterprise.types';
import { DEFAULT_RULES } from './rules.config';
import { ASOF, profile, record } from './testing/fixtures';

const claim = (date: string) => ({ date, reference: 'QC-7' });
const cert = (over: Partial<EnterpriseProfile['certifications'][number]>) => ({
  certifications: [
    { standard: 'ISO9001', number: 'C-1', validFrom: '2024-01-01', validUntil: '2027-01-01', ...over },
  ],
});

type Row = [
  string,
  string,
  Partial<EnterpriseProfile>,
  Partial<EnterpriseRecord>,
  ApprovalCriterionId,
  boolean,
];

describe('evaluateApproval (DOMAIN.md "Green channel", Decree 50 of 2003)', () => {
  it('an enterprise meeting all seven criteria qualifies, criteria listed in order', () => {
    const sut = evaluateApproval(profile(), record(), ASOF, DEFAULT_RULES);
    expect(sut.qualifies).toBe(true);
    expect(sut.criteria.map((c) => c.id)).toEqual([...APPROVAL_CRITERIA]);
    expect(sut.criteria.every((c) => c.met && c.message && c.messageZh)).toBe(true);
    expect(sut.rulesetVersion).toBe(DEFAULT_RULES.version);
  });

  // Window rule: an event counts when its date is after asOf minus N years (month-end clamped).
  it.each<Row>([
    // 1. annual exports >= US$1,000,000, compared exactly
    ['exports exactly the minimum', ASOF, { annualExportsUsd: '1000000.00' }, {}, 'ANNUAL_EXPORTS', true],
    ['exports without decimals', ASOF, { annualExportsUsd: '1000000' }, {}, 'ANNUAL_EXPORTS', true],
    ['exports one millionth above', ASOF, { annualExportsUsd: '1000000.000001' }, {}, 'ANNUAL_EXPORTS', true],
    ['exports one cent below', ASOF, { annualExportsUsd: '999999.99' }, {}, 'ANNUAL_EXPORTS', false],
    ['exports one millionth below', ASOF, { annualExportsUsd: '999999.999999' }, {}, 'ANNUAL_EXPORTS', false],
    ['exports in exponent form', ASOF, { annualExportsUsd: '1e7' }, {}, 'ANNUAL_EXPORTS', false],
    ['exports empty', ASOF, { annualExportsUsd: '' }, {}, 'ANNUAL_EXPORTS', false],
    // 2. valid ISO 9001 / IATF 16949 certificate: validFrom <= asOf <= validUntil
    ['certificate valid until asOf', ASOF, cert({ validUntil: ASOF }), {}, 'QUALITY_CERTIFICATE', true],
    [
      'certificate expired the day before',
      ASOF,
      cert({ validUntil: '2026-03-09' }),
      {},
      'QUALITY_CERTIFICATE',
      false,
    ],
    ['certificate valid from asOf', ASOF, cert({ validFrom: ASOF }), {}, 'QUALITY_CERTIFICATE', true],
    [
      'certificate valid from the day after',
      ASOF,
      cert({ validFrom: '2026-03-11' }),
      {},
      'QUALITY_CERTIFICATE',
      false,
    ],
    [
      'IATF 16949 written with a space',
      ASOF,
      cert({ standard: 'IATF 16949' }),
      {},
      'QUALITY_CERTIFICATE',
      true,
    ],
    [
      'ISO 9001:2015 edition suffix',
      ASOF,
      cert({ standard: 'ISO 9001:2015' }),
      {},
      'QUALITY_CERTIFICATE',
      true,
    ],
    ['ISO 14001 is not accepted', ASOF, cert({ standard: 'ISO14001' }), {}, 'QUALITY_CERTIFICATE', false],
    ['unreadable validity date', ASOF, cert({ validUntil: '2027-02-30' }), {}, 'QUALITY_CERTIFICATE', false],
    ['no certificate', ASOF, { certifications: [] }, {}, 'QUALITY_CERTIFICATE', false],
    // 3. no quality claim in the last 2 years
    [
      'claim 2 years and 1 day ago',
      ASOF,
      {},
      { qualityClaims: [claim('2024-03-09')] },
      'NO_QUALITY_CLAIMS',
      true,
    ],
    [
      'claim exactly 2 years ago (outside)',
      ASOF,
      {},
      { qualityClaims: [claim('2024-03-10')] },
      'NO_QUALITY_CLAIMS',
      true,
    ],
    [
      'claim 2 years less 1 day ago',
      ASOF,
      {},
      { qualityClaims: [claim('2024-03-11')] },
      'NO_QUALITY_CLAIMS',
      false,
    ],
    ['claim on asOf', ASOF, {}, { qualityClaims: [claim(ASOF)] }, 'NO_QUALITY_CLAIMS', false],
    [
      'claim dated after asOf',
      ASOF,
      {},
      { qualityClaims: [claim('2026-03-11')] },
      'NO_QUALITY_CLAIMS',
      false,
    ],
    [
      'claim with unreadable date',
      ASOF,
      {},
      { qualityClaims: [claim('10/03/2025')] },
      'NO_QUALITY_CLAIMS',
      false,
    ],
    [
      'leap asOf: start 2026-02-28 is out',
      '2028-02-29',
      {},
      { qualityClaims: [claim('2026-02-28')] },
      'NO_QUALITY_CLAIMS',
      true,
    ],
    [
      'leap asOf: 2026-03-01 is in',
      '2028-02-29',
      {},
      { qualityClaims: [claim('2026-03-01')] },
      'NO_QUALITY_CLAIMS',
      false,
    ],
    [
      'claim on a leap day, 2 years later',
      '2026-02-28',
      {},
      { qualityClaims: [claim('2024-02-29')] },
      'NO_QUALITY_CLAIMS',
      false,
    ],
    [
      'claim on a leap day, 2 years and a day',
      '2026-03-01',
      {},
      { qualityClaims: [claim('2024-02-29')] },
      'NO_QUALITY_CLAIMS',
      true,
    ],
    // 4. no non-compliant declaration in the last 1 year
    [
      'non-compliant 1 year and 1 day ago',
      ASOF,
      {},
      { nonCompliantDeclarations: [claim('2025-03-09')] },
      'NO_NON_COMPLIANT_DECLARATIONS',
      true,
    ],
    [
      'non-compliant exactly 1 year ago',
      ASOF,
      {},
      { nonCompliantDeclarations: [claim('2025-03-10')] },
      'NO_NON_COMPLIANT_DECLARATIONS',
      true,
    ],
    [
      'non-compliant 1 year less 1 day ago',
      ASOF,
      {},
      { nonCompliantDeclarations: [claim('2025-03-11')] },
      'NO_NON_COMPLIANT_DECLARATIONS',
      false,
    ],
    [
      'leap asOf minus 1 year is 2027-02-28 (out)',
      '2028-02-29',
      {},
      { nonCompliantDeclarations: [claim('2027-02-28')] },
      'NO_NON_COMPLIANT_DECLARATIONS',
      true,
    ],
    [
      'leap asOf, 2027-03-01 is in',
      '2028-02-29',
      {},
      { nonCompliantDeclarations: [claim('2027-03-01')] },
      'NO_NON_COMPLIANT_DECLARATIONS',
      false,
    ],
    [
      'leap-day event seen on 2025-02-28',
      '2025-02-28',
      {},
      { nonCompliantDeclarations: [claim('2024-02-29')] },
      'NO_NON_COMPLIANT_DECLARATIONS',
      false,
    ],
    [
      'leap-day event seen on 2025-03-01',
      '2025-03-01',
      {},
      { nonCompliantDeclarations: [claim('2024-02-29')] },
      'NO_NON_COMPLIANT_DECLARATIONS',
      true,
    ],
    // 5. no administrative penalty in the last 2 years
    [
      'penalty exactly 2 years ago',
      ASOF,
      {},
      { penalties: [claim('2024-03-10')] },
      'NO_ADMINISTRATIVE_PENALTIES',
      true,
    ],
    [
      'penalty 2 years less 1 day ago',
      ASOF,
      {},
      { penalties: [claim('2024-03-11')] },
      'NO_ADMINISTRATIVE_PENALTIES',
      false,
    ],
    [
      'penalty 2 years and 1 day ago',
      ASOF,
      {},
      { penalties: [claim('2024-03-09')] },
      'NO_ADMINISTRATIVE_PENALTIES',
      true,
    ],
    // 6. category 1 or 2
    ['category 1', ASOF, { category: 1 }, {}, 'ENTERPRISE_CATEGORY', true],
    ['category 2', ASOF, { category: 2 }, {}, 'ENTERPRISE_CATEGORY', true],
    ['category 3', ASOF, { category: 3 }, {}, 'ENTERPRISE_CATEGORY', false],
    ['category 4', ASOF, { category: 4 }, {}, 'ENTERPRISE_CATEGORY', false],
    // 7. tier not DISCREDITED or SERIOUSLY_DISCREDITED
    ['advanced certified', ASOF, { tier: 'ADVANCED_CERTIFIED' }, {}, 'CREDIT_TIER', true],
    ['certified', ASOF, { tier: 'CERTIFIED' }, {}, 'CREDIT_TIER', true],
    ['regular', ASOF, { tier: 'REGULAR' }, {}, 'CREDIT_TIER', true],
    ['discredited', ASOF, { tier: 'DISCREDITED' }, {}, 'CREDIT_TIER', false],
    ['seriously discredited', ASOF, { tier: 'SERIOUSLY_DISCREDITED' }, {}, 'CREDIT_TIER', false],
  ])('%s (asOf %s)', (_name, asOf, p, r, id, met) => {
    const sut = evaluateApproval(profile(p), record(r), asOf, DEFAULT_RULES);
    const criterion = sut.criteria.find((c) => c.id === id)!;
    expect(criterion.met).toBe(met);
    expect(sut.qualifies).toBe(met);
    // Only the criterion under test moves.
    expect(sut.criteria.filter((c) => !c.met).map((c) => c.id)).toEqual(met ? [] : [id]);
  });

  it('names the claim, its date and the window start', () => {
    const sut = evaluateApproval(
      profile(),
      record({ qualityClaims: [claim('2025-01-02')] }),
      ASOF,
      DEFAULT_RULES,
    );
    const c = sut.criteria.find((x) => x.id === 'NO_QUALITY_CLAIMS')!;
    expect(c.message).toContain('QC-7 on 2025-01-02');
    expect(c.message).toContain('after 2024-03-10');
    expect(c.messageZh).toContain('2024-03-10之后');
    expect(c.evidence).toMatchObject({
      windowStart: '2024-03-10',
      asOf: ASOF,
      eventsInWindow: ['QC-7 on 2025-01-02'],
    });
  });

  it('names the exports figure against the threshold and the certificate used', () => {
    const sut = evaluateApproval(profile({ annualExportsUsd: '999999.99' }), record(), ASOF, DEFAULT_RULES);
    expect(sut.criteria[0]).toMatchObject({
      met: false,
      evidence: { annualExportsUsd: '999999.99', minAnnualExportsUsd: '1000000.00' },
    });
    expect(sut.criteria[0].message).toContain('US$999999.99 are below the US$1000000.00 minimum');
    expect(sut.criteria[1].evidence).toMatchObject({ number: 'CQC-9001-17', validUntil: '2029-12-31' });
  });

  it('of several certificates, a valid one suffices and an expired one is explained', () => {
    const certifications = [
      { standard: 'ISO9001', number: 'OLD', validFrom: '2020-01-01', validUntil: '2023-01-01' },
      { standard: 'IATF16949', number: 'NEW', validFrom: '2025-01-01', validUntil: '2028-01-01' },
    ];
    const ok = evaluateApproval(profile({ certifications }), record(), ASOF, DEFAULT_RULES);
    expect(ok.criteria[1]).toMatchObject({ met: true, evidence: { number: 'NEW' } });
    const ko = evaluateApproval(
      profile({ certifications: [certifications[0]] }),
      record(),
      ASOF,
      DEFAULT_RULES,
    );
    expect(ko.criteria[1].message).toContain('OLD (ISO9001): expired after 2023-01-01');
  });

  it('lists every failing criterion, not only the first', () => {
    const sut = evaluateApproval(
      profile({ category: 3, tier: 'DISCREDITED', annualExportsUsd: '10.00' }),
      record({ penalties: [claim('2025-06-01')] }),
      ASOF,
      DEFAULT_RULES,
    );
    expect(sut.criteria.filter((c) => !c.met).map((c) => c.id)).toEqual([
      'ANNUAL_EXPORTS',
      'NO_ADMINISTRATIVE_PENALTIES',
      'ENTERPRISE_CATEGORY',
      'CREDIT_TIER',
    ]);
  });

  it('foreign notifications are not one of the seven criteria (they suspend an approval instead)', () => {
    const sut = evaluateApproval(
      profile(),
      record({ foreignNotifications: [claim('2026-01-01')] }),
      ASOF,
      DEFAULT_RULES,
    );
    expect(sut.qualifies).toBe(true);
  });

  it('refuses a malformed clock', () => {
    expect(() => evaluateApproval(profile(), record(), '2026-02-30', DEFAULT_RULES)).toThrow(RangeError);
  });
});
