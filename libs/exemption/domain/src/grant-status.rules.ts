import type { GrantChange, GrantState } from './grant.types';

/** What an admin (REVOKE, REINSTATE), a result or notification (SUSPEND) or the daily job (EXPIRE) does. */
export const GRANT_ACTIONS = ['SUSPEND', 'REINSTATE', 'REVOKE', 'EXPIRE'] as const;
export type GrantAction = (typeof GRANT_ACTIONS)[number];

export interface GrantTransitionError {
  code: 'INVALID_TRANSITION';
  from: GrantState;
  action: GrantAction;
  /** The actions `from` allows; empty for the final states REVOKED and EXPIRED. */
  allowedActions: GrantAction[];
  message: string;
  messageZh: string;
}

export type GrantTransition =
  | { ok: true; state: GrantState; change: GrantChange }
  | { ok: false; error: GrantTransitionError };

// action -> the states it may start from, the state it leads to and the `change` of grant-changed.v1.
// EXPIRE is allowed from SUSPENDED: time passes whatever the status, and a suspended grant past its
// validUntil must not come back through REINSTATE. REVOKED and EXPIRED are final: a new grant is a new
// application (with its own id), never a transition.
const TABLE: Readonly<
  Record<GrantAction, { from: readonly GrantState[]; to: GrantState; change: GrantChange }>
> = {
  SUSPEND: { from: ['ACTIVE'], to: 'SUSPENDED', change: 'SUSPENDED' },
  REINSTATE: { from: ['SUSPENDED'], to: 'ACTIVE', change: 'REINSTATED' },
  REVOKE: { from: ['ACTIVE', 'SUSPENDED'], to: 'REVOKED', change: 'REVOKED' },
  EXPIRE: { from: ['ACTIVE', 'SUSPENDED'], to: 'EXPIRED', change: 'EXPIRED' },
};

/** The actions a grant in `state` allows, in GRANT_ACTIONS order. */
export const allowedGrantActions = (state: GrantState): GrantAction[] =>
  GRANT_ACTIONS.filter((a) => TABLE[a].from.includes(state));

/**
 * The next status of a grant, or why not (the service answers 409 with the error). Suspending an already
 * suspended grant is an error too: the caller that only wants "suspended" checks the status first
 * (suspensionsForResult returns ACTIVE grants only).
 */
export function grantTransition(current: GrantState, action: GrantAction): GrantTransition {
  const rule = TABLE[action];
  if (rule.from.includes(current)) return { ok: true, state: rule.to, change: rule.change };
  const allowed = allowedGrantActions(current);
  const allowedText = allowed.length ? `allowed: ${allowed.join(', ')}` : `${current} is final`;
  const allowedZh = allowed.length ? `可执行：${allowed.join('、')}` : `${current}为终态`;
  return {
    ok: false,
    error: {
      code: 'INVALID_TRANSITION',
      from: current,
      action,
      allowedActions: allowed,
      message: `${action} is not possible for a grant that is ${current} (${allowedText})`,
      messageZh: `免验证书当前状态为${current}，不能执行${action}（${allowedZh}）`,
    },
  };
}
