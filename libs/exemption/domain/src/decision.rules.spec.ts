import { ExemptionDecided } from '@cic/contracts';
import { type DeclarationLine, decideExemption, type ExemptionRequest } from './decision.rules';
import type { Grant } from './grant.types';
import { DEFAULT_RULES } from './rules.config';
import { DECLARANT, MANUFACTURER, OTHER_ENTERPRISE, grant, uuid } from './testing/fixtures';

const DECLARATION_ID = '3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b';
const line = (over: Partial<DeclarationLine> = {}): DeclarationLine => ({
  lineNo: 1,
  hsCode: '8471300000',
  ...over,
});
const request = (over: Partial<ExemptionRequest> = {}): ExemptionRequest => ({
  declarationId: DECLARATION_ID,
  departureDate: '2026-05-01',
  declarantCode: DECLARANT,
  lines: [line()],
  grants: [grant()],
  ...over,
});
const decideLine = (grants: Grant[], over: Partial<DeclarationLine> = {}, departureDate = '2026-05-01') =>
  decideExemption(request({ grants, departureDate, lines: [line(over)] }), DEFAULT_RULES).lines[0];

describe('decideExemption (DOMAIN.md "Inspection exemption", per line)', () => {
  it('exempts a line covered by an ACTIVE grant in force, in the shape of exemption.decided.v1', () => {
    const sut = decideExemption(request(), DEFAULT_RULES);
    expect(sut).toEqual({
      rulesetVersion: DEFAULT_RULES.version,
      exempt: true,
      lines: [{ lineNo: 1, exempt: true, grantId: uuid(1), reason: 'COVERED_BY_GRANT' }],
      reasons: [
        {
          code: 'COVERED_BY_GRANT',
          message: expect.stringContaining(
            'Line 1 (HS 8471300000) is exempt on 2026-05-01 under grant MY-2025-0001',
          ),
          messageZh: expect.stringContaining('免验'),
        },
      ],
    });
    const payload = { ...sut, declarationId: DECLARATION_ID, decidedAt: '2026-05-01T08:00:00+08:00' };
    expect(ExemptionDecided.safeParse(payload).success).toBe(true);
  });

  // Grant valid 2026-03-10..2029-03-10, both days included.
  it.each([
    ['the day before validFrom', '2026-03-09', 'NOT_YET_VALID'],
    ['validFrom', '2026-03-10', 'COVERED_BY_GRANT'],
    ['the day after validFrom', '2026-03-11', 'COVERED_BY_GRANT'],
    ['the day before validUntil', '2029-03-09', 'COVERED_BY_GRANT'],
    ['validUntil', '2029-03-10', 'COVERED_BY_GRANT'],
    ['the day after validUntil', '2029-03-11', 'EXPIRED'],
  ])('departing %s (%s): %s', (_name, departureDate, reason) => {
    const sut = decideLine([grant({ validFrom: '2026-03-10', validUntil: '2029-03-10' })], {}, departureDate);
    expect(sut).toMatchObject({ exempt: reason === 'COVERED_BY_GRANT', reason });
  });

  it.each([
    ['2031-02-28', 'COVERED_BY_GRANT'],
    ['2031-03-01', 'EXPIRED'],
  ])('a grant from 2028-02-29 (until 2031-02-28), departing %s: %s', (departureDate, reason) => {
    const sut = decideLine([grant({ validFrom: '2028-02-29', validUntil: '2031-02-28' })], {}, departureDate);
    expect(sut.reason).toBe(reason);
  });

  it.each<[string, Partial<Grant>, string]>([
    ['SUSPENDED in force', { status: 'SUSPENDED' }, 'GRANT_SUSPENDED'],
    ['REVOKED in force', { status: 'REVOKED' }, 'GRANT_REVOKED'],
    ['EXPIRED status within its dates', { status: 'EXPIRED' }, 'EXPIRED'],
    ['ACTIVE past validUntil (expiry job not run yet)', { validUntil: '2026-04-30' }, 'EXPIRED'],
    [
      'SUSPENDED past validUntil: renewal, not reinstatement',
      { status: 'SUSPENDED', validUntil: '2026-04-30' },
      'EXPIRED',
    ],
    [
      'SUSPENDED not yet valid: waiting would not help',
      { status: 'SUSPENDED', validFrom: '2026-06-01' },
      'GRANT_SUSPENDED',
    ],
    ['REVOKED past validUntil', { status: 'REVOKED', validUntil: '2026-04-30' }, 'GRANT_REVOKED'],
    ['ACTIVE not yet valid', { validFrom: '2026-05-02' }, 'NOT_YET_VALID'],
  ])('a covering grant %s: %s, no grantId', (_name, over, reason) => {
    const sut = decideLine([grant(over)]);
    expect(sut).toEqual({ lineNo: 1, exempt: false, reason });
  });

  it.each<[string, string[], string, string]>([
    ['heading 8471', ['8471'], '8471300000', 'COVERED_BY_GRANT'],
    ['the tariff line itself', ['8471300000'], '8471300000', 'COVERED_BY_GRANT'],
    ['another tariff line of the heading', ['8471300000'], '8471301000', 'SCOPE_MISMATCH'],
    ['subheading 847130', ['847130'], '8471410000', 'SCOPE_MISMATCH'],
    ['a neighbouring heading', ['8473'], '8471300000', 'SCOPE_MISMATCH'],
    ['digits in another order', ['8741'], '8471300000', 'SCOPE_MISMATCH'],
    ['a malformed 3-digit prefix', ['847'], '8471300000', 'SCOPE_MISMATCH'],
    ['one of several prefixes', ['9403', '8471'], '8471300000', 'COVERED_BY_GRANT'],
  ])('scope %s %j for HS %s: %s', (_name, productScope, hsCode, reason) => {
    expect(decideLine([grant({ productScope })], { hsCode }).reason).toBe(reason);
  });

  it('names the scopes held when none covers the HS code', () => {
    const sut = decideExemption(
      request({ grants: [grant({ productScope: ['8473', '9403'] })] }),
      DEFAULT_RULES,
    );
    expect(sut.reasons[0]).toMatchObject({
      code: 'SCOPE_MISMATCH',
      message: expect.stringContaining('8473, 9403'),
    });
  });

  it.each<[string, Grant[], string]>([
    ['no grant at all', [], 'NO_GRANT'],
    ['only another enterprise’s grant', [grant({ enterpriseCode: OTHER_ENTERPRISE })], 'NO_GRANT'],
  ])('%s: %s', (_name, grants, reason) => {
    expect(decideLine(grants, { manufacturerCode: MANUFACTURER })).toEqual({
      lineNo: 1,
      exempt: false,
      reason,
    });
  });

  it.each<[string, Partial<DeclarationLine>, string]>([
    ['chapter 01', { hsCode: '0101210000' }, 'HS chapter 01'],
    ['chapter 24', { hsCode: '2402200000' }, 'HS chapter 24'],
    ['a UN number', { dangerousGoods: 'UN1263' }, 'dangerous goods UN1263'],
    ['bulk', { bulk: true }, 'bulk goods'],
  ])(
    'a line in a non-exemptible category (%s) is never exempt, even under a covering grant',
    (_name, over, text) => {
      const g = grant({ productScope: ['0101', '2402', '8471'] });
      const sut = decideExemption(request({ grants: [g], lines: [line(over)] }), DEFAULT_RULES);
      expect(sut.lines[0]).toEqual({ lineNo: 1, exempt: false, reason: 'NON_EXEMPTIBLE_CATEGORY' });
      expect(sut.reasons[0].message).toContain(text);
    },
  );

  it('a chapter 25 line is exemptible', () => {
    expect(decideLine([grant({ productScope: ['2501'] })], { hsCode: '2501001100' }).reason).toBe(
      'COVERED_BY_GRANT',
    );
  });

  it('refuses an unreadable departure date for every exemptible line', () => {
    expect(decideLine([grant()], {}, '2026-02-30')).toEqual({
      lineNo: 1,
      exempt: false,
      reason: 'INVALID_DEPARTURE_DATE',
    });
  });
});

