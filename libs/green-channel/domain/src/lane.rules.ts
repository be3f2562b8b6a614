import type { Reason } from '@cic/contracts';
import { requireIsoDate } from './iso-date';
import {
  type CheckResult,
  documentVerificationCheck,
  effectiveTier,
  historyCheck,
  labHistoryCheck,
  paperlessCheck,
  reason,
  requiredDocumentsCheck,
  riskAlertCheck,
  tierCheck,
} from './lane.checks';
import { CHECK, type LaneCheck, type LaneDecision, type LaneInput } from './lane.types';
import { isRandomlySelected, selectionDraw, selectionRate } from './random-selection.rules';
import type { GreenChannelRules } from './rules.config';

const timeoutReason = (name: string): Reason =>
  reason('CHECK_TIMEOUT', `The check ${name} did not finish in time`, `检查项${name}未在时限内完成`);

/**
 * A slow check that did not finish (DOMAIN.md CHECK_TIMEOUT) is YELLOW. A definite failure found before
 * the deadline still counts (a matched alert is still a hard stop). A name no check carries is listed too,
 * so a timeout is never lost.
 */
function applyTimeouts(results: CheckResult[], timedOut: readonly string[]): CheckResult[] {
  const names = new Set(timedOut);
  const out = results.map((r) => {
    if (!names.has(r.check.name)) return r;
    const outcome = r.check.outcome === 'FAIL' ? 'FAIL' : 'TIMEOUT';
    return {
      ...r,
      check: { ...r.check, outcome, detail: `did not finish in time; so far: ${r.check.detail}` },
      criteria: [timeoutReason(r.check.name), ...r.criteria],
    } satisfies CheckResult;
  });
  for (const name of names)
    if (!results.some((r) => r.check.name === name))
      out.push({
        check: { name, outcome: 'TIMEOUT', detail: 'did not finish in time' },
        hardStops: [],
        criteria: [timeoutReason(name)],
      });
  return out;
}

/**
 * The lane of a declaration (DOMAIN.md "Lane per declaration"), in order: hard stops -> RED (hardStop);
 * then criteria -> YELLOW; then random selection -> RED (randomlySelected); else GREEN. Every check is
 * evaluated and listed, so reasons name the deciding rule first and then every other finding. An
 * enterprise not on file is REGULAR with no history: YELLOW at best, never GREEN. Throws RangeError on a
 * malformed asOf (the caller's clock).
 */
export function decideLane(
  input: LaneInput,
  rules: GreenChannelRules,
  selectionKey: string | Uint8Array,
): LaneDecision {
  requireIsoDate(input.asOf);
  const timedOut = new Set(input.timedOutChecks);
  const results = applyTimeouts(
    [
      tierCheck(input.profile),
      riskAlertCheck(input),
      labHistoryCheck(input, rules),
      requiredDocumentsCheck(input.documents, rules),
      paperlessCheck(input, rules),
      documentVerificationCheck(input, timedOut.has(CHECK.documentVerification)),
      historyCheck(input.profile, input.asOf, rules),
    ],
    input.timedOutChecks,
  );
  const hardStops = results.flatMap((r) => r.hardStops);
  const criteria = results.flatMap((r) => r.criteria);
  const checks: LaneCheck[] = results.map((r) => r.check);
  const base = {
    greenChannelApproved: input.approvalStatus === 'APPROVED',
    enterpriseCategory: input.profile?.category ?? null,
    rulesetVersion: rules.version,
  };

  if (hardStops.length > 0) {
    checks.push({
      name: CHECK.randomSelection,
      outcome: 'SKIPPED',
      detail: 'lane already RED by a hard stop',
    });
    return {
      ...base,
      lane: 'RED',
      hardStop: true,
      randomlySelected: false,
      reasons: [...hardStops, ...criteria],
      checks,
    };
  }
  if (criteria.length > 0) {
    checks.push({
      name: CHECK.randomSelection,
      outcome: 'SKIPPED',
      detail: 'lane already YELLOW by a criterion',
    });
    return { ...base, lane: 'YELLOW', hardStop: false, randomlySelected: false, reasons: criteria, checks };
  }

  const tier = effectiveTier(input.profile);
  const zones = input.profile?.zones ?? [];
  const rate = selectionRate(tier, zones, rules);
  const draw = selectionDraw(input.declarationId, selectionKey);
  const selected = isRandomlySelected(input.declarationId, rate, selectionKey);
  const zoneText = zones.length ? `, zones ${zones.map((z) => z.level).join('/')}` : '';
  const basis = `draw ${draw.toFixed(6)} ${selected ? '<' : '>='} rate ${rate} (tier ${tier}${zoneText})`;
  checks.push({
    name: CHECK.randomSelection,
    outcome: selected ? 'FAIL' : 'PASS',
    detail: `${selected ? 'selected' : 'not selected'}: ${basis}`,
  });
  if (!selected)
    return { ...base, lane: 'GREEN', hardStop: false, randomlySelected: false, reasons: [], checks };
  return {
    ...base,
    lane: 'RED',
    hardStop: false,
    randomlySelected: true,
    reasons: [
      reason(
        'RANDOMLY_SELECTED',
        `Randomly selected for inspection: ${basis}`,
        `随机布控抽中（抽取值${draw.toFixed(6)}低于比率${rate}）`,
      ),
    ],
    checks,
  };
}
