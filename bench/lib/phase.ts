// One phase: a fixed offered rate through one door for a while, its stragglers, and what it cost; then
// waiting for the system to be idle again so the next phase starts clean.
import { performance } from 'node:perf_hooks';
import { Topics } from '@cic/contracts';
import type { DeclarationFactory } from './declarations';
import { type Admin, type BatchingProducer, consumerLag } from './kafka';
import { runLoad } from './load';
import type { Observer } from './observer';
import type { BenchOptions, Door, Target } from './options';
import { progress } from './progress';
import { type GroupUsage, ResourceMeter, round } from './resources';
import type { RunningTarget } from './targets';
import { type LatencySummary, PhaseTracker } from './tracker';

export type PhaseKind = 'warmup' | 'fixed' | 'step';

export interface PhaseSpec {
  target: Target;
  door: Door;
  kind: PhaseKind;
  rate: number;
  durationS: number;
}

export interface PhaseResult extends PhaseSpec {
  /** passed/failed: judged against the limits; error: the phase could not run (crash, broker gone). */
  status: 'passed' | 'failed' | 'error';
  reasons: string[];
  /** What to keep in mind reading the figures (not failures). */
  notes: string[];
  startedAt: string;
  sent: number;
  offeredRate: number;
  achievedRate: number;
  accepted: number;
  completed: number;
  incomplete: number;
  rejected: number;
  sendErrors: number;
  httpStatus: Record<string, number>;
  outcomes: Record<string, number>;
  /**
   * exemption: the reasons of the decided lines, counted (COVERED_BY_GRANT, SCOPE_MISMATCH, ...); origin: the
   * reason codes of the decisions (ORIGIN_CONFIRMED, a refusal's reasons).
   */
  outcomeDetails?: Record<string, number>;
  latencyMs: {
    accepted: LatencySummary;
    decided: LatencySummary;
    http?: LatencySummary;
    httpService?: LatencySummary;
    generatorLag: LatencySummary;
  };
  /** otherCpuS: CPU of the machine spent outside the listed processes (other work sharing it). */
  resources: { groups: Record<string, GroupUsage>; machineBusyS: number; otherCpuS: number; wallS: number };
  cpuMsPerDeclaration: number;
  outboxBacklogMax?: number;
  /**
   * green-channel: the phase's lanes by the path that decided them (inline is the fast path); exemption,
   * origin: the phase's decisions in its table (always inline).
   */
  decidedBy?: Record<string, number>;
  /**
   * origin: the work left behind for the worker (certificate PDFs): done during the phase (and per second of
   * it), the most waiting at once, waiting when the phase ended and after the settle.
   */
  background?: {
    what: string;
    done: number;
    perSecond: number;
    pendingMax: number;
    pendingAtEnd: number;
    pendingAfterSettle?: number;
  };
  consumerLagMax: number;
  stubLagMax: number;
  /** Lag of the benchmark's own reader of the results: large values mean the measurement fell behind. */
  observerLagMax: number;
  stoppedBecause?: string;
  settled: boolean;
  /**
   * Platform and bare relay: the door alone, judged apart from the decisions (which may lag behind): Kafka
   * door on p99 submitted -> accepted (p99LimitMs) and accepted/s, HTTP door on the request p99
   * (httpP99LimitMs) and 202s/s; both at least minAchieved of offered, every declaration through, nothing
   * refused.
   */
  doorAlone?: DoorVerdict;
}

export interface DoorVerdict {
  status: 'passed' | 'failed';
  reasons: string[];
  /** Accepted (Kafka door) or answered 202 (HTTP door) per second. */
  rate: number;
  /** p99 submitted -> accepted (Kafka door) or of the request (HTTP door), ms. */
  p99: number;
  limitMs: number;
}

export interface PhaseDeps {
  opts: BenchOptions;
  target: RunningTarget;
  observer: Observer;
  factory: DeclarationFactory;
  loadProducer: BatchingProducer;
  admin: Admin;
  run: string;
  label: string;
  /** Set when the benchmark is interrupted: the phase stops sending at once. */
  interrupted: () => boolean;
}

