// npm run bench — the platform benchmark (bench/README.md): declaration-intake end to end through both
// doors at fixed offered rates, the highest rate that keeps p99 under the limit, and the same hops through
// a bare relay (Kafka and memory only) for comparison, with CPU and memory per process; and green-channel's
// fast path, accepted event to lane decided, exemption's decisions, accepted event to exemption decided,
// and origin-certificate's, accepted event with a certificate request to origin decided, the same way.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDatabase } from '@cic/platform-persistence';
import { runId } from '@cic/platform-testing';
import { killAllChildren, liveChildren } from './lib/children';
import { DeclarationFactory } from './lib/declarations';
import { describeEnvironment } from './lib/environment';
import { BatchingProducer, connectAdmin, connectProducer, deleteByPrefix, kafkaClient } from './lib/kafka';
import { Observer } from './lib/observer';
import { type BenchOptions, type Door, readOptions, type Target } from './lib/options';
import { type PhaseDeps, type PhaseResult, runPhase } from './lib/phase';
import { say } from './lib/progress';
import { type BenchReport, type DoorMax, type TargetResult, writeReports } from './lib/report';
import {
  type BenchContext,
  dropPlatformSchema,
  dropQueueKeys,
  platformNames,
  type RunningTarget,
  startBare,
  startExemption,
  startGreenChannel,
  startOrigin,
  startPlatform,
} from './lib/targets';

const root = resolve(__dirname, '..');
// kafkajs 2.2 sets a negative timer on Node >= 23 (harmless, once per client): keep the output readable.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutNegativeWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});
let interrupted = false;

/** A URL without its password, for the results. */
const redact = (url: string) => url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');

/**
 * The highest passing rate of one door: the steps in order until one fails, then `refine` bisections
 * between the last passing rate and the lowest failing one. `passes` says what passing means (end to end,
 * or the door alone); a rate already measured (in `measured`) is not run again.
 */
async function findMax(
  door: Door,
  opts: BenchOptions,
  run: (rate: number) => Promise<PhaseResult>,
  passes: (r: PhaseResult) => boolean = (r) => r.status === 'passed',
  measured = new Map<number, PhaseResult>(),
): Promise<DoorMax> {
  const tried: number[] = [];
  let lastPass: number | undefined;
  let firstFail: number | undefined;
  let error: string | undefined;
  let bisections = 0;
  while (!interrupted) {
    const low = lastPass ?? 0;
    const rate =
      firstFail === undefined
        ? opts.steps[tried.length]
        : bisections++ < opts.refine
          ? Math.round((low + firstFail) / 2)
          : undefined;
    if (rate === undefined || rate <= low || (firstFail !== undefined && rate >= firstFail)) break;
    let r = measured.get(rate);
    if (!r) {
      r = await run(rate);
      measured.set(rate, r);
    }
    tried.push(rate);
    if (r.status === 'error') {
      error = r.reasons[0];
      break;
    }
    if (passes(r)) lastPass = rate;
    else firstFail = rate;
  }
  return {
    door,
    maxRate: lastPass ?? 0,
    firstFailingRate: firstFail,
    tried,
    ceilingNotReached: firstFail === undefined && !error && !interrupted,
    error,
  };
}

const STARTS: Record<Target, { what: string; start: (ctx: BenchContext) => Promise<RunningTarget> }> = {
  platform: { what: 'declaration-intake api + worker and stub deciders', start: startPlatform },
  bare: { what: 'bare relay and stub deciders', start: startBare },
  'green-channel': {
    what: 'green-channel api + worker with seeded reference data',
    start: startGreenChannel,
  },
  exemption: { what: 'exemption api + worker with seeded grants', start: startExemption },
  origin: { what: 'origin-certificate api + PDF worker', start: startOrigin },
};
// Phase numbers (part of the localRefs) of each target start apart, so two targets never share one.
const FIRST_PHASE: Record<Target, number> = {
  platform: 0,
  bare: 1000,
  'green-channel': 2000,
  exemption: 3000,
  origin: 4000,
};

