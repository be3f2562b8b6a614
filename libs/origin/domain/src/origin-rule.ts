// The grammar of origin rules, as data: a product-specific rule is one of these, and the rule table is
// a list of them (DOMAIN.md "Preferential certificate of origin").

/** Regional value content of at least `threshold` percent (a decimal string, e.g. '40'). */
export interface RvcRule {
  kind: 'RVC';
  threshold: string;
}
/** Change in tariff classification: heading (4 digits), subheading (6) or chapter (2). */
export interface TariffShiftRule {
  kind: 'CTH' | 'CTSH' | 'CC';
}
/** Met when any of `rules` is met ("RVC40 or CTH"). */
export interface AnyOfRule {
  kind: 'ANY_OF';
  rules: readonly OriginRule[];
}
/** Met when every one of `rules` is met ("CTH and RVC40"). */
export interface AllOfRule {
  kind: 'ALL_OF';
  rules: readonly OriginRule[];
}
export type OriginRule = RvcRule | TariffShiftRule | AnyOfRule | AllOfRule;
export type TariffShiftKind = TariffShiftRule['kind'];

/** Digits of the HS code that must change: heading 4, subheading 6, chapter 2. */
export const SHIFT_DIGITS: Readonly<Record<TariffShiftKind, number>> = Object.freeze({
  CC: 2,
  CTH: 4,
  CTSH: 6,
});

export const rvc = (threshold: string): RvcRule => ({ kind: 'RVC', threshold });
export const CTH: TariffShiftRule = Object.freeze({ kind: 'CTH' });
export const CTSH: TariffShiftRule = Object.freeze({ kind: 'CTSH' });
export const CC: TariffShiftRule = Object.freeze({ kind: 'CC' });
export const anyOf = (...rules: OriginRule[]): AnyOfRule => ({ kind: 'ANY_OF', rules });
export const allOf = (...rules: OriginRule[]): AllOfRule => ({ kind: 'ALL_OF', rules });

/**
 * The rule as officers write it: 'RVC40', 'CTH', 'RVC40 or CTH', 'CC and RVC40'; a nested group is
 * parenthesised: 'CTH or (CTSH and RVC40)'.
 */
export function ruleText(rule: OriginRule): string {
  switch (rule.kind) {
    case 'RVC':
      return `RVC${rule.threshold}`;
    case 'CTH':
    case 'CTSH':
    case 'CC':
      return rule.kind;
    case 'ANY_OF':
    case 'ALL_OF': {
      const joiner = rule.kind === 'ANY_OF' ? ' or ' : ' and ';
      return rule.rules
        .map((r) => (r.kind === 'ANY_OF' || r.kind === 'ALL_OF' ? `(${ruleText(r)})` : ruleText(r)))
        .join(joiner);
    }
  }
}

/** 0 to 100 with at most two decimals ('40', '35.5', '100.00'). */
/** The rule in Chinese messages: 'RVC40或CTH', 'CC且RVC40'. */
export const ruleTextZh = (rule: OriginRule): string =>
  ruleText(rule).replace(/ or /g, '或').replace(/ and /g, '且');

const THRESHOLD = /^(100(\.0{1,2})?|[1-9]?\d(\.\d{1,2})?)$/;

/** Problems with a rule's shape (an empty group, a threshold outside 0-100), each naming where it is. */
export function ruleProblems(rule: OriginRule, at = 'rule'): string[] {
  switch (rule?.kind) {
    case 'RVC':
      return typeof rule.threshold === 'string' && THRESHOLD.test(rule.threshold)
        ? []
        : [
            `${at}: RVC threshold must be a percentage 0-100 as a string, got ${JSON.stringify(rule.threshold)}`,
          ];
    case 'CTH':
    case 'CTSH':
    case 'CC':
      return [];
    case 'ANY_OF':
    case 'ALL_OF':
      if (!Array.isArray(rule.rules) || rule.rules.length === 0)
        return [`${at}: ${rule.kind} needs at least one rule`];
      return rule.rules.flatMap((r, i) => ruleProblems(r, `${at}.rules[${i}]`));
    default:
      return [`${at}: unknown rule ${JSON.stringify(rule)}`];
  }
}