const EARLY_STOP = 'over 1% of the step already later than';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runPhase(deps: PhaseDeps, spec: PhaseSpec, index: number): Promise<PhaseResult> {
  const { opts, target, observer } = deps;
  const startedAt = new Date().toISOString();
  const tracker = new PhaseTracker(spec.door, opts.p99LimitMs, opts.httpP99LimitMs);
  // The door alone is judged too where the load is declarations (not accepted events).
  const doorJudged = target.observe === 'clearance';
  const planned = Math.max(1, Math.round(spec.rate * spec.durationS));
  observer.tracker = tracker;
  const meter = new ResourceMeter(target.processGroups);
  const gauges = {
    backlog: undefined as number | undefined,
    lag: 0,
    stubLag: 0,
    observerLag: 0,
    pending: 0,
    pendingNow: 0,
  };
  let probing = false;
  let phaseLine = 'starting';
  const probe = async () => {
    if (probing) return;
    probing = true;
    try {
      const lagOf = (g: { groupId: string; topics: string[] }) =>
        consumerLag(deps.admin, g.groupId, g.topics).catch(() => 0);
      const [backlog, lag, stubLag, observerLag, pending] = await Promise.all([
        target.outboxBacklog().catch(() => undefined),
        lagOf(target.groups[0]),
        target.groups[1] ? lagOf(target.groups[1]) : 0,
        lagOf(observer.group),
        target.background?.pending().catch(() => undefined),
      ]);
      if (backlog !== undefined) gauges.backlog = Math.max(gauges.backlog ?? 0, backlog);
      if (pending !== undefined) {
        gauges.pending = Math.max(gauges.pending, pending);
        gauges.pendingNow = pending;
      }
      gauges.lag = Math.max(gauges.lag, lag);
      gauges.stubLag = Math.max(gauges.stubLag, stubLag);
      gauges.observerLag = Math.max(gauges.observerLag, observerLag);
      phaseLine =
        `outbox ${backlog ?? '-'} lag ${lag}` +
        (target.groups[1] ? ` stubs ${stubLag}` : '') +
        ` observer ${observerLag}` +
        (target.background && pending !== undefined ? ` ${target.background.what} waiting ${pending}` : '');
    } finally {
      probing = false;
    }
  };
  const t0 = performance.now();
  const sampler = setInterval(() => {
    meter.sample();
    void probe();
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = target.processGroups
      .filter((g) => g.short)
      .map((g) => `${g.short} ${Math.round((meter.cpuS(g.name) / elapsed) * 100)}%`)
      .join(' ');
    progress(
      `[${deps.label}] ${elapsed.toFixed(0)}/${spec.durationS}s offered ${spec.rate}/s ` +
        `achieved ${tracker.achievedRate(performance.now()).toFixed(0)}/s done ${tracker.completed}/${tracker.sent} ` +
        `p99 ${tracker.decided.p(99).toFixed(0)}ms` +
        (spec.door === 'kafka' && target.observe === 'clearance'
          ? ` (accepted ${tracker.accepted.p(99).toFixed(0)}ms)`
          : '') +
        ` | ${phaseLine} | cpu ${cpu}`,
    );
  }, 1000);

  const shouldStop = (): string | undefined => {
    if (deps.interrupted()) return 'interrupted';
    const crash = target.crashed();
    if (crash) return crash;
    // More than 1% of the step already later than the limit: its p99 cannot pass any more (end to end,
    // and through the door alone where that is judged too: until both fail, the step goes on).
    const now = performance.now();
    if (
      spec.kind === 'step' &&
      tracker.lateNow(now) > planned * 0.01 &&
      (!doorJudged || tracker.doorLateNow(now) > planned * 0.01)
    )
      return doorJudged
        ? `${EARLY_STOP} its limits (end to end and the door alone), so neither p99 can pass`
        : `${EARLY_STOP} ${opts.p99LimitMs} ms, so its p99 cannot pass`;
    return undefined;
  };

  let stoppedBecause: string | undefined;
  let settled = false;
  let errorMessage: string | undefined;
  const refPrefix = `BN-${deps.run}-${index}`;
  // Kafka door: submitted declarations, unless the target takes something else (green-channel, exemption,
  // origin: accepted events).
  const kafkaLoad = target.kafkaLoad ?? {
    topic: `${target.prefix}${Topics.DeclarationSubmittedV1.name}`,
    ref: (prefix: string, seq: number) => `${prefix}-${seq}`,
    message: (seq: number, ref: string) => deps.factory.message(seq, ref),
  };
  const decidedBefore = await target.decidedBy?.().catch(() => undefined);
  const doneBefore = await target.background?.done().catch(() => undefined);
  try {
    const load = await runLoad({
      rate: spec.rate,
      durationS: spec.durationS,
      lingerMs: opts.lingerMs,
      ref: (seq) => kafkaLoad.ref(refPrefix, seq),
      factory: deps.factory,
      tracker,
      target:
        spec.door === 'kafka'
          ? { door: 'kafka', producer: deps.loadProducer, topic: kafkaLoad.topic, message: kafkaLoad.message }
          : { door: 'http', port: target.httpPort, apiKey: target.apiKey, concurrency: opts.httpConcurrency },
      shouldStop,
    });
    stoppedBecause = load.stoppedBecause;
    // The stragglers: every declaration decided and every request answered, or the drain deadline. A
    // step stopped early waits for its requests only (cut off, they would count as errors).
    const deadline = performance.now() + opts.drainS * 1000;
    const waiting = () => load.inFlight() > 0 || (!stoppedBecause && tracker.outstanding.size > 0);
    while (performance.now() < deadline && waiting()) {
      const why = deps.interrupted() ? 'interrupted' : target.crashed();
      if (why) {
        stoppedBecause = why;
        break;
      }
      await sleep(50);
    }
    load.close();
  } catch (error) {
    errorMessage = (error as Error).message;
  }
  const end = performance.now();
  observer.tracker = undefined;
  clearInterval(sampler);
  const resources = meter.finish();
  await probe().catch(() => undefined);
  const doneAtEnd = await target.background?.done().catch(() => undefined);
  const pendingAtEnd = (await target.background?.pending().catch(() => undefined)) ?? gauges.pendingNow;
  gauges.pending = Math.max(gauges.pending, pendingAtEnd);

  // Idle again before the next phase: no consumer lag, nothing left in the outbox.
  if (!deps.interrupted() && !target.crashed()) settled = await settle(deps);
  const decidedAfter = decidedBefore && (await target.decidedBy?.().catch(() => undefined));
  const pendingAfterSettle = await target.background?.pending().catch(() => undefined);
  const background =
    target.background && doneBefore !== undefined && doneAtEnd !== undefined
      ? {
          what: target.background.what,
          done: doneAtEnd - doneBefore,
          perSecond: round((doneAtEnd - doneBefore) / Math.max(0.001, resources.wallS), 1),
          pendingMax: gauges.pending,
          pendingAtEnd,
          pendingAfterSettle,
        }
      : undefined;
  const decidedBy = decidedAfter
    ? Object.fromEntries(
        Object.entries(decidedAfter)
          .map(([k, n]) => [k, n - (decidedBefore[k] ?? 0)] as const)
          .filter(([, n]) => n !== 0),
      )
    : undefined;

  const cpuS = Object.values(resources.groups).reduce((s, g) => s + g.cpuS, 0);
  const withHttp = spec.door === 'http';
  const result: PhaseResult = {
    ...spec,
    status: 'passed',
    reasons: [],
    notes: [],
    startedAt,
    sent: tracker.sent,
    offeredRate: round(tracker.offeredRate(), 1),
    achievedRate: round(tracker.achievedRate(end), 1),
    accepted: tracker.acceptedCount,
    completed: tracker.completed,
    incomplete: tracker.outstanding.size,
    rejected: tracker.rejected,
    sendErrors: tracker.sendErrors,
    httpStatus: tracker.httpStatus,
    outcomes: tracker.outcomes,
    ...(Object.keys(tracker.details).length ? { outcomeDetails: tracker.details } : {}),
    latencyMs: {
      accepted: tracker.accepted.summary(),
      decided: tracker.decided.summary(),
      ...(withHttp ? { http: tracker.http.summary(), httpService: tracker.httpService.summary() } : {}),
      generatorLag: tracker.generatorLag.summary(false),
    },
    resources: { ...resources, otherCpuS: round(Math.max(0, resources.machineBusyS - cpuS), 2) },
    cpuMsPerDeclaration: tracker.completed ? round((cpuS * 1000) / tracker.completed, 2) : 0,
    outboxBacklogMax: gauges.backlog,
    decidedBy,
    ...(background ? { background } : {}),
    consumerLagMax: gauges.lag,
    stubLagMax: gauges.stubLag,
    observerLagMax: gauges.observerLag,
    stoppedBecause,
    settled,
  };
  // A crash or an interruption makes the phase an error: its figures are not a measurement of the rate.
  const broken = stoppedBecause && !stoppedBecause.startsWith(EARLY_STOP);
  judge(result, opts, errorMessage ?? (broken ? stoppedBecause : undefined));
  if (doorJudged) result.doorAlone = judgeDoor(result, tracker, opts, end);
  // Decided in the service's table, never seen as an event: the decision was lost on its way out. (Not
  // after a step stopped early: its last decisions are not waited for, so they arrive after it.)
  const decidedInDb = Object.entries(decidedBy ?? {})
    .filter(([k]) => k !== 'pending')
    .reduce((n, [, c]) => n + c, 0);
  const stoppedEarly = result.stoppedBecause?.startsWith(EARLY_STOP);
  if (!stoppedEarly && result.incomplete > 0 && decidedInDb > result.completed)
    result.notes.push(
      `${decidedInDb - result.completed} decided in the service's database without a decided event arriving`,
    );
  const slow = Object.entries(decidedBy ?? {}).filter(([k, n]) => k !== 'inline' && n > 0);
  if (slow.length)
    result.notes.push(`not all on the fast path: ${slow.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  if (background && background.pendingAtEnd > Math.max(100, result.completed * 0.1))
    result.notes.push(
      `${background.what} fell behind: ${background.pendingAtEnd} waiting when the phase ended ` +
        `(${background.done} done in it, ${background.perSecond}/s)`,
    );
  const exhausted = result.outcomeDetails?.['CERTIFICATE_SERIAL_EXHAUSTED'];
  if (exhausted)
    result.notes.push(`${exhausted} refused because an office had used every serial of the year (9999)`);
  if (!settled && result.status !== 'error')
    result.notes.push(`not idle ${opts.settleS} s after the phase: the next one started with a backlog`);
  return result;
}

function judge(r: PhaseResult, opts: BenchOptions, error: string | undefined): void {
  const reasons: string[] = [];
  // Latencies count from when a declaration was due, so a late generator shows as system latency.
  if (r.latencyMs.generatorLag.p99 > 50)
    r.notes.push(`the load generator sent late (p99 ${r.latencyMs.generatorLag.p99} ms behind schedule)`);
  if (r.observerLagMax > 1000)
    r.notes.push(`the benchmark's reader of the results lagged (up to ${r.observerLagMax} events)`);
  if (error) {
    r.status = 'error';
    r.reasons = [error];
    return;
  }
  const early = r.stoppedBecause?.startsWith(EARLY_STOP);
  if (r.stoppedBecause) reasons.push(`stopped: ${r.stoppedBecause}`);
  // A warm-up only has to get through; its latencies are not judged. A step stopped early failed for that
  // reason alone: what it had not finished says nothing more.
  const timed = r.kind !== 'warmup' && !early;
  const path =
    r.target === 'green-channel'
      ? 'accepted->lane decided'
      : r.target === 'exemption'
        ? 'accepted->exemption decided'
        : r.target === 'origin'
          ? 'accepted->origin decided'
          : 'submitted->decided';
  if (timed && r.latencyMs.decided.p99 > opts.p99LimitMs)
    reasons.push(`p99 ${path} ${r.latencyMs.decided.p99} ms > ${opts.p99LimitMs} ms`);
  // (green-channel's, exemption's and origin's load is the accepted event itself: no accepted latency, p99 0.)
  if (timed && r.door === 'kafka' && r.latencyMs.accepted.p99 > opts.p99LimitMs)
    reasons.push(`p99 submitted->accepted ${r.latencyMs.accepted.p99} ms > ${opts.p99LimitMs} ms`);
  if (timed && r.achievedRate < opts.minAchieved * r.rate)
    reasons.push(`achieved ${r.achievedRate}/s < ${Math.round(opts.minAchieved * 100)}% of ${r.rate}/s`);
  if (!early && r.incomplete > 0)
    reasons.push(`${r.incomplete} not decided within the drain (${opts.drainS} s)`);
  const errors = errorsReason(r);
  if (errors) reasons.push(errors);
  r.reasons = reasons;
  r.status = reasons.length ? 'failed' : 'passed';
}

/** Declarations refused, not sent, or answered other than 202, as a failure reason (none: undefined). */
function errorsReason(r: PhaseResult): string | undefined {
  const http = Object.entries(r.httpStatus)
    .filter(([s]) => s !== '202')
    .reduce((n, [, c]) => n + c, 0);
  const errors = r.rejected + r.sendErrors + http;
  return errors > 0
    ? `${errors} errors (rejected ${r.rejected}, send ${r.sendErrors}, http ${JSON.stringify(r.httpStatus)})`
    : undefined;
}

/** The door alone (see PhaseResult.doorAlone). */
function judgeDoor(r: PhaseResult, tracker: PhaseTracker, opts: BenchOptions, end: number): DoorVerdict {
  const http = r.door === 'http';
  const limitMs = http ? opts.httpP99LimitMs : opts.p99LimitMs;
  const p99 = (http ? r.latencyMs.http?.p99 : r.latencyMs.accepted.p99) ?? 0;
  const rate = round(tracker.doorRate(end), 1);
  if (r.status === 'error') return { status: 'failed', reasons: r.reasons, rate, p99, limitMs };
  const reasons: string[] = [];
  const early = r.stoppedBecause?.startsWith(EARLY_STOP);
  if (r.stoppedBecause)
    reasons.push(early ? `stopped early: over 1% later than ${limitMs} ms` : `stopped: ${r.stoppedBecause}`);
  const timed = r.kind !== 'warmup' && !early;
  const through = http ? 'answered 202' : 'accepted';
  if (timed && p99 > limitMs)
    reasons.push(`p99 ${http ? 'of the request' : 'submitted->accepted'} ${p99} ms > ${limitMs} ms`);
  if (timed && rate < opts.minAchieved * r.rate)
    reasons.push(`${through} ${rate}/s < ${Math.round(opts.minAchieved * 100)}% of ${r.rate}/s`);
  const waiting = tracker.doorWaiting();
  if (!early && waiting > 0) reasons.push(`${waiting} not ${through} within the drain (${opts.drainS} s)`);
  const errors = errorsReason(r);
  if (errors) reasons.push(errors);
  return { status: reasons.length ? 'failed' : 'passed', reasons, rate, p99, limitMs };
}

async function settle(deps: PhaseDeps): Promise<boolean> {
  const deadline = Date.now() + deps.opts.settleS * 1000;
  let idleSamples = 0;
  while (Date.now() < deadline && !deps.interrupted() && !deps.target.crashed()) {
    const [backlog, pending, lags] = await Promise.all([
      deps.target.outboxBacklog().catch(() => undefined),
      deps.target.background?.pending().catch(() => undefined),
      Promise.all(
        [...deps.target.groups, deps.observer.group].map((g) =>
          consumerLag(deps.admin, g.groupId, g.topics).catch(() => -1),
        ),
      ),
    ]);
    const idle = (backlog ?? 0) === 0 && (pending ?? 0) === 0 && lags.every((l) => l === 0);
    idleSamples = idle ? idleSamples + 1 : 0;
    if (idleSamples >= 2) return true;
    progress(
      `[${deps.label}] settling: outbox backlog ${backlog ?? '-'}, consumer lag ${lags.join('/')}` +
        (deps.target.background ? `, ${deps.target.background.what} waiting ${pending ?? '-'}` : ''),
    );
    await sleep(500);
  }
  return false;
}
