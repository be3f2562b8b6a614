// What one phase measured: latencies in HDR histograms (recorded in microseconds, 3 significant digits)
// from the moment each declaration was due to be sent (open loop: a late send counts against the system,
// so there is no coordinated omission), and the counts behind throughput and errors.
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { Door } from './options';

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** The whole histogram (HdrHistogram compressed base64), for later analysis. */
  hdr?: string;
}

export class Latency {
  private readonly h: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  record(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  p(percentile: number): number {
    return this.h.totalCount ? this.h.getValueAtPercentile(percentile) / 1000 : 0;
  }

  summary(withHdr = true): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.h.totalCount,
      p50: ms(this.h.getValueAtPercentile(50)),
      p95: ms(this.h.getValueAtPercentile(95)),
      p99: ms(this.h.getValueAtPercentile(99)),
      max: ms(this.h.maxValue),
      mean: ms(this.h.totalCount ? this.h.mean : 0),
      ...(withHdr && this.h.totalCount ? { hdr: encodeIntoCompressedBase64(this.h) } : {}),
    };
  }
}

interface Outstanding {
  intended: number;
  accepted: boolean;
}

export class PhaseTracker {
  readonly accepted = new Latency();
  readonly decided = new Latency();
  /** HTTP door: due time -> response (includes waiting for one of the connections). */
  readonly http = new Latency();
  /** HTTP door: request written -> response. */
  readonly httpService = new Latency();
  /** How late the generator sent, against its schedule: large values mean the generator was the limit. */
  readonly generatorLag = new Latency();
  readonly outcomes: Record<string, number> = {};
  /** What the decisions said below the outcome (exemption: the reason of each line), counted. */
  readonly details: Record<string, number> = {};
  readonly httpStatus: Record<string, number> = {};
  readonly outstanding = new Map<string, Outstanding>();
  sent = 0;
  acceptedCount = 0;
  completed = 0;
  rejected = 0;
  sendErrors = 0;
  overLimit = 0;
  /** The door alone: accepted events (Kafka door) and 202 answers (HTTP door) later than their limits. */
  acceptedOverLimit = 0;
  httpOverLimit = 0;
  answered = 0;
  firstAcceptedAt?: number;
  lastAcceptedAt?: number;
  firstAnsweredAt?: number;
  lastAnsweredAt?: number;
  firstDecidedAt?: number;
  lastDecidedAt?: number;
  firstIntended?: number;
  lastIntended?: number;
  closed = false;

  constructor(
    readonly door: Door,
    readonly limitMs: number,
    /** HTTP door: the request p99 limit of the door alone. */
    readonly httpLimitMs = limitMs,
  ) {}

  onSent(localRef: string, intended: number, now: number): void {
    this.outstanding.set(localRef, { intended, accepted: false });
    this.sent++;
    this.firstIntended ??= intended;
    this.lastIntended = intended;
    this.generatorLag.record(now - intended);
  }

  /** A declaration that was due but never went out (the phase stopped first). */
  unsend(localRef: string): void {
    if (this.outstanding.delete(localRef)) this.sent--;
  }

  onAccepted(localRef: string, now: number): void {
    const o = this.outstanding.get(localRef);
    if (!o || o.accepted) return;
    o.accepted = true;
    this.acceptedCount++;
    this.accepted.record(now - o.intended);
    if (now - o.intended > this.limitMs) this.acceptedOverLimit++;
    this.firstAcceptedAt ??= now;
    this.lastAcceptedAt = now;
  }

  onDecided(localRef: string, outcome: string, now: number, details: readonly string[] = []): void {
    const o = this.outstanding.get(localRef);
    if (!o) return;
    this.outstanding.delete(localRef);
    const ms = now - o.intended;
    this.decided.record(ms);
    if (ms > this.limitMs) this.overLimit++;
    this.completed++;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    for (const d of details) this.details[d] = (this.details[d] ?? 0) + 1;
    this.firstDecidedAt ??= now;
    this.lastDecidedAt = now;
  }

  onRejected(localRef: string): void {
    if (!this.outstanding.delete(localRef)) return;
    this.rejected++;
  }

  onHttp(intended: number, written: number, now: number, status: number | string): void {
    this.http.record(now - intended);
    this.httpService.record(now - written);
    this.httpStatus[String(status)] = (this.httpStatus[String(status)] ?? 0) + 1;
    if (now - intended > this.httpLimitMs) this.httpOverLimit++;
    if (status === 202) {
      this.answered++;
      this.firstAnsweredAt ??= now;
      this.lastAnsweredAt = now;
    }
  }

  /** Declarations whose decision is already later than the limit, decided or still waiting. */
  lateNow(now: number): number {
    let waiting = 0;
    for (const o of this.outstanding.values()) {
      if (now - o.intended <= this.limitMs) break; // insertion order is send order
      waiting++;
    }
    return this.overLimit + waiting;
  }

  /**
   * The door alone: declarations already later than its limit. Kafka door: accepted late, or not yet
   * accepted and already late; HTTP door: answered late (a request still in flight is not counted).
   */
  doorLateNow(now: number): number {
    if (this.door === 'http') return this.httpOverLimit;
    let waiting = 0;
    for (const o of this.outstanding.values()) {
      if (now - o.intended <= this.limitMs) break; // insertion order is send order
      if (!o.accepted) waiting++;
    }
    return this.acceptedOverLimit + waiting;
  }

  /**
   * The door alone: declarations sent and not yet accepted (Kafka door; one decided before its accepted
   * event was read is not waiting) or not yet answered (HTTP door).
   */
  doorWaiting(): number {
    if (this.door === 'http')
      return Math.max(0, this.sent - Object.values(this.httpStatus).reduce((n, c) => n + c, 0));
    let waiting = 0;
    for (const o of this.outstanding.values()) if (!o.accepted) waiting++;
    return waiting;
  }

  /**
   * The door alone: declarations accepted (Kafka door) or answered 202 (HTTP door) per second, as
   * achievedRate: over their spread, stretched to `end` when some are still waiting.
   */
  doorRate(end: number): number {
    const [n, first, last] =
      this.door === 'http'
        ? [this.answered, this.firstAnsweredAt, this.lastAnsweredAt]
        : [this.acceptedCount, this.firstAcceptedAt, this.lastAcceptedAt];
    if (n < 2 || first === undefined || last === undefined) return 0;
    const span = Math.max(1, (this.doorWaiting() > 0 ? end : last) - first);
    return ((n - 1) * 1000) / span;
  }

  get httpErrors(): number {
    return Object.entries(this.httpStatus)
      .filter(([s]) => s !== '202')
      .reduce((n, [, c]) => n + c, 0);
  }

  /**
   * Declarations decided per second: spread of the decisions (as the sends were spread over the phase),
   * stretched to `end` when some never came.
   */
  achievedRate(end: number): number {
    if (this.completed < 2 || this.firstDecidedAt === undefined || this.lastDecidedAt === undefined) return 0;
    const last = this.outstanding.size > 0 ? end : this.lastDecidedAt;
    const span = Math.max(1, last - this.firstDecidedAt);
    return ((this.completed - 1) * 1000) / span;
  }

  offeredRate(): number {
    if (this.sent < 2 || this.firstIntended === undefined || this.lastIntended === undefined) return 0;
    return ((this.sent - 1) * 1000) / Math.max(1, this.lastIntended - this.firstIntended);
  }
}
