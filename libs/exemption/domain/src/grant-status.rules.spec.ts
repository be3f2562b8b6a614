import { type GrantAction, allowedGrantActions, grantTransition } from './grant-status.rules';
import type { GrantState } from './grant.types';

type Row = [GrantState, GrantAction, GrantState | 'INVALID_TRANSITION'];

describe('grantTransition (exemption grant status)', () => {
  // Every state x action: 16 rows, so no combination is left to chance.
  it.each<Row>([
    ['ACTIVE', 'SUSPEND', 'SUSPENDED'],
    ['ACTIVE', 'REINSTATE', 'INVALID_TRANSITION'],
    ['ACTIVE', 'REVOKE', 'REVOKED'],
    ['ACTIVE', 'EXPIRE', 'EXPIRED'],
    ['SUSPENDED', 'SUSPEND', 'INVALID_TRANSITION'],
    ['SUSPENDED', 'REINSTATE', 'ACTIVE'],
    ['SUSPENDED', 'REVOKE', 'REVOKED'],
    // Time passes for a suspended grant too.
    ['SUSPENDED', 'EXPIRE', 'EXPIRED'],
    // REVOKED and EXPIRED are final.
    ['REVOKED', 'SUSPEND', 'INVALID_TRANSITION'],
    ['REVOKED', 'REINSTATE', 'INVALID_TRANSITION'],
    ['REVOKED', 'REVOKE', 'INVALID_TRANSITION'],
    ['REVOKED', 'EXPIRE', 'INVALID_TRANSITION'],
    ['EXPIRED', 'SUSPEND', 'INVALID_TRANSITION'],
    ['EXPIRED', 'REINSTATE', 'INVALID_TRANSITION'],
    ['EXPIRED', 'REVOKE', 'INVALID_TRANSITION'],
    ['EXPIRED', 'EXPIRE', 'INVALID_TRANSITION'],
  ])('%s + %s -> %s', (from, action, expected) => {
    const sut = grantTransition(from, action);
    if (expected === 'INVALID_TRANSITION') {
      expect(sut).toMatchObject({
        ok: false,
        error: { code: expected, from, action, allowedActions: allowedGrantActions(from) },
      });
      if (!sut.ok) {
        expect(sut.error.message).toContain(from);
        expect(sut.error.message).toContain(action);
        expect(sut.error.messageZh).toContain(from);
      }
    } else {
      expect(sut).toMatchObject({ ok: true, state: expected });
    }
  });

  it.each<[GrantState, GrantAction, GrantAction[]]>([
    ['ACTIVE', 'REINSTATE', ['SUSPEND', 'REVOKE', 'EXPIRE']],
    ['SUSPENDED', 'SUSPEND', ['REINSTATE', 'REVOKE', 'EXPIRE']],
    ['REVOKED', 'REINSTATE', []],
    ['EXPIRED', 'REINSTATE', []],
  ])('refusing %s + %s names the allowed actions %j', (from, action, allowed) => {
    const sut = grantTransition(from, action);
    expect(sut.ok === false && sut.error.allowedActions).toEqual(allowed);
    if (!sut.ok)
      expect(sut.error.message).toContain(
        allowed.length ? `allowed: ${allowed.join(', ')}` : `${from} is final`,
      );
  });

  it.each<[GrantAction, string]>([
    ['SUSPEND', 'SUSPENDED'],
    ['REINSTATE', 'REINSTATED'],
    ['REVOKE', 'REVOKED'],
    ['EXPIRE', 'EXPIRED'],
  ])('%s publishes change %s', (action, change) => {
    const from: GrantState = action === 'REINSTATE' ? 'SUSPENDED' : 'ACTIVE';
    expect(grantTransition(from, action)).toMatchObject({ ok: true, change });
  });
});
