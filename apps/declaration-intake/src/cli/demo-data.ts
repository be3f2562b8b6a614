// Submits the demo declarations through the public API (idempotent: fixed localRefs), the way a
// customs declaration system would: one per demo enterprise, so that every lane appears (green-channel's
// demo reference data has the same enterprises). Usage: demo-data.ts <baseUrl> <declarant api key>
// [<documents directory>] (documents there are declared with file:// uris and their SHA-256).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usccCheckCharacter } from '@cic/intake-domain';

const [, , baseUrl = 'http://127.0.0.1:3001', key, documentsDir] = process.argv;
const code = (first17: string) => first17 + usccCheckCharacter(first17);
const sha = (n: number) => n.toString(16).padStart(64, 'a');

// Fictional enterprises modelled on real export clusters (DOMAIN.md "Demo data").
const enterprises = {
  gearbox: { code: '91330200MA2H4K7L3P', name: 'Ningbo Harbour Gearbox Co., Ltd.' },
  socks: { code: code('91330100MA27XK1X0'), name: 'Zhuji Datang Hosiery Co., Ltd.' },
  flooring: { code: code('91330200796000000'), name: 'Huzhou Nanxun Wood Flooring Co., Ltd.' },
  electronics: { code: code('91320500MA1W8E2K0'), name: 'Suzhou Lakeside Microelectronics Co., Ltd.' },
  harness: { code: code('91330200MA2CHX5N1'), name: 'Cixi Wiring Harness Works' },
  buses: { code: code('91330200MA2B7U5T3'), name: 'Yinzhou Coach and Bus Manufacturing Co.' },
  garments: { code: code('91330300MA2GAR0M2'), name: 'Wenzhou Oujiang Garment Co., Ltd.' },
  // Not on green-channel's file: decided as a REGULAR enterprise with no history (YELLOW).
  speakers: { code: code('91330200MA2L8P8K4'), name: 'Ningbo Bay Acoustics Co., Ltd.' },
};

/** A document of the documents directory, declared by file:// uri with its digest (or a wrong one). */
function fileDocument(kind: string, number: string, file: string, tamper = false) {
  if (!documentsDir) return undefined;
  const path = resolve(join(documentsDir, file));
  if (!existsSync(path)) return undefined;
  const content = readFileSync(path);
  const sha256 = createHash('sha256')
    .update(tamper ? Buffer.concat([content, Buffer.from('tampered')]) : content)
    .digest('hex');
  return { kind, number, sha256, uri: `file://${path}` };
}