async function benchTarget(
  name: Target,
  ctx: BenchContext,
  shared: Pick<PhaseDeps, 'factory' | 'loadProducer' | 'admin'>,
  kafka: ReturnType<typeof kafkaClient>,
): Promise<TargetResult> {
  const { opts, run } = ctx;
  const result: TargetResult = { target: name, status: 'ok', phases: [], max: [] };
  let target: RunningTarget | undefined;
  let observer: Observer | undefined;
  try {
    say(`[${name}] starting ${STARTS[name].what}...`);
    const started = Date.now();
    target = await STARTS[name].start(ctx);
    observer = await Observer.start(kafka, `bench-${run}-observer-${name}`, target.prefix, target.observe);
    result.startupS = Math.round((Date.now() - started) / 100) / 10;
    say(`[${name}] up in ${result.startupS} s`);
    let index = FIRST_PHASE[name];
    // The doors asked for that the target has; green-channel, exemption and origin have only their Kafka
    // door (accepted events).
    const asked = opts.doors.filter((d) => target!.doors.includes(d));
    const doors = asked.length ? asked : [...target.doors];
    const phase = async (door: Door, rate: number, kind: PhaseResult['kind'], durationS: number) => {
      const label = `${name} ${door} ${kind} ${rate}/s`;
      const deps: PhaseDeps = {
        ...shared,
        opts,
        target: target!,
        observer: observer!,
        run,
        label,
        interrupted: () => interrupted,
      };
      const r = await runPhase(deps, { target: name, door, kind, rate, durationS }, index++);
      result.phases.push(r);
      const d = r.latencyMs.decided;
      const lanes = Object.entries(r.outcomes)
        .map(([lane, n]) => `${lane} ${n}`)
        .join(' ');
      const lines = Object.entries(r.outcomeDetails ?? {})
        .map(([reason, n]) => `${reason} ${n}`)
        .join(' ');
      say(
        `[${label}] ${r.status.toUpperCase()}: achieved ${r.achievedRate}/s, decided ${r.completed}/${r.sent}, ` +
          `p50/p99 ${d.p50}/${d.p99} ms` +
          (target!.observe === 'lane'
            ? ` (lanes ${lanes || 'none'}${r.decidedBy ? `; by ${JSON.stringify(r.decidedBy)}` : ''})`
            : target!.observe === 'exemption'
              ? ` (declarations ${lanes || 'none'}; lines ${lines || 'none'})`
              : target!.observe === 'origin'
                ? ` (${lanes || 'none'}; reasons ${lines || 'none'}` +
                  (r.background
                    ? `; ${r.background.what} ${r.background.done} done, ${r.background.pendingAtEnd} waiting at the end`
                    : '') +
                  ')'
                : door === 'kafka'
                  ? `, accepted p99 ${r.latencyMs.accepted.p99} ms`
                  : `, http p99 ${r.latencyMs.http?.p99} ms`) +
          `, cpu ${r.cpuMsPerDeclaration} ms/decl${r.reasons.length ? ` — ${r.reasons.join('; ')}` : ''}` +
          (r.doorAlone
            ? `; door alone ${r.doorAlone.status.toUpperCase()} (${door === 'kafka' ? 'accepted' : 'answered'} ${r.doorAlone.rate}/s` +
              `${r.doorAlone.reasons.length ? ` — ${r.doorAlone.reasons.join('; ')}` : ''})`
            : ''),
      );
      return r;
    };
    const failIfBroken = (r: { status: string; reasons?: string[]; error?: string }) => {
      if (r.status === 'error' || interrupted) throw new Error(r.error ?? r.reasons?.[0] ?? 'interrupted');
    };
    // Warm-up: JIT, connection pools, consumer fetch sessions; it must work end to end before anything counts.
    if (opts.warmup > 0) {
      for (const door of doors) {
        const rate = Math.min(50, opts.warmup);
        const w = await phase(door, rate, 'warmup', Math.max(1, opts.warmup / rate));
        failIfBroken(w);
        if (w.completed === 0)
          throw new Error(
            `warm-up through the ${door} door: nothing decided (${[...w.reasons, ...w.notes].join('; ')})`,
          );
      }
    }
    for (const door of doors) {
      if (opts.mode !== 'max') failIfBroken(await phase(door, opts.rate, 'fixed', opts.durationS));
      if (opts.mode !== 'fixed') {
        const step = (rate: number) => phase(door, rate, 'step', opts.stepS);
        const measured = new Map<number, PhaseResult>();
        const max = await findMax(door, opts, step, undefined, measured);
        result.max.push(max);
        failIfBroken({ status: max.error ? 'error' : 'ok', error: max.error });
        // The door alone (platform, bare relay): the same ladder judged on the door, the steps already
        // measured reused (a step goes on until it fails both ways), the rest run.
        if (target.observe === 'clearance') {
          const alone = await findMax(door, opts, step, (r) => r.doorAlone?.status === 'passed', measured);
          (result.doorMax ??= []).push(alone);
          failIfBroken({ status: alone.error ? 'error' : 'ok', error: alone.error });
        }
      }
    }
  } catch (error) {
    result.status = interrupted ? 'interrupted' : 'failed';
    result.error = (error as Error).message;
    say(`[${name}] ${result.status}: ${result.error}`);
  } finally {
    await observer?.stop();
    await target?.stop().catch(() => undefined);
  }
  return result;
}

