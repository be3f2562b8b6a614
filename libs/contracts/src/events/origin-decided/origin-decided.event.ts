import { z } from 'zod';
import { DecimalString, DecisionBase, IsoDate, IsoDateTime } from '../../common.schema';
import { defineTopic } from '../../topic';
import { OriginCriterion, PreferentialAgreement } from '../declaration-submitted/declaration-submitted.event';

export const OriginDecided = DecisionBase.extend({
  outcome: z.enum(['ISSUED', 'REFUSED']),
  certificate: z
    .object({
      number: z.string().regex(/^[A-Z]\d{15}$/, 'a 16-character certificate number'),
      agreement: PreferentialAgreement,
      issuedAt: IsoDateTime,
      validUntil: IsoDate,
      verifyUrl: z.url(),
    })
    .optional(),
  lines: z.array(
    z.object({
      lineNo: z.number().int().min(1).max(999),
      criterion: OriginCriterion,
      met: z.boolean(),
      /** The rule applied, e.g. "RVC40 or CTH". */
      rule: z.string().min(1),
      /** Regional value content in percent, when computed. */
      rvc: DecimalString.optional(),
      reason: z.string().optional(),
    }),
  ),
});
export type OriginDecided = z.infer<typeof OriginDecided>;

export const OriginDecidedV1 = defineTopic({
  name: 'inspection.origin.decided.v1',
  summary: 'Whether a preferential certificate of origin was issued, line by line.',
  key: 'declarationId',
  producer: 'origin-certificate',
  consumers: ['declaration-intake', 'customs-system'],
  data: OriginDecided,
});
