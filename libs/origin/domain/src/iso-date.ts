// Calendar arithmetic on ISO dates (YYYY-MM-DD), the office's local date. No Date objects in the rules
// and no time zone: a validity edge depends only on the calendar, so a replay on another machine decides
// the same. (The conventions of libs/exemption/domain; copied, since a domain lib of one scope may not
// import another scope's.)
import { OFFICE_TIME_ZONE } from './rules.config';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The date, when `value` is a real calendar date written YYYY-MM-DD; undefined otherwise (no timestamps). */
export function parseIsoDate(value: unknown): CalendarDate | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

export const isIsoDate = (value: unknown): value is string => parseIsoDate(value) !== undefined;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const formatIsoDate = ({ year, month, day }: CalendarDate): string =>
  `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;

/** Throws on a malformed date: the clock is the caller's, so a bad issue date is a programming error. */
export function requireIsoDate(value: string, name: string): CalendarDate {
  const date = parseIsoDate(value);
  if (!date) throw new RangeError(`${name} must be an ISO date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return date;
}

/**
 * `date` plus whole calendar years; 29 February becomes 28 February in a common year (PRC Civil Code
 * Art. 202: without a corresponding day, the last day of the month ends the period).
 */
export function plusYears(date: string, years: number): string {
  const { year, month, day } = requireIsoDate(date, 'date');
  const y = year + years;
  return formatIsoDate({ year: y, month, day: Math.min(day, daysInMonth(y, month)) });
}

/**
 * The calendar date of an instant at the office (default Asia/Shanghai, UTC+8 all year): what callers
 * pass as the issue date. 2026-03-09T16:00:00Z is already 2026-03-10 in Shanghai.
 */
export function toOfficeDate(at: Date, timeZone: string = OFFICE_TIME_ZONE): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('at must be a valid instant');
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return formatIsoDate({ year: get('year'), month: get('month'), day: get('day') });
}
