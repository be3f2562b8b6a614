import { z } from 'zod';
import { CountryCode, DecimalString, HsCode, IsoDate, Money, UnLocode } from '../../common.schema';
import { defineTopic } from '../../topic';

export const DocumentKind = z.enum([
  'INVOICE',
  'PACKING_LIST',
  'CONTRACT',
  'TEST_REPORT',
  'CONFORMITY_DECLARATION',
]);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const PreferentialAgreement = z.enum(['RCEP', 'CHINA_ASEAN']);
export const OriginCriterion = z.enum(['WO', 'PE', 'PSR']);

export const GoodsLine = z.object({
  lineNo: z.number().int().min(1).max(999),
  hsCode: HsCode,
  description: z.string().min(1).max(500),
  quantity: z.object({ value: DecimalString, unit: z.string().min(1).max(10) }),
  value: Money,
  originCountry: CountryCode,
  manufacturerCode: z.string().min(1).max(18).optional(),
  /** UN number of dangerous goods, e.g. "UN1263". */
  dangerousGoods: z
    .string()
    .regex(/^UN\d{4}$/, 'a UN number, e.g. "UN1263"')
    .optional(),
  bulk: z.boolean().optional(),
});
export type GoodsLine = z.infer<typeof GoodsLine>;

export const DeclarationDocument = z.object({
  kind: DocumentKind,
  number: z.string().min(1).max(64),
  sha256: z.string().regex(/^[a-f0-9]{64}$/, 'a lowercase hex SHA-256 digest'),
  uri: z.url().optional(),
});
export type DeclarationDocument = z.infer<typeof DeclarationDocument>;

export const OriginMaterial = z.object({
  hsCode: z.string().regex(/^\d{6,10}$/, 'an HS code of 6 to 10 digits'),
  /** Absent when the origin is undetermined (treated as non-originating). */
  originCountry: CountryCode.optional(),
  value: Money,
});

export const OriginCertificateRequest = z.object({
  agreement: PreferentialAgreement,
  importingCountry: CountryCode,
  consignee: z.object({ name: z.string().min(1).max(200), address: z.string().max(500).optional() }),
  lines: z
    .array(
      z.object({
        lineNo: z.number().int().min(1).max(999),
        fob: Money,
        criterion: OriginCriterion,
        materials: z.array(OriginMaterial).max(200),
      }),
    )
    .min(1)
    .max(20),
  flags: z.object({
    issuedRetroactively: z.boolean(),
    thirdPartyInvoicing: z.boolean(),
    backToBack: z.boolean(),
    exhibition: z.boolean(),
  }),
});
export type OriginCertificateRequest = z.infer<typeof OriginCertificateRequest>;

/** The declaration as a customs system submits it (Kafka or POST /v1/declarations). */
export const InspectionDeclaration = z.object({
  localRef: z.string().min(1).max(64),
  declarant: z.object({ code: z.string().min(1).max(18), name: z.string().min(1).max(200) }),
  kind: z.literal('EXPORT'),
  inspectionOffice: z.string().regex(/^\d{6}$/, 'a 6-digit inspection office code'),
  portOfExit: UnLocode,
  destinationCountry: CountryCode,
  departureDate: IsoDate,
  goods: z.array(GoodsLine).min(1).max(999),
  documents: z.array(DeclarationDocument).max(100),
  originCertificate: OriginCertificateRequest.optional(),
});
export type InspectionDeclaration = z.infer<typeof InspectionDeclaration>;

export const DeclarationSubmittedV1 = defineTopic({
  name: 'customs.declaration.submitted.v1',
  summary: 'A customs declaration system submits an export inspection declaration.',
  key: '<declarantCode>:<localRef>',
  producer: 'customs-system',
  consumers: ['declaration-intake'],
  data: InspectionDeclaration,
});
