import type { ExemptionInput, GreenChannelInput } from './clearance.rules';
import { type LateDecisionInput, reviseOnLateDecision } from './late-decision.rules';

const LINES = [1, 2];
const gc = (over: Partial<GreenChannelInput> = {}): GreenChannelInput => ({
  lane: 'GREEN',
  hardStop: false,
  greenChannelApproved: false,
  enterpriseCategory: 3,
  reasons: [{ code: 'GC_RULE', message: 'a green-channel rule', messageZh: '绿色通道规则' }],
  ...over,
});
const ex = (lines: Array<[number, boolean]>, exempt = lines.every(([, e]) => e)): ExemptionInput => ({
  exempt,
  lines: lines.map(([lineNo, e]) => ({ lineNo, exempt: e })),
  reasons: [],
});
const HARD_STOP = gc({ hardStop: true, lane: 'RED' });
const ALL_EXEMPT = ex([
  [1, true],
  [2, true],
]);
const NONE_EXEMPT = ex([
  [1, false],
  [2, false],
]);

// Every row has all four cells: jest hands a test with more parameters than cells a `done` callback.
type Row = [string, Omit<LateDecisionInput, 'declaredLines'>, string | undefined, string[]];

describe('reviseOnLateDecision (DESIGN.md: stricter, never looser)', () => {
  it.each<Row>([
    // stricter: a new revision, LATE_DECISION_STRICTER first, then the decision's own reasons
    [
      'timeout review, late hard stop, exemption still missing',
      { status: 'DOCUMENT_REVIEW', settledByInspection: false, greenChannel: HARD_STOP },
      'INSPECTION_REQUIRED',
      ['LATE_DECISION_STRICTER', 'DECISION_TIMEOUT', 'GC_RULE'],
    ],
    [
      'timeout review, late hard stop, exemption known',
      {
        status: 'DOCUMENT_REVIEW',
        settledByInspection: false,
        greenChannel: HARD_STOP,
        exemption: ALL_EXEMPT,
      },
      'INSPECTION_REQUIRED',
      ['LATE_DECISION_STRICTER', 'GREEN_CHANNEL_HARD_STOP', 'GC_RULE'],
    ],
    [
      'timeout review, late red lane, exemption still missing',
      { status: 'DOCUMENT_REVIEW', settledByInspection: false, greenChannel: gc({ lane: 'RED' }) },
      'INSPECTION_REQUIRED',
      ['LATE_DECISION_STRICTER', 'DECISION_TIMEOUT', 'GC_RULE'],
    ],
    [
      'timeout review, late red lane, exemption that misses a line',
      {
        status: 'DOCUMENT_REVIEW',
        settledByInspection: false,
        greenChannel: gc({ lane: 'RED' }),
        exemption: ex([[1, true]], true),
      },
      'INSPECTION_REQUIRED',
      ['LATE_DECISION_STRICTER', 'LANE_RED', 'EXEMPTION_INCOMPLETE', 'GC_RULE'],
    ],
    [
      'released, late hard stop',
      { status: 'RELEASED', settledByInspection: false, greenChannel: HARD_STOP, exemption: NONE_EXEMPT },
      'INSPECTION_REQUIRED',
      ['LATE_DECISION_STRICTER', 'GREEN_CHANNEL_HARD_STOP', 'GC_RULE'],
    ],
    [
      'released, late yellow lane',
      {
        status: 'RELEASED',
        settledByInspection: false,
        greenChannel: gc({ lane: 'YELLOW' }),
        exemption: NONE_EXEMPT,
      },
      'DOCUMENT_REVIEW',
      ['LATE_DECISION_STRICTER', 'LANE_YELLOW', 'GC_RULE'],
    ],
    // looser or equal: no change
    [
      'timeout review, late exemption of every line',
      { status: 'DOCUMENT_REVIEW', settledByInspection: false, greenChannel: gc(), exemption: ALL_EXEMPT },
      undefined,
      [],
    ],
    [
      'timeout review, late green lane, exemption still missing',
      { status: 'DOCUMENT_REVIEW', settledByInspection: false, greenChannel: gc() },
      undefined,
      [],
    ],
    [
      'timeout review, late exemption, lane still missing',
      { status: 'DOCUMENT_REVIEW', settledByInspection: false, exemption: ALL_EXEMPT },
      undefined,
      [],
    ],
    [
      'inspection required, late green lane and exemption',
      {
        status: 'INSPECTION_REQUIRED',
        settledByInspection: false,
        greenChannel: gc(),
        exemption: ALL_EXEMPT,
      },
      undefined,
      [],
    ],
    [
      'inspection required, late hard stop',
      { status: 'INSPECTION_REQUIRED', settledByInspection: false, greenChannel: HARD_STOP },
      undefined,
      [],
    ],
    // final statuses and inspection results are never revised
    [
      'refused, late hard stop',
      { status: 'REFUSED', settledByInspection: false, greenChannel: HARD_STOP },
      undefined,
      [],
    ],
    [
      'rejected, late hard stop',
      { status: 'REJECTED', settledByInspection: false, greenChannel: HARD_STOP },
      undefined,
      [],
    ],
    [
      'released by an inspection, late hard stop',
      { status: 'RELEASED', settledByInspection: true, greenChannel: HARD_STOP, exemption: NONE_EXEMPT },
      undefined,
      [],
    ],
    [
      'review settled by an inspection, late hard stop',
      { status: 'DOCUMENT_REVIEW', settledByInspection: true, greenChannel: HARD_STOP },
      undefined,
      [],
    ],
    [
      'not decided yet',
      {
        status: 'AWAITING_DECISIONS' as LateDecisionInput['status'],
        settledByInspection: false,
        greenChannel: HARD_STOP,
      },
      undefined,
      [],
    ],
  ])('%s -> %s', (_name, input, outcome, codes) => {
    const sut = reviseOnLateDecision({ ...input, declaredLines: LINES });
    if (outcome === undefined) {
      expect(sut).toBeUndefined();
      return;
    }
    expect(sut).toMatchObject({ outcome, directRelease: false });
    expect(sut!.reasons.map((r) => r.code)).toEqual(codes);
    expect(sut!.reasons[0].message).toContain(input.status);
    expect(sut!.reasons[0].messageZh).toMatch(/[\u4e00-\u9fff]/);
  });
});
