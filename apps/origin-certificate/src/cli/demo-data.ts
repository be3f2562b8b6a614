// Loads origin-certificate's demo applications through its public API with the admin key, the way an
// office's officer would, idempotently (fixed application references; what exists is skipped). The demo
// enterprises are declaration-intake's (apps/declaration-intake/src/cli/demo-data.ts); each product of
// DOMAIN.md "Demo data" gets a bill of materials that passes or fails its rule:
// - gearboxes 8708 to JP (RCEP, RVC40 or CTH): 45% non-originating, RVC 55.00%: ISSUED;
// - wiring harnesses 8544 to TH (Form E, RVC40 or CTH): copper wire and Japanese connectors change heading: ISSUED;
// - loudspeakers 8518 to KR (RCEP, RVC40 or CTSH): US speaker units of the same subheading, 65%: REFUSED;
// - buses 8702 to NZ (RCEP, RVC40 only): RVC 52.00%: ISSUED;
// - integrated circuits 8542 to VN (Form E, RVC40 or CTSH): RVC 35% but US wafers change subheading: ISSUED;
// - socks 6115 to JP (RCEP, CC): US cotton yarn (chapter 52): ISSUED; and socks from Bangladeshi
//   blanks of chapter 61 at 30%, above the 10% de minimis: REFUSED;
// - flooring 4418 to AU (RCEP, CTH or RVC40): Indonesian veneer counts as originating (accumulation): ISSUED,
//   then corrected (the consignee's address), so the original shows REPLACED;
// - T-shirts 6109 to AU claimed as wholly obtained (WO) from US cotton: REFUSED.
// Usage: demo-data.ts <baseUrl> <admin api key>
import { usccCheckCharacter } from '@cic/contracts';

const [, , baseUrl = 'http://127.0.0.1:3004', key] = process.argv;
const code = (first17: string) => first17 + usccCheckCharacter(first17);

export const DEMO_EXPORTERS = {
  gearbox: { code: '91330200MA2H4K7L3P', name: 'Ningbo Harbour Gearbox Co., Ltd.' },
  harness: { code: code('91330200MA2CHX5N1'), name: 'Cixi Wiring Harness Works' },
  speakers: { code: code('91330200MA2L8P8K4'), name: 'Ningbo Bay Acoustics Co., Ltd.' },
  buses: { code: code('91330200MA2B7U5T3'), name: 'Yinzhou Coach and Bus Manufacturing Co.' },
  electronics: { code: code('91320500MA1W8E2K0'), name: 'Suzhou Lakeside Microelectronics Co., Ltd.' },
  socks: { code: code('91330100MA27XK1X0'), name: 'Zhuji Datang Hosiery Co., Ltd.' },
  flooring: { code: code('91330200796000000'), name: 'Huzhou Nanxun Wood Flooring Co., Ltd.' },
  garments: { code: code('91330300MA2GAR0M2'), name: 'Wenzhou Oujiang Garment Co., Ltd.' },
};

const usd = (amount: string) => ({ amount, currency: 'USD' });
const material = (hsCode: string, originCountry: string | undefined, amount: string) => ({
  hsCode,
  ...(originCountry ? { originCountry } : {}),
  value: usd(amount),
});
const noFlags = {
  issuedRetroactively: false,
  thirdPartyInvoicing: false,
  backToBack: false,
  exhibition: false,
};
const departure = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);

interface Demo {
  reference: string;
  exporter: { code: string; name: string };
  inspectionOffice: string;
  portOfExit: string;
  agreement: 'RCEP' | 'CHINA_ASEAN';
  to: string;
  consignee: { name: string; address?: string };
  hsCode: string;
  description: string;
  quantity: { value: string; unit: string };
  fob: string;
  criterion: 'WO' | 'PE' | 'PSR';
  materials: ReturnType<typeof material>[];
  flags?: Partial<typeof noFlags>;
  expect: 'ISSUED' | 'REFUSED';
  correct?: { reason: string; consignee: { name: string; address: string } };
}

