import type { Reason } from '@cic/contracts';

export type ResultOutcome = 'RELEASED' | 'REFUSED';

export type InspectionResultDecision =
  | { ok: true; outcome: ResultOutcome; reasons: Reason[] }
  | {
      ok: false;
      code: 'NOT_AWAITING_INSPECTION' | 'UNKNOWN_LINE' | 'DUPLICATE_LINE' | 'INCOMPLETE_RESULT';
      message: string;
      messageZh: string;
    };

const AWAITING = new Set(['DOCUMENT_REVIEW', 'INSPECTION_REQUIRED']);

/**
 * An inspection result moves DOCUMENT_REVIEW / INSPECTION_REQUIRED to RELEASED when every line passed,
 * or REFUSED as soon as one failed (DESIGN.md). A pass that leaves lines unexamined releases nothing.
 */
export function applyInspectionResult(
  status: string,
  declaredLines: readonly number[],
  results: ReadonlyArray<{ lineNo: number; outcome: 'PASS' | 'FAIL' }>,
): InspectionResultDecision {
  if (!AWAITING.has(status)) {
    return {
      ok: false,
      code: 'NOT_AWAITING_INSPECTION',
      message: `a declaration in status ${status} takes no inspection result`,
      messageZh: `报检单当前状态（${status}）不接受检验结果`,
    };
  }
  const declared = new Set(declaredLines);
  const seen = new Set<number>();
  for (const r of results) {
    if (!declared.has(r.lineNo))
      return {
        ok: false,
        code: 'UNKNOWN_LINE',
        message: `line ${r.lineNo} is not on the declaration`,
        messageZh: `商品项号${r.lineNo}不存在`,
      };
    if (seen.has(r.lineNo))
      return {
        ok: false,
        code: 'DUPLICATE_LINE',
        message: `line ${r.lineNo} has more than one result`,
        messageZh: `商品项号${r.lineNo}结果重复`,
      };
    seen.add(r.lineNo);
  }
  const failed = results.filter((r) => r.outcome === 'FAIL').map((r) => r.lineNo);
  if (failed.length) {
    return {
      ok: true,
      outcome: 'REFUSED',
      reasons: [
        {
          code: 'INSPECTION_FAILED',
          message: `Inspection failed for line(s) ${failed.join(', ')}`,
          messageZh: `第${failed.join('、')}项商品检验不合格`,
        },
      ],
    };
  }
  const unexamined = declaredLines.filter((l) => !seen.has(l));
  if (unexamined.length) {
    return {
      ok: false,
      code: 'INCOMPLETE_RESULT',
      message: `a pass must cover every line; missing ${unexamined.join(', ')}`,
      messageZh: `合格结论须覆盖全部商品，缺少第${unexamined.join('、')}项`,
    };
  }
  return {
    ok: true,
    outcome: 'RELEASED',
    reasons: [
      { code: 'INSPECTION_PASSED', message: 'Every line passed inspection', messageZh: '全部商品检验合格' },
    ],
  };
}
