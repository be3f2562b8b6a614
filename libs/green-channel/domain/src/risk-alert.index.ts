import { isIsoDate } from './iso-date';

/** A foreign notification or trade-measure alert that sends matching goods to RED (DOMAIN.md). */
export interface RiskAlert {
  id: string;
  /** 4 to 10 digits; matches every HS code that starts with it. */
  hsPrefix: string;
  /** ISO 3166-1 alpha-2 destinations; empty means any destination. */
  destinations: readonly string[];
  /** ISO dates, both inclusive; validUntil null means open-ended. */
  validFrom: string;
  validUntil: string | null;
  source: 'FOREIGN_NOTIFICATION' | 'TRADE_MEASURE' | (string & {});
  description: string;
}

const MIN_PREFIX = 4;
const MAX_PREFIX = 10;
const HS_PREFIX = /^\d{4,10}$/;
const COUNTRY = /^[A-Z]{2}$/;

/** The one definition of "matches", shared by the index, its brute-force test and decideLane. */
export function alertMatches(alert: RiskAlert, hsCode: string, destination: string, onDate: string): boolean {
  return (
    hsCode.startsWith(alert.hsPrefix) &&
    (alert.destinations.length === 0 || alert.destinations.includes(destination)) &&
    alert.validFrom <= onDate &&
    (alert.validUntil === null || onDate <= alert.validUntil)
  );
}

/** Why an alert cannot be indexed, or undefined. */
export function riskAlertProblem(alert: RiskAlert): string | undefined {
  if (!HS_PREFIX.test(alert.hsPrefix))
    return `hsPrefix ${JSON.stringify(alert.hsPrefix)} is not 4 to 10 digits`;
  const badDest = alert.destinations.filter((d) => !COUNTRY.test(d));
  if (badDest.length)
    return `destinations ${badDest.map((d) => JSON.stringify(d)).join(', ')} are not ISO alpha-2`;
  if (!isIsoDate(alert.validFrom)) return `validFrom ${JSON.stringify(alert.validFrom)} is not an ISO date`;
  if (alert.validUntil !== null && !isIsoDate(alert.validUntil))
    return `validUntil ${JSON.stringify(alert.validUntil)} is not an ISO date`;
  if (alert.validUntil !== null && alert.validUntil < alert.validFrom)
    return 'validUntil is before validFrom';
  return undefined;
}

export type RiskAlertIndexBuild = { ok: true; index: RiskAlertIndex } | { ok: false; problems: string[] };

/**
 * Alerts by exact prefix: a 10-digit HS code has at most 7 prefixes of 4 to 10 digits, so a lookup is at
 * most 7 map probes whatever the number of alerts, then a filter on destination and date over the few
 * alerts of those prefixes. Immutable: build a new index when the alert set changes.
 */
export class RiskAlertIndex {
  private constructor(
    private readonly byPrefix: ReadonlyMap<string, readonly RiskAlert[]>,
    readonly size: number,
  ) {}

  /**
   * Refuses the whole set when one alert is malformed, naming each: a silently dropped alert would let
   * goods through, while a screening that cannot run makes the lane YELLOW (CHECK_TIMEOUT), never GREEN.
   */
  static build(alerts: Iterable<RiskAlert>): RiskAlertIndexBuild {
    const byPrefix = new Map<string, RiskAlert[]>();
    const problems: string[] = [];
    let size = 0;
    for (const alert of alerts) {
      const problem = riskAlertProblem(alert);
      if (problem) {
        problems.push(`alert ${alert.id}: ${problem}`);
        continue;
      }
      const list = byPrefix.get(alert.hsPrefix);
      if (list) list.push(alert);
      else byPrefix.set(alert.hsPrefix, [alert]);
      size++;
    }
    if (problems.length) return { ok: false, problems };
    return { ok: true, index: new RiskAlertIndex(byPrefix, size) };
  }

  /** Alerts active on `onDate` (inclusive) for the HS code and destination, shortest prefix first. */
  match(hsCode: string, destination: string, onDate: string): RiskAlert[] {
    const found: RiskAlert[] = [];
    const longest = Math.min(MAX_PREFIX, hsCode.length);
    for (let len = MIN_PREFIX; len <= longest; len++) {
      const candidates = this.byPrefix.get(hsCode.slice(0, len));
      if (!candidates) continue;
      for (const alert of candidates) if (alertMatches(alert, hsCode, destination, onDate)) found.push(alert);
    }
    return found;
  }
}
