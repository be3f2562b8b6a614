// Submits the demo declarations through the public API (idempotent: fixed localRefs), the way a
// customs declaration system would. Usage: demo-data.ts <baseUrl> <declarant api key>
import { usccCheckCharacter } from '@cic/intake-domain';

const [, , baseUrl = 'http://127.0.0.1:3001', key] = process.argv;
const code = (first17: string) => first17 + usccCheckCharacter(first17);
const sha = (n: number) => n.toString(16).padStart(64, 'a');

// Fictional enterprises modelled on real export clusters (DOMAIN.md "Demo data").
const enterprises = {
  gearbox: { code: '91330200MA2H4K7L3P', name: 'Ningbo Harbour Gearbox Co., Ltd.' },
  socks: { code: code('91330100MA27XK1X0'), name: 'Zhuji Datang Hosiery Co., Ltd.' },
  flooring: { code: code('91330200796000000'), name: 'Huzhou Nanxun Wood Flooring Co., Ltd.' },
};

const docs = (n: number) => [
  { kind: 'INVOICE', number: `INV-DEMO-${n}`, sha256: sha(n * 2) },
  { kind: 'PACKING_LIST', number: `PL-DEMO-${n}`, sha256: sha(n * 2 + 1) },
];

const declarations = [
  {
    localRef: 'DEMO-AUTO-0001',
    declarant: enterprises.gearbox,
    portOfExit: 'CNNGB',
    destinationCountry: 'JP',
    goods: [
      {
        lineNo: 1,
        hsCode: '8708409100',
        description: 'Gearboxes for passenger vehicles',
        quantity: { value: '120', unit: 'SET' },
        value: { amount: '48000.00', currency: 'USD' },
        originCountry: 'CN',
        manufacturerCode: enterprises.gearbox.code,
      },
      {
        lineNo: 2,
        hsCode: '8544300000',
        description: 'Wiring harness sets for vehicles',
        quantity: { value: '800', unit: 'PCS' },
        value: { amount: '12500.00', currency: 'USD' },
        originCountry: 'CN',
      },
    ],
    documents: docs(1),
  },
  {
    localRef: 'DEMO-SOCK-0001',
    declarant: enterprises.socks,
    portOfExit: 'CNSHA',
    destinationCountry: 'US',
    goods: [
      {
        lineNo: 1,
        hsCode: '6115950000',
        description: 'Cotton socks, knitted',
        quantity: { value: '20000', unit: 'PR' },
        value: { amount: '9600.00', currency: 'USD' },
        originCountry: 'CN',
      },
    ],
    documents: [...docs(2), { kind: 'TEST_REPORT', number: 'TR-FORMALDEHYDE-2026-11', sha256: sha(99) }],
  },
  {
    localRef: 'DEMO-WOOD-0001',
    declarant: enterprises.flooring,
    portOfExit: 'CNNGB',
    destinationCountry: 'AU',
    goods: [
      {
        lineNo: 1,
        hsCode: '4418730000',
        description: 'Multilayer bamboo flooring panels',
        quantity: { value: '1500', unit: 'M2' },
        value: { amount: '27000.00', currency: 'USD' },
        originCountry: 'CN',
      },
    ],
    documents: docs(3),
  },
];

async function main(): Promise<void> {
  if (!key) throw new Error('usage: demo-data.ts <baseUrl> <declarant api key>');
  const departure = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  for (const d of declarations) {
    const body = { kind: 'EXPORT', inspectionOffice: '310000', departureDate: departure, ...d };
    const res = await fetch(`${baseUrl}/v1/declarations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { declarationId?: string; code?: string; title?: string };
    const what =
      res.status === 202
        ? 'accepted'
        : res.status === 200
          ? 'already there'
          : `refused (${json.code}: ${json.title})`;
    process.stdout.write(
      `  ${d.localRef}: ${what}${json.declarationId ? ` -> /v1/declarations/${json.declarationId}` : ''}\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`demo data: ${(error as Error).message}\n`);
  process.exit(1);
});