const demos: Demo[] = [
  {
    reference: 'DEMO-ORIGIN-GEAR-JP',
    exporter: DEMO_EXPORTERS.gearbox,
    inspectionOffice: '330200',
    portOfExit: 'CNNGB',
    agreement: 'RCEP',
    to: 'JP',
    consignee: { name: 'Chubu Drivetrain K.K.', address: '2-4 Meieki, Nakamura-ku, Nagoya' },
    hsCode: '8708409100',
    description: 'Gearboxes for passenger vehicles',
    quantity: { value: '120', unit: 'SET' },
    fob: '48000.00',
    criterion: 'PSR',
    materials: [
      material('848210', 'DE', '14000.00'),
      material('732599', undefined, '7600.00'),
      material('722830', 'CN', '9000.00'),
    ],
    expect: 'ISSUED',
  },
  {
    reference: 'DEMO-ORIGIN-HARN-TH',
    exporter: DEMO_EXPORTERS.harness,
    inspectionOffice: '330200',
    portOfExit: 'CNNGB',
    agreement: 'CHINA_ASEAN',
    to: 'TH',
    consignee: {
      name: 'Rayong Auto Assembly Co., Ltd.',
      address: 'Eastern Seaboard Industrial Estate, Rayong',
    },
    hsCode: '8544300000',
    description: 'Ignition wiring sets for vehicles',
    quantity: { value: '800', unit: 'SET' },
    fob: '8200.00',
    criterion: 'PSR',
    materials: [material('740811', 'CL', '3100.00'), material('853690', 'JP', '2300.00')],
    expect: 'ISSUED',
  },
  {
    reference: 'DEMO-ORIGIN-SPKR-KR',
    exporter: DEMO_EXPORTERS.speakers,
    inspectionOffice: '330200',
    portOfExit: 'CNNGB',
    agreement: 'RCEP',
    to: 'KR',
    consignee: { name: 'Busan Sound Systems Inc.' },
    hsCode: '8518220000',
    description: 'Multiple loudspeakers, mounted in one enclosure',
    quantity: { value: '600', unit: 'PCS' },
    fob: '31000.00',
    criterion: 'PSR',
    // Ready-made speaker units of the same subheading: RVC 35% and no change of subheading.
    materials: [material('851822', 'US', '20150.00')],
    expect: 'REFUSED',
  },
  {
    reference: 'DEMO-ORIGIN-BUS-NZ',
    exporter: DEMO_EXPORTERS.buses,
    inspectionOffice: '330200',
    portOfExit: 'CNNGB',
    agreement: 'RCEP',
    to: 'NZ',
    consignee: { name: 'Auckland Metro Transit Ltd.' },
    hsCode: '8702109000',
    description: 'Diesel city buses, 12 m',
    quantity: { value: '10', unit: 'UNIT' },
    fob: '1850000.00',
    criterion: 'PSR',
    materials: [material('840820', 'DE', '620000.00'), material('870850', 'US', '268000.00')],
    expect: 'ISSUED',
  },
  {
    reference: 'DEMO-ORIGIN-ELEC-VN',
    exporter: DEMO_EXPORTERS.electronics,
    inspectionOffice: '320500',
    portOfExit: 'CNSHA',
    agreement: 'CHINA_ASEAN',
    to: 'VN',
    consignee: {
      name: 'Saigon Electronics Assembly JSC',
      address: 'Saigon Hi-Tech Park, Thu Duc, Ho Chi Minh City',
    },
    hsCode: '8542310000',
    description: 'Processors and controllers, integrated circuits',
    quantity: { value: '10000', unit: 'PCS' },
    fob: '210000.00',
    criterion: 'PSR',
    // Doped silicon wafers: RVC only 35%, but the wafers change subheading (CTSH).
    materials: [material('381800', 'US', '136500.00')],
    expect: 'ISSUED',
  },
  {
    reference: 'DEMO-ORIGIN-SOCK-JP',
    exporter: DEMO_EXPORTERS.socks,
    inspectionOffice: '330100',
    portOfExit: 'CNSHA',
    agreement: 'RCEP',
    to: 'JP',
    consignee: { name: 'Osaka Legwear Trading Co.' },
    hsCode: '6115950000',
    description: 'Cotton socks, knitted',
    quantity: { value: '20000', unit: 'PR' },
    fob: '9600.00',
    criterion: 'PSR',
    materials: [material('520512', 'US', '4100.00'), material('540233', 'CN', '800.00')],
    expect: 'ISSUED',
  },
  {
    reference: 'DEMO-ORIGIN-SOCK-JP-2',
    exporter: DEMO_EXPORTERS.socks,
    inspectionOffice: '330100',
    portOfExit: 'CNSHA',
    agreement: 'RCEP',
    to: 'JP',
    consignee: { name: 'Osaka Legwear Trading Co.' },
    hsCode: '6115950000',
    description: 'Cotton socks, knitted, finished from imported blanks',
    quantity: { value: '20000', unit: 'PR' },
    fob: '9600.00',
    criterion: 'PSR',
    // Sock blanks of chapter 61 from a non-party: no change of chapter, 30% of FOB (> 10% de minimis).
    materials: [material('611595', 'BD', '2880.00'), material('520512', 'US', '1200.00')],
    expect: 'REFUSED',
  },
  {
    reference: 'DEMO-ORIGIN-WOOD-AU',
    exporter: DEMO_EXPORTERS.flooring,
    inspectionOffice: '330200',
    portOfExit: 'CNNGB',
    agreement: 'RCEP',
    to: 'AU',
    consignee: { name: 'Sydney Timber Floors Pty Ltd' },
    hsCode: '4418730000',
    description: 'Multilayer bamboo flooring panels',
    quantity: { value: '1500', unit: 'M2' },
    fob: '27000.00',
    criterion: 'PSR',
    // Indonesian veneer originates in a party (accumulation); German adhesive changes heading.
    materials: [material('440839', 'ID', '9500.00'), material('350691', 'DE', '1400.00')],
    expect: 'ISSUED',
    correct: {
      reason: 'consignee address added at the importer request',
      consignee: { name: 'Sydney Timber Floors Pty Ltd', address: '14 Parramatta Road, Homebush NSW 2140' },
    },
  },
  {
    reference: 'DEMO-ORIGIN-GARM-AU',
    exporter: DEMO_EXPORTERS.garments,
    inspectionOffice: '330300',
    portOfExit: 'CNWNZ',
    agreement: 'RCEP',
    to: 'AU',
    consignee: { name: 'Melbourne Apparel Group' },
    hsCode: '6109100000',
    description: 'T-shirts of cotton, knitted',
    quantity: { value: '15000', unit: 'PCS' },
    fob: '15400.00',
    // Claimed as wholly obtained, but knitted from US cotton yarn.
    criterion: 'WO',
    materials: [material('520512', 'US', '5200.00')],
    expect: 'REFUSED',
  },
];

