import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/** W3C trace context of the work in progress, plus the business key it concerns. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** e.g. the declarationId the work is about: lets an operator grep one declaration's lines. */
  correlationId?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

export function runWithTrace<T>(ctx: TraceContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

// Random ids are taken from a pool refilled 4 kB at a time: one getrandom call per ~170 traces
// instead of two per trace (a trace id and a span id for every event and request).
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = POOL_BYTES;

function newId(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const id = pool.toString('hex', used, used + bytes);
  used += bytes;
  return id;
}

/** A child span of the given `traceparent` header, or a new trace when it is missing or malformed. */
export function traceFromParent(traceparent: string | undefined, correlationId?: string): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  const traceId = match && !/^0+$/.test(match[1]) ? match[1] : newId(16);
  return { traceId, spanId: newId(8), correlationId };
}

export function toTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-01`;
}
