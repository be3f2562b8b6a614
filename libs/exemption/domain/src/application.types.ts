// What an application for an inspection exemption (出口免验) brings, and how it is answered.

export interface Certification {
  /** 'ISO9001' or any other standard (which are accepted is configuration). */
  standard: string;
  number: string;
  /** ISO dates; the certificate is valid on both days. */
  validFrom: string;
  validUntil: string;
}

/** An inspection or sampling result of the enterprise's goods, dated by the office's calendar. */
export interface InspectionRecord {
  date: string;
  hsCode: string;
  outcome: 'PASS' | 'FAIL';
  /** The result led to a quality dispute (counts for NO_QUALITY_DISPUTES). */
  dispute?: boolean;
}

/** A quality claim or dispute; without an HS code it concerns the enterprise's goods at large. */
export interface QualityDispute {
  date: string;
  hsCode?: string;
  reference?: string;
}

export interface ExemptionApplication {
  enterpriseCode: string;
  /** HS prefixes (4-10 digits) applied for. */
  productScope: readonly string[];
  certifications: readonly Certification[];
  /** The enterprise's inspection results; those the scope does not cover are ignored. */
  results: readonly InspectionRecord[];
  disputes: readonly QualityDispute[];
  /** The office's local date, YYYY-MM-DD. */
  asOf: string;
}

/** The conditions of DOMAIN.md "Inspection exemption", in its order, after the enterprise's identity. */
export const APPLICATION_CONDITIONS = [
  'ENTERPRISE_CODE',
  'CLEAN_INSPECTION_HISTORY',
  'NO_QUALITY_DISPUTES',
  'QUALITY_CERTIFICATE',
  'EXEMPTIBLE_PRODUCT',
] as const;
export type ApplicationConditionId = (typeof APPLICATION_CONDITIONS)[number];

export type EvidenceValue = string | number | boolean | null | readonly string[];

export interface ApplicationCondition {
  id: ApplicationConditionId;
  met: boolean;
  message: string;
  messageZh: string;
  /** The dates and figures the answer rests on. */
  evidence: Readonly<Record<string, EvidenceValue>>;
}

export interface ApplicationEvaluation {
  qualifies: boolean;
  asOf: string;
  rulesetVersion: string;
  conditions: ApplicationCondition[];
}
