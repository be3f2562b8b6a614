import { Dec, percentAtLeast, percentFloor } from './decimal';
import type { RvcMethod } from './origin.types';

// Regional value content (DOMAIN.md; RCEP Art. 3.5, ACFTA Rule 4):
//   build-down RVC = (FOB - VNM) / FOB x 100
//   build-up   RVC = (VOM + labour + overhead + profit + other) / FOB x 100
// VNM: value of non-originating materials, including those of undetermined origin; VOM: value of
// originating materials. The request carries materials only, so build-up without cost data counts VOM
// alone. The threshold test is exact (cross-multiplied: 40.00% passes, 39.9999% fails); the reported
// figure is rounded DOWN to two decimals, so it never shows a passing 40.00 for a failing 39.999.

export interface RvcInput {
  threshold: string;
  method: RvcMethod;
  fob: Dec;
  /** VNM. */
  nonOriginating: Dec;
  /** VOM. */
  originating: Dec;
  /** labour + overhead + profit + other, for build-up. */
  costs: Dec;
}

export interface RvcEvaluation {
  kind: 'RVC';
  rule: string;
  met: boolean;
  method: RvcMethod;
  /** Percent, two decimals, rounded down. */
  rvc: string;
  threshold: string;
  /** The numerator of the formula used, exact: FOB - VNM (build-down) or VOM + costs (build-up). */
  numerator: string;
  fob: string;
}

export function evaluateRvc(input: RvcInput): RvcEvaluation {
  const numerator =
    input.method === 'BUILD_DOWN'
      ? input.fob.minus(input.nonOriginating)
      : input.originating.plus(input.costs);
  return {
    kind: 'RVC',
    rule: `RVC${input.threshold}`,
    met: percentAtLeast(numerator, input.fob, new Dec(input.threshold)),
    method: input.method,
    rvc: percentFloor(numerator, input.fob),
    threshold: input.threshold,
    numerator: numerator.toFixed(),
    fob: input.fob.toFixed(),
  };
}

export const RVC_METHOD_NAMES: Readonly<Record<RvcMethod, { en: string; zh: string }>> = Object.freeze({
  BUILD_DOWN: { en: 'build-down', zh: '扣减法' },
  BUILD_UP: { en: 'build-up', zh: '累加法' },
});

export function explainRvc(e: RvcEvaluation): { en: string; zh: string } {
  const m = RVC_METHOD_NAMES[e.method];
  return e.met
    ? {
        en: `RVC ${e.rvc}% (${m.en}) is at least ${e.threshold}%`,
        zh: `区域价值成分${e.rvc}%（${m.zh}）不低于${e.threshold}%`,
      }
    : {
        en: `RVC ${e.rvc}% (${m.en}) is below ${e.threshold}%`,
        zh: `区域价值成分${e.rvc}%（${m.zh}）低于${e.threshold}%`,
      };
}
