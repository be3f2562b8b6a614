import { plusYears, requireIsoDate } from './iso-date';
import { DEFAULT_ORIGIN_RULES } from './rules.config';

/**
 * The last day a certificate issued on `issueDate` (the office's local date, YYYY-MM-DD) is valid. It
 * is valid one year from the date of issue (DOMAIN.md), counted as PRC Civil Code Art. 201-202 count
 * periods: the issue day itself is not counted, and the period ends on the day with
 * the same number a year later, or on the last day of the month when there is none. So the returned
 * date is INCLUSIVE: issued 2026-03-10, valid through 2027-03-10, expired from 2027-03-11; issued
 * 2028-02-29, valid through 2029-02-28.
 */
export function certificateValidUntil(
  issueDate: string,
  years: number = DEFAULT_ORIGIN_RULES.validityYears,
): string {
  requireIsoDate(issueDate, 'issueDate');
  if (!Number.isInteger(years) || years < 1)
    throw new RangeError(`years must be a whole number from 1, got ${years}`);
  return plusYears(issueDate, years);
}

/** Whether a certificate valid through `validUntil` (inclusive) has expired on `asOf`. */
export function isCertificateExpired(validUntil: string, asOf: string): boolean {
  requireIsoDate(validUntil, 'validUntil');
  requireIsoDate(asOf, 'asOf');
  return asOf > validUntil; // well-formed ISO dates compare as strings
}
