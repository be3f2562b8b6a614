import { DEFAULT_ORIGIN_RULES, type OriginRules, validateOriginRules } from '@cic/origin-domain';
import { platformEnv, secret } from '@cic/platform-config';
import { z } from 'zod';

export const SERVICE = 'origin-certificate';
export const ORIGIN_SCHEMA = 'origin';

/**
 * The master key that encrypts the signing keys' private halves outside production (AES-256-GCM, 32 bytes
 * base64). Public on purpose: it only lets a developer's machine and the tests start without a secret, and
 * production refuses it (assertProductionSafe).
 */
export const LOCAL_KEY_ENCRYPTION_KEY = 'bG9jYWwtb25seS1vcmlnaW4ta2V5LWVuY3J5cHRpb24=';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** 32 bytes, as 64 hex digits or base64 (44 characters). */
const masterKey = z
  .string()
  .refine(
    (s) =>
      /^[0-9a-fA-F]{64}$/.test(s) ||
      (/^[A-Za-z0-9+/_-]{43}=?$/.test(s) && Buffer.from(s, 'base64').length === 32),
    'must be 32 bytes as 64 hex digits or base64',
  );

export const originEnv = platformEnv.extend({
  /** The worker role's own port for /health and /metrics (it serves no API). */
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3104),
  KAFKA_GROUP_ID: z.string().min(1).default('origin-certificate'),
  /** Physical Kafka topic prefix (see MessagingOptions.topicPrefix). */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default(ORIGIN_SCHEMA),
  /** Connections per process; the issuing path holds one per concurrent request. */
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  /** BullMQ key prefix in Redis (tests and side-by-side installs use their own). */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('bull'),
  /** The office's time zone: the issue date, its year (the serial's year) and expiry are local dates. */
  OFFICE_TIME_ZONE: z.string().min(1).default('Asia/Shanghai'),
  /** The country certificates are issued in (the exporting party). */
  EXPORTER_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('CN'),
  /** The issuing authority as printed on certificates and reported by verification. */
  ISSUER_NAME: z.string().min(1).max(200).default('General Administration of Customs of the P.R. China'),
  /**
   * Where the public reaches this service: the verify URL of each certificate (in the event and the QR
   * code) is `<PUBLIC_BASE_URL>/v1/certificates/<number>/verify`. Required in production.
   */
  PUBLIC_BASE_URL: z.url().optional(),
  /**
   * AES-256-GCM master key for the signing keys' private halves (32 bytes, hex or base64). Required in
   * production; elsewhere LOCAL_KEY_ENCRYPTION_KEY, which production refuses.
   */
  ORIGIN_KEY_ENCRYPTION_KEY: secret(masterKey).optional(),
  /** Public verification: requests a client IP may make at once (token bucket size). */
  VERIFY_RATE_BURST: z.coerce.number().int().min(1).max(100_000).default(30),
  /** ... and tokens it gets back per second. */
  VERIFY_RATE_PER_SECOND: z.coerce.number().min(0.01).max(100_000).default(5),
  /** Express `trust proxy` (e.g. "loopback" or "1") so the rate limit sees the client's address. */
  TRUST_PROXY: z.string().max(200).optional(),
  /** Where PDFs are kept: in Postgres (bytea, the default) or in this directory (shared by api and worker). */
  PDF_DIRECTORY: z.string().min(1).optional(),
  /**
   * Concurrent PDF renders per worker. Rendering is CPU work on one thread: 4 keeps it busy while others
   * wait on Postgres and Redis. 8 rendered fewer PDFs per second and slowed the api's decisions (benchmark,
   * origin at 600/s for 20 s, 2-core machine: 85 and 97 PDFs/s, decision p99 1,376 and 518 ms, against
   * 103, 116, 107 and 114 PDFs/s and 230 to 450 ms with 4; 2 did as well as 4).
   */
  PDF_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  PDF_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  PDF_BACKOFF_MS: z.coerce.number().int().min(10).default(2000),
  /** How often the worker looks for certificates waiting for their PDF. */
  PDF_SWEEP_MS: z.coerce.number().int().min(10).default(1000),
  /** A render's BullMQ lock: a worker killed mid-render loses its job after this long, then another takes it. */
  PDF_LOCK_MS: z.coerce.number().int().min(1000).default(10_000),
  /** Tests only: each render waits this long first (to kill a worker mid-job). */
  PDF_RENDER_DELAY_MS: z.coerce.number().int().min(0).optional(),
  /**
   * Overrides of the origin rules as JSON (e.g. {"deMinimisPercent": "8", "version": "local-1"});
   * validated at boot. Unset: DEFAULT_ORIGIN_RULES.
   */
  ORIGIN_RULES: z.string().optional(),
  /** Log each issued certificate number at info level. */
  LOG_ISSUES: flag.default(false),
});
export type OriginConfig = z.infer<typeof originEnv>;

export const ORIGIN_CONFIG = Symbol('ORIGIN_CONFIG');
export const ORIGIN_RULES = Symbol('ORIGIN_RULES');
/** `() => Date` giving now (the system clock unless a test provides one). */
export const ORIGIN_CLOCK = Symbol('ORIGIN_CLOCK');

/** The rules in force: DEFAULT_ORIGIN_RULES with ORIGIN_RULES applied; throws one line naming what is wrong. */
export function rulesOf(config: Pick<OriginConfig, 'ORIGIN_RULES'>): OriginRules {
  if (!config.ORIGIN_RULES) return DEFAULT_ORIGIN_RULES;
  let overrides: unknown;
  try {
    overrides = JSON.parse(config.ORIGIN_RULES);
  } catch {
    throw new Error('ORIGIN_RULES must be a JSON object of rule overrides');
  }
  const r = validateOriginRules(overrides as Partial<OriginRules>);
  if (!r.ok) throw new Error(`ORIGIN_RULES: ${r.errors.join('; ')}`);
  return r.rules;
}

/** The master key's 32 bytes (the local default outside production). */
export function masterKeyOf(config: Pick<OriginConfig, 'ORIGIN_KEY_ENCRYPTION_KEY'>): Buffer {
  const text = config.ORIGIN_KEY_ENCRYPTION_KEY ?? LOCAL_KEY_ENCRYPTION_KEY;
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

/** The public base URL of verification links (local default outside production). */
export function publicBaseUrl(config: Pick<OriginConfig, 'PUBLIC_BASE_URL' | 'PORT'>): string {
  return (config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT ?? 3004}`).replace(/\/+$/, '');
}

/** Refuses, in one line naming the variable, what production must not run with. */
export function assertProductionSafe(config: OriginConfig): void {
  rulesOf(config);
  if (config.NODE_ENV !== 'production') return;
  if (!config.ORIGIN_KEY_ENCRYPTION_KEY)
    throw new Error('ORIGIN_KEY_ENCRYPTION_KEY is required in production (32 bytes, hex or base64)');
  if (masterKeyOf(config).equals(Buffer.from(LOCAL_KEY_ENCRYPTION_KEY, 'base64')))
    throw new Error('ORIGIN_KEY_ENCRYPTION_KEY: the local default key is refused in production');
  if (!config.PUBLIC_BASE_URL)
    throw new Error('PUBLIC_BASE_URL is required in production (the verify links on certificates)');
  if (config.PDF_RENDER_DELAY_MS !== undefined) throw new Error('PDF_RENDER_DELAY_MS is for tests only');
}
