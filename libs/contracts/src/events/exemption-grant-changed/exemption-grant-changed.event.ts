import { z } from 'zod';
import { HsPrefix, IsoDate, IsoDateTime, Reason } from '../../common.schema';
import { defineTopic } from '../../topic';

export const GrantStatus = z.enum(['ACTIVE', 'SUSPENDED', 'REVOKED', 'EXPIRED']);

export const ExemptionGrantChanged = z.object({
  grantId: z.uuid(),
  enterpriseCode: z.string().min(1),
  scope: z.array(HsPrefix).min(1),
  change: z.enum(['GRANTED', 'SUSPENDED', 'REINSTATED', 'REVOKED', 'EXPIRED', 'RENEWAL_DUE']),
  status: GrantStatus,
  previousStatus: GrantStatus.nullable(),
  validFrom: IsoDate,
  validUntil: IsoDate,
  changedAt: IsoDateTime,
  changedBy: z.string().min(1),
  reason: Reason.optional(),
});
export type ExemptionGrantChanged = z.infer<typeof ExemptionGrantChanged>;

export const ExemptionGrantChangedV1 = defineTopic({
  name: 'inspection.exemption.grant-changed.v1',
  summary: 'An exemption grant was created, suspended, reinstated, revoked, expired or is due for renewal.',
  key: 'grantId',
  producer: 'exemption',
  consumers: [],
  data: ExemptionGrantChanged,
});
