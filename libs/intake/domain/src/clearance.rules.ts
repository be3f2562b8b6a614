import type { ClearanceOutcome, Lane, Reason } from '@cic/contracts';

/** Version of the clearance rules below; recorded on every clearance decision. */
export const CLEARANCE_RULESET = 'clearance/2026.11.0';

export interface GreenChannelInput {
  lane: Lane;
  hardStop: boolean;
  greenChannelApproved: boolean;
  enterpriseCategory?: number | null;
  reasons: Reason[];
}

export interface ExemptionInput {
  exempt: boolean;
  lines: ReadonlyArray<{ lineNo: number; exempt: boolean; grantId?: string }>;
  reasons: Reason[];
}

export interface ClearanceInput {
  greenChannel?: GreenChannelInput;
  exemption?: ExemptionInput;
  /** The decision timeout has passed. */
  timedOut: boolean;
}

export interface ClearanceDecision {
  outcome: Exclude<ClearanceOutcome, 'REJECTED' | 'REFUSED'>;
  directRelease: boolean;
  basis: { lane: Lane | null; exempt: boolean | null };
  reasons: Reason[];
}

const reason = (code: string, message: string, messageZh: string): Reason => ({ code, message, messageZh });

/** 直通放行: released goods of an enterprise holding green-channel approval, an exemption, or category 1. */
export function isDirectRelease(outcome: string, gc?: GreenChannelInput, ex?: ExemptionInput): boolean {
  if (outcome !== 'RELEASED') return false;
  const holdsExemption = !!ex && (ex.exempt || ex.lines.some((l) => l.exempt || l.grantId !== undefined));
  return !!gc?.greenChannelApproved || holdsExemption || gc?.enterpriseCategory === 1;
}

/**
 * The clearance outcome of DESIGN.md, in order: a green-channel hard stop; every line exempt; the lane.
 * Returns undefined while a decision is still awaited. After the timeout a missing decision never
 * releases: DOCUMENT_REVIEW (DECISION_TIMEOUT), or INSPECTION_REQUIRED when what did arrive is stricter.
 */
export function decideClearance({
  greenChannel: gc,
  exemption: ex,
  timedOut,
}: ClearanceInput): ClearanceDecision | undefined {
  const basis = { lane: gc?.lane ?? null, exempt: ex?.exempt ?? null };
  if (!gc || !ex) {
    if (!timedOut) return undefined;
    const missing = [!gc && 'green-channel', !ex && 'exemption'].filter(Boolean).join(' and ');
    const missingZh = [!gc && '绿色通道', !ex && '免验'].filter(Boolean).join('和');
    const timeout = reason(
      'DECISION_TIMEOUT',
      `No ${missing} decision arrived in time`,
      `${missingZh}判定超时未返回`,
    );
    if (gc && (gc.hardStop || gc.lane === 'RED')) {
      return {
        outcome: 'INSPECTION_REQUIRED',
        directRelease: false,
        basis,
        reasons: [timeout, ...gc.reasons],
      };
    }
    return {
      outcome: 'DOCUMENT_REVIEW',
      directRelease: false,
      basis,
      reasons: [timeout, ...(gc?.reasons ?? [])],
    };
  }
  if (gc.hardStop) {
    return {
      outcome: 'INSPECTION_REQUIRED',
      directRelease: false,
      basis,
      reasons: [
        reason('GREEN_CHANNEL_HARD_STOP', 'A green-channel hard stop applies', '命中绿色通道强制查验规则'),
        ...gc.reasons,
      ],
    };
  }
  if (ex.exempt) {
    return {
      outcome: 'RELEASED',
      directRelease: isDirectRelease('RELEASED', gc, ex),
      basis,
      reasons: [
        reason(
          'ALL_LINES_EXEMPT',
          'Every line is covered by an inspection exemption',
          '全部商品享受出口免验',
        ),
        ...ex.reasons,
      ],
    };
  }
  const byLane = {
    GREEN: { outcome: 'RELEASED', r: reason('LANE_GREEN', 'Green lane', '绿色通道放行') },
    YELLOW: {
      outcome: 'DOCUMENT_REVIEW',
      r: reason('LANE_YELLOW', 'Yellow lane: documents are reviewed', '黄色通道：单证审核'),
    },
    RED: {
      outcome: 'INSPECTION_REQUIRED',
      r: reason('LANE_RED', 'Red lane: physical inspection', '红色通道：实货查验'),
    },
  } as const;
  const chosen = byLane[gc.lane];
  return {
    outcome: chosen.outcome,
    directRelease: isDirectRelease(chosen.outcome, gc, ex),
    basis,
    reasons: [chosen.r, ...gc.reasons],
  };
}
