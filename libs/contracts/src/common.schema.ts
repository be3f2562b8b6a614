import { z } from 'zod';

// Field formats shared by every event (DESIGN.md "Event envelope": amounts are decimal strings with an
// ISO 4217 currency, dates ISO 8601, countries ISO 3166-1 alpha-2, ports UN/LOCODE, HS codes 10 digits).
// These check the shape; the business checks (code lists, check characters) live with the service that
// owns the rule.

export const DecimalString = z
  .string()
  .regex(/^-?(0|[1-9]\d{0,17})(\.\d{1,6})?$/, 'a decimal number as a string, e.g. "12500.00"');

export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code, e.g. "USD"');
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code, e.g. "JP"');
export const UnLocode = z.string().regex(/^[A-Z]{2}[A-Z2-9]{3}$/, 'a UN/LOCODE without space, e.g. "CNSHA"');
export const HsCode = z.string().regex(/^\d{10}$/, 'a 10-digit China tariff HS code');
export const HsPrefix = z.string().regex(/^\d{4,10}$/, 'an HS code prefix of 4 to 10 digits');
export const UnifiedSocialCreditCode = z
  .string()
  .regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/, 'an 18-character unified social credit code');
export const IsoDate = z.iso.date();
export const IsoDateTime = z.iso.datetime({ offset: true });
export const DeclarationId = z.uuid();

export const Money = z.object({ amount: DecimalString, currency: CurrencyCode });
export type Money = z.infer<typeof Money>;

/** A reason for a decision, in English and Chinese, with a stable machine code. */
export const Reason = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an UPPER_SNAKE code'),
  message: z.string().min(1),
  messageZh: z.string().min(1),
});
export type Reason = z.infer<typeof Reason>;

/** Fields every decision event carries (DESIGN.md "Main payloads"). */
export const DecisionBase = z.object({
  declarationId: DeclarationId,
  decidedAt: IsoDateTime,
  rulesetVersion: z.string().min(1),
  reasons: z.array(Reason),
});

/** A field-level error as HTTP problems and rejection events carry it (RFC 6901 JSON Pointer). */
export const FieldError = z.object({
  pointer: z.string().regex(/^(\/[^/]*)*$/, 'a JSON Pointer'),
  code: z.string().min(1),
  message: z.string().min(1),
  messageZh: z.string().min(1),
});
export type FieldError = z.infer<typeof FieldError>;
