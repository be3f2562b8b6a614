import type { Agreement, OriginReason } from './origin.types';

// Parties of the agreements (DOMAIN.md "Preferential certificate of origin"). Countries are ISO 3166-1
// alpha-2 codes.

/** The 10 ASEAN member states: Brunei, Cambodia, Indonesia, Laos, Malaysia, Myanmar, Philippines,
 * Singapore, Thailand, Viet Nam. */
export const ASEAN_MEMBERS = Object.freeze([
  'BN',
  'KH',
  'ID',
  'LA',
  'MY',
  'MM',
  'PH',
  'SG',
  'TH',
  'VN',
] as const);

export const AGREEMENT_PARTIES: Readonly<Record<Agreement, readonly string[]>> = Object.freeze({
  // RCEP Art. 1.2 and the signatories: ASEAN + China, Japan, Korea, Australia, New Zealand.
  RCEP: Object.freeze(['CN', 'JP', 'KR', 'AU', 'NZ', ...ASEAN_MEMBERS]),
  // ASEAN-China Comprehensive Economic Cooperation framework agreement (certificates on Form E).
  CHINA_ASEAN: Object.freeze(['CN', ...ASEAN_MEMBERS]),
});

export const AGREEMENT_NAMES: Readonly<Record<Agreement, { en: string; zh: string }>> = Object.freeze({
  RCEP: { en: 'RCEP', zh: 'RCEP（区域全面经济伙伴关系协定）' },
  CHINA_ASEAN: { en: 'China-ASEAN FTA (Form E)', zh: '中国-东盟自贸协定（E表）' },
});

export const isAgreement = (value: unknown): value is Agreement =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(AGREEMENT_PARTIES, value);

/** Whether `country` is a party of `agreement`. */
export const isParty = (agreement: Agreement, country: string | undefined): boolean =>
  country !== undefined && AGREEMENT_PARTIES[agreement].includes(country);

/**
 * Why a certificate cannot be issued from `exporterCountry` to `importingCountry` under `agreement`, or
 * undefined when both are parties and differ (a preference is claimed in another party, never at home).
 */
export function partiesProblem(
  agreement: Agreement,
  exporterCountry: string,
  importingCountry: string,
): OriginReason | undefined {
  const name = AGREEMENT_NAMES[agreement];
  if (!isParty(agreement, exporterCountry))
    return {
      code: 'EXPORTER_NOT_PARTY',
      message: `The exporting country ${exporterCountry} is not a party of ${name.en}`,
      messageZh: `出口国${exporterCountry}不是${name.zh}的成员方`,
    };
  if (!isParty(agreement, importingCountry))
    return {
      code: 'IMPORTING_COUNTRY_NOT_PARTY',
      message: `The importing country ${importingCountry} is not a party of ${name.en}`,
      messageZh: `进口国${importingCountry}不是${name.zh}的成员方`,
    };
  if (importingCountry === exporterCountry)
    return {
      code: 'IMPORTING_COUNTRY_IS_EXPORTER',
      message: `The importing country ${importingCountry} is the exporting country: a preference is claimed in another party`,
      messageZh: `进口国${importingCountry}与出口国相同：优惠待遇须在其他成员方申请`,
    };
  return undefined;
}
