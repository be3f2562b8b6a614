import {
  checkUscc,
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

const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_EXCEPT_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const noControl = (pattern: RegExp) =>
  [
    (s: string) => !pattern.test(s),
    {
      message: 'must not contain control characters',
      params: { code: 'CONTROL_CHARACTER', messageZh: '不得包含控制字符' },
    },
  ] as const;

/** One line of text, trimmed, 1..max characters, no control characters. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .trim()
    .min(1)
    .refine(...noControl(CONTROL));

/** Free text that may span lines. */
export const multilineText = (max: number) =>
  z
    .string()
    .max(max)
    .trim()
    .min(1)
    .refine(...noControl(CONTROL_EXCEPT_BREAKS));

/** A calendar date YYYY-MM-DD between 1900 and 2999. */
export const isoDate = z
  .string()
  .max(10)
  .pipe(z.iso.date({ message: 'an ISO date YYYY-MM-DD' }))
  .refine((d) => d >= '1900-01-01' && d <= '2999-12-31', {
    message: 'must be between 1900-01-01 and 2999-12-31',
    params: { code: 'OUT_OF_RANGE', messageZh: '日期应在1900-01-01至2999-12-31之间' },
  });

/** An 18-character unified social credit code with its check character (GB 32100-2015). */
export const UsccCode = z
  .string()
  .max(64)
  .superRefine((code, ctx) => {
    const problem = checkUscc(code);
    if (!problem) return;
    const t = {
      LENGTH: ['must have 18 characters', '统一社会信用代码应为18位'],
      CHARACTER: ['may use only 0-9 and A-Y without I, O, S, V, Z', '统一社会信用代码含有非法字符'],
      CHECK_CHARACTER: ['has a wrong check character (GB 32100-2015)', '统一社会信用代码校验位错误'],
    }[problem];
    ctx.addIssue({ code: 'custom', message: t[0], params: { code: `USCC_${problem}`, messageZh: t[1] } });
  });

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
