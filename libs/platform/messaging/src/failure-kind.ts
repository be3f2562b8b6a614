/**
 * Whether a handler failure is the message's own fault or the infrastructure's. An outage is not a
 * poison message: infrastructure failures (database, Redis or broker unreachable, timeouts,
 * serialization failures, deadlocks) are retried without limit, and only a message that fails on its
 * own goes to the dead-letter topic after bounded attempts.
 */
export type FailureKind = 'infrastructure' | 'message';

/** A handler that did not finish in time: counted as infrastructure (the message may be fine). */
export class HandlerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`handler did not finish within ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

// PostgreSQL SQLSTATE classes and codes that say nothing about the message itself.
const PG_INFRA_CLASSES = ['08', '53', '57', '58', 'XX'];
const PG_INFRA_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '55006', // object_in_use
  '25P03', // idle_in_transaction_session_timeout
  '28000', // invalid_authorization_specification (e.g. a role refused login during maintenance)
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name (database not there yet)
  '42501', // insufficient_privilege (grants being changed)
]);
const NODE_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);
const INFRA_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (is )?closed/i,
  /client has encountered a connection error/i,
  /not queryable/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /max ?retries ?per ?request/i,
  /socket hang up/i,
  /read ECONNRESET/i,
  /Query read timeout/i,
];

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isInfrastructure(error: object): boolean {
  if (error instanceof HandlerTimeoutError) return true;
  const name = (error as { name?: unknown }).name;
  // kafkajs marks transient broker errors retriable; every KafkaJS* error reaching a handler is the
  // broker's, not the message's.
  if (typeof name === 'string' && name.startsWith('KafkaJS')) return true;
  if ((error as { retriable?: unknown }).retriable === true) return true;
  const code = codeOf(error);
  if (code) {
    if (NODE_NET_CODES.has(code)) return true;
    if (
      /^[0-9A-Z]{5}$/.test(code) &&
      (PG_INFRA_CODES.has(code) || PG_INFRA_CLASSES.includes(code.slice(0, 2)))
    )
      return true;
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && INFRA_MESSAGES.some((re) => re.test(message));
}

/**
 * Classifies an error, looking through TypeORM's `driverError`, `cause` chains and AggregateErrors
 * (a pool that tried several addresses).
 */
export function failureKind(error: unknown): FailureKind {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    if (isInfrastructure(e)) return 'infrastructure';
    const o = e as { driverError?: unknown; cause?: unknown; errors?: unknown };
    queue.push(o.driverError, o.cause);
    if (Array.isArray(o.errors)) queue.push(...o.errors);
  }
  return 'message';
}
