import type { Money, OriginCertificateRequest, Reason } from '@cic/contracts';

// Types of the origin rules, derived from the contract so the two cannot drift apart.

export type Agreement = OriginCertificateRequest['agreement'];
export type OriginCriterion = OriginCertificateRequest['lines'][number]['criterion'];
export type OriginRequestLine = OriginCertificateRequest['lines'][number];
/** hsCode (6-10 digits), originCountry (absent: undetermined, so non-originating) and value. */
export type OriginMaterial = OriginRequestLine['materials'][number];
export type CertificateFlags = OriginCertificateRequest['flags'];
export type { Money };

/** A reason with a stable code and messages in English and Chinese (the contracts' Reason). */
export type OriginReason = Reason;

/** How regional value content is computed (RCEP Art. 3.5, ACFTA Rule 4). */
export type RvcMethod = 'BUILD_DOWN' | 'BUILD_UP';

/**
 * Costs the build-up formula adds to the value of originating materials. The certificate request carries
 * materials only; without these, build-up counts originating materials alone (a lower bound).
 */
export interface BuildUpCosts {
  labour?: Money;
  overhead?: Money;
  profit?: Money;
  other?: Money;
}

/** A material as the assessment names it: its position in the line's list (1-based) and its data. */
export interface MaterialRef {
  position: number;
  hsCode: string;
  /** Absent when undetermined. */
  originCountry?: string;
  value: Money;
}
