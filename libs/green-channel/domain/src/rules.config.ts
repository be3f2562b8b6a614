import { createHash } from 'node:crypto';
import { DocumentKind } from '@cic/contracts';
import { parseDecimalMicros } from './decimal';
import {
  CREDIT_TIERS,
  type CreditTier,
  ENTERPRISE_CATEGORIES,
  type EnterpriseCategory,
  ZONE_LEVELS,
  type ZoneLevel,
} from './enterprise.types';

/** Version of DEFAULT_RULES; every decision records the version of the rules it used (DOMAIN.md). */
export const RULESET_VERSION = 'green-channel/2026.1';

/** Every threshold of DOMAIN.md "Green channel" and "Lane per declaration", as configuration. */
export interface GreenChannelRules {
  version: string;
  // Approval (Decree 50 of 2003 as practised)
  /** Decimal string, US dollars; compared exactly. */
  minAnnualExportsUsd: string;
  /** Compared after dropping case, spaces, '-', '_' and an edition suffix (':2015'). */
  acceptedCertificateStandards: readonly string[];
  qualityClaimWindowYears: number;
  nonCompliantWindowYears: number;
  penaltyWindowYears: number;
  allowedCategories: readonly EnterpriseCategory[];
  excludedTiers: readonly CreditTier[];
  // Random selection (rates calibrated on the published 2019 inspection rates)
  randomRates: Readonly<Record<CreditTier, number>>;
  /** Multiplies the tier rate; the best (lowest) factor of the enterprise's zones applies. */
  zoneFactors: Readonly<Record<ZoneLevel, number>>;
  /** Tiers whose rate no zone lowers: a NATIONAL zone would take DISCREDITED (85%) below its 80% minimum. */
  zoneReliefExcludedTiers: readonly CreditTier[];
  /** No rate below this, whatever the zone. */
  rateFloor: number;
  // Lab/sampling history hard stop
  labWindowMonths: number;
  labMinSamples: number;
  /** A pass rate strictly below this stops the lane (exactly this passes). */
  labMinPassRate: number;
  // Criteria
  minHistoryYears: number;
  requiredDocuments: readonly DocumentKind[];
  /** Tiers allowed paperless declaration (无纸化报检); other tiers must give every document a uri. */
  paperlessTiers: readonly CreditTier[];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export const DEFAULT_RULES: GreenChannelRules = deepFreeze({
  version: RULESET_VERSION,
  minAnnualExportsUsd: '1000000.00',
  acceptedCertificateStandards: ['ISO9001', 'IATF16949'],
  qualityClaimWindowYears: 2,
  nonCompliantWindowYears: 1,
  penaltyWindowYears: 2,
  allowedCategories: [1, 2],
  excludedTiers: ['DISCREDITED', 'SERIOUSLY_DISCREDITED'],
  randomRates: {
    ADVANCED_CERTIFIED: 0.005,
    CERTIFIED: 0.0125,
    REGULAR: 0.025,
    DISCREDITED: 0.85,
    // A hard stop before any draw; 1.0 so that no configuration can make it look lenient.
    SERIOUSLY_DISCREDITED: 1,
  },
  zoneFactors: { NATIONAL: 0.5, PROVINCIAL: 0.75 },
  zoneReliefExcludedTiers: ['DISCREDITED', 'SERIOUSLY_DISCREDITED'],
  rateFloor: 0.003,
  labWindowMonths: 24,
  labMinSamples: 10,
  labMinPassRate: 0.95,
  minHistoryYears: 1,
  requiredDocuments: ['INVOICE', 'PACKING_LIST'],
  paperlessTiers: ['ADVANCED_CERTIFIED', 'CERTIFIED', 'REGULAR'],
});

export type GreenChannelRulesOverrides = Partial<
  Omit<GreenChannelRules, 'randomRates' | 'zoneFactors'> & {
    randomRates: Partial<Record<CreditTier, number>>;
    zoneFactors: Partial<Record<ZoneLevel, number>>;
  }
>;

export type RulesValidation = { ok: true; rules: GreenChannelRules } | { ok: false; errors: string[] };

// Bounds from the 2019 calibration (DOMAIN.md): certified <= 50% and advanced <= 20% of the regular
// rate, discredited >= 80%. A configuration outside them is not the published practice.
const CERTIFIED_MAX_SHARE = 0.5;
const ADVANCED_MAX_SHARE = 0.2;
const DISCREDITED_MIN_RATE = 0.8;
// Products like 0.2 * 0.025 carry binary rounding; the bounds are policy, not the last ulp.
const EPSILON = 1e-12;

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isUnit = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const withoutVersion = ({ version: _v, ...rest }: GreenChannelRules) => canonicalJson(rest);

function checkList<T>(
  errors: string[],
  name: string,
  value: unknown,
  allowed: readonly T[],
  nonEmpty: boolean,
): void {
  if (!Array.isArray(value)) return void errors.push(`${name} must be a list`);
  if (nonEmpty && value.length === 0) errors.push(`${name} must not be empty`);
  const bad = value.filter((v) => !allowed.includes(v as T));
  if (bad.length)
    errors.push(`${name}: ${bad.map((b) => JSON.stringify(b)).join(', ')} not among ${allowed.join(', ')}`);
}

function checkTable(
  errors: string[],
  name: string,
  value: unknown,
  keys: readonly string[],
  min: number,
): void {
  if (!value || typeof value !== 'object') return void errors.push(`${name} must be an object`);
  for (const key of Object.keys(value))
    if (!keys.includes(key)) errors.push(`${name}.${key} is not a known setting`);
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (!isUnit(v) || v < min)
      errors.push(`${name}.${key} must be a number in [${min}, 1], got ${JSON.stringify(v)}`);
  }
}

