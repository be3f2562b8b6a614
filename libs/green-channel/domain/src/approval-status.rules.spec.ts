import { type ApprovalAction, type ApprovalStatus, approvalTransition } from './approval-status.rules';

type Row = [ApprovalStatus, ApprovalAction, boolean, ApprovalStatus | 'INVALID_TRANSITION' | 'NOT_QUALIFIED'];

describe('approvalTransition (green-channel approval status)', () => {
  // Every state x action x qualifies: 24 rows, so no combination is left to chance.
  it.each<Row>([
    ['NONE', 'APPROVE', true, 'APPROVED'],
    ['NONE', 'APPROVE', false, 'NOT_QUALIFIED'],
    ['NONE', 'SUSPEND', true, 'INVALID_TRANSITION'],
    ['NONE', 'SUSPEND', false, 'INVALID_TRANSITION'],
    ['NONE', 'REINSTATE', true, 'INVALID_TRANSITION'],
    ['NONE', 'REINSTATE', false, 'INVALID_TRANSITION'],
    ['NONE', 'REVOKE', true, 'INVALID_TRANSITION'],
    ['NONE', 'REVOKE', false, 'INVALID_TRANSITION'],
    ['APPROVED', 'APPROVE', true, 'INVALID_TRANSITION'],
    ['APPROVED', 'APPROVE', false, 'INVALID_TRANSITION'],
    ['APPROVED', 'SUSPEND', true, 'SUSPENDED'],
    // A FAIL result or a foreign notification suspends whatever the criteria say.
    ['APPROVED', 'SUSPEND', false, 'SUSPENDED'],
    ['APPROVED', 'REINSTATE', true, 'INVALID_TRANSITION'],
    ['APPROVED', 'REINSTATE', false, 'INVALID_TRANSITION'],
    ['APPROVED', 'REVOKE', true, 'NONE'],
    ['APPROVED', 'REVOKE', false, 'NONE'],
    // A suspended approval comes back through REINSTATE only, and only for an enterprise that qualifies.
    ['SUSPENDED', 'APPROVE', true, 'INVALID_TRANSITION'],
    ['SUSPENDED', 'APPROVE', false, 'INVALID_TRANSITION'],
    ['SUSPENDED', 'SUSPEND', true, 'INVALID_TRANSITION'],
    ['SUSPENDED', 'SUSPEND', false, 'INVALID_TRANSITION'],
    ['SUSPENDED', 'REINSTATE', true, 'APPROVED'],
    ['SUSPENDED', 'REINSTATE', false, 'NOT_QUALIFIED'],
    ['SUSPENDED', 'REVOKE', true, 'NONE'],
    ['SUSPENDED', 'REVOKE', false, 'NONE'],
  ])('%s + %s (qualifies %s) -> %s', (from, action, qualifies, expected) => {
    const sut = approvalTransition(from, action, qualifies);
    if (expected === 'INVALID_TRANSITION' || expected === 'NOT_QUALIFIED') {
      expect(sut).toMatchObject({ ok: false, error: { code: expected, from, action } });
      if (!sut.ok) {
        expect(sut.error.message).toContain(from);
        expect(sut.error.message).toContain(action);
        expect(sut.error.messageZh).toContain(from);
      }
    } else {
      expect(sut).toEqual({ ok: true, state: expected });
    }
  });
});
