import type { Reason } from '@cic/contracts';
import { describeChapter, hsChapter, isHsCode } from './hs-code';
import type { ExemptionRules } from './rules.config';

/**
 * Goods never exempt from inspection (DOMAIN.md; assumed: exact list per Decree 23 of 2002).
 * A fourth category, goods whose settlement depends on an inspection certificate (e.g. a letter of credit
 * calling for one), cannot be known from a declaration line: nothing on the line says how the goods are
 * paid for. It is not checked here; an operator who knows it refuses the exemption by hand.
 */
export const NON_EXEMPTIBLE_CATEGORIES = ['FOOD_ANIMALS_PLANTS', 'DANGEROUS_GOODS', 'BULK_GOODS'] as const;
export type NonExemptibleCategory = (typeof NON_EXEMPTIBLE_CATEGORIES)[number];

export interface ExemptibilityLine {
  lineNo: number;
  hsCode: string;
  /** UN number of dangerous goods, e.g. "UN1263". */
  dangerousGoods?: string;
  bulk?: boolean;
}

export type LineExemptibility =
  | { exemptible: true }
  | {
      exemptible: false;
      /** Every category that applies, in NON_EXEMPTIBLE_CATEGORIES order; empty for INVALID_HS_CODE. */
      categories: NonExemptibleCategory[];
      reason: Reason & { code: 'NON_EXEMPTIBLE_CATEGORY' | 'INVALID_HS_CODE' };
    };

/** '01-24' for a run of chapters, '01-05, 07' otherwise. */
export function chapterRanges(chapters: readonly string[]): string {
  const sorted = [...new Set(chapters)].sort();
  const runs: string[][] = [];
  for (const c of sorted) {
    const run = runs[runs.length - 1];
    if (run && Number(c) === Number(run[run.length - 1]) + 1) run.push(c);
    else runs.push([c]);
  }
  return runs.map((r) => (r.length > 1 ? `${r[0]}-${r[r.length - 1]}` : r[0])).join(', ');
}

/**
 * Whether a declaration line may be exempt whatever grant covers it. All categories that apply are named
 * (a chapter-03 line in bulk is both). A line whose HS code is not 10 digits is not exemptible: its
 * chapter and coverage cannot be known, and doubt never exempts. Any non-blank dangerousGoods counts as a
 * UN number, even one not written "UN" + 4 digits.
 */
export function lineExemptibility(
  line: ExemptibilityLine,
  rules: Pick<ExemptionRules, 'nonExemptibleChapters' | 'excludeDangerousGoods' | 'excludeBulk'>,
): LineExemptibility {
  const label = `Line ${line.lineNo} (HS ${line.hsCode})`;
  const labelZh = `第${line.lineNo}项（HS ${line.hsCode}）`;
  if (!isHsCode(line.hsCode))
    return {
      exemptible: false,
      categories: [],
      reason: {
        code: 'INVALID_HS_CODE',
        message: `Line ${line.lineNo}: HS code ${JSON.stringify(line.hsCode)} is not 10 digits, so no exemption can be checked`,
        messageZh: `第${line.lineNo}项HS编码${JSON.stringify(line.hsCode)}不是10位数字，无法判定免验`,
      },
    };
  const categories: NonExemptibleCategory[] = [];
  const en: string[] = [];
  const zh: string[] = [];
  const chapter = hsChapter(line.hsCode);
  if (rules.nonExemptibleChapters.includes(chapter)) {
    const named = describeChapter(chapter);
    const range = chapterRanges(rules.nonExemptibleChapters);
    categories.push('FOOD_ANIMALS_PLANTS');
    en.push(`${named.en}: food, live animals, plants and their products (HS chapters ${range})`);
    zh.push(`${named.zh}，属食品、活动物、植物及其产品（HS第${range}章）`);
  }
  const un = line.dangerousGoods?.trim();
  if (rules.excludeDangerousGoods && un) {
    categories.push('DANGEROUS_GOODS');
    en.push(`dangerous goods ${un}: dangerous goods and their packaging`);
    zh.push(`危险货物${un}，属危险货物及其包装`);
  }
  if (rules.excludeBulk && line.bulk === true) {
    categories.push('BULK_GOODS');
    en.push('bulk goods');
    zh.push('散装货物');
  }
  if (categories.length === 0) return { exemptible: true };
  return {
    exemptible: false,
    categories,
    reason: {
      code: 'NON_EXEMPTIBLE_CATEGORY',
      message: `${label} is never exempt from inspection: ${en.join('; ')}`,
      messageZh: `${labelZh}不属于免验范围：${zh.join('；')}`,
    },
  };
}