async function main(): Promise<void> {
  const opts = readOptions(root);
  const run = runId();
  const logDir = mkdtempSync(join(tmpdir(), `cic-bench-${run}-`));
  mkdirSync(opts.resultsDir, { recursive: true });
  const startedAt = new Date();
  await ensureDatabase(opts.databaseUrl);
  say(
    `platform benchmark ${run}: mode ${opts.mode}, targets ${opts.targets.join('+')}, doors ${opts.doors.join('+')}; logs in ${logDir}`,
  );
  const environment = await describeEnvironment(root, opts.databaseUrl, opts.redisUrl);
  say(
    `${environment.cores} cores ${environment.cpuModel}, ${environment.totalMemoryMb} MB, node ${environment.node}, ` +
      `kafka ${environment.kafka}, postgres ${environment.postgres}, redis ${environment.redis}, commit ${environment.git.short}${environment.git.dirty ? ' (dirty)' : ''}`,
  );
  const kafka = kafkaClient(opts.brokers, `bench-${run}`);
  const admin = await connectAdmin(kafka);
  const producer = await connectProducer(kafka, false);
  const shared = {
    admin,
    loadProducer: new BatchingProducer(producer, 3),
    factory: new DeclarationFactory(opts.lines, opts.documents),
  };
  const ctx: BenchContext = { opts, run, root, logDir, admin };

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await Promise.all(liveChildren().map((c) => c.stop(5000)));
    if (opts.keep) return;
    await dropPlatformSchema(opts, run).catch((e) =>
      say(`could not drop the schema: ${(e as Error).message}`),
    );
    if (opts.targets.some((t) => t === 'green-channel' || t === 'exemption' || t === 'origin'))
      await dropQueueKeys(opts, run).catch((e) =>
        say(`could not delete the queue keys: ${(e as Error).message}`),
      );
    await deleteByPrefix(admin, [platformNames(run).prefix, `bench-${run}`]).catch((e) =>
      say(`could not delete the topics: ${(e as Error).message}`),
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      killAllChildren();
      process.exit(130);
    }
    interrupted = true;
    say(`\n${signal}: stopping the current phase, then cleaning up (again to kill at once)`);
    // Every wait has its own deadline; this one bounds the whole stop.
    setTimeout(() => {
      killAllChildren();
      process.exit(130);
    }, 60000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllChildren);

  const targets: TargetResult[] = [];
  try {
    for (const t of opts.targets) {
      if (interrupted) break;
      targets.push(await benchTarget(t, ctx, shared, kafka));
    }
  } finally {
    await cleanup();
  }
  const report: BenchReport = {
    benchmark: 'cic-platform/1',
    run,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    interrupted,
    environment,
    config: {
      ...opts,
      databaseUrl: redact(opts.databaseUrl),
      redisUrl: redact(opts.redisUrl),
      averageDeclarationBytes: shared.factory.averageBytes,
      logDir,
    },
    targets,
  };
  const written = await writeReports(report, opts.resultsDir);
  await producer.disconnect().catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
  say('');
  say(written.markdown);
  say(`results: ${written.files.join(', ')}`);
  process.exit(interrupted ? 130 : targets.every((t) => t.status === 'ok') ? 0 : 1);
}

main().catch((error) => {
  say(`benchmark failed: ${(error as Error).stack}`);
  killAllChildren();
  process.exit(1);
});
