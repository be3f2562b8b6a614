import {
  decideClearance,
  exemptionCoverage,
  type ExemptionInput,
  type GreenChannelInput,
  isDirectRelease,
} from './clearance.rules';

const GRANT = '5a0e8a2e-1d4b-4c1e-9f3a-7b2c1d0e9f11';
const LINES = [1, 2] as const;

const gc = (over: Partial<GreenChannelInput> = {}): GreenChannelInput => ({
  lane: 'GREEN',
  hardStop: false,
  greenChannelApproved: false,
  enterpriseCategory: 3,
  reasons: [],
  ...over,
});
const ex = (exempt: boolean, anyLineExempt = exempt): ExemptionInput => ({
  exempt,
  lines: [
    { lineNo: 1, exempt: anyLineExempt, grantId: anyLineExempt ? GRANT : undefined },
    { lineNo: 2, exempt },
  ],
  reasons: [],
});
/** An exemption decision whose event flag says exempt, naming the given lines (all marked exempt). */
const claims = (lines: Array<{ lineNo: number; exempt: boolean; grantId?: string }>): ExemptionInput => ({
  exempt: true,
  lines,
  reasons: [],
});

describe('decideClearance (DESIGN.md "Clearance outcome")', () => {
  it.each([
    // rule 1: hard stop wins over everything, exemption included
    [
      'hard stop, all exempt',
      gc({ hardStop: true, lane: 'RED' }),
      ex(true),
      'INSPECTION_REQUIRED',
      false,
      'GREEN_CHANNEL_HARD_STOP',
    ],
    // rule 2: every line exempt releases whatever the lane
    ['all exempt, red lane', gc({ lane: 'RED' }), ex(true), 'RELEASED', true, 'ALL_LINES_EXEMPT'],
    ['all exempt, yellow lane', gc({ lane: 'YELLOW' }), ex(true), 'RELEASED', true, 'ALL_LINES_EXEMPT'],
    // rule 3: the lane
    ['green lane', gc(), ex(false), 'RELEASED', false, 'LANE_GREEN'],
    ['yellow lane', gc({ lane: 'YELLOW' }), ex(false), 'DOCUMENT_REVIEW', false, 'LANE_YELLOW'],
    ['red lane', gc({ lane: 'RED' }), ex(false), 'INSPECTION_REQUIRED', false, 'LANE_RED'],
    // direct release: approval, an exemption held, or category 1
    [
      'green lane, approved enterprise',
      gc({ greenChannelApproved: true }),
      ex(false),
      'RELEASED',
      true,
      'LANE_GREEN',
    ],
    ['green lane, category 1', gc({ enterpriseCategory: 1 }), ex(false), 'RELEASED', true, 'LANE_GREEN'],
    ['green lane, one line exempt with a grant', gc(), ex(false, true), 'RELEASED', true, 'LANE_GREEN'],
    [
      'yellow lane, approved enterprise',
      gc({ lane: 'YELLOW', greenChannelApproved: true }),
      ex(false),
      'DOCUMENT_REVIEW',
      false,
      'LANE_YELLOW',
    ],
  ])('%s -> %s', (_name, g, e, outcome, directRelease, firstReason) => {
    const sut = decideClearance({ greenChannel: g, exemption: e, declaredLines: LINES, timedOut: false });
    expect(sut).toMatchObject({ outcome, directRelease });
    expect(sut!.reasons[0].code).toBe(firstReason);
    expect(sut!.basis).toEqual({ lane: g.lane, exempt: e.exempt });
  });

  // The exempt flag of the event alone is never trusted: the lines must confirm it, exactly.
  it.each<[string, GreenChannelInput, ExemptionInput, readonly number[], string, string[]]>([
    [
      'flag says exempt, line 2 is not',
      gc({ lane: 'RED' }),
      claims([
        { lineNo: 1, exempt: true },
        { lineNo: 2, exempt: false },
      ]),
      LINES,
      'INSPECTION_REQUIRED',
      ['LANE_RED'],
    ],
    [
      'flag says exempt, line 2 missing',
      gc({ lane: 'RED' }),
      claims([{ lineNo: 1, exempt: true }]),
      LINES,
      'INSPECTION_REQUIRED',
      ['LANE_RED', 'EXEMPTION_INCOMPLETE'],
    ],
    [
      'flag says exempt, no lines at all',
      gc({ lane: 'YELLOW' }),
      claims([]),
      LINES,
      'DOCUMENT_REVIEW',
      ['LANE_YELLOW', 'EXEMPTION_INCOMPLETE'],
    ],
    [
      'every line exempt plus a line not declared',
      gc({ lane: 'RED' }),
      claims([
        { lineNo: 1, exempt: true },
        { lineNo: 2, exempt: true },
        { lineNo: 3, exempt: true },
      ]),
      LINES,
      'INSPECTION_REQUIRED',
      ['LANE_RED', 'EXEMPTION_INCOMPLETE'],
    ],
    [
      'lines say exempt, flag says not',
      gc({ lane: 'YELLOW' }),
      { ...claims([{ lineNo: 1, exempt: true }]), exempt: false },
      [1],
      'DOCUMENT_REVIEW',
      ['LANE_YELLOW'],
    ],
    [
      'no declared lines to confirm against',
      gc({ lane: 'YELLOW' }),
      claims([]),
      [],
      'DOCUMENT_REVIEW',
      ['LANE_YELLOW', 'EXEMPTION_INCOMPLETE'],
    ],
    [
      'incomplete exemption under a hard stop',
      gc({ lane: 'RED', hardStop: true }),
      claims([{ lineNo: 1, exempt: true }]),
      LINES,
      'INSPECTION_REQUIRED',
      ['GREEN_CHANNEL_HARD_STOP', 'EXEMPTION_INCOMPLETE'],
    ],
    [
      'incomplete exemption, green lane still releases by lane',
      gc(),
      claims([{ lineNo: 1, exempt: true }]),
      LINES,
      'RELEASED',
      ['LANE_GREEN', 'EXEMPTION_INCOMPLETE'],
    ],
    [
      'every declared line exempt, named twice',
      gc({ lane: 'RED' }),
      claims([
        { lineNo: 1, exempt: true },
        { lineNo: 2, exempt: true },
        { lineNo: 2, exempt: true },
      ]),
      LINES,
      'RELEASED',
      ['ALL_LINES_EXEMPT'],
    ],
  ])('%s -> %s', (_name, g, e, declaredLines, outcome, codes) => {
    const sut = decideClearance({ greenChannel: g, exemption: e, declaredLines, timedOut: false });
    expect(sut?.outcome).toBe(outcome);
    expect(sut!.reasons.map((r) => r.code)).toEqual(codes);
    expect(sut!.basis.exempt).toBe(outcome === 'RELEASED' && codes[0] === 'ALL_LINES_EXEMPT');
    for (const r of sut!.reasons) expect(r.messageZh).toMatch(/[\u4e00-\u9fff]/);
  });

  it.each([
    ['only green-channel', gc(), undefined],
    ['only exemption', undefined, ex(true)],
    ['neither', undefined, undefined],
  ])('waits while %s has arrived', (_name, g, e) => {
    const sut = decideClearance({ greenChannel: g, exemption: e, declaredLines: LINES, timedOut: false });
    expect(sut).toBeUndefined();
  });

  it.each([
    ['green lane but no exemption decision', gc(), undefined, 'DOCUMENT_REVIEW'],
    ['all exempt but no lane', undefined, ex(true), 'DOCUMENT_REVIEW'],
    ['incomplete exemption and no lane', undefined, claims([{ lineNo: 1, exempt: true }]), 'DOCUMENT_REVIEW'],
    ['nothing at all', undefined, undefined, 'DOCUMENT_REVIEW'],
    ['red lane and no exemption decision', gc({ lane: 'RED' }), undefined, 'INSPECTION_REQUIRED'],
    [
      'hard stop and no exemption decision',
      gc({ hardStop: true, lane: 'RED' }),
      undefined,
      'INSPECTION_REQUIRED',
    ],
  ])('after the timeout with %s -> %s, never released', (_name, g, e, outcome) => {
    const sut = decideClearance({ greenChannel: g, exemption: e, declaredLines: LINES, timedOut: true });
    expect(sut).toMatchObject({ outcome, directRelease: false });
    expect(sut!.reasons[0].code).toBe('DECISION_TIMEOUT');
  });

  it('tells an incomplete exemption after the timeout too', () => {
    const sut = decideClearance({
      exemption: claims([{ lineNo: 1, exempt: true }]),
      declaredLines: LINES,
      timedOut: true,
    });
    expect(sut!.reasons.map((r) => r.code)).toEqual(['DECISION_TIMEOUT', 'EXEMPTION_INCOMPLETE']);
  });

  it('decides normally when both arrived even if the timeout fired', () => {
    const sut = decideClearance({
      greenChannel: gc(),
      exemption: ex(false),
      declaredLines: LINES,
      timedOut: true,
    });
    expect(sut?.outcome).toBe('RELEASED');
  });
});

