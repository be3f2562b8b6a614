import { createHash } from 'node:crypto';

/** Version of DEFAULT_RULES; every decision records the version of the rules it used (DOMAIN.md). */
export const RULESET_VERSION = 'exemption/2026.1';

/**
 * The inspection office's time zone. The rules take calendar dates only; a caller turns its clock into
 * `today` / `asOf` with toOfficeDate(now, OFFICE_TIME_ZONE), so "the day" is the office's day, not the
 * server's (a job running at 00:30 in Shanghai is still on the previous day in UTC).
 */
export const OFFICE_TIME_ZONE = 'Asia/Shanghai';

/** Every threshold of DOMAIN.md "Inspection exemption", as configuration. */
export interface ExemptionRules {
  version: string;
  /** validUntil = validFrom + this many calendar years (DOMAIN.md: 3). */
  grantValidityYears: number;
  /** The renewal reminder is due from validUntil minus this many calendar months (DOMAIN.md: 3). */
  renewalReminderMonths: number;
  /** Consecutive years of passed inspections with no quality dispute an application needs (DOMAIN.md: 3). */
  cleanHistoryYears: number;
  /**
   * (assumed) Inspection results each scope prefix needs in every one of those years: without results
   * there is no evidence of passing, so a year with none fails the application.
   */
  minResultsPerYear: number;
  /** Never exemptible: food, live animals, plants and their products, HS chapters 01-24 (Decree 23 of 2002). */
  nonExemptibleChapters: readonly string[];
  /** Dangerous goods and their packaging (a UN number on the line) are never exemptible. */
  excludeDangerousGoods: boolean;
  /** Bulk goods are never exemptible. */
  excludeBulk: boolean;
  /**
   * Compared after dropping case, spaces, '-', '_' and an edition suffix (':2015'). DOMAIN.md asks for
   * ISO 9001 only (unlike the green channel, which also names IATF 16949); add 'IATF16949' with a new
   * version to accept automotive suppliers certified to it.
   */
  acceptedCertificateStandards: readonly string[];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const FOOD_CHAPTERS = Array.from({ length: 24 }, (_, i) => String(i + 1).padStart(2, '0'));

export const DEFAULT_RULES: ExemptionRules = deepFreeze({
  version: RULESET_VERSION,
  grantValidityYears: 3,
  renewalReminderMonths: 3,
  cleanHistoryYears: 3,
  minResultsPerYear: 1,
  nonExemptibleChapters: FOOD_CHAPTERS,
  excludeDangerousGoods: true,
  excludeBulk: true,
  acceptedCertificateStandards: ['ISO9001'],
});

export type ExemptionRulesOverrides = Partial<ExemptionRules>;

export type RulesValidation = { ok: true; rules: ExemptionRules } | { ok: false; errors: string[] };

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const withoutVersion = ({ version: _v, ...rest }: ExemptionRules) => canonicalJson(rest);

/**
 * DEFAULT_RULES with `overrides` applied, or every problem found, each naming its setting. Overrides that
 * change a rule without a version of their own get `<RULESET_VERSION>+<hash of the rules>`, so decisions
 * made under them never pass for the defaults.
 */
export function validateRules(overrides: ExemptionRulesOverrides = {}): RulesValidation {
  if (!overrides || typeof overrides !== 'object')
    return { ok: false, errors: ['overrides must be an object'] };
  const errors: string[] = [];
  for (const key of Object.keys(overrides))
    if (!(key in DEFAULT_RULES)) errors.push(`${key} is not a known setting`);
  const merged = { ...DEFAULT_RULES, ...overrides } as ExemptionRules;
  const r = merged as unknown as Record<keyof ExemptionRules, unknown>;

  if (typeof r.version !== 'string' || r.version.trim() === '')
    errors.push('version must be a non-empty string');
  for (const key of ['grantValidityYears', 'cleanHistoryYears'] as const)
    if (!isInt(r[key], 1, 100))
      errors.push(`${key} must be a whole number of years from 1 to 100, got ${JSON.stringify(r[key])}`);
  if (!isInt(r.renewalReminderMonths, 0, 1200))
    errors.push(
      `renewalReminderMonths must be a whole number of months from 0, got ${JSON.stringify(r.renewalReminderMonths)}`,
    );
  if (!isInt(r.minResultsPerYear, 1, 1_000_000))
    errors.push(
      `minResultsPerYear must be a whole number from 1, got ${JSON.stringify(r.minResultsPerYear)}`,
    );
  const chapters = r.nonExemptibleChapters;
  if (!Array.isArray(chapters)) errors.push('nonExemptibleChapters must be a list');
  else {
    const bad = chapters.filter((c) => typeof c !== 'string' || !/^\d{2}$/.test(c) || c === '00');
    if (bad.length)
      errors.push(
        `nonExemptibleChapters: ${bad.map((b) => JSON.stringify(b)).join(', ')} are not 2-digit HS chapters 01-99`,
      );
    const dup = chapters.filter((c, i) => chapters.indexOf(c) !== i);
    if (dup.length) errors.push(`nonExemptibleChapters lists ${[...new Set(dup)].join(', ')} twice`);
  }
  for (const key of ['excludeDangerousGoods', 'excludeBulk'] as const)
    if (typeof r[key] !== 'boolean')
      errors.push(`${key} must be true or false, got ${JSON.stringify(r[key])}`);
  if (
    !Array.isArray(r.acceptedCertificateStandards) ||
    r.acceptedCertificateStandards.length === 0 ||
    r.acceptedCertificateStandards.some((s) => typeof s !== 'string' || s.trim() === '')
  )
    errors.push('acceptedCertificateStandards must be a non-empty list of standard names');
  if (errors.length) return { ok: false, errors };

  // A reminder due before the grant even starts would go out on the day it is granted.
  if (merged.renewalReminderMonths >= merged.grantValidityYears * 12)
    errors.push(
      `renewalReminderMonths ${merged.renewalReminderMonths} must be shorter than the ${merged.grantValidityYears}-year validity`,
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
