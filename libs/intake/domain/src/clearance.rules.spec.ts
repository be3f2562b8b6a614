import { decideClearance, type ExemptionInput, type GreenChannelInput } from './clearance.rules';

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
    {
      lineNo: 1,
      exempt: anyLineExempt,
      grantId: anyLineExempt ? '5a0e8a2e-1d4b-4c1e-9f3a-7b2c1d0e9f11' : undefined,
    },
    { lineNo: 2, exempt },
  ],
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
    ['green lane, one line exempt', gc(), ex(false, true), 'RELEASED', true, 'LANE_GREEN'],
    [
      'yellow lane, approved enterprise',
      gc({ lane: 'YELLOW', greenChannelApproved: true }),
      ex(false),
      'DOCUMENT_REVIEW',
      false,
      'LANE_YELLOW',
    ],
  ])('%s -> %s', (_name, g, e, outcome, directRelease, firstReason) => {
    const sut = decideClearance({ greenChannel: g, exemption: e, timedOut: false });
    expect(sut).toMatchObject({ outcome, directRelease });
    expect(sut!.reasons[0].code).toBe(firstReason);
    expect(sut!.basis).toEqual({ lane: g.lane, exempt: e.exempt });
  });

  it.each([
    ['only green-channel', gc(), undefined],
    ['only exemption', undefined, ex(true)],
    ['neither', undefined, undefined],
  ])('waits while %s has arrived', (_name, g, e) => {
    expect(decideClearance({ greenChannel: g, exemption: e, timedOut: false })).toBeUndefined();
  });

  it.each([
    ['green lane but no exemption decision', gc(), undefined, 'DOCUMENT_REVIEW'],
    ['all exempt but no lane', undefined, ex(true), 'DOCUMENT_REVIEW'],
    ['nothing at all', undefined, undefined, 'DOCUMENT_REVIEW'],
    ['red lane and no exemption decision', gc({ lane: 'RED' }), undefined, 'INSPECTION_REQUIRED'],
    [
      'hard stop and no exemption decision',
      gc({ hardStop: true, lane: 'RED' }),
      undefined,
      'INSPECTION_REQUIRED',
    ],
  ])('after the timeout with %s -> %s, never released', (_name, g, e, outcome) => {
    const sut = decideClearance({ greenChannel: g, exemption: e, timedOut: true });
    expect(sut).toMatchObject({ outcome, directRelease: false });
    expect(sut!.reasons[0].code).toBe('DECISION_TIMEOUT');
  });

  it('decides normally when both arrived even if the timeout fired', () => {
    expect(decideClearance({ greenChannel: gc(), exemption: ex(false), timedOut: true })?.outcome).toBe(
      'RELEASED',
    );
  });
});
