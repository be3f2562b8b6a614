import { checkUscc } from '@cic/contracts';
import type { ApplicationCondition, ApplicationEvaluation, ExemptionApplication } from './application.types';
import { certificateCondition } from './certificate.rules';
import { chapterRanges } from './exemptibility.rules';
import { coveringPrefix, describeChapter, hsChapter, isHsPrefix, scopesOverlap } from './hs-code';
import { isIsoDate, minusYears, plusDays, requireIsoDate } from './iso-date';
import type { ExemptionRules } from './rules.config';

/** One year of the clean-history window: after `after`, up to and including `until`. */
export interface HistoryYear {
  index: number;
  after: string;
  until: string;
}

/**
 * The clean-history window: N consecutive years up to asOf, year 1 the latest. Year k runs from the day
 * after asOf minus k years to asOf minus (k - 1) years, both month-end clamped from asOf (not chained), so
 * with asOf 2026-03-10 and N = 3 the years are 2025-03-11..2026-03-10, 2024-03-11..2025-03-10 and
 * 2023-03-11..2024-03-10, and the window starts after 2023-03-10. This is the green channel's window rule
 * ("counts when date > asOf minus N years").
 */
export function historyYears(asOf: string, years: number): HistoryYear[] {
  requireIsoDate(asOf);
  return Array.from({ length: years }, (_, i) => ({
    index: i + 1,
    after: minusYears(asOf, i + 1),
    until: minusYears(asOf, i),
  }));
}

const span = (y: HistoryYear) => `${plusDays(y.after, 1)}..${y.until}`;
const dated = (date: string) => (isIsoDate(date) ? date : `unreadable date ${JSON.stringify(date)}`);
const validPrefixes = (scope: readonly string[]) => [...new Set(scope.filter(isHsPrefix))];

function enterpriseCondition(code: string): ApplicationCondition {
  const problem = typeof code === 'string' ? checkUscc(code) : 'LENGTH';
  const what: Record<string, [string, string]> = {
    LENGTH: ['is not 18 characters long', '长度不是18位'],
    CHARACTER: ['has a character outside the GB 32100 set', '含有GB 32100字符集以外的字符'],
    CHECK_CHARACTER: ['has a wrong check character', '校验码错误'],
  };
  return problem === undefined
    ? {
        id: 'ENTERPRISE_CODE',
        met: true,
        message: `Unified social credit code ${code} is valid (GB 32100-2015)`,
        messageZh: `统一社会信用代码${code}有效`,
        evidence: { enterpriseCode: code },
      }
    : {
        id: 'ENTERPRISE_CODE',
        met: false,
        message: `Unified social credit code ${JSON.stringify(code)} ${what[problem][0]} (GB 32100-2015)`,
        messageZh: `统一社会信用代码${JSON.stringify(code)}${what[problem][1]}`,
        evidence: { enterpriseCode: String(code), problem },
      };
}

