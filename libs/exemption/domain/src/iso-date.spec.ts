import {
  daysBetween,
  minusMonths,
  parseIsoDate,
  plusDays,
  plusMonths,
  plusYears,
  toOfficeDate,
} from './iso-date';

describe('plusYears / plusMonths / minusMonths (month-end clamp, PRC Civil Code Art. 202)', () => {
  it.each([
    ['2026-03-10', 3, '2029-03-10'],
    ['2028-02-29', 3, '2031-02-28'],
    ['2028-02-29', 4, '2032-02-29'],
    ['2027-02-28', 1, '2028-02-28'],
    ['2028-03-01', 3, '2031-03-01'],
    ['2026-12-31', 3, '2029-12-31'],
    ['2026-03-10', -3, '2023-03-10'],
  ])('%s plus %d year(s) is %s', (date, years, expected) => {
    expect(plusYears(date, years)).toBe(expected);
  });

  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2027-11-30', 3, '2028-02-29'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-03-10', -3, '2025-12-10'],
  ])('%s plus %d month(s) is %s', (date, months, expected) => {
    expect(plusMonths(date, months)).toBe(expected);
  });

  it.each([
    ['2029-05-31', 3, '2029-02-28'],
    ['2032-05-31', 3, '2032-02-29'],
    ['2029-03-10', 3, '2028-12-10'],
  ])('%s minus %d month(s) is %s', (date, months, expected) => {
    expect(minusMonths(date, months)).toBe(expected);
  });

  it('refuses a malformed date', () => expect(() => plusYears('2026-02-29', 3)).toThrow(RangeError));
});

describe('days', () => {
  it.each([
    ['2026-03-10', '2026-03-10', 0],
    ['2028-02-28', '2028-03-01', 2],
    ['2026-03-10', '2026-03-09', -1],
    ['2026-01-01', '2027-01-01', 365],
  ])('from %s to %s is %d day(s)', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it.each([
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-01', -1, '2026-02-28'],
  ])('%s plus %d day(s) is %s', (date, days, expected) => {
    expect(plusDays(date, days)).toBe(expected);
  });
});

describe('parseIsoDate', () => {
  it.each(['2026-02-29', '2026-13-01', '2026-3-10', '2026-03-10T00:00:00Z', ''])('refuses %j', (value) =>
    expect(parseIsoDate(value)).toBeUndefined(),
  );
});

describe('toOfficeDate (Asia/Shanghai, UTC+8)', () => {
  it.each([
    ['2026-03-09T15:59:59Z', '2026-03-09'],
    ['2026-03-09T16:00:00Z', '2026-03-10'],
    ['2028-02-28T16:30:00Z', '2028-02-29'],
  ])('%s is %s at the office', (instant, expected) => {
    expect(toOfficeDate(new Date(instant))).toBe(expected);
  });

  it('takes another zone when asked', () =>
    expect(toOfficeDate(new Date('2026-03-09T16:00:00Z'), 'UTC')).toBe('2026-03-09'));

  it('refuses an invalid instant', () => expect(() => toOfficeDate(new Date('nope'))).toThrow(RangeError));
});
