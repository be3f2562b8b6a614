import { canonicalJson } from './canonical-json';
import type { RvcMethod } from './origin.types';

/** Version of DEFAULT_ORIGIN_RULES; every decision records it with PSR_TABLE_VERSION (DOMAIN.md). */
export const ORIGIN_RULESET_VERSION = 'origin/2026.1';

/**
 * The issuing office's time zone. The rules take calendar dates only; the service turns its clock into
 * the issue date with toOfficeDate(now, OFFICE_TIME_ZONE).
 */
export const OFFICE_TIME_ZONE = 'Asia/Shanghai';

/** Every threshold of DOMAIN.md "Preferential certificate of origin", as configuration. */
export interface OriginRules {
  version: string;
  /** At most this many goods items (request lines) per certificate (DOMAIN.md: 20). */
  maxItems: number;
  /**
   * RCEP Art. 3.7 de minimis, applied to both agreements: non-originating materials that fail a tariff
   * shift still pass when together they are at most this percentage of FOB (decimal string, '10').
   * RCEP measures goods of chapters 50-63 by weight instead; a request carries no weights, so value is
   * used for them too (assumed).
   */
  deMinimisPercent: string;
  /** RVC method when the caller names none: build-down, which needs no cost data. */
  rvcMethod: RvcMethod;
  /** A certificate is valid this many calendar years from its issue date (DOMAIN.md: 1). */
  validityYears: number;
}

export const DEFAULT_ORIGIN_RULES: OriginRules = Object.freeze({
  version: ORIGIN_RULESET_VERSION,
  maxItems: 20,
  deMinimisPercent: '10',
  rvcMethod: 'BUILD_DOWN',
  validityYears: 1,
});

export type OriginRulesValidation = { ok: true; rules: OriginRules } | { ok: false; errors: string[] };

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const PERCENT = /^(100(\.0{1,2})?|[1-9]?\d(\.\d{1,2})?)$/;

function digest(text: string): string {
  // FNV-1a, 32 bits: enough to tell rule sets apart in a version label, and no crypto in the domain.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
const withoutVersion = ({ version: _v, ...rest }: OriginRules) => canonicalJson(rest);

/**
 * DEFAULT_ORIGIN_RULES with `overrides`, or every problem found, each naming its setting. Overrides that
 * change a rule without a version of their own get `<ORIGIN_RULESET_VERSION>+<digest>`, so decisions
 * made under them never pass for the defaults.
 */
export function validateOriginRules(overrides: Partial<OriginRules> = {}): OriginRulesValidation {
  if (!overrides || typeof overrides !== 'object')
    return { ok: false, errors: ['overrides must be an object'] };
  const errors: string[] = [];
  for (const key of Object.keys(overrides))
    if (!(key in DEFAULT_ORIGIN_RULES)) errors.push(`${key} is not a known setting`);
  const merged = { ...DEFAULT_ORIGIN_RULES, ...overrides } as OriginRules;
  const r = merged as unknown as Record<keyof OriginRules, unknown>;
  if (typeof r.version !== 'string' || r.version.trim() === '')
    errors.push('version must be a non-empty string');
  if (!isInt(r.maxItems, 1, 999))
    errors.push(`maxItems must be a whole number from 1 to 999, got ${JSON.stringify(r.maxItems)}`);
  if (typeof r.deMinimisPercent !== 'string' || !PERCENT.test(r.deMinimisPercent))
    errors.push(
      `deMinimisPercent must be a percentage 0-100 as a string, got ${JSON.stringify(r.deMinimisPercent)}`,
    );
  if (r.rvcMethod !== 'BUILD_DOWN' && r.rvcMethod !== 'BUILD_UP')
    errors.push(`rvcMethod must be BUILD_DOWN or BUILD_UP, got ${JSON.stringify(r.rvcMethod)}`);
  if (!isInt(r.validityYears, 1, 10))
    errors.push(`validityYears must be a whole number from 1 to 10, got ${JSON.stringify(r.validityYears)}`);
  if (errors.length) return { ok: false, errors };

  const changed = withoutVersion(merged) !== withoutVersion(DEFAULT_ORIGIN_RULES);
  if (changed && overrides.version === ORIGIN_RULESET_VERSION)
    return {
      ok: false,
      errors: [
        `the overrides change the rules but keep version ${ORIGIN_RULESET_VERSION}: give them a version of their own`,
      ],
    };
  if (changed && overrides.version === undefined)
    merged.version = `${ORIGIN_RULESET_VERSION}+${digest(withoutVersion(merged))}`;
  return { ok: true, rules: Object.freeze(merged) };
}

/** What a decision records as its `rulesetVersion`: the settings and the rule table it used. */
export const rulesetVersion = (rules: OriginRules, psrTableVersion: string): string =>
  `${rules.version};${psrTableVersion}`;
