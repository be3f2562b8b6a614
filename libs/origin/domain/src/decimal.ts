import { DecimalString } from '@cic/contracts';
import { Decimal } from 'decimal.js';

// Exact decimal arithmetic for amounts and percentages (DESIGN.md: amounts are decimal strings). A
// private constructor, so a global Decimal.set() elsewhere cannot change how origin is decided. Sums,
// differences and products of contract amounts (at most 18 integer and 6 decimal digits) are exact at
// this precision; the only division, a percentage, is rounded explicitly (see percentFloor/percentCeil)
// and thresholds are compared by cross-multiplication, never on a rounded quotient.
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Dec = Decimal;

/** The amount, when it is a contract decimal string ("12500.00"); undefined otherwise. */
export function parseAmount(value: unknown): Decimal | undefined {
  return DecimalString.safeParse(value).success ? new Dec(value as string) : undefined;
}

export const sum = (values: readonly Decimal[]): Decimal => values.reduce((a, b) => a.plus(b), new Dec(0));

/** part / whole x 100 >= threshold, exactly (whole > 0). */
export const percentAtLeast = (part: Decimal, whole: Decimal, threshold: Decimal): boolean =>
  part.times(100).gte(threshold.times(whole));

/** part / whole x 100 <= limit, exactly (whole > 0). */
export const percentAtMost = (part: Decimal, whole: Decimal, limit: Decimal): boolean =>
  part.times(100).lte(limit.times(whole));

/** part / whole x 100 in hundredths, rounded toward -infinity (whole > 0): integer division is exact. */
function hundredths(part: Decimal, whole: Decimal, direction: 'floor' | 'ceil'): Decimal {
  const scaled = part.times(10_000);
  const q = scaled.divToInt(whole); // truncates toward zero
  const exact = q.times(whole).eq(scaled);
  if (exact) return q;
  if (direction === 'floor') return scaled.isNeg() ? q.minus(1) : q;
  return scaled.isNeg() ? q : q.plus(1);
}

/**
 * part / whole x 100 with two decimals, rounded down (toward -infinity): shown for a "at least"
 * threshold, so 39.999 shows as 39.99 and never as a passing 40.00.
 */
export const percentFloor = (part: Decimal, whole: Decimal): string =>
  hundredths(part, whole, 'floor').div(100).toFixed(2);

/**
 * part / whole x 100 with two decimals, rounded up: shown for an "at most" limit, so 10.001 shows as
 * 10.01 and never as a passing 10.00.
 */
export const percentCeil = (part: Decimal, whole: Decimal): string =>
  hundredths(part, whole, 'ceil').div(100).toFixed(2);
