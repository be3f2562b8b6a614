import { evaluateApplication, historyYears } from './application.rules';
import {
  APPLICATION_CONDITIONS,
  type ApplicationConditionId,
  type ExemptionApplication,
  type InspectionRecord,
} from './application.types';
import { DEFAULT_RULES } from './rules.config';
import { ASOF, DECLARANT } from './testing/fixtures';

// ASOF 2026-03-10, 3 years: 2025-03-11..2026-03-10, 2024-03-11..2025-03-10, 2023-03-11..2024-03-10.
const pass = (date: string, hsCode = '8471300000'): InspectionRecord => ({ date, hsCode, outcome: 'PASS' });
const fail = (date: string, hsCode = '8471300000'): InspectionRecord => ({ date, hsCode, outcome: 'FAIL' });
const CLEAN = [pass('2023-06-01'), pass('2024-06-01'), pass('2025-06-01')];

/** An application that qualifies on ASOF. */
const application = (over: Partial<ExemptionApplication> = {}): ExemptionApplication => ({
  enterpriseCode: DECLARANT,
  productScope: ['8471'],
  certifications: [
    { standard: 'ISO9001', number: 'CQC-9001-17', validFrom: '2024-01-01', validUntil: '2027-12-31' },
  ],
  results: CLEAN,
  disputes: [],
  asOf: ASOF,
  ...over,
});

const condition = (app: ExemptionApplication, id: ApplicationConditionId, rules = DEFAULT_RULES) => {
  const found = evaluateApplication(app, rules).conditions.find((c) => c.id === id);
  if (!found) throw new Error(`no condition ${id}`);
  return found;
};

type Row = [string, Partial<ExemptionApplication>, boolean, string];

describe('evaluateApplication (DOMAIN.md "Inspection exemption")', () => {
  it('an application meeting every condition qualifies, conditions listed in order', () => {
    const sut = evaluateApplication(application(), DEFAULT_RULES);
    expect(sut.qualifies).toBe(true);
    expect(sut.conditions.map((c) => c.id)).toEqual([...APPLICATION_CONDITIONS]);
    expect(sut.conditions.every((c) => c.met && c.message && c.messageZh)).toBe(true);
    expect(sut).toMatchObject({ asOf: ASOF, rulesetVersion: DEFAULT_RULES.version });
  });

  it('lists every failed condition, not only the first', () => {
    const sut = evaluateApplication(
      application({ productScope: ['0302'], certifications: [], disputes: [{ date: '2025-01-01' }] }),
      DEFAULT_RULES,
    );
    expect(sut.qualifies).toBe(false);
    expect(sut.conditions.filter((c) => !c.met).map((c) => c.id)).toEqual([
      'CLEAN_INSPECTION_HISTORY',
      'NO_QUALITY_DISPUTES',
      'QUALITY_CERTIFICATE',
      'EXEMPTIBLE_PRODUCT',
    ]);
  });

  it('refuses a malformed asOf', () =>
    expect(() => evaluateApplication(application({ asOf: '2026-3-10' }), DEFAULT_RULES)).toThrow(RangeError));
});

