import { applyInspectionResult, type InspectionKind } from './inspection-result.rules';

const PASS_ALL = [
  { lineNo: 1, outcome: 'PASS' },
  { lineNo: 2, outcome: 'PASS' },
] as const;
const ONE_FAIL = [
  { lineNo: 1, outcome: 'PASS' },
  { lineNo: 2, outcome: 'FAIL' },
] as const;

describe('applyInspectionResult (DESIGN.md "Clearance outcome")', () => {
  it.each<[string, InspectionKind, ReadonlyArray<{ lineNo: number; outcome: 'PASS' | 'FAIL' }>, string]>([
    // a document review is settled by any kind of result
    ['DOCUMENT_REVIEW', 'DOCUMENT', PASS_ALL, 'RELEASED'],
    ['DOCUMENT_REVIEW', 'PHYSICAL', PASS_ALL, 'RELEASED'],
    ['DOCUMENT_REVIEW', 'SAMPLING', PASS_ALL, 'RELEASED'],
    // an inspection order is lifted only by examining the goods
    ['INSPECTION_REQUIRED', 'PHYSICAL', PASS_ALL, 'RELEASED'],
    ['INSPECTION_REQUIRED', 'SAMPLING', PASS_ALL, 'RELEASED'],
    // a failure refuses whatever the kind: stricter is always allowed
    ['INSPECTION_REQUIRED', 'PHYSICAL', ONE_FAIL, 'REFUSED'],
    ['INSPECTION_REQUIRED', 'DOCUMENT', ONE_FAIL, 'REFUSED'],
    ['INSPECTION_REQUIRED', 'DOCUMENT', [{ lineNo: 2, outcome: 'FAIL' }], 'REFUSED'],
    ['DOCUMENT_REVIEW', 'DOCUMENT', [{ lineNo: 2, outcome: 'FAIL' }], 'REFUSED'],
  ])('%s with a %s result %j -> %s', (status, kind, results, outcome) => {
    const sut = applyInspectionResult(status, [1, 2], results, kind);
    expect(sut).toMatchObject({ ok: true, outcome });
  });

  it.each<[string, InspectionKind, ReadonlyArray<{ lineNo: number; outcome: 'PASS' | 'FAIL' }>, string]>([
    ['RELEASED', 'PHYSICAL', [{ lineNo: 1, outcome: 'PASS' }], 'NOT_AWAITING_INSPECTION'],
    ['REFUSED', 'PHYSICAL', [{ lineNo: 1, outcome: 'PASS' }], 'NOT_AWAITING_INSPECTION'],
    ['AWAITING_DECISIONS', 'PHYSICAL', [{ lineNo: 1, outcome: 'PASS' }], 'NOT_AWAITING_INSPECTION'],
    ['INSPECTION_REQUIRED', 'PHYSICAL', [{ lineNo: 9, outcome: 'PASS' }], 'UNKNOWN_LINE'],
    [
      'INSPECTION_REQUIRED',
      'PHYSICAL',
      [
        { lineNo: 1, outcome: 'PASS' },
        { lineNo: 1, outcome: 'FAIL' },
      ],
      'DUPLICATE_LINE',
    ],
    ['INSPECTION_REQUIRED', 'PHYSICAL', [{ lineNo: 1, outcome: 'PASS' }], 'INCOMPLETE_RESULT'],
    ['INSPECTION_REQUIRED', 'SAMPLING', [], 'INCOMPLETE_RESULT'],
    ['DOCUMENT_REVIEW', 'DOCUMENT', [{ lineNo: 2, outcome: 'PASS' }], 'INCOMPLETE_RESULT'],
    // a paper check never lifts an inspection order, complete or not
    ['INSPECTION_REQUIRED', 'DOCUMENT', PASS_ALL, 'RESULT_KIND_INSUFFICIENT'],
    ['INSPECTION_REQUIRED', 'DOCUMENT', [{ lineNo: 1, outcome: 'PASS' }], 'RESULT_KIND_INSUFFICIENT'],
  ])('%s with a %s result %j is refused: %s', (status, kind, results, code) => {
    const sut = applyInspectionResult(status, [1, 2], results, kind);
    expect(sut).toMatchObject({ ok: false, code });
    if (sut.ok) return;
    expect(sut.message.length).toBeGreaterThan(0);
    expect(sut.messageZh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('names physical or sampling inspection when a document result is not enough', () => {
    const sut = applyInspectionResult('INSPECTION_REQUIRED', [1, 2], PASS_ALL, 'DOCUMENT');
    expect(sut).toMatchObject({
      ok: false,
      message: expect.stringMatching(/physical or sampling inspection is required/),
      messageZh: expect.stringMatching(/实货查验或抽样检验/),
    });
  });

  it('releases nothing for a declaration without lines', () => {
    const sut = applyInspectionResult('DOCUMENT_REVIEW', [], [], 'PHYSICAL');
    expect(sut).toMatchObject({ ok: false, code: 'INCOMPLETE_RESULT' });
  });
});
