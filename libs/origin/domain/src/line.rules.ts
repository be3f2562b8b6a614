import { AGREEMENT_NAMES } from './agreement.rules';
import { Dec, parseAmount, sum } from './decimal';
import type {
  LineAssessment,
  LineAssessmentInput,
  LineDetails,
  MaterialsEvaluation,
  RuleEvaluation,
} from './line.types';
import { describeMaterials, isOriginatingMaterial, materialRef, type PricedMaterial } from './materials';
import type { BuildUpCosts, MaterialRef, OriginReason } from './origin.types';
import { type OriginRule, ruleText, ruleTextZh } from './origin-rule';
import { findProductRule, PSR_TABLE, PSR_TABLE_VERSION, type PsrEntry } from './psr.table';
import { DEFAULT_ORIGIN_RULES, type OriginRules } from './rules.config';
import { evaluateRvc, explainRvc, type RvcEvaluation } from './rvc.rules';
import { evaluateTariffShift, explainTariffShift, type TariffShiftEvaluation } from './tariff-shift.rules';

// One goods line against its origin criterion (DOMAIN.md "Preferential certificate of origin"):
// - WO, wholly obtained (RCEP Art. 3.3): every material comes from the exporting country itself. A
//   material of another party may make the good originating (accumulation) but not WHOLLY obtained
//   there: such a line should claim PE. Non-party and undetermined materials fail as well.
// - PE, produced only from originating materials (RCEP Art. 3.2(b)): every material originates in a
//   party of the agreement (accumulation, RCEP Art. 3.4).
// - PSR: the product-specific rule of the versioned table (longest HS prefix), else the general rule.

export interface PsrTable {
  entries: readonly PsrEntry[];
  version: string;
}
export const DEFAULT_PSR_TABLE: PsrTable = Object.freeze({ entries: PSR_TABLE, version: PSR_TABLE_VERSION });

const HS_CODE = /^\d{6,10}$/;
const COST_KEYS = [
  'labour',
  'overhead',
  'profit',
  'other',
] as const satisfies readonly (keyof BuildUpCosts)[];

interface ReadLine {
  fob: Dec;
  originating: PricedMaterial[];
  nonOriginating: PricedMaterial[];
  costs: Dec;
}

/**
 * The line's amounts, parsed, or the problems found; currency mismatches apart, since they are a
 * refusal reason of their own (amounts are never converted).
 */
function readLine(input: LineAssessmentInput): { line?: ReadLine; currency: string[]; other: string[] } {
  const currency: string[] = [];
  const other: string[] = [];
  if (!HS_CODE.test(input.hsCode))
    other.push(`product HS code ${JSON.stringify(input.hsCode)} is not 6 to 10 digits`);
  const fob = parseAmount(input.fob?.amount);
  if (!fob || !fob.gt(0)) other.push(`FOB ${JSON.stringify(input.fob?.amount)} must be a positive amount`);
  const fobCurrency = input.fob?.currency;
  const originating: PricedMaterial[] = [];
  const nonOriginating: PricedMaterial[] = [];
  input.materials.forEach((m, i) => {
    const ref = materialRef(m, i);
    if (!HS_CODE.test(m.hsCode))
      other.push(`material #${ref.position}: HS code ${JSON.stringify(m.hsCode)} is not 6 to 10 digits`);
    const value = parseAmount(m.value.amount);
    if (!value || value.isNeg())
      other.push(
        `material #${ref.position}: value ${JSON.stringify(m.value.amount)} must be an amount of 0 or more`,
      );
    if (m.value.currency !== fobCurrency)
      currency.push(`material #${ref.position} is valued in ${m.value.currency}, the FOB in ${fobCurrency}`);
    if (value)
      (isOriginatingMaterial(input.agreement, m) ? originating : nonOriginating).push({ ref, value });
  });
  const costs: Dec[] = [];
  for (const key of COST_KEYS) {
    const cost = input.costs?.[key];
    if (!cost) continue;
    const value = parseAmount(cost.amount);
    if (!value || value.isNeg())
      other.push(`${key} cost ${JSON.stringify(cost.amount)} must be an amount of 0 or more`);
    else costs.push(value);
    if (cost.currency !== fobCurrency)
      currency.push(`${key} cost is in ${cost.currency}, the FOB in ${fobCurrency}`);
  }
  if (currency.length || other.length || !fob) return { currency, other };
  return { line: { fob, originating, nonOriginating, costs: sum(costs) }, currency, other };
}

function evaluateRule(
  rule: OriginRule,
  input: LineAssessmentInput,
  line: ReadLine,
  rules: OriginRules,
): { met: boolean; evaluations: RuleEvaluation[] } {
  switch (rule.kind) {
    case 'RVC': {
      const e = evaluateRvc({
        threshold: rule.threshold,
        method: input.rvcMethod ?? rules.rvcMethod,
        fob: line.fob,
        nonOriginating: sum(line.nonOriginating.map((m) => m.value)),
        originating: sum(line.originating.map((m) => m.value)),
        costs: line.costs,
      });
      return { met: e.met, evaluations: [e] };
    }
    case 'CTH':
    case 'CTSH':
    case 'CC': {
      const e = evaluateTariffShift({
        kind: rule.kind,
        productHsCode: input.hsCode,
        nonOriginating: line.nonOriginating,
        fob: line.fob,
        deMinimisPercent: new Dec(rules.deMinimisPercent),
      });
      return { met: e.met, evaluations: [e] };
    }
    case 'ANY_OF':
    case 'ALL_OF': {
      // Every alternative is evaluated, not only up to the first that decides, so the record shows all.
      const parts = rule.rules.map((r) => evaluateRule(r, input, line, rules));
      const met = rule.kind === 'ANY_OF' ? parts.some((p) => p.met) : parts.every((p) => p.met);
      return { met, evaluations: parts.flatMap((p) => p.evaluations) };
    }
  }
}

