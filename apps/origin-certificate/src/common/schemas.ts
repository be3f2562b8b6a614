import { isoDate, multilineText, text, UsccCode } from '@cic/platform-http';
import {
  CountryCode,
  CurrencyCode,
  DecimalString,
  HsCode,
  OriginCriterion,
  PreferentialAgreement,
  UnLocode,
} from '@cic/contracts';
import { parseCertificateNumber } from '@cic/origin-domain';
import type { Principal } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { z } from 'zod';

// Request bodies, queries and path parameters of the origin-certificate API: strict (unknown fields are
// errors), every string bounded, so bad input is a 400 with field pointers, never a 500.

// Shared field schemas (libs/platform/http), re-exported for this service's modules.
export { isoDate, multilineText, text, UsccCode };

const MoneyBody = z.strictObject({ amount: DecimalString, currency: CurrencyCode });
const LineNo = z.number().int().min(1).max(999);

const GoodsLineBody = z.strictObject({
  lineNo: LineNo,
  hsCode: HsCode,
  description: text(500),
  quantity: z.strictObject({ value: DecimalString, unit: text(10) }),
  value: MoneyBody,
  originCountry: CountryCode,
});

const MaterialBody = z.strictObject({
  hsCode: z.string().regex(/^\d{6,10}$/, 'an HS code of 6 to 10 digits'),
  /** Absent: undetermined origin, counted as non-originating. */
  originCountry: CountryCode.optional(),
  value: MoneyBody,
});

const distinctLines = <T extends { lineNo: number }>(lines: T[]) =>
  new Set(lines.map((l) => l.lineNo)).size === lines.length;
const DUPLICATE_LINE = {
  message: 'must not list a lineNo twice',
  params: { code: 'DUPLICATE', messageZh: '行号不得重复' },
};

/** The originCertificate request of DOMAIN.md (at most 20 items per certificate). */
export const OriginRequestBody = z.strictObject({
  agreement: PreferentialAgreement,
  importingCountry: CountryCode,
  consignee: z.strictObject({ name: text(200), address: multilineText(500).optional() }),
  lines: z
    .array(
      z.strictObject({
        lineNo: LineNo,
        fob: MoneyBody,
        criterion: OriginCriterion,
        materials: z.array(MaterialBody).max(200),
      }),
    )
    .min(1)
    .max(20)
    .refine(distinctLines, DUPLICATE_LINE),
  flags: z.strictObject({
    issuedRetroactively: z.boolean(),
    thirdPartyInvoicing: z.boolean(),
    backToBack: z.boolean(),
    exhibition: z.boolean(),
  }),
});

/** A reference of the applicant's own (its idempotency key), e.g. "APP-2026-0001". */
export const Reference = text(64).regex(
  /^[A-Za-z0-9][A-Za-z0-9 /._-]*$/,
  'letters, digits, space, "/", ".", "_" or "-"',
);

/** POST /v1/certificates/applications: the request with the goods lines it names and the shipment. */
export const ApplicationBody = z
  .strictObject({
    reference: Reference,
    exporter: z.strictObject({ code: UsccCode, name: text(200) }),
    inspectionOffice: z.string().regex(/^\d{6}$/, 'a 6-digit inspection office code'),
    portOfExit: UnLocode,
    destinationCountry: CountryCode,
    departureDate: isoDate,
    invoiceNumber: text(64),
    goods: z.array(GoodsLineBody).min(1).max(999).refine(distinctLines, DUPLICATE_LINE),
    originCertificate: OriginRequestBody,
  })
  .superRefine((body, ctx) => {
    const declared = new Set(body.goods.map((g) => g.lineNo));
    body.originCertificate.lines.forEach((l, i) => {
      if (!declared.has(l.lineNo))
        ctx.addIssue({
          code: 'custom',
          path: ['originCertificate', 'lines', i, 'lineNo'],
          message: `line ${l.lineNo} is not among the goods`,
          params: { code: 'UNKNOWN_LINE', messageZh: `第${l.lineNo}项不在货物清单中` },
        });
    });
  });
export type ApplicationBody = z.infer<typeof ApplicationBody>;

export const ReasonBody = z.strictObject({ reason: multilineText(500) });

/** POST /v1/certificates/:number/corrections: what may change on a replacement, and why. */
export const CorrectionBody = z.strictObject({
  reason: multilineText(500),
  consignee: z.strictObject({ name: text(200), address: multilineText(500).optional() }).optional(),
  invoiceNumber: text(64).optional(),
  transport: z
    .strictObject({ portOfExit: UnLocode.optional(), departureDate: isoDate.optional() })
    .optional(),
  items: z
    .array(z.strictObject({ itemNo: z.number().int().min(1).max(20), description: text(500) }))
    .max(20)
    .optional(),
});
export type CorrectionBody = z.infer<typeof CorrectionBody>;

export const NoBody = z.union([z.undefined(), z.strictObject({})]);

export const pageQuery = <T extends z.ZodRawShape>(filters: T) =>
  z.strictObject({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    ...filters,
  });

const NumberParam = z.strictObject({
  number: z
    .string()
    .max(32)
    .refine((n) => parseCertificateNumber(n) !== undefined, {
      message: 'a 16-character certificate number (type letter, year, office, enterprise, serial)',
      params: { code: 'CERTIFICATE_NUMBER', messageZh: '应为16位证书编号' },
    }),
});
/** Parses the path's certificate number (400 with pointer /number when it is none). */
export const certificateNumberParam = (number: string): string => parseOr400(NumberParam, { number }).number;

const IdParam = z.strictObject({ id: z.uuid() });
/** Parses a path id (400 with pointer /id unless a uuid). */
export const uuidParam = (id: string): string => parseOr400(IdParam, { id }).id;

/** Who made a change: the API key's name. */
export const actorOf = (p: Principal): string => `${p.name} (${p.role})`.slice(0, 100);