/**
 * DEFAULT_RULES with `overrides` applied (randomRates and zoneFactors merge per key), or every problem
 * found, each naming its setting. Overrides that change a rule without a version of their own get
 * `<RULESET_VERSION>+<hash of the rules>`, so decisions made under them never pass for the defaults.
 */
export function validateRules(overrides: GreenChannelRulesOverrides = {}): RulesValidation {
  const errors: string[] = [];
  if (!overrides || typeof overrides !== 'object')
    return { ok: false, errors: ['overrides must be an object'] };
  for (const key of Object.keys(overrides))
    if (!(key in DEFAULT_RULES)) errors.push(`${key} is not a known setting`);
  const merged = {
    ...DEFAULT_RULES,
    ...overrides,
    randomRates: { ...DEFAULT_RULES.randomRates, ...overrides.randomRates },
    zoneFactors: { ...DEFAULT_RULES.zoneFactors, ...overrides.zoneFactors },
  } as GreenChannelRules;
  const r = merged as unknown as Record<keyof GreenChannelRules, unknown>;

  if (typeof r.version !== 'string' || r.version.trim() === '')
    errors.push('version must be a non-empty string');
  const minExports = parseDecimalMicros(r.minAnnualExportsUsd);
  if (minExports === undefined || minExports < 0n)
    errors.push(
      `minAnnualExportsUsd must be a non-negative decimal string, got ${JSON.stringify(r.minAnnualExportsUsd)}`,
    );
  if (
    !Array.isArray(r.acceptedCertificateStandards) ||
    r.acceptedCertificateStandards.length === 0 ||
    r.acceptedCertificateStandards.some((s) => typeof s !== 'string' || s.trim() === '')
  )
    errors.push('acceptedCertificateStandards must be a non-empty list of standard names');
  for (const key of ['qualityClaimWindowYears', 'nonCompliantWindowYears', 'penaltyWindowYears'] as const)
    if (!isInt(r[key], 1, 100))
      errors.push(`${key} must be a whole number of years from 1 to 100, got ${JSON.stringify(r[key])}`);
  if (!isInt(r.minHistoryYears, 0, 100))
    errors.push(
      `minHistoryYears must be a whole number of years from 0 to 100, got ${JSON.stringify(r.minHistoryYears)}`,
    );
  if (!isInt(r.labWindowMonths, 1, 1200))
    errors.push(
      `labWindowMonths must be a whole number of months from 1 to 1200, got ${JSON.stringify(r.labWindowMonths)}`,
    );
  if (!isInt(r.labMinSamples, 1, 1_000_000))
    errors.push(`labMinSamples must be a whole number from 1, got ${JSON.stringify(r.labMinSamples)}`);
  if (!isUnit(r.labMinPassRate))
    errors.push(`labMinPassRate must be a number in [0, 1], got ${JSON.stringify(r.labMinPassRate)}`);
  checkList(errors, 'allowedCategories', r.allowedCategories, ENTERPRISE_CATEGORIES, true);
  checkList(errors, 'excludedTiers', r.excludedTiers, CREDIT_TIERS, false);
  checkList(errors, 'zoneReliefExcludedTiers', r.zoneReliefExcludedTiers, CREDIT_TIERS, false);
  checkList(errors, 'paperlessTiers', r.paperlessTiers, CREDIT_TIERS, false);
  checkList(errors, 'requiredDocuments', r.requiredDocuments, DocumentKind.options, false);
  checkTable(errors, 'randomRates', r.randomRates, CREDIT_TIERS, 0);
  checkTable(errors, 'zoneFactors', r.zoneFactors, ZONE_LEVELS, 0);
  if (!isUnit(r.rateFloor))
    errors.push(`rateFloor must be a number in [0, 1], got ${JSON.stringify(r.rateFloor)}`);
  if (errors.length) return { ok: false, errors };

  const rates = merged.randomRates;
  for (const tier of CREDIT_TIERS)
    if (merged.rateFloor > rates[tier])
      errors.push(
        `rateFloor ${merged.rateFloor} is above the ${tier} rate ${rates[tier]}: the tier rate would mean nothing`,
      );
  if (rates.CERTIFIED > CERTIFIED_MAX_SHARE * rates.REGULAR + EPSILON)
    errors.push(
      `randomRates.CERTIFIED ${rates.CERTIFIED} exceeds ${CERTIFIED_MAX_SHARE} x the REGULAR rate ${rates.REGULAR}`,
    );
  if (rates.ADVANCED_CERTIFIED > ADVANCED_MAX_SHARE * rates.REGULAR + EPSILON)
    errors.push(
      `randomRates.ADVANCED_CERTIFIED ${rates.ADVANCED_CERTIFIED} exceeds ${ADVANCED_MAX_SHARE} x the REGULAR rate ${rates.REGULAR}`,
    );
  const bestZone = Math.min(...ZONE_LEVELS.map((z) => merged.zoneFactors[z]));
  const lowestDiscredited =
    rates.DISCREDITED * (merged.zoneReliefExcludedTiers.includes('DISCREDITED') ? 1 : bestZone);
  if (lowestDiscredited < DISCREDITED_MIN_RATE - EPSILON)
    errors.push(
      `the DISCREDITED rate can fall to ${lowestDiscredited} (rate x zone factor), below the ${DISCREDITED_MIN_RATE} minimum`,
    );
  if (errors.length) return { ok: false, errors };

  const changed = withoutVersion(merged) !== withoutVersion(DEFAULT_RULES);
  if (changed && overrides.version === RULESET_VERSION)
    return {
      ok: false,
      errors: [
        `the overrides change the rules but keep version ${RULESET_VERSION}: give them a version of their own`,
      ],
    };
  if (changed && overrides.version === undefined) {
    const digest = createHash('sha256').update(withoutVersion(merged)).digest('hex').slice(0, 12);
    merged.version = `${RULESET_VERSION}+${digest}`;
  }
  // A copy: freezing must not reach into the caller's arrays.
  return { ok: true, rules: deepFreeze(structuredClone(merged)) };
}
