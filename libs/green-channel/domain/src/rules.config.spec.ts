import {
  DEFAULT_RULES,
  type GreenChannelRulesOverrides,
  RULESET_VERSION,
  validateRules,
} from './rules.config';

describe('validateRules', () => {
  it('with no overrides gives the defaults of DOMAIN.md under RULESET_VERSION', () => {
    const sut = validateRules();
    expect(sut).toEqual({ ok: true, rules: DEFAULT_RULES });
    expect(DEFAULT_RULES).toMatchObject({
      version: 'green-channel/2026.1',
      minAnnualExportsUsd: '1000000.00',
      qualityClaimWindowYears: 2,
      nonCompliantWindowYears: 1,
      penaltyWindowYears: 2,
      allowedCategories: [1, 2],
      randomRates: { REGULAR: 0.025, CERTIFIED: 0.0125, ADVANCED_CERTIFIED: 0.005, DISCREDITED: 0.85 },
      zoneFactors: { NATIONAL: 0.5, PROVINCIAL: 0.75 },
      rateFloor: 0.003,
      labWindowMonths: 24,
      labMinSamples: 10,
      labMinPassRate: 0.95,
      minHistoryYears: 1,
      requiredDocuments: ['INVOICE', 'PACKING_LIST'],
    });
    expect(Object.isFrozen(DEFAULT_RULES.randomRates)).toBe(true);
  });

  it('merges rate tables per key', () => {
    const sut = validateRules({ randomRates: { REGULAR: 0.03 }, version: 'green-channel/2026.2' });
    expect(sut.ok && sut.rules.randomRates).toEqual({ ...DEFAULT_RULES.randomRates, REGULAR: 0.03 });
    expect(sut.ok && sut.rules.version).toBe('green-channel/2026.2');
  });

  it('gives changed rules without a version a derived, stable one', () => {
    const a = validateRules({ labMinSamples: 12 });
    const b = validateRules({ labMinSamples: 12 });
    expect(a.ok && a.rules.version).toMatch(new RegExp(`^${RULESET_VERSION}\\+[0-9a-f]{12}$`));
    expect(a.ok && b.ok && a.rules.version === b.rules.version).toBe(true);
    const same = validateRules({ labMinSamples: 10 });
    expect(same.ok && same.rules.version).toBe(RULESET_VERSION);
  });

  it('refuses changed rules that keep the default version', () => {
    expect(validateRules({ labMinSamples: 12, version: RULESET_VERSION })).toEqual({
      ok: false,
      errors: [expect.stringContaining('give them a version of their own')],
    });
  });

  it('does not freeze the caller’s arrays', () => {
    const requiredDocuments: GreenChannelRulesOverrides['requiredDocuments'] = ['INVOICE'];
    validateRules({ requiredDocuments, version: 'x' });
    expect(Object.isFrozen(requiredDocuments)).toBe(false);
  });

  it.each<[string, unknown, string]>([
    [
      'rate above 1',
      { randomRates: { DISCREDITED: 1.5 } },
      'randomRates.DISCREDITED must be a number in [0, 1]',
    ],
    ['negative rate', { randomRates: { REGULAR: -0.1 } }, 'randomRates.REGULAR must be a number in [0, 1]'],
    ['rate not a number', { randomRates: { REGULAR: '0.025' } }, 'randomRates.REGULAR'],
    ['unknown tier', { randomRates: { GOLD: 0.1 } }, 'randomRates.GOLD is not a known setting'],
    ['zone factor above 1', { zoneFactors: { NATIONAL: 2 } }, 'zoneFactors.NATIONAL'],
    [
      'floor above a tier rate',
      { rateFloor: 0.01 },
      'rateFloor 0.01 is above the ADVANCED_CERTIFIED rate 0.005',
    ],
    [
      'certified above half of regular',
      { randomRates: { CERTIFIED: 0.02 } },
      'CERTIFIED 0.02 exceeds 0.5 x the REGULAR rate',
    ],
    [
      'advanced above a fifth of regular',
      { randomRates: { ADVANCED_CERTIFIED: 0.006 } },
      'ADVANCED_CERTIFIED 0.006 exceeds 0.2',
    ],
    ['discredited below 80%', { randomRates: { DISCREDITED: 0.5 } }, 'below the 0.8 minimum'],
    ['zone relief for discredited', { zoneReliefExcludedTiers: [] }, 'DISCREDITED rate can fall to 0.425'],
    ['unknown setting', { claimWindowYears: 3 }, 'claimWindowYears is not a known setting'],
    ['zero-year window', { qualityClaimWindowYears: 0 }, 'qualityClaimWindowYears must be a whole number'],
    ['fractional window', { penaltyWindowYears: 1.5 }, 'penaltyWindowYears must be a whole number'],
    ['category 5', { allowedCategories: [1, 5] }, 'allowedCategories: 5 not among 1, 2, 3, 4'],
    ['no category', { allowedCategories: [] }, 'allowedCategories must not be empty'],
    ['unknown tier in a list', { excludedTiers: ['BAD'] }, 'excludedTiers: "BAD" not among'],
    ['unknown document kind', { requiredDocuments: ['PASSPORT'] }, 'requiredDocuments: "PASSPORT" not among'],
    [
      'exports in exponent form',
      { minAnnualExportsUsd: '1e6' },
      'minAnnualExportsUsd must be a non-negative decimal',
    ],
    ['negative exports', { minAnnualExportsUsd: '-1' }, 'minAnnualExportsUsd'],
    ['pass rate above 1', { labMinPassRate: 1.2 }, 'labMinPassRate must be a number in [0, 1]'],
    ['no samples', { labMinSamples: 0 }, 'labMinSamples must be a whole number'],
    [
      'no standards',
      { acceptedCertificateStandards: [] },
      'acceptedCertificateStandards must be a non-empty list',
    ],
    ['empty version', { version: ' ' }, 'version must be a non-empty string'],
  ])('refuses %s', (_name, overrides, message) => {
    const sut = validateRules(overrides as GreenChannelRulesOverrides);
    expect(sut.ok).toBe(false);
    if (!sut.ok) expect(sut.errors).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  it('reports every problem at once', () => {
    const sut = validateRules({ labMinPassRate: 2, labMinSamples: -1 });
    expect(sut.ok === false && sut.errors).toHaveLength(2);
  });
});
