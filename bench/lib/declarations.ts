// Realistic declarations for the load, built once as JSON text around a localRef slot so that producing
// one costs a string concatenation, not a JSON.stringify of a nested object.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type InspectionDeclaration, Topics } from '@cic/contracts';
import { validateDeclaration } from '@cic/intake-domain';
import type { OutMessage } from './kafka';

const fixture = (
  JSON.parse(
    readFileSync(
      join(__dirname, '../../libs/contracts/fixtures/customs.declaration.submitted.v1/v1-initial.json'),
      'utf8',
    ),
  ) as { data: InspectionDeclaration }
).data;

// Valid unified social credit codes (the fixture's and the demo enterprises of the intake CLI).
const DECLARANTS = [
  fixture.declarant,
  { code: '91330100MA27XK1X08', name: 'Zhuji Datang Hosiery Co., Ltd.' },
  { code: '91330200796000000M', name: 'Huzhou Nanxun Wood Flooring Co., Ltd.' },
];

export const GOODS: Array<Omit<InspectionDeclaration['goods'][number], 'lineNo'>> = [
  ...fixture.goods.map(({ lineNo: _, ...g }) => g),
  {
    hsCode: '6115950000',
    description: 'Cotton socks, knitted',
    quantity: { value: '20000', unit: 'PR' },
    value: { amount: '9600.00', currency: 'USD' },
    originCountry: 'CN',
  },
  {
    hsCode: '4418730000',
    description: 'Multilayer bamboo flooring panels',
    quantity: { value: '1500', unit: 'M2' },
    value: { amount: '27000.00', currency: 'USD' },
    originCountry: 'CN',
  },
  {
    hsCode: '9405420000',
    description: 'LED ceiling luminaires',
    quantity: { value: '3000', unit: 'PCS' },
    value: { amount: '41250.50', currency: 'USD' },
    originCountry: 'CN',
  },
  {
    hsCode: '6911101100',
    description: 'Porcelain tableware sets',
    quantity: { value: '640', unit: 'SET' },
    value: { amount: '15360.00', currency: 'EUR' },
    originCountry: 'CN',
  },
];

export const DOCUMENT_KINDS = ['INVOICE', 'PACKING_LIST', 'CONTRACT', 'TEST_REPORT'] as const;
const sha = (n: number) => n.toString(16).padStart(64, 'b');
const SLOT = '@@LOCALREF@@';

interface Template {
  declarantCode: string;
  head: string;
  tail: string;
}

function variant(i: number, lines: number, documents: number, departureDate: string): InspectionDeclaration {
  const declarant = DECLARANTS[i % DECLARANTS.length];
  const goods = Array.from({ length: lines }, (_, j) => ({
    ...GOODS[(i + j) % GOODS.length],
    lineNo: j + 1,
  }));
  return {
    ...structuredClone(fixture),
    localRef: SLOT,
    declarant,
    departureDate,
    destinationCountry: ['JP', 'US', 'AU', 'DE'][i % 4],
    portOfExit: i % 2 ? 'CNSHA' : 'CNNGB',
    goods,
    documents: Array.from({ length: documents }, (_, j) => ({
      kind: DOCUMENT_KINDS[j % DOCUMENT_KINDS.length],
      number: `${DOCUMENT_KINDS[j % DOCUMENT_KINDS.length].slice(0, 3)}-BENCH-${i}-${j}`,
      sha256: sha(i * 16 + j),
    })),
    // Half of them ask for a certificate of origin, as the fixture does (it names line 1).
    originCertificate: i % 2 === 0 ? fixture.originCertificate : undefined,
  };
}

/** Builds the request bodies and Kafka messages of the load; every variant is checked valid up front. */
export class DeclarationFactory {
  private readonly templates: Template[];
  readonly averageBytes: number;

  constructor(lines: number, documents: number, variants = 8) {
    const departureDate = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    this.templates = Array.from({ length: variants }, (_, i) => {
      const d = variant(i, Math.max(1, lines + (i % 3) - 1), Math.max(2, documents + (i % 2)), departureDate);
      const check = validateDeclaration({ ...d, localRef: 'CHECK-1' });
      if (!check.ok) throw new Error(`bench declaration ${i} is invalid: ${JSON.stringify(check.errors)}`);
      const [head, tail] = JSON.stringify(d).split(SLOT);
      return { declarantCode: d.declarant.code, head, tail };
    });
    this.averageBytes = Math.round(
      this.templates.reduce((s, t) => s + t.head.length + t.tail.length + 24, 0) / this.templates.length,
    );
  }

  /** The POST /v1/declarations body. */
  body(seq: number, localRef: string): string {
    const t = this.templates[seq % this.templates.length];
    return t.head + localRef + t.tail;
  }

  /** A customs.declaration.submitted.v1 event keyed `<declarantCode>:<localRef>`. */
  message(seq: number, localRef: string): OutMessage {
    const t = this.templates[seq % this.templates.length];
    const key = `${t.declarantCode}:${localRef}`;
    const type = Topics.DeclarationSubmittedV1.name;
    return {
      key,
      value:
        `{"specversion":"1.0","id":"${randomUUID()}","type":"${type}","source":"urn:cic:bench-load",` +
        `"subject":"${key}","time":"${new Date().toISOString()}","datacontenttype":"application/json",` +
        `"data":${t.head}${localRef}${t.tail}}`,
      headers: { ce_type: type },
    };
  }
}
