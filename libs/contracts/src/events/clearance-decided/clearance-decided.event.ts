import { z } from 'zod';
import { DecisionBase } from '../../common.schema';
import { defineTopic } from '../../topic';
import { Lane } from '../greenchannel-decided/greenchannel-decided.event';

export const ClearanceOutcome = z.enum([
  'RELEASED',
  'DOCUMENT_REVIEW',
  'INSPECTION_REQUIRED',
  'REFUSED',
  'REJECTED',
]);
export type ClearanceOutcome = z.infer<typeof ClearanceOutcome>;

export const ClearanceDecided = DecisionBase.extend({
  localRef: z.string().min(1),
  declarantCode: z.string().min(1),
  outcome: ClearanceOutcome,
  /** 直通放行: released with no second declaration at the port. */
  directRelease: z.boolean(),
  /** 1 for the first decision; each later decision (e.g. after an inspection result) adds 1. */
  revision: z.number().int().min(1),
  basis: z.object({ lane: Lane.nullable(), exempt: z.boolean().nullable() }),
  /** Milliseconds from receipt of the declaration to this decision. */
  elapsedMs: z.number().int().min(0),
});
export type ClearanceDecided = z.infer<typeof ClearanceDecided>;

export const ClearanceDecidedV1 = defineTopic({
  name: 'inspection.clearance.decided.v1',
  summary: 'The clearance outcome of a declaration; a later revision supersedes an earlier one.',
  key: 'declarationId',
  producer: 'declaration-intake',
  consumers: ['customs-system'],
  data: ClearanceDecided,
});
