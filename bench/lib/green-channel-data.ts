// The green-channel target's data: reference data seeded straight into its schema (enterprises of mixed
// credit tiers, categories and zones, demonstration zones, risk alerts, approvals, lab results), and the
// inspection.declaration.accepted.v1 events of the load, built once as JSON text around two slots (the
// declarationId and the declarant's code) so that producing one costs a few string concatenations.
// Every document is without a uri, so every declaration takes green-channel's fast path (decided inline).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DeclarationAccepted, Topics, usccCheckCharacter } from '@cic/contracts';
import type { Client } from 'pg';
import { DOCUMENT_KINDS, GOODS } from './declarations';
import type { OutMessage } from './kafka';

const fixture = (
  JSON.parse(
    readFileSync(
      join(__dirname, '../../libs/contracts/fixtures/inspection.declaration.accepted.v1/v1-initial.json'),
      'utf8',
    ),
  ) as { data: DeclarationAccepted }
).data;

const TIERS = [
  ['ADVANCED_CERTIFIED', 10],
  ['CERTIFIED', 25],
  ['REGULAR', 55],
  ['DISCREDITED', 7],
  ['SERIOUSLY_DISCREDITED', 3],
] as const;
const CATEGORIES = [
  [1, 20],
  [2, 35],
  [3, 35],
  [4, 10],
] as const;
const DESTINATIONS = ['JP', 'US', 'AU', 'DE', 'KR', 'GB', 'FR', 'CA', 'SG', 'AE'];
const INDUSTRIES = ['auto parts', 'hosiery', 'wood flooring', 'lighting', 'ceramics', 'textiles', 'tools'];
const SEED_BY = 'bench-seed';