function historyCondition(app: ExemptionApplication, rules: ExemptionRules): ApplicationCondition {
  const years = historyYears(app.asOf, rules.cleanHistoryYears);
  const windowStart = years[years.length - 1].after;
  const prefixes = validPrefixes(app.productScope);
  const scoped = app.results.filter((r) => coveringPrefix(prefixes, r.hsCode) !== undefined);
  // A FAIL counts when dated after the window start, also after asOf (late data must not hide it), and
  // when its date is unreadable: doubt never grants.
  const fails = scoped.filter((r) => r.outcome === 'FAIL' && (!isIsoDate(r.date) || r.date > windowStart));
  const coverage: string[] = [];
  const gaps: string[] = [];
  for (const p of prefixes)
    for (const y of years) {
      const n = scoped.filter(
        (r) => isIsoDate(r.date) && r.date > y.after && r.date <= y.until && r.hsCode.startsWith(p),
      ).length;
      coverage.push(`${p} year ${y.index} (${span(y)}): ${n} result(s)`);
      if (n < rules.minResultsPerYear) gaps.push(`${p} in year ${y.index} (${span(y)}): ${n} result(s)`);
    }
  const failed = fails.map((r) => `FAIL ${r.hsCode} on ${dated(r.date)}`);
  const evidence = {
    asOf: app.asOf,
    windowStart,
    windowRule: 'counts when date > windowStart',
    years: rules.cleanHistoryYears,
    minResultsPerYear: rules.minResultsPerYear,
    scopedResults: scoped.length,
    coverage,
    failedResults: failed,
    yearsWithoutEvidence: gaps,
  };
  const base = { id: 'CLEAN_INSPECTION_HISTORY' as const, evidence };
  const windowText = `the ${rules.cleanHistoryYears} years after ${windowStart} up to ${app.asOf}`;
  const windowZh = `${windowStart}之后至${app.asOf}的${rules.cleanHistoryYears}年内`;
  if (prefixes.length === 0)
    return {
      ...base,
      met: false,
      message: 'No valid HS prefix in the product scope, so there is no inspection history to show',
      messageZh: '产品范围无有效HS编码前缀，无法认定检验记录',
    };
  const problems: string[] = [];
  const problemsZh: string[] = [];
  if (failed.length) {
    problems.push(`${failed.length} failed inspection(s): ${failed.join('; ')}`);
    problemsZh.push(`${failed.length}次检验不合格：${failed.join('；')}`);
  }
  if (gaps.length) {
    problems.push(
      `no evidence (fewer than ${rules.minResultsPerYear} result(s) a year) for ${gaps.join('; ')}`,
    );
    problemsZh.push(`以下年度检验记录不足${rules.minResultsPerYear}次：${gaps.join('；')}`);
  }
  if (problems.length === 0)
    return {
      ...base,
      met: true,
      message: `All ${scoped.length} inspection(s) of ${prefixes.join(', ')} in ${windowText} passed, with results in every year`,
      messageZh: `${windowZh}，${prefixes.join('、')}的${scoped.length}次检验全部合格，且每年均有检验记录`,
    };
  return {
    ...base,
    met: false,
    message: `Not ${rules.cleanHistoryYears} consecutive years of passed inspections (${windowText}): ${problems.join('; ')}`,
    messageZh: `${windowZh}未达到连续${rules.cleanHistoryYears}年检验合格：${problemsZh.join('；')}`,
  };
}

function disputeCondition(app: ExemptionApplication, rules: ExemptionRules): ApplicationCondition {
  const windowStart = minusYears(app.asOf, rules.cleanHistoryYears);
  const prefixes = validPrefixes(app.productScope);
  const inWindow = (date: string) => !isIsoDate(date) || date > windowStart;
  // A dispute without an HS code, or with one that is not a code, may concern the product: it counts.
  const concernsProduct = (hs: string | undefined) =>
    hs === undefined || !/^\d{2,10}$/.test(hs) || prefixes.some((p) => scopesOverlap(p, hs));
  const found = [
    ...app.disputes
      .filter((d) => inWindow(d.date) && concernsProduct(d.hsCode))
      .map(
        (d) =>
          `${d.reference ?? 'dispute'} on ${dated(d.date)}${d.hsCode === undefined ? ' (no HS code)' : ` for ${d.hsCode}`}`,
      ),
    ...app.results
      .filter(
        (r) => r.dispute === true && inWindow(r.date) && coveringPrefix(prefixes, r.hsCode) !== undefined,
      )
      .map((r) => `dispute over the ${r.outcome} result for ${r.hsCode} on ${dated(r.date)}`),
  ];
  const evidence = {
    asOf: app.asOf,
    windowStart,
    windowRule: 'counts when date > windowStart',
    disputesOnRecord: app.disputes.length,
    disputesInWindow: found,
  };
  if (found.length === 0)
    return {
      id: 'NO_QUALITY_DISPUTES',
      met: true,
      message: `No quality dispute for the product after ${windowStart} (the ${rules.cleanHistoryYears}-year window up to ${app.asOf}); ${app.disputes.length} on record`,
      messageZh: `${windowStart}之后（${rules.cleanHistoryYears}年内）该产品无质量争议`,
      evidence,
    };
  return {
    id: 'NO_QUALITY_DISPUTES',
    met: false,
    message: `${found.length} quality dispute(s) for the product after ${windowStart} (up to ${app.asOf}): ${found.join('; ')}`,
    messageZh: `${windowStart}之后（${rules.cleanHistoryYears}年内）该产品有${found.length}项质量争议：${found.join('；')}`,
    evidence,
  };
}

