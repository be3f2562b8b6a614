/** Green-channel approval status kept per enterprise (DOMAIN.md). */
export type ApprovalStatus = 'NONE' | 'APPROVED' | 'SUSPENDED';
export type ApprovalAction = 'APPROVE' | 'SUSPEND' | 'REINSTATE' | 'REVOKE';

export interface ApprovalTransitionError {
  code: 'INVALID_TRANSITION' | 'NOT_QUALIFIED';
  from: ApprovalStatus;
  action: ApprovalAction;
  message: string;
  messageZh: string;
}

export type ApprovalTransition =
  | { ok: true; state: ApprovalStatus }
  | { ok: false; error: ApprovalTransitionError };

// action -> states it may start from, the state it leads to, and whether the enterprise must qualify.
// APPROVE is from NONE only: a suspended approval comes back through REINSTATE, so that it is visible.
const TABLE: Readonly<
  Record<ApprovalAction, { from: readonly ApprovalStatus[]; to: ApprovalStatus; needsQualifies: boolean }>
> = {
  APPROVE: { from: ['NONE'], to: 'APPROVED', needsQualifies: true },
  SUSPEND: { from: ['APPROVED'], to: 'SUSPENDED', needsQualifies: false },
  REINSTATE: { from: ['SUSPENDED'], to: 'APPROVED', needsQualifies: true },
  REVOKE: { from: ['APPROVED', 'SUSPENDED'], to: 'NONE', needsQualifies: false },
};

/**
 * The next approval status, or why not. Approving or reinstating needs `qualifies` (evaluateApproval);
 * suspending (a FAIL result or a foreign notification, DOMAIN.md) and revoking never do.
 */
export function approvalTransition(
  current: ApprovalStatus,
  action: ApprovalAction,
  qualifies: boolean,
): ApprovalTransition {
  const rule = TABLE[action];
  if (!rule.from.includes(current))
    return {
      ok: false,
      error: {
        code: 'INVALID_TRANSITION',
        from: current,
        action,
        message: `${action} is not possible from ${current} (only from ${rule.from.join(' or ')})`,
        messageZh: `当前状态${current}不能执行${action}（仅限${rule.from.join('或')}）`,
      },
    };
  if (rule.needsQualifies && !qualifies)
    return {
      ok: false,
      error: {
        code: 'NOT_QUALIFIED',
        from: current,
        action,
        message: `${action} from ${current} to ${rule.to} needs an enterprise that qualifies, and it does not`,
        messageZh: `企业不符合绿色通道条件，不能由${current}${action}为${rule.to}`,
      },
    };
  return { ok: true, state: rule.to };
}