describe('CLEAN_INSPECTION_HISTORY: every inspection passed for 3 consecutive years, with results each year', () => {
  it.each<Row>([
    ['a result in each year, all passed', {}, true, 'All 3 inspection(s) of 8471'],
    [
      'a FAIL inside the window',
      { results: [...CLEAN, fail('2024-01-15')] },
      false,
      'FAIL 8471300000 on 2024-01-15',
    ],
    ['a FAIL exactly 3 years ago (outside)', { results: [...CLEAN, fail('2023-03-10')] }, true, ''],
    [
      'a FAIL 3 years less a day ago',
      { results: [...CLEAN, fail('2023-03-11')] },
      false,
      'FAIL 8471300000 on 2023-03-11',
    ],
    ['a FAIL on asOf', { results: [...CLEAN, fail(ASOF)] }, false, `on ${ASOF}`],
    ['a FAIL dated after asOf', { results: [...CLEAN, fail('2026-03-11')] }, false, 'on 2026-03-11'],
    ['a FAIL with an unreadable date', { results: [...CLEAN, fail('15/01/2025')] }, false, 'unreadable date'],
    [
      'a FAIL of a product outside the scope',
      { results: [...CLEAN, fail('2025-01-15', '9403200000')] },
      true,
      '',
    ],
    [
      'no result in year 3',
      { results: [pass('2024-06-01'), pass('2025-06-01')] },
      false,
      '8471 in year 3 (2023-03-11..2024-03-10): 0 result(s)',
    ],
    [
      'year 3 evidenced on its first day',
      { results: [pass('2023-03-11'), pass('2024-06-01'), pass('2025-06-01')] },
      true,
      '',
    ],
    [
      'a result the day before year 3 is no evidence',
      { results: [pass('2023-03-10'), pass('2024-06-01'), pass('2025-06-01')] },
      false,
      'year 3',
    ],
    [
      'year 2 ends on 2025-03-10, year 1 starts on 2025-03-11',
      { results: [pass('2023-06-01'), pass('2025-03-10'), pass('2025-03-11')] },
      true,
      '',
    ],
    [
      'a result after asOf is no evidence for year 1',
      { results: [pass('2023-06-01'), pass('2024-06-01'), pass('2026-03-11')] },
      false,
      'year 1 (2025-03-11..2026-03-10)',
    ],
    ['no results at all', { results: [] }, false, 'no evidence'],
    [
      'a scope prefix without results',
      { productScope: ['8471', '9403'] },
      false,
      '9403 in year 1 (2025-03-11..2026-03-10): 0 result(s); 9403 in year 2',
    ],
    [
      'two prefixes, each evidenced',
      {
        productScope: ['8471', '9403'],
        results: [
          ...CLEAN,
          pass('2023-06-01', '9403200000'),
          pass('2024-06-01', '9403200000'),
          pass('2025-06-01', '9403200000'),
        ],
      },
      true,
      '',
    ],
    ['no valid prefix', { productScope: ['84'] }, false, 'No valid HS prefix'],
  ])('%s', (_name, over, met, text) => {
    const sut = condition(application(over), 'CLEAN_INSPECTION_HISTORY');
    expect(sut.met).toBe(met);
    expect(sut.message).toContain(text);
  });

  it('gives the figures behind the answer', () => {
    const sut = condition(
      application({ results: [...CLEAN, fail('2024-01-15')] }),
      'CLEAN_INSPECTION_HISTORY',
    );
    expect(sut.evidence).toMatchObject({
      windowStart: '2023-03-10',
      scopedResults: 4,
      failedResults: ['FAIL 8471300000 on 2024-01-15'],
      coverage: [
        '8471 year 1 (2025-03-11..2026-03-10): 1 result(s)',
        '8471 year 2 (2024-03-11..2025-03-10): 1 result(s)',
        '8471 year 3 (2023-03-11..2024-03-10): 2 result(s)',
      ],
    });
    expect(sut.messageZh).toContain('1次检验不合格');
  });

  it('follows the configured years and results per year', () => {
    const app = application({ results: [pass('2025-06-01'), pass('2024-06-01')] });
    expect(condition(app, 'CLEAN_INSPECTION_HISTORY', { ...DEFAULT_RULES, cleanHistoryYears: 2 }).met).toBe(
      true,
    );
    expect(
      condition(app, 'CLEAN_INSPECTION_HISTORY', {
        ...DEFAULT_RULES,
        cleanHistoryYears: 2,
        minResultsPerYear: 2,
      }).met,
    ).toBe(false);
  });

  it.each([
    [
      '2026-03-10',
      [
        ['2025-03-10', '2026-03-10'],
        ['2024-03-10', '2025-03-10'],
        ['2023-03-10', '2024-03-10'],
      ],
    ],
    [
      '2028-02-29',
      [
        ['2027-02-28', '2028-02-29'],
        ['2026-02-28', '2027-02-28'],
        ['2025-02-28', '2026-02-28'],
      ],
    ],
  ])('history years up to %s (exclusive start, inclusive end)', (asOf, expected) => {
    expect(historyYears(asOf as string, 3).map((y) => [y.after, y.until])).toEqual(expected);
  });
});

describe('NO_QUALITY_DISPUTES for the product in the same window', () => {
  it.each<Row>([
    ['none', {}, true, 'No quality dispute'],
    [
      'one for the product',
      { disputes: [{ date: '2025-01-15', hsCode: '8471300000', reference: 'QD-9' }] },
      false,
      'QD-9 on 2025-01-15 for 8471300000',
    ],
    [
      'one naming a subheading of the product',
      { disputes: [{ date: '2025-01-15', hsCode: '847130' }] },
      false,
      'for 847130',
    ],
    ['one without HS code', { disputes: [{ date: '2025-01-15' }] }, false, '(no HS code)'],
    ['one for another product', { disputes: [{ date: '2025-01-15', hsCode: '9403200000' }] }, true, ''],
    ['one exactly 3 years ago (outside)', { disputes: [{ date: '2023-03-10' }] }, true, ''],
    ['one 3 years less a day ago', { disputes: [{ date: '2023-03-11' }] }, false, 'on 2023-03-11'],
    ['one with an unreadable date', { disputes: [{ date: '' }] }, false, 'unreadable date'],
    [
      'a disputed inspection result',
      { results: [...CLEAN, { ...pass('2025-02-01'), dispute: true }] },
      false,
      'dispute over the PASS result for 8471300000 on 2025-02-01',
    ],
  ])('%s', (_name, over, met, text) => {
    const sut = condition(application(over), 'NO_QUALITY_DISPUTES');
    expect(sut.met).toBe(met);
    expect(sut.message).toContain(text);
  });
});

