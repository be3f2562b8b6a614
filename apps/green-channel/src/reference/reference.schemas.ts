import { isoDate, multilineText, text, UsccCode } from '@cic/platform-http';
import { CREDIT_TIERS, ZONE_LEVELS } from '@cic/green-channel-domain';
import { z } from 'zod';
import { COUNTRY_CODES } from './countries';

// The request bodies of the reference-data API and the rows of an import: one schema per record, strict
// (unknown fields are errors), every string bounded, so bad input is a 400 with field pointers, never a 500.

// Shared field schemas (libs/platform/http), re-exported for this service's modules.
export { isoDate, multilineText, text, UsccCode };

export const ZoneId = z
  .string()
  .max(32)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'a zone id of 1 to 32 letters, digits, "_", "." or "-"');

/** US dollars, `numeric(20, 2)`: at most 18 integer digits and 2 decimals, as a string. */
export const UsdAmount = z
  .string()
  .max(21)
  .regex(/^(0|[1-9]\d{0,17})(\.\d{1,2})?$/, 'a decimal string with at most 2 decimals, e.g. "1250000.00"');

export const Version = z.number().int().min(1).max(2_147_483_647);

const Certification = z
  .strictObject({
    standard: text(32).regex(/^[A-Za-z0-9][A-Za-z0-9 :._-]*$/, 'a standard such as "ISO9001" or "IATF16949"'),
    number: text(64),
    validFrom: isoDate,
    validUntil: isoDate,
  })
  .refine((c) => c.validUntil >= c.validFrom, {
    path: ['validUntil'],
    message: 'must not be before validFrom',
    params: { code: 'BEFORE_VALID_FROM', messageZh: '截止日期不得早于起始日期' },
  });

const enterpriseFields = {
  name: text(200),
  tier: z.enum(CREDIT_TIERS),
  category: z.number().int().min(1).max(4),
  annualExportsUsd: UsdAmount,
  certifications: z.array(Certification).max(20).default([]),
  zoneIds: z
    .array(ZoneId)
    .max(20)
    .default([])
    .refine((ids) => new Set(ids).size === ids.length, {
      message: 'must not list a zone twice',
      params: { code: 'DUPLICATE', messageZh: '示范区不得重复' },
    }),
  historySince: isoDate.nullable().default(null),
};

/** PUT /v1/enterprises/:code. `code` may be repeated from the path; `version` is the expected version. */
export const EnterpriseBody = z.strictObject({
  code: z.string().max(64).optional(),
  ...enterpriseFields,
  version: Version.optional(),
});
export type EnterpriseBody = z.infer<typeof EnterpriseBody>;

/** A row of an enterprise import. */
export const EnterpriseRow = z.strictObject({ code: UsccCode, ...enterpriseFields });
export type EnterpriseRow = z.infer<typeof EnterpriseRow>;

const zoneFields = {
  name: text(200),
  level: z.enum(ZONE_LEVELS),
  industry: text(200),
};

/** PUT /v1/zones/:id. */
export const ZoneBody = z.strictObject({
  id: z.string().max(64).optional(),
  ...zoneFields,
  version: Version.optional(),
});
export type ZoneBody = z.infer<typeof ZoneBody>;

export const ZoneRow = z.strictObject({ id: ZoneId, ...zoneFields });
export type ZoneRow = z.infer<typeof ZoneRow>;

export const RISK_ALERT_SOURCES = ['FOREIGN_NOTIFICATION', 'TRADE_MEASURE'] as const;

const riskAlertFields = {
  hsPrefix: z
    .string()
    .max(10)
    .regex(/^\d{4,10}$/, 'an HS code prefix of 4 to 10 digits'),
  destinations: z
    .array(
      z
        .string()
        .max(2)
        .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code, e.g. "JP"')
        .refine((c) => COUNTRY_CODES.has(c), {
          message: 'is not an assigned ISO 3166-1 alpha-2 code',
          params: { code: 'UNKNOWN_COUNTRY', messageZh: '不是有效的国家代码' },
        }),
    )
    .max(300)
    .default([]),
  validFrom: isoDate,
  validUntil: isoDate.nullable().default(null),
  source: z.enum(RISK_ALERT_SOURCES),
  description: multilineText(1000),
};

const validityOrder = <T extends { validFrom: string; validUntil: string | null }>(a: T) =>
  a.validUntil === null || a.validUntil >= a.validFrom;
const validityOrderIssue = {
  path: ['validUntil'],
  message: 'must not be before validFrom',
  params: { code: 'BEFORE_VALID_FROM', messageZh: '截止日期不得早于起始日期' },
};

/** POST /v1/risk-alerts (the id is assigned by the service). */
export const RiskAlertCreateBody = z.strictObject(riskAlertFields).refine(validityOrder, validityOrderIssue);
export type RiskAlertCreateBody = z.infer<typeof RiskAlertCreateBody>;

/** PUT /v1/risk-alerts/:id. */
export const RiskAlertBody = z
  .strictObject({ id: z.string().max(64).optional(), ...riskAlertFields, version: Version.optional() })
  .refine(validityOrder, validityOrderIssue);
export type RiskAlertBody = z.infer<typeof RiskAlertBody>;

/**
 * A row of a risk-alert import. With an id it creates or replaces that alert; without, an alert with the
 * same content already on file (or earlier in the file) is left alone, otherwise one is created.
 */
export const RiskAlertRow = z
  .strictObject({ id: z.uuid().optional(), ...riskAlertFields })
  .refine(validityOrder, validityOrderIssue);
export type RiskAlertRow = z.infer<typeof RiskAlertRow>;

// Canonical forms, so that "unchanged" compares like with like.

export interface EnterpriseData {
  code: string;
  name: string;
  tier: (typeof CREDIT_TIERS)[number];
  category: number;
  annualExportsUsd: string;
  certifications: { standard: string; number: string; validFrom: string; validUntil: string }[];
  zoneIds: string[];
  historySince: string | null;
}

export function canonicalEnterprise(code: string, v: Omit<EnterpriseRow, 'code'>): EnterpriseData {
  return {
    code,
    name: v.name,
    tier: v.tier,
    category: v.category,
    annualExportsUsd: v.annualExportsUsd,
    certifications: v.certifications.map((c) => ({
      standard: c.standard,
      number: c.number,
      validFrom: c.validFrom,
      validUntil: c.validUntil,
    })),
    zoneIds: [...v.zoneIds],
    historySince: v.historySince,
  };
}

export interface ZoneData {
  id: string;
  name: string;
  level: (typeof ZONE_LEVELS)[number];
  industry: string;
}

export interface RiskAlertData {
  id: string;
  hsPrefix: string;
  destinations: string[];
  validFrom: string;
  validUntil: string | null;
  source: (typeof RISK_ALERT_SOURCES)[number];
  description: string;
}

export function canonicalRiskAlert(
  id: string,
  v: Omit<RiskAlertRow, 'id'> | RiskAlertCreateBody,
): RiskAlertData {
  return {
    id,
    hsPrefix: v.hsPrefix,
    destinations: [...new Set(v.destinations)].sort(),
    validFrom: v.validFrom,
    validUntil: v.validUntil,
    source: v.source,
    description: v.description,
  };
}
