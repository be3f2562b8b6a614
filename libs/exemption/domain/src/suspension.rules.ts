import type { Reason } from '@cic/contracts';
import type { Grant } from './grant.types';
import { prefixCovers, scopesOverlap } from './hs-code';

/** The part of inspection.result.recorded.v1 that suspends grants. */
export interface RecordedResult {
  enterpriseCode: string;
  lines: ReadonlyArray<{ hsCode: string; outcome: 'PASS' | 'FAIL' }>;
}

/** A foreign notification (rejection or alert abroad) on the enterprise's goods; hsCode of 2-10 digits. */
export interface ForeignNotification {
  enterpriseCode: string;
  hsCode: string;
  reference?: string;
}

export interface GrantSuspension {
  grantId: string;
  /** The HS codes that touched the grant's scope. */
  hsCodes: string[];
  reason: Reason;
}

/**
 * Grants to SUSPEND at once after a recorded result (DOMAIN.md: a FAIL inspection result for a covered
 * product suspends the grant): the ACTIVE grants of the result's enterprise whose scope covers the HS
 * code of a FAIL line. A SUSPENDED grant stays as it is and is not listed (SUSPEND is not a transition
 * from SUSPENDED); the dates do not matter, a lapsed grant that is still ACTIVE is suspended too.
 * One entry per grant, in the order of `grants`.
 */
export function suspensionsForResult(result: RecordedResult, grants: readonly Grant[]): GrantSuspension[] {
  const failed = [...new Set(result.lines.filter((l) => l.outcome === 'FAIL').map((l) => l.hsCode))];
  if (failed.length === 0) return [];
  return grants
    .filter((g) => g.status === 'ACTIVE' && g.enterpriseCode === result.enterpriseCode)
    .map((g) => ({ g, hsCodes: failed.filter((hs) => g.productScope.some((p) => prefixCovers(p, hs))) }))
    .filter(({ hsCodes }) => hsCodes.length > 0)
    .map(({ g, hsCodes }) => ({
      grantId: g.id,
      hsCodes,
      reason: {
        code: 'INSPECTION_FAILED',
        message: `Grant ${g.approvalReference} suspended: an inspection of ${hsCodes.join(', ')} failed`,
        messageZh: `免验证书${g.approvalReference}暂停：${hsCodes.join('、')}检验不合格`,
      },
    }));
}

/**
 * Grants to SUSPEND after a foreign notification (DOMAIN.md): the ACTIVE grants of the enterprise whose
 * scope overlaps the notified HS code, which may be a chapter, heading or subheading (847130 touches a
 * grant for 8471300000 as well as one for 8471).
 */
export function suspensionsForNotification(
  notification: ForeignNotification,
  grants: readonly Grant[],
): GrantSuspension[] {
  const hs = notification.hsCode;
  const ref = notification.reference ? ` ${notification.reference}` : '';
  return grants
    .filter(
      (g) =>
        g.status === 'ACTIVE' &&
        g.enterpriseCode === notification.enterpriseCode &&
        g.productScope.some((p) => scopesOverlap(p, hs)),
    )
    .map((g) => ({
      grantId: g.id,
      hsCodes: [hs],
      reason: {
        code: 'FOREIGN_NOTIFICATION',
        message: `Grant ${g.approvalReference} suspended: foreign notification${ref} on HS ${hs}`,
        messageZh: `免验证书${g.approvalReference}暂停：境外通报${ref}涉及HS ${hs}`,
      },
    }));
}
