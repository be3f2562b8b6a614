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
  /** Line numbers of the declaration's goods: an exemption is trusted only against these. */
  declaredLines: readonly number[];
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

/**
 * What an exemption decision really covers. ALL_EXEMPT needs the event's flag AND a line-by-line
 * confirmation of exactly the declared lines: the flag alone is never trusted, and a contradiction
 * between the two is doubt, which never releases. INCOMPLETE: lines missing or not on the declaration.
 */
export type ExemptionCoverage = 'ALL_EXEMPT' | 'NOT_ALL_EXEMPT' | 'INCOMPLETE';

export function exemptionCoverage(ex: ExemptionInput, declaredLines: readonly number[]): ExemptionCoverage {
  const declared = new Set(declaredLines);
  const named = new Set(ex.lines.map((l) => l.lineNo));
  const complete =
    declared.size > 0 && [...named].every((l) => declared.has(l)) && [...declared].every((l) => named.has(l));
  if (!complete) return 'INCOMPLETE';
  return ex.exempt && ex.lines.every((l) => l.exempt === true) ? 'ALL_EXEMPT' : 'NOT_ALL_EXEMPT';
}

const exemptionIncomplete = () =>
  reason(
    'EXEMPTION_INCOMPLETE',
    'The exemption decision does not name exactly the declared lines, so no exemption is applied',
    '免验判定未完整对应申报商品项，不予免验',
  );

/**
 * 直通放行: released goods of an enterprise holding green-channel approval, an exemption, or category 1.
 * An exemption is held when it is trusted (every declared line exempt) or a declared line carries a grant.
 */
export function isDirectRelease(
  outcome: string,
  gc: GreenChannelInput | undefined,
  ex: ExemptionInput | undefined,
  declaredLines: readonly number[],
): boolean {
  if (outcome !== 'RELEASED') return false;
  const declared = new Set(declaredLines);
  const holdsExemption =
    !!ex &&
    (exemptionCoverage(ex, declaredLines) === 'ALL_EXEMPT' ||
      ex.lines.some((l) => declared.has(l.lineNo) && typeof l.grantId === 'string' && l.grantId !== ''));
  return !!gc?.greenChannelApproved || holdsExemption || gc?.enterpriseCategory === 1;
}

/**
 * The clearance outcome of DESIGN.md, in order: a green-channel hard stop; every line exempt; the lane.
 * Returns undefined while a decision is still awaited. After the timeout a missing decision never
 * releases: DOCUMENT_REVIEW (DECISION_TIMEOUT), or INSPECTION_REQUIRED when what did arrive is stricter.
 * An exemption that does not name exactly the declared lines is not applied (EXEMPTION_INCOMPLETE).
 */
export function decideClearance({
  greenChannel: gc,
  exemption: ex,
  declaredLines,
  timedOut,
}: ClearanceInput): ClearanceDecision | undefined {
  const coverage = ex ? exemptionCoverage(ex, declaredLines) : undefined;
  const basis = { lane: gc?.lane ?? null, exempt: coverage ? coverage === 'ALL_EXEMPT' : null };
  // Told after the rule that decided, so reasons[0] always names that rule.
  const doubt = coverage === 'INCOMPLETE' ? [exemptionIncomplete()] : [];
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
      reasons: [timeout, ...doubt, ...(gc?.reasons ?? [])],
    };
  }
  if (gc.hardStop) {
    return {
      outcome: 'INSPECTION_REQUIRED',
      directRelease: false,
      basis,
      reasons: [
        reason('GREEN_CHANNEL_HARD_STOP', 'A green-channel hard stop applies', '命中绿色通道强制查验规则'),
        ...doubt,
        ...gc.reasons,
      ],
    };
  }
  if (coverage === 'ALL_EXEMPT') {
    return {
      outcome: 'RELEASED',
      directRelease: isDirectRelease('RELEASED', gc, ex, declaredLines),
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
    directRelease: isDirectRelease(chosen.outcome, gc, ex, declaredLines),
    basis,
    reasons: [chosen.r, ...doubt, ...gc.reasons],
  };
}