/** A small deterministic generator (mulberry32): the same reference data on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function weighted<T>(rnd: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rnd() * total;
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items[items.length - 1][0];
}

export const isoDate = (daysFromToday: number) =>
  new Date(Date.now() + daysFromToday * 86_400_000).toISOString().slice(0, 10);

/** The i-th bench enterprise's unified social credit code (valid check character). */
export function enterpriseCode(i: number): string {
  const first17 = `91330200MA${String(i).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
}

export interface SeedSize {
  enterprises: number;
  zones: number;
  alerts: number;
}

export interface SeedResult {
  enterprises: number;
  zones: number;
  alerts: number;
  approvals: number;
  sampleResults: number;
  ms: number;
}

/**
 * unnest() of parallel arrays, one INSERT per table (per 5,000 rows): fast enough for tens of thousands of
 * rows. A column is [name, element type of its parameter array, cast in the select (e.g. to text[])].
 */
export async function insert(
  pg: Client,
  table: string,
  columns: Array<[name: string, type: string, cast?: string]>,
  rows: unknown[][],
): Promise<void> {
  const names = columns.map(([n]) => `"${n}"`).join(', ');
  const select = columns.map(([, , cast], i) => `c${i}${cast ? `::${cast}` : ''}`).join(', ');
  const unnest = columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  for (let at = 0; at < rows.length; at += 5000) {
    const chunk = rows.slice(at, at + 5000);
    await pg.query(
      `INSERT INTO ${table} (${names}) SELECT ${select} FROM unnest(${unnest}) AS x(${aliases})`,
      columns.map((_, c) => chunk.map((r) => r[c])),
    );
  }
}

/**
 * Reference data into green-channel's schema (after its migrations, before it starts: its risk-alert
 * index is loaded at start-up). Some alerts match the load's goods, so a share of the lanes is RED;
 * discredited enterprises, missing lab history and random selection make others YELLOW.
 */
export async function seedReferenceData(pg: Client, schema: string, size: SeedSize): Promise<SeedResult> {
  const started = Date.now();
  const rnd = random(20261122);
  const s = `"${schema}"`;
  const zoneIds = Array.from({ length: size.zones }, (_, i) => `BZ-${String(i + 1).padStart(3, '0')}`);
  await insert(
    pg,
    `${s}."zones"`,
    [
      ['id', 'text'],
      ['name', 'text'],
      ['level', 'text'],
      ['industry', 'text'],
      ['updated_by', 'text'],
    ],
    zoneIds.map((id, i) => [
      id,
      `Bench demonstration zone ${i + 1}`,
      i % 3 === 0 ? 'NATIONAL' : 'PROVINCIAL',
      INDUSTRIES[i % INDUSTRIES.length],
      SEED_BY,
    ]),
  );

  const enterprises = Array.from({ length: size.enterprises }, (_, i) => {
    const zones = zoneIds.filter(() => rnd() < 1.2 / Math.max(1, size.zones));
    const certified = rnd() < 0.6;
    return [
      enterpriseCode(i),
      `Bench Export Enterprise ${i} Co., Ltd.`,
      weighted(rnd, TIERS),
      weighted(rnd, CATEGORIES),
      (Math.round(rnd() * 50_000_000) + 50_000).toFixed(2),
      JSON.stringify(
        certified
          ? [
              {
                standard: rnd() < 0.8 ? 'ISO9001' : 'IATF16949',
                number: `CERT-BN-${i}`,
                validFrom: isoDate(-400),
                validUntil: isoDate(rnd() < 0.9 ? 700 : -10),
              },
            ]
          : [],
      ),
      `{${zones.join(',')}}`,
      rnd() < 0.9 ? isoDate(-Math.round(365 * (1 + rnd() * 10))) : null,
      SEED_BY,
    ];
  });
  await insert(
    pg,
    `${s}."enterprises"`,
    [
      ['code', 'text'],
      ['name', 'text'],
      ['tier', 'text'],
      ['category', 'smallint'],
      ['annual_exports_usd', 'numeric'],
      ['certifications', 'jsonb'],
      ['zone_ids', 'text', 'text[]'],
      ['history_since', 'date'],
      ['updated_by', 'text'],
    ],
    enterprises,
  );

  // Green-channel approvals: some approved, a few suspended, the rest none (no row).
  const approvals = enterprises
    .map((e) => e[0] as string)
    .filter(() => rnd() < 0.2)
    .map((code) => [code, rnd() < 0.85 ? 'APPROVED' : 'SUSPENDED']);
  await insert(
    pg,
    `${s}."approvals"`,
    [
      ['enterprise_code', 'text'],
      ['status', 'text'],
    ],
    approvals,
  );

  // Lab results of the load's goods for half of the enterprises, so the lab-history rule has counts.
  const headings = [...new Set(GOODS.map((g) => g.hsCode))];
  const samples: unknown[][] = [];
  for (const e of enterprises.filter(() => rnd() < 0.5)) {
    for (let k = 0; k < 12; k++) {
      const hs = headings[Math.floor(rnd() * headings.length)];
      samples.push([
        randomUUID(),
        1,
        randomUUID(),
        e[0],
        hs,
        hs.slice(0, 4),
        rnd() < 0.97 ? 'PASS' : 'FAIL',
        ['PHYSICAL', 'DOCUMENT', 'SAMPLING'][k % 3],
        new Date(Date.now() - rnd() * 600 * 86_400_000).toISOString(),
      ]);
    }
  }
  await insert(
    pg,
    `${s}."sample_results"`,
    [
      ['event_id', 'uuid'],
      ['line_no', 'int'],
      ['declaration_id', 'uuid'],
      ['enterprise_code', 'text'],
      ['hs_code', 'text'],
      ['hs_heading', 'text'],
      ['outcome', 'text'],
      ['kind', 'text'],
      ['recorded_at', 'timestamptz'],
    ],
    samples,
  );

  // Risk alerts: mostly prefixes the load never declares (the index has to be searched, not skipped),
  // a tenth expired, and two that hit the load's goods for some destinations (RED lanes).
  const alerts: unknown[][] = [];
  const targeted = size.alerts > 0 ? ['691110', '9405'] : [];
  for (const [j, prefix] of targeted.entries())
    alerts.push([randomUUID(), prefix, `{${j === 0 ? 'US' : 'AU'}}`, isoDate(-30), null, 'TRADE_MEASURE']);
  while (alerts.length < size.alerts) {
    const length = 4 + Math.floor(rnd() * 7);
    let prefix = String(1 + Math.floor(rnd() * 97)).padStart(2, '0');
    while (prefix.length < length) prefix += Math.floor(rnd() * 10);
    const destinations = DESTINATIONS.filter(() => rnd() < 0.15);
    const expired = rnd() < 0.1;
    alerts.push([
      randomUUID(),
      prefix,
      `{${destinations.join(',')}}`,
      isoDate(-Math.round(30 + rnd() * 700)),
      expired ? isoDate(-Math.round(2 + rnd() * 20)) : rnd() < 0.5 ? null : isoDate(Math.round(rnd() * 365)),
      rnd() < 0.7 ? 'FOREIGN_NOTIFICATION' : 'TRADE_MEASURE',
    ]);
  }
  await insert(
    pg,
    `${s}."risk_alerts"`,
    [
      ['id', 'uuid'],
      ['hs_prefix', 'text'],
      ['destinations', 'text', 'text[]'],
      ['valid_from', 'date'],
      ['valid_until', 'date'],
      ['source', 'text'],
      ['description', 'text'],
      ['updated_by', 'text'],
    ],
    alerts.map((a) => [...a, `Bench risk alert on HS ${a[1] as string}`, SEED_BY]),
  );
  return {
    enterprises: enterprises.length,
    zones: zoneIds.length,
    alerts: alerts.length,
    approvals: approvals.length,
    sampleResults: samples.length,
    ms: Date.now() - started,
  };
}

const TYPE = Topics.DeclarationAcceptedV1.name;
const ID = '@@DECLARATIONID@@';
const CODE = '@@DECLARANT@@';

/** inspection.declaration.accepted.v1 events as declaration-intake publishes them, for green-channel. */
export class AcceptedFactory {
  /** Each template split around the slots: text, slot, text, slot, ... */
  private readonly templates: Array<Array<string | typeof ID | typeof CODE>>;
  readonly averageBytes: number;

  constructor(
    lines: number,
    documents: number,
    private readonly enterprises: number,
    variants = 16,
  ) {
    const departureDate = isoDate(7);
    const receivedAt = new Date().toISOString();
    this.templates = Array.from({ length: variants }, (_, i) => {
      const goodsCount = Math.max(1, lines + (i % 3) - 1);
      const docCount = Math.max(2, documents + (i % 2));
      const d: DeclarationAccepted = {
        ...structuredClone(fixture),
        declarationId: ID,
        localRef: `GC-BENCH-${i}`,
        receivedAt,
        declarant: { code: CODE, name: 'Bench Export Enterprise' },
        departureDate,
        destinationCountry: DESTINATIONS[i % 4],
        portOfExit: i % 2 ? 'CNSHA' : 'CNNGB',
        goods: Array.from({ length: goodsCount }, (_, j) => ({
          ...GOODS[(i + j) % GOODS.length],
          lineNo: j + 1,
          manufacturerCode: CODE,
        })),
        // No uri: nothing to fetch, so the lane is decided inline (the fast path).
        documents: Array.from({ length: docCount }, (_, j) => ({
          kind: DOCUMENT_KINDS[j % DOCUMENT_KINDS.length],
          number: `${DOCUMENT_KINDS[j % DOCUMENT_KINDS.length].slice(0, 3)}-GC-${i}-${j}`,
          sha256: (i * 16 + j).toString(16).padStart(64, 'c'),
        })),
        originCertificate: i % 2 === 0 ? fixture.originCertificate : undefined,
        paperless: i % 3 !== 0,
      };
      const sample = this.envelope(
        JSON.stringify(d).replaceAll(ID, randomUUID()).replaceAll(CODE, enterpriseCode(0)),
        randomUUID(),
      );
      const check = Topics.DeclarationAcceptedV1.envelope.safeParse(JSON.parse(sample.value));
      if (!check.success)
        throw new Error(`bench accepted event ${i} is invalid: ${JSON.stringify(check.error.issues)}`);
      return JSON.stringify(d)
        .split(new RegExp(`(${ID}|${CODE})`))
        .map((part) => (part === ID ? ID : part === CODE ? CODE : part));
    });
    this.averageBytes = Math.round(
      this.templates.reduce(
        (s, t) => s + t.reduce((n, p) => n + (p === ID ? 36 : p === CODE ? 18 : p.length), 0) + 300,
        0,
      ) / this.templates.length,
    );
  }

  /** The CloudEvents envelope around `data`, as intake's outbox relay publishes it, and its event id. */
  private envelope(data: string, declarationId: string): { id: string; value: string } {
    const id = randomUUID();
    return {
      id,
      value:
        `{"specversion":"1.0","id":"${id}","type":"${TYPE}","source":"urn:cic:declaration-intake",` +
        `"subject":"${declarationId}","time":"${new Date().toISOString()}",` +
        `"datacontenttype":"application/json","data":${data}}`,
    };
  }

  /** A new declarationId: what the decided event comes back with, so what the tracker follows. */
  ref(): string {
    return randomUUID();
  }

  /** The accepted event of declaration `declarationId`, keyed by it, from enterprise `seq` mod count. */
  message(seq: number, declarationId: string): OutMessage {
    const t = this.templates[seq % this.templates.length];
    // Enterprises cycle on a stride prime to the template count, so every pair of them comes up.
    const code = enterpriseCode((seq * 7 + Math.floor(seq / this.templates.length)) % this.enterprises);
    let data = '';
    for (const p of t) data += p === ID ? declarationId : p === CODE ? code : p;
    const { id, value } = this.envelope(data, declarationId);
    return { key: declarationId, value, headers: { ce_type: TYPE, ce_id: id } };
  }
}
