import { applyInspectionResult } from './inspection-result.rules';

describe('applyInspectionResult', () => {
  it.each([
    [
      'DOCUMENT_REVIEW',
      [
        { lineNo: 1, outcome: 'PASS' },
        { lineNo: 2, outcome: 'PASS' },
      ],
      'RELEASED',
    ],
    [
      'INSPECTION_REQUIRED',
      [
        { lineNo: 1, outcome: 'PASS' },
        { lineNo: 2, outcome: 'PASS' },
      ],
      'RELEASED',
    ],
    [
      'INSPECTION_REQUIRED',
      [
        { lineNo: 1, outcome: 'PASS' },
        { lineNo: 2, outcome: 'FAIL' },
      ],
      'REFUSED',
    ],
    ['DOCUMENT_REVIEW', [{ lineNo: 2, outcome: 'FAIL' }], 'REFUSED'],
  ] as const)('%s with %j -> %s', (status, results, outcome) => {
    expect(applyInspectionResult(status, [1, 2], results)).toMatchObject({ ok: true, outcome });
  });

  it.each([
    ['RELEASED', [{ lineNo: 1, outcome: 'PASS' }], 'NOT_AWAITING_INSPECTION'],
    ['REFUSED', [{ lineNo: 1, outcome: 'PASS' }], 'NOT_AWAITING_INSPECTION'],
    ['AWAITING_DECISIONS', [{ lineNo: 1, outcome: 'PASS' }], 'NOT_AWAITING_INSPECTION'],
    ['INSPECTION_REQUIRED', [{ lineNo: 9, outcome: 'PASS' }], 'UNKNOWN_LINE'],
    [
      'INSPECTION_REQUIRED',
      [
        { lineNo: 1, outcome: 'PASS' },
        { lineNo: 1, outcome: 'FAIL' },
      ],
      'DUPLICATE_LINE',
    ],
    ['INSPECTION_REQUIRED', [{ lineNo: 1, outcome: 'PASS' }], 'INCOMPLETE_RESULT'],
  ] as const)('%s with %j is refused: %s', (status, results, code) => {
    expect(applyInspectionResult(status, [1, 2], results)).toMatchObject({ ok: false, code });
  });
});
