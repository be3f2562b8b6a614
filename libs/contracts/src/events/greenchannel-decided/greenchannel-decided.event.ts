import { z } from 'zod';
import { DecisionBase } from '../../common.schema';
import { defineTopic } from '../../topic';

export const Lane = z.enum(['GREEN', 'YELLOW', 'RED']);
export type Lane = z.infer<typeof Lane>;

export const CheckOutcome = z.enum(['PASS', 'FAIL', 'TIMEOUT', 'SKIPPED']);

export const GreenChannelDecided = DecisionBase.extend({
  lane: Lane,
  hardStop: z.boolean(),
  randomlySelected: z.boolean(),
  greenChannelApproved: z.boolean(),
  /** Inspection classification 1-4 of the enterprise when known (1 qualifies for direct release). */
  enterpriseCategory: z.number().int().min(1).max(4).nullable().optional(),
  checks: z.array(z.object({ name: z.string().min(1), outcome: CheckOutcome, detail: z.string() })),
});
export type GreenChannelDecided = z.infer<typeof GreenChannelDecided>;

export const GreenChannelDecidedV1 = defineTopic({
  name: 'inspection.greenchannel.decided.v1',
  summary: 'The inspection lane of a declaration and the checks behind it.',
  key: 'declarationId',
  producer: 'green-channel',
  consumers: ['declaration-intake'],
  data: GreenChannelDecided,
});
