import { isParty } from './agreement.rules';
import type { Dec } from './decimal';
import type { Agreement, MaterialRef, Money, OriginMaterial } from './origin.types';

/** A material with its value parsed (the line's checks ran first: amounts are readable). */
export interface PricedMaterial {
  ref: MaterialRef;
  value: Dec;
}

export const materialRef = (m: OriginMaterial, index: number): MaterialRef => ({
  position: index + 1,
  hsCode: m.hsCode,
  ...(m.originCountry !== undefined ? { originCountry: m.originCountry } : {}),
  value: { amount: m.value.amount, currency: m.value.currency },
});

/**
 * Whether a material counts as originating under `agreement`: it originates in any party (accumulation,
 * RCEP Art. 3.4, ACFTA Rule 5). A material of undetermined origin is non-originating. The request states
 * a material's origin; its proof (the supplier's certificate or declaration) is checked in review.
 */
export const isOriginatingMaterial = (
  agreement: Agreement,
  m: Pick<OriginMaterial, 'originCountry'>,
): boolean => isParty(agreement, m.originCountry);

const money = (m: Money) => `${m.amount} ${m.currency}`;

/** '#2 870840 (US, 1000.00 USD)', '#3 854442 (origin undetermined, 12.50 USD)'. */
export function describeMaterial(ref: MaterialRef): { en: string; zh: string } {
  return {
    en: `#${ref.position} ${ref.hsCode} (${ref.originCountry ?? 'origin undetermined'}, ${money(ref.value)})`,
    zh: `#${ref.position} ${ref.hsCode}（${ref.originCountry ?? '原产地不明'}，${money(ref.value)}）`,
  };
}

export function describeMaterials(refs: readonly MaterialRef[]): { en: string; zh: string } {
  const each = refs.map(describeMaterial);
  return { en: each.map((d) => d.en).join(', '), zh: each.map((d) => d.zh).join('、') };
}
