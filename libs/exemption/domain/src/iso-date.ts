// Calendar arithmetic on ISO dates (YYYY-MM-DD), the office's local date. No Date objects in the rules
// and no time zone: a validity edge depends only on the calendar, so a replay on another machine decides
// the same. (Same conventions as libs/green-channel/domain; copied, since a domain lib of one scope may
// not import another scope's.)
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

export function isIsoDate(value: unknown): value is string {
  return parseIsoDate(value) !== undefined;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const formatIsoDate = ({ year, month, day }: CalendarDate): string =>
  `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;

/** Throws on a malformed date: the clock is the caller's, so a bad `today` / `asOf` is a programming error. */
export function requireIsoDate(value: string, name = 'asOf'): CalendarDate {
  const date = parseIsoDate(value);
  if (!date) throw new RangeError(`${name} must be an ISO date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return date;
}

/**
 * `date` plus (or, when negative, minus) whole calendar months. When the target month is shorter, the
 * day is clamped to its last day: 2028-02-29 plus 36 months is 2031-02-28, 2026-01-31 plus 1 month is
 * 2026-02-28. This is the month-end rule of PRC Civil Code Art. 202 (没有对应日的，月末日为期间的最后一日)
 * and what java.time's plusMonths / date-fns addMonths do.
 */
export function plusMonths(date: string, months: number): string {
  const { year, month, day } = requireIsoDate(date, 'date');
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

export const minusMonths = (date: string, months: number): string => plusMonths(date, -months);
export const plusYears = (date: string, years: number): string => plusMonths(date, years * 12);
export const minusYears = (date: string, years: number): string => plusMonths(date, -years * 12);

// Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
const utcMillis = ({ year, month, day }: CalendarDate): number =>
  new Date(0).setUTCFullYear(year, month - 1, day);

/** Whole days from `from` to `to` (negative when `to` is earlier). UTC arithmetic: no DST, no zone. */
export function daysBetween(from: string, to: string): number {
  const a = requireIsoDate(from, 'from');
  const b = requireIsoDate(to, 'to');
  return (utcMillis(b) - utcMillis(a)) / 86_400_000;
}

/** `date` plus (or minus) whole days. */
export function plusDays(date: string, days: number): string {
  const d = new Date(utcMillis(requireIsoDate(date, 'date')) + days * 86_400_000);
  return formatIsoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** Well-formed ISO dates compare as strings (fixed width, most significant first). */
export const compareIsoDates = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The calendar date of an instant at the office (default Asia/Shanghai, UTC+8 all year): what callers
 * pass as `today`, `asOf` or a result's date. 2026-03-09T16:00:00Z is already 2026-03-10 in Shanghai.
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