function explainMaterials(e: MaterialsEvaluation): { en: string; zh: string } {
  if (e.met)
    return e.kind === 'WO'
      ? { en: 'every material comes from the exporting country', zh: '所有材料均来自出口国' }
      : { en: 'every material originates in a party', zh: '所有材料均原产于成员方' };
  const names = describeMaterials(e.offendingMaterials);
  return e.kind === 'WO'
    ? {
        en: `${names.en} not from the exporting country (materials of another party qualify under PE, not WO)`,
        zh: `${names.zh}不是出口国材料（其他成员方的原产材料适用PE标准，而非WO）`,
      }
    : { en: `non-originating ${names.en}`, zh: `非原产材料${names.zh}` };
}

const isTariffShift = (e: RuleEvaluation): e is TariffShiftEvaluation =>
  e.kind === 'CTH' || e.kind === 'CTSH' || e.kind === 'CC';
const isMaterials = (e: RuleEvaluation): e is MaterialsEvaluation => e.kind === 'WO' || e.kind === 'PE';

function explain(e: RuleEvaluation): { en: string; zh: string } {
  if (isTariffShift(e)) return explainTariffShift(e);
  if (isMaterials(e)) return explainMaterials(e);
  return explainRvc(e);
}

const uniqueByPosition = (refs: MaterialRef[]): MaterialRef[] =>
  [...new Map(refs.map((r) => [r.position, r])).values()].sort((a, b) => a.position - b.position);

/** Whether the line meets its claimed origin criterion, with the rule applied and the evidence. */
export function assessLine(
  input: LineAssessmentInput,
  rules: OriginRules = DEFAULT_ORIGIN_RULES,
  table: PsrTable = DEFAULT_PSR_TABLE,
): LineAssessment {
  const { lineNo, criterion, agreement } = input;
  const agreementName = AGREEMENT_NAMES[agreement];
  const psr =
    criterion === 'PSR' ? findProductRule(agreement, input.hsCode, table.entries, table.version) : undefined;
  const rule = psr ? ruleText(psr.rule) : criterion;
  const ruleZh = psr ? ruleTextZh(psr.rule) : criterion;
  const head = { en: `Line ${lineNo} (${input.hsCode})`, zh: `第${lineNo}项（${input.hsCode}）` };
  const psrDetails = psr
    ? { psr: { prefix: psr.prefix, tableVersion: psr.tableVersion, rule: psr.rule } }
    : {};

  const read = readLine(input);
  if (!read.line) {
    const problems = [...read.currency, ...read.other];
    const reason: OriginReason = read.currency.length
      ? {
          code: 'CURRENCY_MISMATCH',
          message: `${head.en}: ${read.currency.join('; ')}; amounts are compared in the FOB currency, never converted`,
          messageZh: `${head.zh}：材料或费用币种与离岸价币种（${input.fob?.currency}）不一致，不做汇率换算`,
        }
      : {
          code: 'INVALID_LINE_DATA',
          message: `${head.en}: ${read.other.join('; ')}`,
          messageZh: `${head.zh}：数据无效（${read.other.join('；')}）`,
        };
    const details: LineDetails = {
      productHsCode: input.hsCode,
      ...psrDetails,
      evaluations: [],
      nonOriginatingMaterials: [],
      offendingMaterials: [],
      problems,
    };
    return { lineNo, criterion, met: false, rule, reason, details };
  }
  const line = read.line;
  const nonOriginatingMaterials = line.nonOriginating.map((m) => m.ref);

  let outcome: { met: boolean; evaluations: RuleEvaluation[] };
  if (criterion === 'PSR' && psr) outcome = evaluateRule(psr.rule, input, line, rules);
  else {
    const offendingMaterials =
      criterion === 'WO'
        ? input.materials.map(materialRef).filter((m) => m.originCountry !== input.exporterCountry)
        : nonOriginatingMaterials;
    const e: MaterialsEvaluation = {
      kind: criterion === 'WO' ? 'WO' : 'PE',
      rule,
      met: offendingMaterials.length === 0,
      offendingMaterials,
    };
    outcome = { met: e.met, evaluations: [e] };
  }

  const { met, evaluations } = outcome;
  const rvcEval = evaluations.find((e): e is RvcEvaluation => e.kind === 'RVC');
  const deMinimis = evaluations.filter(isTariffShift).find((e) => e.deMinimis)?.deMinimis;
  const offendingMaterials = uniqueByPosition(
    evaluations.flatMap((e) => (isTariffShift(e) || isMaterials(e) ? e.offendingMaterials : [])),
  );
  // A met line explains the tests that carried it; a failed one every test, so each failure is named.
  const shown = met ? evaluations.filter((e) => e.met) : evaluations;
  const why = shown.map(explain);
  const verdict = met ? { en: 'meets', zh: '符合' } : { en: 'does not meet', zh: '不符合' };
  const reason: OriginReason = {
    code: `${criterion}_${met ? 'MET' : 'NOT_MET'}`,
    message: `${head.en} ${verdict.en} ${rule} under ${agreementName.en}: ${why.map((w) => w.en).join('; ')}`,
    messageZh: `${head.zh}${verdict.zh}${agreementName.zh}项下的${ruleZh}标准：${why.map((w) => w.zh).join('；')}`,
  };
  const details: LineDetails = {
    productHsCode: input.hsCode,
    ...psrDetails,
    evaluations,
    nonOriginatingMaterials,
    offendingMaterials,
    ...(deMinimis ? { deMinimis } : {}),
  };
  return { lineNo, criterion, met, rule, ...(rvcEval ? { rvc: rvcEval.rvc } : {}), reason, details };
}
