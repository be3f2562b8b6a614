// Loads exemption's demo data through its public API with the admin key, the way an inspection office's
// admin would, idempotently (fixed approval and notification references; what exists is skipped):
// - electronics (integrated circuits 8542): an ACTIVE grant, so its one-line demo declaration is exempt
//   and intake releases it with basis exemption;
// - gearbox (8708): a grant close to its validUntil, so the worker's maintenance sends the renewal
//   reminder; its demo declaration also has a wiring-harness line (8544) outside the scope: not exempt;
// - flooring (4418): a grant suspended by a foreign notification: GRANT_SUSPENDED;
// - socks: no grant (NO_GRANT).
// The demo enterprises and their declarations are declaration-intake's (apps/declaration-intake/src/cli).
// Usage: demo-data.ts <baseUrl> <admin api key>
import { usccCheckCharacter } from '@cic/contracts';
import { minusYears, plusDays, toOfficeDate } from '@cic/exemption-domain';

const [, , baseUrl = 'http://127.0.0.1:3003', key] = process.argv;
const code = (first17: string) => first17 + usccCheckCharacter(first17);

export const DEMO_ENTERPRISES = {
  gearbox: '91330200MA2H4K7L3P',
  electronics: code('91320500MA1W8E2K0'),
  flooring: code('91330200796000000'),
};

const today = toOfficeDate(new Date());
/** validFrom of a grant whose validUntil (validFrom + 3 years) is `days` from today. */
const validFromEndingIn = (days: number) => minusYears(plusDays(today, days), 3);

const grants = [
  {
    enterpriseCode: DEMO_ENTERPRISES.electronics,
    productScope: ['8542'],
    approvalReference: 'MY-DEMO-3205-0001',
    validFrom: minusYears(today, 1),
  },
  {
    enterpriseCode: DEMO_ENTERPRISES.gearbox,
    productScope: ['8708'],
    approvalReference: 'MY-DEMO-3302-0002',
    validFrom: validFromEndingIn(45),
  },
  {
    enterpriseCode: DEMO_ENTERPRISES.flooring,
    productScope: ['4418'],
    approvalReference: 'MY-DEMO-3302-0003',
    validFrom: minusYears(today, 2),
  },
];

const certificates = [
  { enterprise: DEMO_ENTERPRISES.electronics, standard: 'ISO 9001:2015', number: 'CN-QMS-2024-7781' },
  { enterprise: DEMO_ENTERPRISES.gearbox, standard: 'ISO 9001:2015', number: 'CN-QMS-2024-0815' },
  { enterprise: DEMO_ENTERPRISES.flooring, standard: 'ISO 9001:2015', number: 'CN-QMS-2025-0042' },
];

const notification = {
  reference: 'FN-DEMO-2026-0418',
  hsCode: '441873',
  detail: 'Formaldehyde emission above the E1 limit in multilayer flooring (foreign notification)',
};

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: { items?: unknown[]; status?: string } | undefined }> {
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
    const r = await call('GET', '/v1/grants?limit=1');
    if (r.status === 200) break;
    if (Date.now() > until) throw new Error(`the admin key does not work on exemption (${r.status})`);
    await new Promise((res) => setTimeout(res, 500));
  }
  for (const c of certificates) {
    const r = await call('POST', `/v1/enterprises/${c.enterprise}/certificates`, {
      standard: c.standard,
      number: c.number,
      validFrom: minusYears(today, 1),
      validUntil: plusDays(today, 2 * 365),
    });
    if (r.status !== 201 && r.status !== 200)
      throw new Error(`certificate ${c.number}: ${r.status} ${JSON.stringify(r.json)}`);
  }
  for (const g of grants) {
    const known = await call(
      'GET',
      `/v1/grants?approvalReference=${encodeURIComponent(g.approvalReference)}`,
    );
    if (known.json?.items?.length) {
      process.stdout.write(`  grant ${g.approvalReference}: on file\n`);
      continue;
    }
    const r = await call('POST', '/v1/grants', g);
    if (
      r.status !== 201 &&
      !(r.status === 409 && (r.json as { code?: string })?.code === 'DUPLICATE_APPROVAL_REFERENCE')
    )
      throw new Error(`grant ${g.approvalReference}: ${r.status} ${JSON.stringify(r.json)}`);
    process.stdout.write(
      `  grant ${g.approvalReference} for ${g.enterpriseCode} (${g.productScope.join(', ')}): ${r.status}\n`,
    );
  }
  const n = await call(
    'POST',
    `/v1/enterprises/${DEMO_ENTERPRISES.flooring}/foreign-notifications`,
    notification,
  );
  if (n.status !== 201 && n.status !== 200)
    throw new Error(`foreign notification: ${n.status} ${JSON.stringify(n.json)}`);
  process.stdout.write(
    `  foreign notification ${notification.reference}: ${n.status === 201 ? 'recorded, grant suspended' : 'on file'}\n`,
  );
  // The worker's daily run may have passed before these grants existed: run it now for the reminder.
  const run = await call('POST', '/v1/grants/maintenance');
  if (run.status !== 200) throw new Error(`maintenance run: ${run.status} ${JSON.stringify(run.json)}`);
  process.stdout.write(`  maintenance today: ${JSON.stringify(run.json)}\n`);
}

main().catch((error) => {
  process.stderr.write(`exemption demo data: ${(error as Error).message}\n`);
  process.exit(1);
});