function productCondition(app: ExemptionApplication, rules: ExemptionRules): ApplicationCondition {
  const malformed = app.productScope.filter((p) => !isHsPrefix(p));
  const food = validPrefixes(app.productScope).filter((p) =>
    rules.nonExemptibleChapters.includes(hsChapter(p)),
  );
  const range = chapterRanges(rules.nonExemptibleChapters);
  const evidence = {
    productScope: [...app.productScope],
    nonExemptibleChapters: range,
    nonExemptiblePrefixes: food.map((p) => `${p}: ${describeChapter(hsChapter(p)).en}`),
    malformedPrefixes: malformed.map((p) => JSON.stringify(p)),
  };
  const problems: string[] = [];
  const problemsZh: string[] = [];
  if (app.productScope.length === 0) {
    problems.push('the product scope is empty');
    problemsZh.push('产品范围为空');
  }
  if (food.length) {
    problems.push(
      `${food.map((p) => `${p} is in ${describeChapter(hsChapter(p)).en}`).join('; ')}: food, live animals, plants and their products (HS chapters ${range}) are never exempt`,
    );
    problemsZh.push(
      `${food.map((p) => `${p}属于${describeChapter(hsChapter(p)).zh}`).join('；')}：食品、活动物、植物及其产品（HS第${range}章）不予免验`,
    );
  }
  if (malformed.length) {
    problems.push(
      `${malformed.map((p) => JSON.stringify(p)).join(', ')} are not HS prefixes of 4 to 10 digits`,
    );
    problemsZh.push(`${malformed.map((p) => JSON.stringify(p)).join('、')}不是4至10位HS编码前缀`);
  }
  if (problems.length === 0)
    return {
      id: 'EXEMPTIBLE_PRODUCT',
      met: true,
      message: `Product scope ${app.productScope.join(', ')} is outside the non-exemptible HS chapters ${range}`,
      messageZh: `产品范围${app.productScope.join('、')}不在不予免验的HS第${range}章内`,
      evidence,
    };
  return {
    id: 'EXEMPTIBLE_PRODUCT',
    met: false,
    message: `The product is not exemptible: ${problems.join('; ')}`,
    messageZh: `产品不属于可免验范围：${problemsZh.join('；')}`,
    evidence,
  };
}

/**
 * Does an application for an inspection exemption qualify on `asOf` (DOMAIN.md "Inspection exemption";
 * Decree 23 of 2002 as practised), and why not. Every condition is evaluated, so the answer lists all
 * that fail. CLEAN_INSPECTION_HISTORY needs, for every scope prefix, at least minResultsPerYear results
 * in each of the cleanHistoryYears years (historyYears) and no FAIL in the window: without results there
 * is no evidence of passing. Dangerous goods and bulk shipment are per line, not per product scope: they
 * are checked on each declaration (lineExemptibility). Throws RangeError on a malformed asOf.
 */
export function evaluateApplication(app: ExemptionApplication, rules: ExemptionRules): ApplicationEvaluation {
  requireIsoDate(app.asOf);
  const conditions = [
    enterpriseCondition(app.enterpriseCode),
    historyCondition(app, rules),
    disputeCondition(app, rules),
    certificateCondition(app, rules),
    productCondition(app, rules),
  ];
  return {
    qualifies: conditions.every((c) => c.met),
    asOf: app.asOf,
    rulesetVersion: rules.version,
    conditions,
  };
}
