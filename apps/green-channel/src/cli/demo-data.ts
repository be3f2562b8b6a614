// Loads green-channel's demo reference data through its public API (idempotent: an import of the same
// rows changes nothing), the way an inspection office's admin would: demonstration zones, enterprises of
// every tier and category, risk alerts, and one green-channel approval. The demo declarations that
// declaration-intake submits come from these enterprises, so every lane appears in the demo.
// Usage: demo-data.ts <baseUrl> <admin api key>
import { usccCheckCharacter } from '@cic/contracts';

const [, , baseUrl = 'http://127.0.0.1:3002', key] = process.argv;
const code = (first17: string) => first17 + usccCheckCharacter(first17);
const yearsAgo = (n: number) => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - n);
  return d.toISOString().slice(0, 10);
};
const monthsAgo = (n: number) => new Date(Date.now() - n * 30 * 86_400_000).toISOString().slice(0, 10);
const iso9001 = (n: string) => ({
  standard: 'ISO9001',
  number: n,
  validFrom: yearsAgo(1),
  validUntil: new Date(Date.now() + 2 * 365 * 86_400_000).toISOString().slice(0, 10),
});

// Fictional enterprises modelled on real export clusters (DOMAIN.md "Demo data"). Codes shared with
// declaration-intake's demo declarations.
export const DEMO_ENTERPRISES = {
  gearbox: '91330200MA2H4K7L3P',
  socks: code('91330100MA27XK1X0'),
  flooring: code('91330200796000000'),
  electronics: code('91320500MA1W8E2K0'),
  harness: code('91330200MA2CHX5N1'),
  buses: code('91330200MA2B7U5T3'),
  garments: code('91330300MA2GAR0M2'),
};

const zones = [
  {
    id: 'ZJ-AUTO',
    name: 'Ningbo export auto-parts quality demonstration zone',
    level: 'PROVINCIAL',
    industry: 'auto parts',
  },
  {
    id: 'SZ-ELEC',
    name: 'Suzhou export electronics quality-safety demonstration zone',
    level: 'NATIONAL',
    industry: 'integrated circuits',
  },
  {
    id: 'ZJ-SOCKS',
    name: 'Zhuji Datang export hosiery demonstration zone',
    level: 'NATIONAL',
    industry: 'socks',
  },
  {
    id: 'HZ-WOOD',
    name: 'Huzhou Nanxun export wood-products demonstration zone',
    level: 'NATIONAL',
    industry: 'wood flooring',
  },
];

const enterprises = [
  {
    code: DEMO_ENTERPRISES.gearbox,
    name: 'Ningbo Harbour Gearbox Co., Ltd.',
    tier: 'ADVANCED_CERTIFIED',
    category: 1,
    annualExportsUsd: '18500000.00',
    certifications: [iso9001('CN-QMS-2024-0815'), { ...iso9001('IATF-0512-88'), standard: 'IATF16949' }],
    zoneIds: ['ZJ-AUTO'],
    historySince: '2012-05-01',
  },
  {
    code: DEMO_ENTERPRISES.socks,
    name: 'Zhuji Datang Hosiery Co., Ltd.',
    tier: 'REGULAR',
    category: 2,
    annualExportsUsd: '3200000.00',
    certifications: [iso9001('CN-QMS-2023-3321')],
    zoneIds: ['ZJ-SOCKS'],
    historySince: '2016-03-15',
  },
  {
    code: DEMO_ENTERPRISES.flooring,
    name: 'Huzhou Nanxun Wood Flooring Co., Ltd.',
    tier: 'CERTIFIED',
    category: 2,
    annualExportsUsd: '6400000.00',
    certifications: [iso9001('CN-QMS-2025-0042')],
    zoneIds: ['HZ-WOOD'],
    historySince: '2014-09-01',
  },
  {
    code: DEMO_ENTERPRISES.electronics,
    name: 'Suzhou Lakeside Microelectronics Co., Ltd.',
    tier: 'ADVANCED_CERTIFIED',
    category: 1,
    annualExportsUsd: '92000000.00',
    certifications: [iso9001('CN-QMS-2024-7781')],
    zoneIds: ['SZ-ELEC'],
    historySince: '2010-01-20',
  },
  {
    code: DEMO_ENTERPRISES.harness,
    name: 'Cixi Wiring Harness Works',
    tier: 'DISCREDITED',
    category: 4,
    annualExportsUsd: '850000.00',
    certifications: [],
    zoneIds: [],
    historySince: '2019-06-01',
  },
  {
    code: DEMO_ENTERPRISES.buses,
    name: 'Yinzhou Coach and Bus Manufacturing Co.',
    tier: 'SERIOUSLY_DISCREDITED',
    category: 4,
    annualExportsUsd: '2100000.00',
    certifications: [],
    zoneIds: [],
    historySince: '2011-02-01',
  },
  {
    code: DEMO_ENTERPRISES.garments,
    name: 'Wenzhou Oujiang Garment Co., Ltd.',
    tier: 'REGULAR',
    category: 3,
    annualExportsUsd: '400000.00',
    certifications: [],
    zoneIds: [],
    historySince: monthsAgo(4),
  },
];

const riskAlerts = [
  {
    id: '6f3c2a10-5b1e-4c7a-9d2e-1a0b3c4d5e61',
    hsPrefix: '611595',
    destinations: ['US'],
    validFrom: '2026-01-01',
    validUntil: null,
    source: 'FOREIGN_NOTIFICATION',
    description: 'Formaldehyde above the limit in cotton socks (foreign notification)',
  },
  {
    id: '6f3c2a10-5b1e-4c7a-9d2e-1a0b3c4d5e62',
    hsPrefix: '4418',
    destinations: ['EU', 'DE', 'FR', 'NL'].filter((c) => c !== 'EU'),
    validFrom: '2026-06-01',
    validUntil: null,
    source: 'TRADE_MEASURE',
    description: 'Timber legality documentation required for wood flooring (trade measure)',
  },
];

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: { status?: string } | undefined }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function main(): Promise<void> {
  if (!key) throw new Error('usage: demo-data.ts <baseUrl> <admin api key>');
  // Keys are issued by declaration-intake and reach this service as events: wait for the admin key.
  const until = Date.now() + 60_000;
  for (;;) {
    const r = await call('GET', '/v1/zones');
    if (r.status === 200) break;
    if (Date.now() > until) throw new Error(`the admin key does not work on green-channel (${r.status})`);
    await new Promise((res) => setTimeout(res, 500));
  }
  for (const [kind, rows] of [
    ['zones', zones],
    ['enterprises', enterprises],
    ['risk-alerts', riskAlerts],
  ] as const) {
    const r = await call('POST', `/v1/reference/import?kind=${kind}`, rows);
    if (r.status !== 200) throw new Error(`import of ${kind}: ${r.status} ${JSON.stringify(r.json)}`);
    process.stdout.write(`  ${kind}: ${JSON.stringify(r.json)}\n`);
  }
  const approval = await call('GET', `/v1/enterprises/${DEMO_ENTERPRISES.gearbox}/green-channel`);
  if (approval.json?.status !== 'APPROVED') {
    const r = await call('POST', `/v1/enterprises/${DEMO_ENTERPRISES.gearbox}/green-channel/approve`);
    process.stdout.write(`  green-channel approval of ${DEMO_ENTERPRISES.gearbox}: ${r.status}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`green-channel demo data: ${(error as Error).message}\n`);
  process.exit(1);
});
