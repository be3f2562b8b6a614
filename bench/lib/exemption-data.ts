// The exemption target's data: exemption grants seeded straight into its schema for the load's enterprises
// (the same USCC codes as green-channel's, enterpriseCode(i)), of mixed status, validity and product scope,
// so the decisions vary: some declarations exempt on every line, many on some lines, others on none, for
// every reason a line can have (covered, suspended, not yet valid, expired, revoked, scope mismatch, no
// grant). The load itself is green-channel's accepted events (AcceptedFactory): the declarant is the
// manufacturer of every line. The same grants on every run.
import type { Client } from 'pg';
import { GOODS } from './declarations';
import { enterpriseCode, insert, isoDate, random, weighted } from './green-channel-data';

/** Headings of the load's goods (a grant covering one exempts those lines), and some it never declares. */
const LOAD_HEADINGS = [...new Set(GOODS.map((g) => g.hsCode.slice(0, 4)))];
const OTHER_HEADINGS = ['8542', '8471', '7318', '3926', '6402', '9503'];
const SEED_BY = 'bench-seed';

type Kind = 'in-force' | 'suspended' | 'revoked' | 'expired' | 'lapsed' | 'not-yet-valid';
const KINDS: ReadonlyArray<readonly [Kind, number]> = [
  ['in-force', 62],
  ['suspended', 12],
  ['revoked', 6],
  ['expired', 8],
  // ACTIVE but past validUntil: the daily expiry has not run yet (the worker's catch-up run at start-up
  // expires them; a decision calls them EXPIRED either way).
  ['lapsed', 7],
  ['not-yet-valid', 5],
];
const STATUS: Record<Kind, string> = {
  'in-force': 'ACTIVE',
  suspended: 'SUSPENDED',
  revoked: 'REVOKED',
  expired: 'EXPIRED',
  lapsed: 'ACTIVE',
  'not-yet-valid': 'ACTIVE',
};

export interface ExemptionSeed {
  enterprises: number;
  withGrants: number;
  grants: number;
  byKind: Record<Kind, number>;
  ms: number;
}

/**
 * Grants into exemption's schema (after its migrations): 15% of the enterprises hold none; the others 1–3,
 * one in five of them a broad grant over every heading the load declares. Scopes are 4-, 6- or 8-digit
 * prefixes, mostly of the load's goods. No history rows: decisions read the grants alone.
 */
export async function seedGrants(pg: Client, schema: string, enterprises: number): Promise<ExemptionSeed> {
  const started = Date.now();
  const rnd = random(20261203);
  const byKind = Object.fromEntries(KINDS.map(([k]) => [k, 0])) as Record<Kind, number>;
  const rows: unknown[][] = [];
  let withGrants = 0;
  for (let i = 0; i < enterprises; i++) {
    if (rnd() < 0.15) continue;
    withGrants++;
    const count = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < count; j++) {
      const kind = weighted(rnd, KINDS);
      byKind[kind]++;
      const scope =
        j === 0 && rnd() < 0.2
          ? LOAD_HEADINGS
          : Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => {
              if (rnd() < 0.25) return OTHER_HEADINGS[Math.floor(rnd() * OTHER_HEADINGS.length)];
              const hs = GOODS[Math.floor(rnd() * GOODS.length)].hsCode;
              return hs.slice(0, [4, 4, 6, 8][Math.floor(rnd() * 4)]);
            });
      const from =
        kind === 'not-yet-valid'
          ? 30 + Math.round(rnd() * 60)
          : kind === 'expired'
            ? -1460 + Math.round(rnd() * 300)
            : kind === 'lapsed'
              ? -1096 - Math.round(rnd() * 20)
              : -900 + Math.round(rnd() * 870);
      rows.push([
        `0000be0c-0000-4000-8000-${String(i * 10 + j).padStart(12, '0')}`,
        enterpriseCode(i),
        `{${[...new Set(scope)].join(',')}}`,
        isoDate(from),
        isoDate(from + 1095),
        STATUS[kind],
        `BENCH-EX-${i}-${j}`,
        SEED_BY,
      ]);
    }
  }
  await insert(
    pg,
    `"${schema}"."grants"`,
    [
      ['id', 'uuid'],
      ['enterprise_code', 'text'],
      ['product_scope', 'text', 'text[]'],
      ['valid_from', 'date'],
      ['valid_until', 'date'],
      ['status', 'text'],
      ['approval_reference', 'text'],
      ['created_by', 'text'],
    ],
    rows,
  );
  return { enterprises, withGrants, grants: rows.length, byKind, ms: Date.now() - started };
}
