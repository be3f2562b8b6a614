// The origin target's load: inspection.declaration.accepted.v1 events that carry an originCertificate
// request, as declaration-intake publishes them. The goods and the requests are the demo requests of the
// intake CLI (apps/declaration-intake/src/cli/demo-data.ts: gearboxes and wiring harnesses to Japan, ICs to
// Korea, bamboo flooring to Australia), with a few more lines of the other demo goods (socks, T-shirts,
// loudspeakers, buses) under the same rules: 1–5 lines per declaration, RCEP or China-ASEAN, a third of the
// templates with one line that fails its rule (REFUSED), the others ISSUED. Each template is checked against
// the contract and assessed with the service's own rules (@cic/origin-domain) when the factory is built, so
// the expected mix is known before the run. The declarant and the inspection office are slots filled per
// event: declarants cycle over `enterprises` bench enterprises (each gets its registration number on its first
// certificate), offices over OFFICES, whose first four digits differ, so the serial counters (one per issuing
// office and year, 9999 each) are spread.
import { randomUUID } from 'node:crypto';
import { type DeclarationAccepted, type OriginCertificateRequest, Topics } from '@cic/contracts';
import { assessCertificateRequest, DEFAULT_ORIGIN_RULES } from '@cic/origin-domain';
import { enterpriseCode, isoDate } from './green-channel-data';
import type { OutMessage } from './kafka';

type Goods = DeclarationAccepted['goods'][number];
type RequestLine = OriginCertificateRequest['lines'][number];

interface LineKind {
  goods: Omit<Goods, 'lineNo'>;
  request: Omit<RequestLine, 'lineNo'>;
  /** Meets its rule under both agreements (checked when the factory is built). */
  met: boolean;
}

const usd = (amount: string) => ({ amount, currency: 'USD' });
const material = (hsCode: string, amount: string, originCountry?: string) => ({
  hsCode,
  value: usd(amount),
  ...(originCountry ? { originCountry } : {}),
});

/** Lines that meet their rule: the demo's issued ones, and more of the demo goods. */
const MEETS: LineKind[] = [
  {
    // demo-data DEMO-AUTO-0001 line 1: RVC 55.00.
    goods: {
      hsCode: '8708409100',
      description: 'Gearboxes for passenger vehicles',
      quantity: { value: '120', unit: 'SET' },
      value: usd('48000.00'),
      originCountry: 'CN',
    },
    request: {
      fob: usd('48000.00'),
      criterion: 'PSR',
      materials: [
        material('848210', '14000.00', 'DE'),
        material('732599', '7600.00'),
        material('722830', '9000.00', 'CN'),
      ],
    },
    met: true,
  },
  {
    // demo-data DEMO-AUTO-0001 line 2: RVC 51.20 and CTH.
    goods: {
      hsCode: '8544300000',
      description: 'Wiring harness sets for vehicles',
      quantity: { value: '800', unit: 'PCS' },
      value: usd('12500.00'),
      originCountry: 'CN',
    },
    request: {
      fob: usd('12500.00'),
      criterion: 'PSR',
      materials: [material('740811', '4200.00', 'CL'), material('853690', '1900.00', 'US')],
    },
    met: true,
  },
  {
    // demo-data DEMO-ELEC-0001: CTSH met though RVC is only 35.00.
    goods: {
      hsCode: '8542310000',
      description: 'Processors and controllers, integrated circuits',
      quantity: { value: '100', unit: 'PCS' },
      value: usd('210000.00'),
      originCountry: 'CN',
    },
    request: { fob: usd('210000.00'), criterion: 'PSR', materials: [material('381800', '136500.00', 'US')] },
    met: true,
  },
  {
    // Socks of imported cotton yarn (chapter 52 into 61): a change of chapter.
    goods: {
      hsCode: '6115950000',
      description: 'Cotton socks, knitted',
      quantity: { value: '20000', unit: 'PR' },
      value: usd('9600.00'),
      originCountry: 'CN',
    },
    request: {
      fob: usd('9600.00'),
      criterion: 'PSR',
      materials: [material('520512', '3100.00', 'US'), material('540233', '640.00', 'CN')],
    },
    met: true,
  },
  {
    // T-shirts of imported knitted fabric (chapter 60 into 61): a change of chapter.
    goods: {
      hsCode: '6109100000',
      description: 'T-shirts of cotton, knitted',
      quantity: { value: '100', unit: 'PCS' },
      value: usd('15400.00'),
      originCountry: 'CN',
    },
    request: { fob: usd('15400.00'), criterion: 'PSR', materials: [material('600622', '6100.00', 'PK')] },
    met: true,
  },
  {
    // Loudspeakers: drivers of another subheading (CTSH), cabinets of undetermined origin.
    goods: {
      hsCode: '8518220000',
      description: 'Multiple loudspeakers, mounted in one enclosure',
      quantity: { value: '100', unit: 'PCS' },
      value: usd('31000.00'),
      originCountry: 'CN',
    },
    request: {
      fob: usd('31000.00'),
      criterion: 'PSR',
      materials: [material('851829', '11800.00', 'US'), material('441899', '2300.00')],
    },
    met: true,
  },
];

