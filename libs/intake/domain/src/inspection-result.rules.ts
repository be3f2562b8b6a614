import type { Reason } from '@cic/contracts';

export type ResultOutcome = 'RELEASED' | 'REFUSED';

/** How the goods were examined (result.recorded.v1 `kind`). */
export type InspectionKind = 'PHYSICAL' | 'DOCUMENT' | 'SAMPLING';

export type InspectionResultDecision =
  | { ok: true; outcome: ResultOutcome; reasons: Reason[] }
  | {
      ok: false;
      code:
        | 'NOT_AWAITING_INSPECTION'
        | 'UNKNOWN_LINE'
        | 'DUPLICATE_LINE'
        | 'INCOMPLETE_RESULT'
        | 'RESULT_KIND_INSUFFICIENT';
      message: string;
      messageZh: string;
    };

const AWAITING = new Set(['DOCUMENT_REVIEW', 'INSPECTION_REQUIRED']);

// Only examining the goods themselves can lift an inspection order; a paper check cannot (DESIGN.md).
// Listed positively so that an unexpected kind never releases goods held for inspection.
const LIFTS_INSPECTION: ReadonlySet<string> = new Set<InspectionKind>(['PHYSICAL', 'SAMPLING']);

/**
 * An inspection result moves DOCUMENT_REVIEW / INSPECTION_REQUIRED to RELEASED when every line passed,
 * or REFUSED as soon as one failed (DESIGN.md). A pass that leaves lines unexamined releases nothing,
 * and INSPECTION_REQUIRED is lifted only by a PHYSICAL or SAMPLING result: a DOCUMENT result settles
 * DOCUMENT_REVIEW only. A failure of any kind refuses, since being stricter is always allowed.
 */
export function applyInspectionResult(
  status: string,
  declaredLines: readonly number[],
  results: ReadonlyArray<{ lineNo: number; outcome: 'PASS' | 'FAIL' }>,
  kind: InspectionKind,
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
  // Checked before completeness: even a complete document check could not release these goods.
  if (status === 'INSPECTION_REQUIRED' && !LIFTS_INSPECTION.has(kind)) {
    return {
      ok: false,
      code: 'RESULT_KIND_INSUFFICIENT',
      message: `a ${kind} result cannot lift an inspection order; a physical or sampling inspection is required`,
      messageZh: `${kind === 'DOCUMENT' ? '单证审核' : kind}结果不能解除查验指令，须进行实货查验或抽样检验`,
    };
  }
  // Only an explicit PASS covers a line; an empty result or an empty line list releases nothing.
  const passed = new Set(results.filter((r) => r.outcome === 'PASS').map((r) => r.lineNo));
  const unexamined = declaredLines.filter((l) => !passed.has(l));
  if (unexamined.length || !declaredLines.length) {
    return {
      ok: false,
      code: 'INCOMPLETE_RESULT',
      message: `a pass must cover every line; missing ${unexamined.join(', ') || 'all'}`,
      messageZh: `合格结论须覆盖全部商品，缺少第${unexamined.join('、') || '全部'}项`,
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