describe('decideExemption: several grants (precedence)', () => {
  const m = (id: number, over: Partial<Grant> = {}) =>
    grant({ id: uuid(id), enterpriseCode: MANUFACTURER, ...over });
  const d = (id: number, over: Partial<Grant> = {}) =>
    grant({ id: uuid(id), enterpriseCode: DECLARANT, ...over });
  const EXPIRED_DATES = { validFrom: '2023-01-01', validUntil: '2026-01-01' };
  const FUTURE_DATES = { validFrom: '2026-06-01', validUntil: '2029-06-01' };

  it.each<[string, Grant[], Partial<DeclarationLine>, string, number | null]>([
    [
      'an ACTIVE grant beats a SUSPENDED one',
      [d(1, { status: 'SUSPENDED' }), d(2)],
      {},
      'COVERED_BY_GRANT',
      2,
    ],
    ['an ACTIVE grant beats an expired one', [d(1, EXPIRED_DATES), d(2)], {}, 'COVERED_BY_GRANT', 2],
    ['the most specific prefix', [d(1), d(2, { productScope: ['847130'] })], {}, 'COVERED_BY_GRANT', 2],
    ['then the latest validUntil', [d(1), d(2, { validUntil: '2028-06-01' })], {}, 'COVERED_BY_GRANT', 2],
    ['then the smallest id', [d(2), d(1)], {}, 'COVERED_BY_GRANT', 1],
    [
      'the manufacturer’s before the declarant’s',
      [d(1), m(2)],
      { manufacturerCode: MANUFACTURER },
      'COVERED_BY_GRANT',
      2,
    ],
    [
      'the declarant’s when the manufacturer has none',
      [d(1)],
      { manufacturerCode: MANUFACTURER },
      'COVERED_BY_GRANT',
      1,
    ],
    [
      'the declarant’s when the manufacturer’s scope misses',
      [m(1, { productScope: ['8473'] }), d(2)],
      { manufacturerCode: MANUFACTURER },
      'COVERED_BY_GRANT',
      2,
    ],
    [
      'the declarant’s when the manufacturer’s has lapsed',
      [m(1, EXPIRED_DATES), d(2)],
      { manufacturerCode: MANUFACTURER },
      'COVERED_BY_GRANT',
      2,
    ],
    [
      'a suspension of the manufacturer’s grant is not bypassed',
      [m(1, { status: 'SUSPENDED' }), d(2)],
      { manufacturerCode: MANUFACTURER },
      'GRANT_SUSPENDED',
      null,
    ],
    [
      'nor a revocation',
      [m(1, { status: 'REVOKED' }), d(2)],
      { manufacturerCode: MANUFACTURER },
      'GRANT_REVOKED',
      null,
    ],
    [
      'a manufacturer code equal to the declarant’s is the declarant',
      [d(1, { status: 'SUSPENDED' }), d(2)],
      { manufacturerCode: DECLARANT },
      'COVERED_BY_GRANT',
      2,
    ],
    // Nothing exempts: the most informative reason.
    [
      'SUSPENDED over NOT_YET_VALID',
      [d(1, FUTURE_DATES), d(2, { status: 'SUSPENDED' })],
      {},
      'GRANT_SUSPENDED',
      null,
    ],
    ['NOT_YET_VALID over EXPIRED', [d(1, EXPIRED_DATES), d(2, FUTURE_DATES)], {}, 'NOT_YET_VALID', null],
    ['EXPIRED over REVOKED', [d(1, { status: 'REVOKED' }), d(2, EXPIRED_DATES)], {}, 'EXPIRED', null],
    [
      'REVOKED over SCOPE_MISMATCH',
      [d(1, { productScope: ['8473'] }), d(2, { status: 'REVOKED' })],
      {},
      'GRANT_REVOKED',
      null,
    ],
    [
      'the declarant’s reason when the manufacturer’s scope misses',
      [m(1, { productScope: ['8473'] }), d(2, EXPIRED_DATES)],
      { manufacturerCode: MANUFACTURER },
      'EXPIRED',
      null,
    ],
    [
      'SCOPE_MISMATCH when either holds grants but none covers',
      [m(1, { productScope: ['8473'] })],
      { manufacturerCode: MANUFACTURER },
      'SCOPE_MISMATCH',
      null,
    ],
  ])('%s', (_name, grants, over, reason, grantNo) => {
    const sut = decideLine(grants, over);
    expect(sut).toEqual({
      lineNo: 1,
      exempt: grantNo !== null,
      reason,
      ...(grantNo !== null ? { grantId: uuid(grantNo) } : {}),
    });
  });

  it('says whose grant it is', () => {
    const sut = decideExemption(
      request({ grants: [m(2)], lines: [line({ manufacturerCode: MANUFACTURER })] }),
      DEFAULT_RULES,
    );
    expect(sut.reasons[0].message).toContain(`of the manufacturer ${MANUFACTURER}`);
    expect(sut.reasons[0].messageZh).toContain(`生产企业${MANUFACTURER}`);
  });
});

