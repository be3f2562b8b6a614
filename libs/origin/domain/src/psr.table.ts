import type { Agreement } from './origin.types';
import { anyOf, CC, CTH, CTSH, type OriginRule, rvc, ruleProblems } from './origin-rule';

// Product-specific rules (DOMAIN.md: "a versioned data table (HS prefix -> rule) shipped with the
// service, covering at least the products of the demo data; unknown products use the general rule").
//
// ILLUSTRATIVE, NOT LEGAL TEXT (assumed): the entries follow the shape of RCEP Annex 3A and the
// ACFTA product-specific rules as commonly summarised (machinery and electronics "RVC40 or CTH/CTSH",
// motor vehicles RVC40, garments a change of chapter), but were not checked line by line against the
// official schedules, which also differ by HS edition. Before real use, replace them with the official
// lists and bump PSR_TABLE_VERSION; every decision records the version it used.

/** Version of PSR_TABLE; decisions record it. Change it with every edit of the table. */
export const PSR_TABLE_VERSION = 'psr/2026.1-illustrative';

/**
 * The general rule, RVC40 or CTH (DOMAIN.md; ACFTA Rule 4 as upgraded in 2019). RCEP Annex 3A lists a
 * rule for every subheading, so for RCEP this fallback for products missing from the table is assumed.
 */
export const GENERAL_RULE: OriginRule = Object.freeze(anyOf(rvc('40'), CTH));

export interface PsrEntry {
  /** HS prefix of 2 to 10 digits; the longest matching prefix wins. */
  prefix: string;
  description: string;
  rules: Readonly<Record<Agreement, OriginRule>>;
}

const both = (rule: OriginRule): Record<Agreement, OriginRule> => ({ RCEP: rule, CHINA_ASEAN: rule });

export const PSR_TABLE: readonly PsrEntry[] = Object.freeze([
  // Demo: export auto-parts cluster.
  {
    prefix: '8708',
    description: 'Parts and accessories of motor vehicles (gearboxes)',
    rules: both(anyOf(rvc('40'), CTH)),
  },
  {
    prefix: '8544',
    description: 'Insulated wire and cable (wiring harnesses)',
    rules: both(anyOf(rvc('40'), CTH)),
  },
  {
    prefix: '8518',
    description: 'Microphones, loudspeakers, amplifiers',
    rules: both(anyOf(rvc('40'), CTSH)),
  },
  // Motor vehicles: a value test only, no tariff-shift alternative (assumed for both agreements).
  { prefix: '8702', description: 'Motor vehicles for ten or more persons (buses)', rules: both(rvc('40')) },
  // Demo: export electronics zone.
  { prefix: '8542', description: 'Electronic integrated circuits', rules: both(anyOf(rvc('40'), CTSH)) },
  // Demo: sock zone. Knitted garments take a change of chapter (yarn or fabric of chapters 50-60 into
  // chapter 61); China-ASEAN also accepts RVC40 (assumed).
  {
    prefix: '6115',
    description: 'Hosiery (socks)',
    rules: { RCEP: CC, CHINA_ASEAN: anyOf(CC, rvc('40')) },
  },
  // Demo: wood-products zone.
  {
    prefix: '4418',
    description: 'Builders joinery and carpentry of wood (flooring)',
    rules: both(anyOf(CTH, rvc('40'))),
  },
  // Demo: textile and garment cluster.
  { prefix: '61', description: 'Garments, knitted or crocheted', rules: both(CC) },
  { prefix: '62', description: 'Garments, not knitted or crocheted', rules: both(CC) },
] satisfies PsrEntry[]);

export interface PsrMatch {
  /** The rule to apply. */
  rule: OriginRule;
  /** The table entry's prefix, or null when the general rule applies. */
  prefix: string | null;
  description?: string;
  tableVersion: string;
}

/**
 * The rule for `hsCode` under `agreement`: the entry with the longest matching prefix, else the
 * general rule.
 */
export function findProductRule(
  agreement: Agreement,
  hsCode: string,
  table: readonly PsrEntry[] = PSR_TABLE,
  tableVersion: string = PSR_TABLE_VERSION,
): PsrMatch {
  let best: PsrEntry | undefined;
  for (const entry of table)
    if (hsCode.startsWith(entry.prefix) && (!best || entry.prefix.length > best.prefix.length)) best = entry;
  return best
    ? { rule: best.rules[agreement], prefix: best.prefix, description: best.description, tableVersion }
    : { rule: GENERAL_RULE, prefix: null, tableVersion };
}

/** Problems of a rule table: malformed or repeated prefixes, missing agreements, malformed rules. */
export function psrTableProblems(table: readonly PsrEntry[], agreements: readonly Agreement[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of table.entries()) {
    const at = `entry ${i} (${entry.prefix})`;
    if (!/^\d{2,10}$/.test(entry.prefix)) problems.push(`${at}: prefix must be 2 to 10 digits`);
    if (seen.has(entry.prefix)) problems.push(`${at}: prefix listed twice`);
    seen.add(entry.prefix);
    for (const agreement of agreements) {
      const rule = entry.rules[agreement];
      if (!rule) problems.push(`${at}: no rule for ${agreement}`);
      else problems.push(...ruleProblems(rule, `${at} ${agreement}`));
    }
  }
  return problems;
}
