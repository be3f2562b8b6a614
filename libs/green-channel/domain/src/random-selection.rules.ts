import { createHmac } from 'node:crypto';
import type { CreditTier, ZoneLevel } from './enterprise.types';
import type { GreenChannelRules } from './rules.config';

/**
 * Random-selection rate (DOMAIN.md): the tier rate times the best (lowest) factor among the enterprise's
 * demonstration zones, never below the floor and never above 1. Tiers in zoneReliefExcludedTiers get
 * no zone factor (a NATIONAL zone would take DISCREDITED below the 80% minimum of the 2019 practice).
 */
export function selectionRate(
  tier: CreditTier,
  zones: ReadonlyArray<{ level: ZoneLevel }>,
  rules: GreenChannelRules,
): number {
  const factor = rules.zoneReliefExcludedTiers.includes(tier)
    ? 1
    : Math.min(1, ...zones.map((z) => rules.zoneFactors[z.level] ?? 1));
  return Math.min(1, Math.max(rules.rateFloor, rules.randomRates[tier] * factor));
}

const TWO_POW_20 = 2 ** 20;
const TWO_POW_52 = 2 ** 52;

/**
 * A uniform number in [0, 1) from HMAC-SHA256(key, declarationId): the first 52 bits of the MAC over
 * 2^52, exact in a double. Keyed so that a declarant cannot compute the draw of an id in advance;
 * deterministic so that a replay gives the same lane. A uuid is case-insensitive, so the id is
 * lower-cased first.
 */
export function selectionDraw(declarationId: string, key: string | Uint8Array): number {
  const mac = createHmac('sha256', key).update(declarationId.toLowerCase(), 'utf8').digest();
  const high32 = mac.readUInt32BE(0);
  const next20 = mac.readUInt32BE(4) >>> 12;
  return (high32 * TWO_POW_20 + next20) / TWO_POW_52;
}

/** Selected when the draw falls below the rate: rate 0 never selects, rate 1 always does. */
export function isRandomlySelected(declarationId: string, rate: number, key: string | Uint8Array): boolean {
  return selectionDraw(declarationId, key) < rate;
}