const line = (lineNo: number, hsCode: string, description: string, amount: string, unit = 'PCS') => ({
  lineNo,
  hsCode,
  description,
  quantity: { value: '100', unit },
  value: { amount, currency: 'USD' },
  originCountry: 'CN',
});

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
    // RCEP certificate: gearboxes RVC 55.00, harnesses RVC 51.20 and CTH -> ISSUED.
    originCertificate: {
      agreement: 'RCEP',
      importingCountry: 'JP',
      consignee: { name: 'Chubu Drivetrain K.K.', address: '2-4 Meieki, Nakamura-ku, Nagoya' },
      lines: [
        {
          lineNo: 1,
          fob: { amount: '48000.00', currency: 'USD' },
          criterion: 'PSR',
          materials: [
            { hsCode: '848210', originCountry: 'DE', value: { amount: '14000.00', currency: 'USD' } },
            { hsCode: '732599', value: { amount: '7600.00', currency: 'USD' } },
            { hsCode: '722830', originCountry: 'CN', value: { amount: '9000.00', currency: 'USD' } },
          ],
        },
        {
          lineNo: 2,
          fob: { amount: '12500.00', currency: 'USD' },
          criterion: 'PSR',
          materials: [
            { hsCode: '740811', originCountry: 'CL', value: { amount: '4200.00', currency: 'USD' } },
            { hsCode: '853690', originCountry: 'US', value: { amount: '1900.00', currency: 'USD' } },
          ],
        },
      ],
      flags: { issuedRetroactively: false, thirdPartyInvoicing: false, backToBack: false, exhibition: false },
    },
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
    // RCEP certificate: the panels stay in heading 4418 at 70% of FOB (RVC 30.00) -> REFUSED.
    originCertificate: {
      agreement: 'RCEP',
      importingCountry: 'AU',
      consignee: { name: 'Sydney Timber Floors Pty Ltd' },
      lines: [
        {
          lineNo: 1,
          fob: { amount: '27000.00', currency: 'USD' },
          criterion: 'PSR',
          materials: [
            { hsCode: '441873', originCountry: 'US', value: { amount: '18900.00', currency: 'USD' } },
          ],
        },
      ],
      flags: { issuedRetroactively: false, thirdPartyInvoicing: false, backToBack: false, exhibition: false },
    },
    documents: docs(3),
  },
  {
    localRef: 'DEMO-ELEC-0001',
    declarant: enterprises.electronics,
    portOfExit: 'CNSHA',
    destinationCountry: 'KR',
    goods: [line(1, '8542310000', 'Processors and controllers, integrated circuits', '210000.00')],
    // RCEP certificate: CTSH met though RVC is only 35.00 -> ISSUED.
    originCertificate: {
      agreement: 'RCEP',
      importingCountry: 'KR',
      consignee: { name: 'Incheon Semiconductor Distribution Co.' },
      lines: [
        {
          lineNo: 1,
          fob: { amount: '210000.00', currency: 'USD' },
          criterion: 'PSR',
          materials: [
            { hsCode: '381800', originCountry: 'US', value: { amount: '136500.00', currency: 'USD' } },
          ],
        },
      ],
      flags: { issuedRetroactively: false, thirdPartyInvoicing: false, backToBack: false, exhibition: false },
    },
    documents: docs(4),
  },
  {
    localRef: 'DEMO-HARN-0001',
    declarant: enterprises.harness,
    portOfExit: 'CNNGB',
    destinationCountry: 'DE',
    goods: [line(1, '8544300000', 'Ignition wiring sets for vehicles', '8200.00', 'SET')],
    documents: docs(5),
  },
  {
    localRef: 'DEMO-BUS-0001',
    declarant: enterprises.buses,
    portOfExit: 'CNNGB',
    destinationCountry: 'CL',
    goods: [line(1, '8702109000', 'Diesel city buses, 12 m', '1850000.00', 'UNIT')],
    documents: docs(6),
  },
  {
    localRef: 'DEMO-GARM-0001',
    declarant: enterprises.garments,
    portOfExit: 'CNWNZ',
    destinationCountry: 'AU',
    goods: [
      line(1, '6109100000', 'T-shirts of cotton, knitted', '15400.00'),
      line(2, '6203420000', 'Trousers of cotton, men', '22800.00'),
    ],
    documents: docs(7),
  },
  {
    localRef: 'DEMO-SPKR-0001',
    declarant: enterprises.speakers,
    portOfExit: 'CNNGB',
    destinationCountry: 'GB',
    goods: [line(1, '8518220000', 'Multiple loudspeakers, mounted in one enclosure', '31000.00')],
    documents: docs(8),
  },
  {
    localRef: 'DEMO-WOOD-0002',
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
    // Verified by green-channel's worker: the packing list's digest does not match its content.
    documents: [
      fileDocument('INVOICE', 'INV-DEMO-WOOD-2', 'invoice-wood-2.txt'),
      fileDocument('PACKING_LIST', 'PL-DEMO-WOOD-2', 'packing-wood-2.txt', true),
    ].filter((d) => d !== undefined),
  },
];

async function main(): Promise<void> {
  if (!key) throw new Error('usage: demo-data.ts <baseUrl> <declarant api key>');
  const departure = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  for (const d of declarations) {
    if (d.documents.length === 0) continue;
    const content = { kind: 'EXPORT', inspectionOffice: '310000', departureDate: departure, ...d };
    // The localRef carries a digest of the content: the same demo on the same day is "already there",
    // and a demo run another day (new departure date) or after the demo data changed files new
    // declarations instead of colliding with the old ones (LOCAL_REF_CONFLICT).
    const digest = createHash('sha256')
      .update(JSON.stringify(content))
      .digest('hex')
      .slice(0, 6)
      .toUpperCase();
    const body = { ...content, localRef: `${d.localRef}-${digest}` };
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
      `  ${body.localRef}: ${what}${json.declarationId ? ` -> /v1/declarations/${json.declarationId}` : ''}\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`demo data: ${(error as Error).message}\n`);
  process.exit(1);
});
