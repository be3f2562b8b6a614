import { z } from 'zod';
import { DecisionBase } from '../../common.schema';
import { defineTopic } from '../../topic';

export const ExemptionDecided = DecisionBase.extend({
  /** True only when every line is exempt. */
  exempt: z.boolean(),
  lines: z
    .array(
      z.object({
        lineNo: z.number().int().min(1).max(999),
        exempt: z.boolean(),
        grantId: z.uuid().optional(),
        /** Code of the reason: COVERED_BY_GRANT, NO_GRANT, SCOPE_MISMATCH, NOT_YET_VALID, EXPIRED, GRANT_SUSPENDED, GRANT_REVOKED, NON_EXEMPTIBLE_CATEGORY, ... */
        reason: z.string().min(1),
      }),
    )
    .min(1),
});
export type ExemptionDecided = z.infer<typeof ExemptionDecided>;

export const ExemptionDecidedV1 = defineTopic({
  name: 'inspection.exemption.decided.v1',
  summary: 'Whether each line of a declaration is covered by an active inspection exemption.',
  key: 'declarationId',
  producer: 'exemption',
  consumers: ['declaration-intake'],
  data: ExemptionDecided,
});