describe('decideExemption: the declaration', () => {
  const lines = [line({ lineNo: 1 }), line({ lineNo: 2, hsCode: '9403200000' }), line({ lineNo: 3 })];

  it('is exempt when every line is', () => {
    const sut = decideExemption(
      request({ lines, grants: [grant({ productScope: ['8471', '9403'] })] }),
      DEFAULT_RULES,
    );
    expect(sut.exempt).toBe(true);
    expect(sut.lines.map((l) => l.exempt)).toEqual([true, true, true]);
    expect(sut.reasons.map((r) => r.code)).toEqual([
      'COVERED_BY_GRANT',
      'COVERED_BY_GRANT',
      'COVERED_BY_GRANT',
    ]);
  });

  it('is not exempt when one line is not, and says why per line', () => {
    const sut = decideExemption(request({ lines }), DEFAULT_RULES);
    expect(sut.exempt).toBe(false);
    expect(sut.lines).toEqual([
      { lineNo: 1, exempt: true, grantId: uuid(1), reason: 'COVERED_BY_GRANT' },
      { lineNo: 2, exempt: false, reason: 'SCOPE_MISMATCH' },
      { lineNo: 3, exempt: true, grantId: uuid(1), reason: 'COVERED_BY_GRANT' },
    ]);
    expect(sut.reasons[1].message).toContain('Line 2 (HS 9403200000)');
  });

  it('is not exempt without lines', () => {
    const sut = decideExemption(request({ lines: [] }), DEFAULT_RULES);
    expect(sut).toMatchObject({ exempt: false, lines: [], reasons: [{ code: 'NO_LINES' }] });
  });

  it('records the ruleset version it used', () => {
    const rules = { ...DEFAULT_RULES, version: 'exemption/2026.2' };
    expect(decideExemption(request(), rules).rulesetVersion).toBe('exemption/2026.2');
  });
});