function bodyOf(d: Demo) {
  return {
    reference: d.reference,
    exporter: d.exporter,
    inspectionOffice: d.inspectionOffice,
    portOfExit: d.portOfExit,
    destinationCountry: d.to,
    departureDate: departure,
    invoiceNumber: `INV-${d.reference.slice(12)}`,
    goods: [
      {
        lineNo: 1,
        hsCode: d.hsCode,
        description: d.description,
        quantity: d.quantity,
        value: usd(d.fob),
        originCountry: 'CN',
      },
    ],
    originCertificate: {
      agreement: d.agreement,
      importingCountry: d.to,
      consignee: d.consignee,
      lines: [{ lineNo: 1, fob: usd(d.fob), criterion: d.criterion, materials: d.materials }],
      flags: { ...noFlags, ...d.flags },
    },
  };
}

interface ApplicationJson {
  outcome?: string;
  reasons?: Array<{ code: string }>;
  certificate?: { number: string; status: string } | null;
  items?: ApplicationJson[];
}

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: ApplicationJson }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

async function main(): Promise<void> {
  if (!key) throw new Error('usage: demo-data.ts <baseUrl> <admin api key>');
  // Keys are issued by declaration-intake and reach this service as events: wait for the admin key.
  const until = Date.now() + 60_000;
  for (;;) {
    const r = await call('GET', '/v1/certificates/applications?limit=1');
    if (r.status === 200) break;
    if (Date.now() > until)
      throw new Error(`the admin key does not work on origin-certificate (${r.status})`);
    await new Promise((res) => setTimeout(res, 500));
  }
  for (const d of demos) {
    const known = await call(
      'GET',
      `/v1/certificates/applications?exporterCode=${d.exporter.code}&reference=${encodeURIComponent(d.reference)}`,
    );
    let app = known.json.items?.[0];
    if (app) process.stdout.write(`  ${d.reference}: on file (${app.outcome})\n`);
    else {
      const r = await call('POST', '/v1/certificates/applications', bodyOf(d));
      if (r.status !== 201 && r.status !== 200)
        throw new Error(`${d.reference}: ${r.status} ${JSON.stringify(r.json)}`);
      app = r.json;
      const why = app.outcome === 'REFUSED' ? ` (${app.reasons?.map((x) => x.code).join(', ')})` : '';
      process.stdout.write(
        `  ${d.reference}: ${app.outcome}${app.certificate ? ` ${app.certificate.number}` : ''}${why}\n`,
      );
    }
    if (app.outcome !== d.expect)
      process.stderr.write(
        `  ${d.reference}: expected ${d.expect}, got ${app.outcome}: the rules changed?\n`,
      );
    if (d.correct && app.certificate?.status === 'VALID') {
      const c = await call('POST', `/v1/certificates/${app.certificate.number}/corrections`, d.correct);
      if (c.status !== 201)
        throw new Error(`correction of ${app.certificate.number}: ${c.status} ${JSON.stringify(c.json)}`);
      process.stdout.write(
        `  ${d.reference}: ${app.certificate.number} corrected, replaced by ${(c.json as { certificate?: { number: string } }).certificate?.number}\n`,
      );
    }
  }
}

main().catch((error) => {
  process.stderr.write(`origin-certificate demo data failed: ${(error as Error).message}\n`);
  process.exit(1);
});