describe('QUALITY_CERTIFICATE: a valid ISO 9001 on asOf', () => {
  const cert = (over: Partial<ExemptionApplication['certifications'][number]>) => ({
    certifications: [
      { standard: 'ISO9001', number: 'C-1', validFrom: '2024-01-01', validUntil: '2027-01-01', ...over },
    ],
  });
  it.each<Row>([
    ['valid until asOf', cert({ validUntil: ASOF }), true, 'C-1 is valid on 2026-03-10'],
    ['expired the day before', cert({ validUntil: '2026-03-09' }), false, 'expired after 2026-03-09'],
    ['valid from asOf', cert({ validFrom: ASOF }), true, ''],
    ['valid from the day after', cert({ validFrom: '2026-03-11' }), false, 'not valid before 2026-03-11'],
    ['written ISO 9001:2015', cert({ standard: 'ISO 9001:2015' }), true, ''],
    [
      'IATF 16949 is not ISO 9001 by default',
      cert({ standard: 'IATF16949' }),
      false,
      'IATF16949 is not an accepted standard',
    ],
    ['unreadable dates', cert({ validUntil: '2027-02-30' }), false, 'unreadable'],
    ['none', { certifications: [] }, false, '(none on record)'],
  ])('%s', (_name, over, met, text) => {
    const sut = condition(application(over), 'QUALITY_CERTIFICATE');
    expect(sut.met).toBe(met);
    expect(sut.message).toContain(text);
  });

  it('accepts IATF 16949 when configured', () => {
    const rules = { ...DEFAULT_RULES, acceptedCertificateStandards: ['ISO9001', 'IATF16949'] };
    const app = application({
      certifications: [
        { standard: 'IATF 16949', number: 'I-1', validFrom: '2024-01-01', validUntil: '2027-01-01' },
      ],
    });
    expect(condition(app, 'QUALITY_CERTIFICATE', rules).met).toBe(true);
  });
});

describe('EXEMPTIBLE_PRODUCT: no scope prefix in HS chapters 01-24', () => {
  it.each<Row>([
    ['machinery', { productScope: ['8471', '847330'] }, true, 'outside the non-exemptible HS chapters 01-24'],
    ['chapter 25', { productScope: ['2501'] }, true, ''],
    ['chapter 01', { productScope: ['0101'] }, false, '0101 is in HS chapter 01 (live animals)'],
    [
      'chapter 24 next to an exemptible one',
      { productScope: ['8471', '240220'] },
      false,
      '240220 is in HS chapter 24',
    ],
    [
      'a malformed prefix',
      { productScope: ['8471', '847'] },
      false,
      '"847" are not HS prefixes of 4 to 10 digits',
    ],
    ['an empty scope', { productScope: [] }, false, 'the product scope is empty'],
  ])('%s', (_name, over, met, text) => {
    const sut = condition(application(over), 'EXEMPTIBLE_PRODUCT');
    expect(sut.met).toBe(met);
    expect(sut.message).toContain(text);
  });

  it('lists every offending prefix', () => {
    const sut = condition(application({ productScope: ['0302', '1905', '8471'] }), 'EXEMPTIBLE_PRODUCT');
    expect(sut.evidence.nonExemptiblePrefixes).toEqual([
      '0302: HS chapter 03 (fish, crustaceans and other aquatic invertebrates)',
      '1905: HS chapter 19 (preparations of cereals, flour, starch or milk)',
    ]);
  });
});

describe('ENTERPRISE_CODE (GB 32100-2015)', () => {
  it.each<Row>([
    ['valid', {}, true, ''],
    [
      'wrong check character',
      { enterpriseCode: DECLARANT.slice(0, 17) + (DECLARANT[17] === '0' ? '1' : '0') },
      false,
      'wrong check character',
    ],
    ['too short', { enterpriseCode: '91330206' }, false, 'is not 18 characters long'],
    ['a letter outside the set', { enterpriseCode: '91330206MA2H7XYK1I' }, false, 'outside the GB 32100 set'],
  ])('%s', (_name, over, met, text) => {
    const sut = condition(application(over), 'ENTERPRISE_CODE');
    expect(sut.met).toBe(met);
    expect(sut.message).toContain(text);
  });
});
