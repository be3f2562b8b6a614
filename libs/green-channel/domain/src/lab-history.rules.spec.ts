import { labHistoryFindings, labWindowStart } from './lab-history.rules';
import { DEFAULT_RULES } from './rules.config';

describe('labHistoryFindings (DOMAIN.md: >= 10 samples and pass rate < 95% over 24 months)', () => {
  it.each<[number, number, boolean]>([
    [10, 9, true], // 90%
    [10, 10, false],
    [20, 19, false], // exactly 95%: not below
    [20, 18, true],
    [100, 94, true],
    [100, 95, false],
    [9, 0, false], // too few samples to judge
    [9, 8, false],
    [0, 0, false],
  ])('%d samples, %d passed -> hard stop %s', (samples, passes, hardStop) => {
    const [sut] = labHistoryFindings([{ heading: '8471', samples, passes }], DEFAULT_RULES);
    expect(sut).toMatchObject({ heading: '8471', samples, passes, hardStop, invalid: false });
    expect(sut.detail).toContain(`${passes}/${samples}`);
  });

  it('adds up rows of one heading: 5/5 and 4/5 are 9/10', () => {
    const sut = labHistoryFindings(
      [
        { heading: '8471', samples: 5, passes: 5 },
        { heading: '8471', samples: 5, passes: 4 },
      ],
      DEFAULT_RULES,
    );
    expect(sut).toEqual([
      expect.objectContaining({ heading: '8471', samples: 10, passes: 9, hardStop: true }),
    ]);
  });

  it.each([
    ['more passes than samples', { heading: '8471', samples: 5, passes: 6 }],
    ['negative', { heading: '8471', samples: -1, passes: 0 }],
    ['fractional', { heading: '8471', samples: 10.5, passes: 9 }],
    ['bad heading', { heading: '84', samples: 10, passes: 10 }],
  ])('flags invalid counts (%s)', (_name, row) => {
    expect(labHistoryFindings([row], DEFAULT_RULES)[0].invalid).toBe(true);
  });

  it('a configured threshold is compared without float error (0.95 x 20 = 19 exactly)', () => {
    const rules = { ...DEFAULT_RULES, labMinPassRate: 0.7, labMinSamples: 10 };
    const [at, below] = labHistoryFindings(
      [
        { heading: '0101', samples: 10, passes: 7 },
        { heading: '0102', samples: 10, passes: 6 },
      ],
      rules,
    );
    expect([at.hardStop, below.hardStop]).toEqual([false, true]);
  });
});

describe('labWindowStart (samples dated after it count)', () => {
  it.each([
    ['2026-03-10', '2024-03-10'],
    ['2028-02-29', '2026-02-28'],
    ['2026-02-28', '2024-02-28'],
  ])('%s -> %s', (asOf, start) => {
    expect(labWindowStart(asOf, DEFAULT_RULES)).toBe(start);
  });

  it('clamps to the month end', () => {
    expect(labWindowStart('2026-03-31', { ...DEFAULT_RULES, labWindowMonths: 1 })).toBe('2026-02-28');
  });
});
