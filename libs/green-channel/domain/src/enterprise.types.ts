// The enterprise as the green-channel service knows it (DOMAIN.md "Enterprises").

/** Customs enterprise credit tier, best first (credit management measures in force 2026-04-01). */
export const CREDIT_TIERS = [
  'ADVANCED_CERTIFIED',
  'CERTIFIED',
  'REGULAR',
  'DISCREDITED',
  'SERIOUSLY_DISCREDITED',
] as const;
export type CreditTier = (typeof CREDIT_TIERS)[number];

/** Inspection classification management; 1 is best. */
export type EnterpriseCategory = 1 | 2 | 3 | 4;
export const ENTERPRISE_CATEGORIES: readonly EnterpriseCategory[] = [1, 2, 3, 4];

/** Export quality-safety demonstration zone level. */
export const ZONE_LEVELS = ['PROVINCIAL', 'NATIONAL'] as const;
export type ZoneLevel = (typeof ZONE_LEVELS)[number];

export interface QualityCertification {
  /** 'ISO9001', 'IATF16949' or any other standard (which are accepted is configuration). */
  standard: 'ISO9001' | 'IATF16949' | (string & {});
  number: string;
  /** ISO dates; the certificate is valid on both days. */
  validFrom: string;
  validUntil: string;
}

export interface ZoneMembership {
  zoneId: string;
  name: string;
  level: ZoneLevel;
  /** The zone's lead industry. */
  industry: string;
}

export interface EnterpriseProfile {
  /** 18-character unified social credit code (GB 32100-2015). */
  code: string;
  name: string;
  tier: CreditTier;
  category: EnterpriseCategory;
  /** Decimal string in US dollars, e.g. "1250000.00". */
  annualExportsUsd: string;
  certifications: readonly QualityCertification[];
  zones: readonly ZoneMembership[];
  /** ISO date of the first recorded declaration or registration; null when nothing is on record. */
  historySince: string | null;
}

/** Something that happened to the enterprise on a day (the office's local date, YYYY-MM-DD). */
export interface DatedEvent {
  date: string;
  reference?: string;
}

/** The enterprise's history as learned from events. Foreign notifications suspend approval (service). */
export interface EnterpriseRecord {
  qualityClaims: readonly DatedEvent[];
  nonCompliantDeclarations: readonly DatedEvent[];
  penalties: readonly DatedEvent[];
  foreignNotifications: readonly DatedEvent[];
}

/** The record of an enterprise with no events (e.g. one not yet seen by the service). */
export const EMPTY_RECORD: EnterpriseRecord = Object.freeze({
  qualityClaims: [],
  nonCompliantDeclarations: [],
  penalties: [],
  foreignNotifications: [],
});
