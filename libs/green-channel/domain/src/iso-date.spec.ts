import { compareDecimals, parseDecimalMicros } from './decimal';
import { minusMonths, minusYears, parseIsoDate } from './iso-date';

describe('minusYears / minusMonths (month-end clamp, PRC Civil Code Art. 202)', () => {
  it.each([
    ['2026-03-10', 1, '2025-03-10'],
    ['2026-03-10', 2, '2024-03-10'],
    ['2028-02-29', 1, '2027-02-28'],
    ['2028-02-29', 4, '2024-02-29'],
    ['2025-02-28', 1, '2024-02-28'],
    ['2025-03-01', 1, '2024-03-01'],
    ['2000-02-29', 100, '1900-02-28'],
  ])('%s minus %d year(s) is %s', (date, years, expected) => {
    expect(minusYears(date, years)).toBe(expected);
  });

  it.each([
    ['2026-03-31', 1, '2026-02-28'],
    ['2026-01-15', 1, '2025-12-15'],
    ['2026-03-10', 24, '2024-03-10'],
    ['2024-05-31', 3, '2024-02-29'],
  ])('%s minus %d month(s) is %s', (date, months, expected) => {
    expect(minusMonths(date, months)).toBe(expected);
  });
});

describe('parseIsoDate', () => {
  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-3-10', '2026-03-10T00:00:00Z', '', '0000-01-01'])(
    'refuses %j',
    (value) => expect(parseIsoDate(value)).toBeUndefined(),
  );
  it('accepts a leap day', () =>
    expect(parseIsoDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 }));
});

describe('compareDecimals (exact, no float)', () => {
  it.each<[string, string, number | undefined]>([
    ['1000000.00', '1000000', 0],
    ['999999.999999', '1000000', -1],
    ['1000000.000001', '1000000.00', 1],
    ['0.1', '0.10', 0],
    ['-5', '0', -1],
    ['12,000.00', '1', undefined],
    ['1e6', '1', undefined],
    ['1.0000001', '1', undefined],
  ])('%s vs %s -> %s', (a, b, expected) => {
    expect(compareDecimals(a, b)).toBe(expected);
  });

  it('keeps amounts beyond 2^53 exact', () => {
    expect(parseDecimalMicros('9007199254740993.000001')).toBe(9007199254740993000001n);
  });
});
