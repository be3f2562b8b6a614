import { minusMonths } from './iso-date';
import type { GreenChannelRules } from './rules.config';

/** Sampling results of the enterprise for one HS heading, already limited to the lab window. */
export interface LabCount {
  /** 4-digit HS heading. */
  heading: string;
  samples: number;
  passes: number;
}

export interface LabFinding {
  heading: string;
  samples: number;
  passes: number;
  /** passes / samples, for display only; the decision is made on integers. */
  passRate: number | null;
  /** >= labMinSamples and a pass rate strictly below labMinPassRate. */
  hardStop: boolean;
  /** Counts that cannot be true (negative, fractional, more passes than samples, bad heading). */
  invalid: boolean;
  detail: string;
}

/**
 * First day NOT in the lab window: the caller counts samples dated after it (same convention as the
 * approval windows: asOf minus 24 calendar months, month-end clamped; a sample exactly 24 months old is out).
 */
export function labWindowStart(asOf: string, rules: GreenChannelRules): string {
  return minusMonths(asOf, rules.labWindowMonths);
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
// The rate as an integer number of millionths, so that 19/20 against 0.95 is compared without rounding.
const MICRO = 1_000_000;

/**
 * The lab/sampling hard stop of DOMAIN.md per heading: at least labMinSamples samples and a pass rate
 * strictly below labMinPassRate (19 of 20 = 95% passes; 18 of 20 stops; 9 of 9 failures stop nothing,
 * too few samples). Rows of one heading are added up. Returned in heading order.
 */
export function labHistoryFindings(samples: readonly LabCount[], rules: GreenChannelRules): LabFinding[] {
  const byHeading = new Map<string, { samples: number; passes: number; invalid: boolean }>();
  for (const row of samples) {
    const invalid =
      !/^\d{4}$/.test(row.heading) ||
      !isCount(row.samples) ||
      !isCount(row.passes) ||
      row.passes > row.samples;
    const acc = byHeading.get(row.heading) ?? { samples: 0, passes: 0, invalid: false };
    byHeading.set(row.heading, {
      samples: acc.samples + (invalid ? 0 : row.samples),
      passes: acc.passes + (invalid ? 0 : row.passes),
      invalid: acc.invalid || invalid,
    });
  }
  const minRateMicros = BigInt(Math.round(rules.labMinPassRate * MICRO));
  const minPct = `${Number((rules.labMinPassRate * 100).toPrecision(12))}%`;
  return [...byHeading.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([heading, { samples: n, passes, invalid }]) => {
      const passRate = n > 0 ? passes / n : null;
      const enough = n >= rules.labMinSamples;
      const below = BigInt(passes) * BigInt(MICRO) < minRateMicros * BigInt(n);
      // Valid rows still stop the lane when another row of the heading is unreadable.
      const hardStop = enough && below;
      const shown = `${passes}/${n} passed${passRate === null ? '' : ` (${(passRate * 100).toFixed(2)}%)`}`;
      const verdict = !enough
        ? `fewer than ${rules.labMinSamples} samples`
        : `${below ? 'below' : 'at or above'} ${minPct}`;
      const detail =
        `heading ${heading}: ${shown}, ${verdict}` +
        (invalid
          ? '; some counts are not valid (negative, fractional, passes > samples or bad heading)'
          : '');
      return { heading, samples: n, passes, passRate, hardStop, invalid, detail };
    });
}
