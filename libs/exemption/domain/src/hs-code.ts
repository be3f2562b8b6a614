// HS codes and grant scope prefixes (DESIGN.md: HS codes are 10 digits, China tariff; DOMAIN.md: a grant's
// product scope is HS prefixes of 4 to 10 digits). Only digit strings are compared, digit by digit from
// the left: '8471' covers '8471300000' but not '8741...', '84713' covers '8471300000' but not
// '8471400000', and a malformed prefix ('847', '8471.30', '8471 30') covers nothing.

const HS_CODE = /^\d{10}$/;
const HS_PREFIX = /^\d{4,10}$/;
/** What a foreign notification may name: a chapter (2), heading (4), subheading (6) or tariff line. */
const HS_NOTIFIED = /^\d{2,10}$/;

export const isHsCode = (value: unknown): value is string => typeof value === 'string' && HS_CODE.test(value);
export const isHsPrefix = (value: unknown): value is string =>
  typeof value === 'string' && HS_PREFIX.test(value);

/** Whether `prefix` (4-10 digits) covers the 10-digit `hsCode`. */
export const prefixCovers = (prefix: string, hsCode: string): boolean =>
  isHsPrefix(prefix) && isHsCode(hsCode) && hsCode.startsWith(prefix);

/** The longest prefix of `scope` that covers `hsCode`, or undefined. */
export function coveringPrefix(scope: readonly string[], hsCode: string): string | undefined {
  let best: string | undefined;
  for (const p of scope) if (prefixCovers(p, hsCode) && (!best || p.length > best.length)) best = p;
  return best;
}

/**
 * Whether a grant prefix and a notified HS code (2-10 digits) name overlapping goods: either starts with
 * the other. A notification on subheading 847130 touches a grant for 8471300000, and one on 8471300000
 * touches a grant for 8471.
 */
export const scopesOverlap = (prefix: string, notified: string): boolean =>
  isHsPrefix(prefix) &&
  typeof notified === 'string' &&
  HS_NOTIFIED.test(notified) &&
  (prefix.startsWith(notified) || notified.startsWith(prefix));

/** The 2-digit chapter of an HS code or prefix ('0302...' -> '03'). */
export const hsChapter = (code: string): string => code.slice(0, 2);

/** Titles of HS chapters 01-24 (HS 2022 nomenclature, shortened), for messages naming a chapter. */
export const HS_CHAPTER_TITLES: Readonly<Record<string, { en: string; zh: string }>> = Object.freeze({
  '01': { en: 'live animals', zh: '活动物' },
  '02': { en: 'meat and edible meat offal', zh: '肉及食用杂碎' },
  '03': { en: 'fish, crustaceans and other aquatic invertebrates', zh: '鱼、甲壳动物及其他水生无脊椎动物' },
  '04': { en: "dairy produce, birds' eggs, natural honey", zh: '乳品；蛋品；天然蜂蜜' },
  '05': { en: 'other products of animal origin', zh: '其他动物产品' },
  '06': { en: 'live trees and other plants, cut flowers', zh: '活树及其他活植物；插花' },
  '07': { en: 'edible vegetables', zh: '食用蔬菜' },
  '08': { en: 'edible fruit and nuts', zh: '食用水果及坚果' },
  '09': { en: 'coffee, tea, maté and spices', zh: '咖啡、茶、马黛茶及调味香料' },
  '10': { en: 'cereals', zh: '谷物' },
  '11': { en: 'products of the milling industry', zh: '制粉工业产品' },
  '12': { en: 'oil seeds, grains, seeds and fruit, plants for industry', zh: '含油子仁及果实；工业用植物' },
  '13': { en: 'lac, gums, resins and other vegetable saps', zh: '虫胶；树胶、树脂及其他植物液、汁' },
  '14': { en: 'vegetable plaiting materials', zh: '编结用植物材料' },
  '15': { en: 'animal, vegetable or microbial fats and oils', zh: '动、植物或微生物油、脂' },
  '16': { en: 'preparations of meat, fish or aquatic invertebrates', zh: '肉、鱼及其他水生无脊椎动物的制品' },
  '17': { en: 'sugars and sugar confectionery', zh: '糖及糖食' },
  '18': { en: 'cocoa and cocoa preparations', zh: '可可及可可制品' },
  '19': { en: 'preparations of cereals, flour, starch or milk', zh: '谷物粉、淀粉或乳的制品；糕饼点心' },
  '20': { en: 'preparations of vegetables, fruit or nuts', zh: '蔬菜、水果、坚果或植物其他部分的制品' },
  '21': { en: 'miscellaneous edible preparations', zh: '杂项食品' },
  '22': { en: 'beverages, spirits and vinegar', zh: '饮料、酒及醋' },
  '23': { en: 'food industry residues, animal fodder', zh: '食品工业的残渣及废料；配制的动物饲料' },
  '24': { en: 'tobacco and manufactured tobacco substitutes', zh: '烟草及烟草代用品的制品' },
});

/** 'HS chapter 03 (fish, ...)' — the title only when known. */
export function describeChapter(chapter: string): { en: string; zh: string } {
  const title = HS_CHAPTER_TITLES[chapter];
  return {
    en: `HS chapter ${chapter}${title ? ` (${title.en})` : ''}`,
    zh: `HS第${chapter}章${title ? `（${title.zh}）` : ''}`,
  };
}