/** Lines that fail their rule: the demo's refused one, and buses of mostly imported parts. */
const FAILS: LineKind[] = [
  {
    // demo-data DEMO-WOOD-0001: the panels stay in heading 4418 at 70% of FOB (RVC 30.00).
    goods: {
      hsCode: '4418730000',
      description: 'Multilayer bamboo flooring panels',
      quantity: { value: '1500', unit: 'M2' },
      value: usd('27000.00'),
      originCountry: 'CN',
    },
    request: { fob: usd('27000.00'), criterion: 'PSR', materials: [material('441873', '18900.00', 'US')] },
    met: false,
  },
  {
    // Buses: a value test only, and 70% of FOB is imported engines and chassis (RVC 29.73).
    goods: {
      hsCode: '8702109000',
      description: 'Diesel city buses, 12 m',
      quantity: { value: '10', unit: 'UNIT' },
      value: usd('1850000.00'),
      originCountry: 'CN',
    },
    request: {
      fob: usd('1850000.00'),
      criterion: 'PSR',
      materials: [material('840820', '900000.00', 'DE'), material('870600', '400000.00', 'US')],
    },
    met: false,
  },
];

/** Importing countries per agreement: the destination of the declaration too. */
const PARTNERS = {
  RCEP: [
    { country: 'JP', consignee: 'Chubu Drivetrain K.K.', address: '2-4 Meieki, Nakamura-ku, Nagoya' },
    { country: 'KR', consignee: 'Incheon Semiconductor Distribution Co.' },
    { country: 'AU', consignee: 'Sydney Timber Floors Pty Ltd' },
    { country: 'NZ', consignee: 'Auckland Trade Supplies Ltd' },
  ],
  CHINA_ASEAN: [
    { country: 'VN', consignee: 'Hai Phong Import Joint Stock Company' },
    { country: 'TH', consignee: 'Laem Chabang Distribution Co., Ltd.' },
    { country: 'MY', consignee: 'Port Klang Trading Sdn. Bhd.' },
  ],
} as const;

/**
 * Inspection offices of the load: their issuing offices (first four digits) differ, so each has its own
 * serial counter per year (Shanghai, Ningbo, Nanjing, Guangzhou, Hangzhou, Xiamen, Qingdao, Tianjin).
 */
export const OFFICES = ['310000', '330200', '320000', '440000', '330100', '350200', '370200', '120000'];

const TYPE = Topics.DeclarationAcceptedV1.name;
const ID = '@@DECLARATIONID@@';
const CODE = '@@DECLARANT@@';
const OFFICE = '@@OFFICE@@';
type Slot = typeof ID | typeof CODE | typeof OFFICE;
const SLOTS: readonly string[] = [ID, CODE, OFFICE];

export interface OriginTemplateMix {
  templates: number;
  /** Templates the rules issue / refuse (assessed when the factory is built). */
  issued: number;
  refused: number;
  /** Request lines per template, smallest and largest. */
  lines: [number, number];
}

/** inspection.declaration.accepted.v1 events with an origin certificate request, for origin-certificate. */
export class OriginAcceptedFactory {
  private readonly templates: Array<Array<string | Slot>>;
  readonly mix: OriginTemplateMix;
  readonly averageBytes: number;