describe('exemptionCoverage', () => {
  it.each<[string, ExemptionInput, readonly number[], string]>([
    ['every declared line exempt', ex(true), LINES, 'ALL_EXEMPT'],
    ['one line not exempt', ex(false, true), LINES, 'NOT_ALL_EXEMPT'],
    ['flag without the lines confirming it', { ...ex(false), exempt: true }, LINES, 'NOT_ALL_EXEMPT'],
    ['a declared line missing', ex(true), [1, 2, 3], 'INCOMPLETE'],
    ['a line not declared', ex(true), [1], 'INCOMPLETE'],
    ['nothing declared', claims([]), [], 'INCOMPLETE'],
  ])('%s -> %s', (_name, e, declaredLines, coverage) => {
    const sut = exemptionCoverage(e, declaredLines);
    expect(sut).toBe(coverage);
  });
});

describe('isDirectRelease', () => {
  it.each<[string, string, GreenChannelInput | undefined, ExemptionInput | undefined, boolean]>([
    ['not released', 'DOCUMENT_REVIEW', gc({ greenChannelApproved: true }), ex(true), false],
    ['approved enterprise', 'RELEASED', gc({ greenChannelApproved: true }), undefined, true],
    ['category 1', 'RELEASED', gc({ enterpriseCategory: 1 }), undefined, true],
    ['trusted exemption', 'RELEASED', gc(), ex(true), true],
    ['a declared line with a grant', 'RELEASED', gc(), ex(false, true), true],
    ['no approval, no exemption', 'RELEASED', gc(), ex(false), false],
    ['exempt flag only, lines missing', 'RELEASED', gc(), claims([{ lineNo: 1, exempt: true }]), false],
    [
      'a line exempt without a grant',
      'RELEASED',
      gc(),
      claims([
        { lineNo: 1, exempt: true },
        { lineNo: 2, exempt: false },
      ]),
      false,
    ],
    [
      'a grant on a line not declared',
      'RELEASED',
      gc(),
      claims([{ lineNo: 9, exempt: true, grantId: GRANT }]),
      false,
    ],
    ['an empty grant id', 'RELEASED', gc(), claims([{ lineNo: 1, exempt: true, grantId: '' }]), false],
    ['nothing known', 'RELEASED', undefined, undefined, false],
  ])('%s -> %s', (_name, outcome, g, e, expected) => {
    const sut = isDirectRelease(outcome, g, e, LINES);
    expect(sut).toBe(expected);
  });
});
