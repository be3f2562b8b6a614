// Exact decimal comparison for amounts carried as strings (DESIGN.md: amounts are decimal strings).
// Floats would make US$999,999.995 and US$1,000,000 a matter of rounding; scaled BigInts do not.

const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,6}))?$/;
/** Six decimals: the most the contracts' DecimalString allows. */
const SCALE = 6;

/** The amount in millionths, exactly; undefined when it is not a plain decimal (no exponent, no commas). */
export function parseDecimalMicros(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DECIMAL.exec(value);
  if (!m) return undefined;
  const micros = BigInt(m[2] + (m[3] ?? '').padEnd(SCALE, '0'));
  return m[1] === '-' ? -micros : micros;
}

/** -1, 0 or 1; undefined when either side is not a decimal string. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 | undefined {
  const x = parseDecimalMicros(a);
  const y = parseDecimalMicros(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}
