// The open-loop load generator: declarations are due at fixed intervals from the start of the phase and
// sent when due, whatever the system answers (so a slow system cannot slow the offered load down).
// Kafka door: batched produce of submitted.v1. HTTP door: keep-alive connections (./http-client) and at
// most `concurrency` requests in flight; a due request waits for a free connection, and that wait counts.
import { performance } from 'node:perf_hooks';
import type { DeclarationFactory } from './declarations';
import { KeepAliveClient, type HttpResult } from './http-client';
import type { BatchingProducer, OutMessage } from './kafka';
import type { PhaseTracker } from './tracker';

export interface KafkaDoorTarget {
  door: 'kafka';
  producer: BatchingProducer;
  topic: string;
  /** The event of the seq-th declaration, tracked as `ref`. */
  message: (seq: number, ref: string) => OutMessage;
}

export interface HttpDoorTarget {
  door: 'http';
  port: number;
  apiKey: string;
  concurrency: number;
}

export interface LoadPlan {
  rate: number;
  durationS: number;
  /** Kafka door: shortest time between two produce requests of the generator. */
  lingerMs: number;
  /** The key the seq-th declaration is tracked by (its localRef, or its declarationId for green-channel). */
  ref: (seq: number) => string;
  factory: DeclarationFactory;
  tracker: PhaseTracker;
  target: KafkaDoorTarget | HttpDoorTarget;
  /** Checked every 250 ms: a reason to stop sending now (a crash, a step that cannot pass any more). */
  shouldStop: () => string | undefined;
}

export interface LoadResult {
  stoppedBecause?: string;
  /** HTTP requests due and not answered yet (0 for the Kafka door). */
  inFlight: () => number;
  /** Forgets the requests still waiting for a connection (after a stop) and closes the connections. */
  close: () => void;
}

export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const { rate, durationS, tracker, target } = plan;
  const total = Math.max(1, Math.round(rate * durationS));
  const interval = 1000 / rate;
  const emit = target.door === 'kafka' ? kafkaEmitter(target, plan) : httpEmitter(target, plan);
  const start = performance.now();
  let next = 0;
  let lastCheck = start;
  // The Kafka door sends at most every lingerMs (a producer's linger.ms: Kafka's Java client waits 5 ms
  // by default), so the broker sees produce requests of several declarations, not one per declaration.
  const minGapMs = target.door === 'kafka' ? Math.max(1, plan.lingerMs) : 1;
  return new Promise((resolve) => {
    // Wakes up when the next declaration is due (at most every 1 ms: at high rates each wake-up sends
    // everything that fell due since the last one; at least every 250 ms, to check for a stop).
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / interval) + 1);
      if (due > next) {
        const batch: Array<{ seq: number; ref: string; intended: number }> = [];
        for (let seq = next; seq < due; seq++) {
          const intended = start + seq * interval;
          const ref = plan.ref(seq);
          tracker.onSent(ref, intended, now);
          batch.push({ seq, ref, intended });
        }
        next = due;
        emit.send(batch);
      }
      let reason: string | undefined;
      if (now - lastCheck >= 250) {
        lastCheck = now;
        reason = plan.shouldStop();
      }
      if (next >= total || reason) {
        if (reason) emit.cancelQueued();
        resolve({ stoppedBecause: reason, inFlight: emit.inFlight, close: emit.close });
        return;
      }
      const wait = start + next * interval - performance.now();
      setTimeout(tick, Math.min(250, Math.max(minGapMs, wait)));
    };
    tick();
  });
}

interface Emitter {
  send(batch: Array<{ seq: number; ref: string; intended: number }>): void;
  cancelQueued(): void;
  inFlight(): number;
  close(): void;
}

function kafkaEmitter(target: KafkaDoorTarget, plan: LoadPlan): Emitter {
  const onError = () => plan.tracker.sendErrors++;
  return {
    send(batch) {
      const messages = batch.map((b) => target.message(b.seq, b.ref));
      target.producer.fire(target.topic, messages, onError);
    },
    cancelQueued: () => undefined,
    inFlight: () => 0,
    close: () => undefined,
  };
}

function httpEmitter(target: HttpDoorTarget, plan: LoadPlan): Emitter {
  const client = new KeepAliveClient({
    host: '127.0.0.1',
    port: target.port,
    maxSockets: target.concurrency,
    timeoutMs: 30000,
  });
  const queue: Array<{ seq: number; ref: string; intended: number }> = [];
  const headers = { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' };
  let inFlight = 0;

  const pump = () => {
    while (inFlight < target.concurrency && queue.length > 0) {
      const item = queue.shift()!;
      const body = plan.factory.body(item.seq, item.ref);
      inFlight++;
      const written = performance.now();
      client.request('POST', '/v1/declarations', headers, body, (status: HttpResult) => {
        inFlight--;
        plan.tracker.onHttp(item.intended, written, performance.now(), status);
        if (status !== 202 && status !== 200) plan.tracker.onRejected(item.ref);
        pump();
      });
    }
  };

  return {
    send(batch) {
      queue.push(...batch);
      pump();
    },
    cancelQueued() {
      for (const item of queue.splice(0)) plan.tracker.unsend(item.ref);
    },
    inFlight: () => inFlight + queue.length,
    close: () => client.close(),
  };
}