  constructor(
    private readonly enterprises: number,
    /** How many templates; 30 gives every line count (1–5) with and without a failing line. */
    variants = 30,
  ) {
    const departureDate = isoDate(7);
    const receivedAt = new Date().toISOString();
    const issueDate = isoDate(0);
    let issued = 0;
    const counts: number[] = [];
    this.templates = Array.from({ length: variants }, (_, i) => {
      const count = 1 + (i % 5);
      // Every third template (of each line count, as 3 and 5 are coprime) has one failing line.
      const refuses = i % 3 === 2;
      const kinds = Array.from({ length: count }, (_, j) =>
        refuses && j === count - 1 ? FAILS[i % FAILS.length] : MEETS[(i + j * 2) % MEETS.length],
      );
      const agreement = i % 4 === 3 ? 'CHINA_ASEAN' : 'RCEP';
      const partners = PARTNERS[agreement];
      const partner = partners[i % partners.length];
      const goods: Goods[] = kinds.map((k, j) => ({ ...k.goods, lineNo: j + 1, manufacturerCode: CODE }));
      const request: OriginCertificateRequest = {
        agreement,
        importingCountry: partner.country,
        consignee: { name: partner.consignee, ...('address' in partner ? { address: partner.address } : {}) },
        lines: kinds.map((k, j) => ({ ...structuredClone(k.request), lineNo: j + 1 })),
        flags: {
          issuedRetroactively: false,
          thirdPartyInvoicing: i % 7 === 6,
          backToBack: false,
          exhibition: false,
        },
      };
      const d: DeclarationAccepted = {
        declarationId: ID,
        localRef: `OR-BENCH-${i}`,
        receivedAt,
        declarant: { code: CODE, name: 'Bench Export Enterprise' },
        kind: 'EXPORT',
        inspectionOffice: OFFICE,
        portOfExit: ['CNNGB', 'CNSHA', 'CNWNZ'][i % 3],
        destinationCountry: partner.country,
        departureDate,
        goods,
        documents: [
          { kind: 'INVOICE', number: `INV-OR-${i}`, sha256: (i * 2).toString(16).padStart(64, 'd') },
          { kind: 'PACKING_LIST', number: `PL-OR-${i}`, sha256: (i * 2 + 1).toString(16).padStart(64, 'd') },
          ...(i % 2
            ? [
                {
                  kind: 'CONTRACT' as const,
                  number: `CT-OR-${i}`,
                  sha256: (i + 500).toString(16).padStart(64, 'd'),
                },
              ]
            : []),
        ],
        originCertificate: request,
        paperless: i % 3 !== 0,
      };
      const text = JSON.stringify(d);
      const sample = JSON.parse(
        this.envelope(
          text
            .replaceAll(ID, randomUUID())
            .replaceAll(CODE, enterpriseCode(0))
            .replaceAll(OFFICE, OFFICES[0]),
          randomUUID(),
        ).value,
      ) as { data: DeclarationAccepted };
      const check = Topics.DeclarationAcceptedV1.envelope.safeParse(sample);
      if (!check.success)
        throw new Error(`bench origin event ${i} is invalid: ${JSON.stringify(check.error.issues)}`);
      const assessed = assessCertificateRequest(
        {
          request: sample.data.originCertificate!,
          exporterCountry: 'CN',
          goods: sample.data.goods,
          issueDate,
        },
        DEFAULT_ORIGIN_RULES,
      );
      const expected = kinds.every((k) => k.met) ? 'ISSUED' : 'REFUSED';
      if (assessed.outcome !== expected)
        throw new Error(
          `bench origin template ${i}: expected ${expected}, the rules say ${assessed.outcome} ` +
            `(${assessed.reasons.map((r) => r.code).join(', ')})`,
        );
      if (expected === 'ISSUED') issued++;
      counts.push(count);
      return text
        .split(new RegExp(`(${ID}|${CODE}|${OFFICE})`))
        .map((p) => (SLOTS.includes(p) ? (p as Slot) : p));
    });
    this.mix = {
      templates: variants,
      issued,
      refused: variants - issued,
      lines: [Math.min(...counts), Math.max(...counts)],
    };
    this.averageBytes = Math.round(
      this.templates.reduce(
        (s, t) =>
          s +
          t.reduce((n, p) => n + (p === ID ? 36 : p === CODE ? 18 : p === OFFICE ? 6 : p.length), 0) +
          300,
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

  /** The accepted event of declaration `declarationId`, keyed by it. */
  message(seq: number, declarationId: string): OutMessage {
    const t = this.templates[seq % this.templates.length];
    // Strides prime to the template count, so templates, enterprises and offices all combine.
    const round = Math.floor(seq / this.templates.length);
    const code = enterpriseCode((seq * 7 + round) % this.enterprises);
    const office = OFFICES[(seq + round) % OFFICES.length];
    let data = '';
    for (const p of t) data += p === ID ? declarationId : p === CODE ? code : p === OFFICE ? office : p;
    const { id, value } = this.envelope(data, declarationId);
    return { key: declarationId, value, headers: { ce_type: TYPE, ce_id: id } };
  }
}
