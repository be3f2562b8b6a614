import type { ExemptionGrantChanged } from '@cic/contracts';

/** Status of an exemption grant, as inspection.exemption.grant-changed.v1 publishes it. */
export type GrantState = ExemptionGrantChanged['status'];
export const GRANT_STATES = [
  'ACTIVE',
  'SUSPENDED',
  'REVOKED',
  'EXPIRED',
] as const satisfies readonly GrantState[];

/** What the `change` field of inspection.exemption.grant-changed.v1 says. */
export type GrantChange = ExemptionGrantChanged['change'];

/** An inspection exemption grant (出口免验), DOMAIN.md "Inspection exemption". */
export interface Grant {
  /** uuid: it is the grantId of the events. */
  id: string;
  /** 18-character unified social credit code of the enterprise holding the grant. */
  enterpriseCode: string;
  /** HS code prefixes of 4 to 10 digits (the `scope` of grant-changed.v1). */
  productScope: readonly string[];
  /** ISO dates; the grant covers both days (see grantValidUntil). */
  validFrom: string;
  validUntil: string;
  status: GrantState;
  /** Reference of the approval document (免验证书 number). */
  approvalReference: string;
}
