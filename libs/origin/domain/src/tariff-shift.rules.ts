import { percentAtMost, percentCeil, sum, type Dec } from './decimal';
import { describeMaterials, type PricedMaterial } from './materials';
import type { MaterialRef } from './origin.types';
import { SHIFT_DIGITS, type TariffShiftKind } from './origin-rule';

// Change in tariff classification (DOMAIN.md): every NON-originating material must be classified outside
// the product's chapter (CC, 2 digits), heading (CTH, 4) or subheading (CTSH, 6); originating materials
// need not change. RCEP Art. 3.7 de minimis (applied to both agreements, configurable): the materials
// that do not change still pass when together they are at most 10% of FOB; exactly 10% passes.

export interface DeMinimisResult {
  /** Value of the materials that do not change, in percent of FOB, two decimals rounded UP. */
  share: string;
  /** The limit in percent. */
  limit: string;
  met: boolean;
}

export interface TariffShiftEvaluation {
  kind: TariffShiftKind;
  rule: string;
  met: boolean;
  /** The product's chapter, heading or subheading the materials must leave. */
  productCode: string;
  /** Non-originating materials classified in that same chapter, heading or subheading. */
  offendingMaterials: MaterialRef[];
  /** Present when some material does not change. */
  deMinimis?: DeMinimisResult;
}

export interface TariffShiftInput {
  kind: TariffShiftKind;
  productHsCode: string;
  nonOriginating: readonly PricedMaterial[];
  fob: Dec;
  deMinimisPercent: Dec;
}

export function evaluateTariffShift(input: TariffShiftInput): TariffShiftEvaluation {
  const digits = SHIFT_DIGITS[input.kind];
  const productCode = input.productHsCode.slice(0, digits);
  const offending = input.nonOriginating.filter((m) => m.ref.hsCode.slice(0, digits) === productCode);
  const base = {
    kind: input.kind,
    rule: input.kind,
    productCode,
    offendingMaterials: offending.map((m) => m.ref),
  };
  if (offending.length === 0) return { ...base, met: true };
  const value = sum(offending.map((m) => m.value));
  const met = percentAtMost(value, input.fob, input.deMinimisPercent);
  return {
    ...base,
    met,
    deMinimis: { share: percentCeil(value, input.fob), limit: input.deMinimisPercent.toFixed(), met },
  };
}

const LEVEL: Readonly<Record<TariffShiftKind, { en: string; zh: string }>> = Object.freeze({
  CC: { en: 'chapter', zh: '章' },
  CTH: { en: 'heading', zh: '品目' },
  CTSH: { en: 'subheading', zh: '子目' },
});

export function explainTariffShift(e: TariffShiftEvaluation): { en: string; zh: string } {
  const level = LEVEL[e.kind];
  if (!e.deMinimis)
    return {
      en: `${e.kind}: every non-originating material is outside ${level.en} ${e.productCode}`,
      zh: `${e.kind}：所有非原产材料均已改变${level.zh}（产品${level.zh}${e.productCode}）`,
    };
  const names = describeMaterials(e.offendingMaterials);
  const d = e.deMinimis;
  return d.met
    ? {
        en: `${e.kind}: non-originating ${names.en} stay in ${level.en} ${e.productCode} but are ${d.share}% of FOB, within the ${d.limit}% de minimis`,
        zh: `${e.kind}：非原产材料${names.zh}未改变${level.zh}${e.productCode}，但仅占离岸价${d.share}%，未超过${d.limit}%的微小含量`,
      }
    : {
        en: `${e.kind}: non-originating ${names.en} stay in ${level.en} ${e.productCode} and are ${d.share}% of FOB, above the ${d.limit}% de minimis`,
        zh: `${e.kind}：非原产材料${names.zh}未改变${level.zh}${e.productCode}，占离岸价${d.share}%，超过${d.limit}%的微小含量`,
      };
}
