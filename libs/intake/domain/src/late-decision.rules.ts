import {
  type ClearanceDecision,
  decideClearance,
  type ExemptionInput,
  type GreenChannelInput,
} from './clearance.rules';

/** Statuses a declaration can hold once its outcome has been decided. */
export type DecidedStatus = 'RELEASED' | 'DOCUMENT_REVIEW' | 'INSPECTION_REQUIRED' | 'REFUSED' | 'REJECTED';

export interface LateDecisionInput {
  status: DecidedStatus;
  /** The current status was set by an inspection result: the goods were examined, which outranks a prediction. */
  settledByInspection: boolean;
  /** The decisions as now known, the late one included. */
  greenChannel?: GreenChannelInput;
  exemption?: ExemptionInput;
  declaredLines: readonly number[];
}

// Strictness of the outcomes a late decision may revise. REFUSED and REJECTED are final and absent.
const RANK: Readonly<Record<string, number>> = { RELEASED: 0, DOCUMENT_REVIEW: 1, INSPECTION_REQUIRED: 2 };

/**
 * A decision that arrives after the outcome was decided (DESIGN.md): the outcome is decided again from
 * what is now known (as timed out while a decision is still missing) and replaces the current one only
 * when it is stricter, so a late decision never loosens an outcome. Final statuses and statuses settled
 * by an inspection result are never revised. Undefined means no change.
 */
export function reviseOnLateDecision(input: LateDecisionInput): ClearanceDecision | undefined {
  const current = RANK[input.status];
  if (input.settledByInspection || current === undefined) return undefined;
  const decision = decideClearance({
    greenChannel: input.greenChannel,
    exemption: input.exemption,
    declaredLines: input.declaredLines,
    timedOut: true,
  });
  if (!decision || RANK[decision.outcome] <= current) return undefined;
  return {
    ...decision,
    // Only RELEASED can be a direct release, and a stricter outcome never is.
    directRelease: false,
    reasons: [
      {
        code: 'LATE_DECISION_STRICTER',
        message: `A decision received after the outcome ${input.status} makes it stricter: ${decision.outcome}`,
        messageZh: `迟到的判定使结论更严格：由${input.status}改为${decision.outcome}`,
      },
      ...decision.reasons,
    ],
  };
}
