import {
  DEFAULT_RULES,
  type ExemptionRulesOverrides,
  OFFICE_TIME_ZONE,
  RULESET_VERSION,
  validateRules,
} from './rules.config';

describe('validateRules', () => {
  it('with no overrides gives the defaults of DOMAIN.md under RULESET_VERSION', () => {
    const sut = validateRules();
    expect(sut).toEqual({ ok: true, rules: DEFAULT_RULES });
    expect(DEFAULT_RULES).toMatchObject({
      version: 'exemption/2026.1',
      grantValidityYears: 3,
      renewalReminderMonths: 3,
      cleanHistoryYears: 3,
      minResultsPerYear: 1,
      excludeDangerousGoods: true,
      excludeBulk: true,
      acceptedCertificateStandards: ['ISO9001'],
    });
    expect(DEFAULT_RULES.nonExemptibleChapters).toHaveLength(24);
    expect(DEFAULT_RULES.nonExemptibleChapters[0]).toBe('01');
    expect(DEFAULT_RULES.nonExemptibleChapters[23]).toBe('24');
    expect(Object.isFrozen(DEFAULT_RULES.nonExemptibleChapters)).toBe(true);
    expect(OFFICE_TIME_ZONE).toBe('Asia/Shanghai');
  });

  it('keeps an explicit version', () => {
    const sut = validateRules({
      acceptedCertificateStandards: ['ISO9001', 'IATF16949'],
      version: 'exemption/2026.2',
    });
    expect(sut.ok && sut.rules).toMatchObject({
      version: 'exemption/2026.2',
      acceptedCertificateStandards: ['ISO9001', 'IATF16949'],
    });
  });

  it('gives changed rules without a version a derived, stable one', () => {
    const a = validateRules({ cleanHistoryYears: 2 });
    const b = validateRules({ cleanHistoryYears: 2 });
    expect(a.ok && a.rules.version).toMatch(new RegExp(`^${RULESET_VERSION}\\+[0-9a-f]{12}$`));
    expect(a.ok && b.ok && a.rules.version === b.rules.version).toBe(true);
    const same = validateRules({ cleanHistoryYears: 3 });
    expect(same.ok && same.rules.version).toBe(RULESET_VERSION);
  });

  it('refuses changed rules that keep the default version', () => {
    expect(validateRules({ grantValidityYears: 5, version: RULESET_VERSION })).toEqual({
      ok: false,
      errors: [expect.stringContaining('give them a version of their own')],
    });
  });

  it('does not freeze the caller’s arrays', () => {
    const nonExemptibleChapters = ['01', '02'];
    validateRules({ nonExemptibleChapters, version: 'x' });
    expect(Object.isFrozen(nonExemptibleChapters)).toBe(false);
  });

  it.each<[string, unknown, string]>([
    ['zero-year validity', { grantValidityYears: 0 }, 'grantValidityYears must be a whole number'],
    ['fractional validity', { grantValidityYears: 2.5 }, 'grantValidityYears must be a whole number'],
    ['zero-year history', { cleanHistoryYears: 0 }, 'cleanHistoryYears must be a whole number'],
    ['negative reminder', { renewalReminderMonths: -1 }, 'renewalReminderMonths must be a whole number'],
    [
      'reminder as long as the validity',
      { renewalReminderMonths: 36 },
      'renewalReminderMonths 36 must be shorter than the 3-year validity',
    ],
    ['no results needed', { minResultsPerYear: 0 }, 'minResultsPerYear must be a whole number from 1'],
    ['one-digit chapter', { nonExemptibleChapters: ['1'] }, 'nonExemptibleChapters: "1" are not 2-digit'],
    ['chapter 00', { nonExemptibleChapters: ['00'] }, 'nonExemptibleChapters: "00"'],
    ['chapter twice', { nonExemptibleChapters: ['01', '01'] }, 'nonExemptibleChapters lists 01 twice'],
    ['chapters not a list', { nonExemptibleChapters: '01-24' }, 'nonExemptibleChapters must be a list'],
    ['flag not boolean', { excludeBulk: 'yes' }, 'excludeBulk must be true or false'],
    [
      'no standards',
      { acceptedCertificateStandards: [] },
      'acceptedCertificateStandards must be a non-empty list',
    ],
    ['unknown setting', { validityYears: 3 }, 'validityYears is not a known setting'],
    ['empty version', { version: ' ' }, 'version must be a non-empty string'],
  ])('refuses %s', (_name, overrides, message) => {
    const sut = validateRules(overrides as ExemptionRulesOverrides);
    expect(sut.ok).toBe(false);
    if (!sut.ok) expect(sut.errors).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  it('reports every problem at once', () => {
    const sut = validateRules({ grantValidityYears: 0, minResultsPerYear: 0 });
    expect(sut.ok === false && sut.errors).toHaveLength(2);
  });
});
