import type { Reason } from '@cic/contracts';
import type { Grant, GrantState } from './grant.types';
import { daysBetween, isIsoDate, minusMonths, plusYears, requireIsoDate } from './iso-date';
import type { ExemptionRules } from './rules.config';

/**
 * The last day a grant starting on `validFrom` is valid: validFrom + N calendar years (DOMAIN.md: 3),
 * the grant covering validFrom and validUntil both (inclusive bounds). This is the period rule of the
 * PRC Civil Code: the first day is not counted (Art. 201) and the period ends on the corresponding day of
 * the last year (Art. 202), so 2026-03-10 + 3 years ends on 2029-03-10, and with no corresponding day the
 * month's last day ends it: 2028-02-29 + 3 years is 2031-02-28. Throws RangeError on a malformed date.
 */
export function grantValidUntil(
  validFrom: string,
  rules: Pick<ExemptionRules, 'grantValidityYears'>,
): string {
  requireIsoDate(validFrom, 'validFrom');
  return plusYears(validFrom, rules.grantValidityYears);
}

export type GrantDateStatus = 'NOT_YET_VALID' | 'IN_FORCE' | 'EXPIRED';

/** Where `date` falls against validFrom..validUntil, both inclusive. An unreadable bound never is in force. */
export function grantDateStatus(
  grant: Pick<Grant, 'validFrom' | 'validUntil'>,
  date: string,
): GrantDateStatus {
  if (!isIsoDate(grant.validFrom) || date < grant.validFrom) return 'NOT_YET_VALID';
  if (!isIsoDate(grant.validUntil) || date > grant.validUntil) return 'EXPIRED';
  return 'IN_FORCE';
}

/** States in which time still matters: the daily job expires and reminds only these. */
const LIVE_STATES: readonly GrantState[] = ['ACTIVE', 'SUSPENDED'];

export interface ExpiryDue {
  grantId: string;
  /** The status the grant leaves (the previousStatus of grant-changed.v1). */
  from: GrantState;
  validUntil: string;
  reason: Reason;
}

/**
 * Grants to EXPIRE on `today` (the office's date): ACTIVE or SUSPENDED with validUntil before today, so
 * the day after validUntil, never on it. Idempotent by design: an expired grant is no longer live, so
 * running the daily job again (or late, for days missed) finds only what is still due. A grant with an
 * unreadable validUntil is left alone (expiry is final; decideExemption already refuses it).
 */
export function dueForExpiry(grants: readonly Grant[], today: string): ExpiryDue[] {
  requireIsoDate(today, 'today');
  return grants
    .filter((g) => LIVE_STATES.includes(g.status) && isIsoDate(g.validUntil) && g.validUntil < today)
    .map((g) => ({
      grantId: g.id,
      from: g.status,
      validUntil: g.validUntil,
      reason: {
        code: 'VALIDITY_ENDED',
        message: `Grant ${g.approvalReference} was valid until ${g.validUntil}; it expires on ${today}`,
        messageZh: `免验证书${g.approvalReference}有效期至${g.validUntil}，${today}起失效`,
      },
    }));
}

/** A grant as the reminder job sees it: the caller records whether this validity was already reminded. */
export type RenewalCandidate = Grant & { renewalReminded: boolean };

export interface RenewalDue {
  grantId: string;
  /** First day the reminder is due: validUntil minus the reminder months (month-end clamp). */
  remindFrom: string;
  validUntil: string;
  /** Days from today to validUntil (0 on the last valid day). */
  daysLeft: number;
  reason: Reason;
}

/** validUntil minus N calendar months, month-end clamped: 2029-05-31 - 3 months is 2029-02-28. */
export const renewalReminderFrom = (
  validUntil: string,
  rules: Pick<ExemptionRules, 'renewalReminderMonths'>,
): string => minusMonths(validUntil, rules.renewalReminderMonths);

/**
 * Grants whose renewal reminder is due on `today`: ACTIVE or SUSPENDED, not yet reminded, and
 * remindFrom <= today <= validUntil. Past validUntil it is dueForExpiry's turn, not a reminder's. Pure
 * and idempotent: same grants and day, same answer; once the caller records the reminder
 * (renewalReminded) the grant drops out, and a job that missed days still reminds once.
 */
export function dueForRenewalReminder(
  grants: readonly RenewalCandidate[],
  today: string,
  rules: Pick<ExemptionRules, 'renewalReminderMonths'>,
): RenewalDue[] {
  requireIsoDate(today, 'today');
  const due: RenewalDue[] = [];
  for (const g of grants) {
    if (!LIVE_STATES.includes(g.status) || g.renewalReminded || !isIsoDate(g.validUntil)) continue;
    const remindFrom = renewalReminderFrom(g.validUntil, rules);
    if (today < remindFrom || today > g.validUntil) continue;
    const daysLeft = daysBetween(today, g.validUntil);
    due.push({
      grantId: g.id,
      remindFrom,
      validUntil: g.validUntil,
      daysLeft,
      reason: {
        code: 'RENEWAL_DUE',
        message: `Grant ${g.approvalReference} is valid until ${g.validUntil} (${daysLeft} day(s) left): apply for renewal`,
        messageZh: `免验证书${g.approvalReference}有效期至${g.validUntil}（剩余${daysLeft}天），请申请续期`,
      },
    });
  }
  return due;
}
