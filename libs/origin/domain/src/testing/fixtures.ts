import type { OriginCertificateRequest } from '@cic/contracts';
import type { LineAssessmentInput } from '../line.types';
import type { OriginMaterial } from '../origin.types';

/** A material valued in USD; `origin` undefined means undetermined. */
export const material = (
  hsCode: string,
  origin: string | undefined,
  amount: string,
  currency = 'USD',
): OriginMaterial => ({
  hsCode,
  ...(origin !== undefined ? { originCountry: origin } : {}),
  value: { amount, currency },
});

/** A PSR line of FOB 1000.00 USD under RCEP, exported from CN; override what the case is about. */
export const lineInput = (overrides: Partial<LineAssessmentInput> = {}): LineAssessmentInput => ({
  agreement: 'RCEP',
  exporterCountry: 'CN',
  lineNo: 1,
  hsCode: '8708409990',
  fob: { amount: '1000.00', currency: 'USD' },
  criterion: 'PSR',
  materials: [],
  ...overrides,
});

export type RequestLine = OriginCertificateRequest['lines'][number];

export const requestLine = (lineNo: number, overrides: Partial<RequestLine> = {}): RequestLine => ({
  lineNo,
  fob: { amount: '1000.00', currency: 'USD' },
  criterion: 'PSR',
  materials: [material('731815', 'US', '300.00')],
  ...overrides,
});

export const certificateRequest = (
  overrides: Partial<OriginCertificateRequest> = {},
): OriginCertificateRequest => ({
  agreement: 'RCEP',
  importingCountry: 'JP',
  consignee: { name: 'Nagoya Drivetrain KK' },
  lines: [requestLine(1)],
  flags: { issuedRetroactively: false, thirdPartyInvoicing: false, backToBack: false, exhibition: false },
  ...overrides,
});

/** The declaration's goods: a gearbox on line 1, a wiring harness on 2, a bus on 3. */
export const declaredGoods = [
  { lineNo: 1, hsCode: '8708409990', description: 'Gearboxes for passenger cars' },
  { lineNo: 2, hsCode: '8544302000', description: 'Wiring harnesses for vehicles' },
  { lineNo: 3, hsCode: '8702109000', description: 'City buses, diesel' },
];
