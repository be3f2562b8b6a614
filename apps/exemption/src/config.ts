import { DEFAULT_RULES, type ExemptionRules, validateRules } from '@cic/exemption-domain';
import { platformEnv } from '@cic/platform-config';
import { z } from 'zod';

export const SERVICE = 'exemption';
export const EXEMPTION_SCHEMA = 'exemption';

export const exemptionEnv = platformEnv.extend({
  /** The worker role's own port for /health and /metrics (it serves no API). */
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3103),
  KAFKA_GROUP_ID: z.string().min(1).default('exemption'),
  /** Physical Kafka topic prefix (see MessagingOptions.topicPrefix). */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default(EXEMPTION_SCHEMA),
  /** BullMQ key prefix in Redis (tests and side-by-side installs use their own). */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('bull'),
  /** The office's time zone: "today" for expiry, reminders, applications and result dates. */
  OFFICE_TIME_ZONE: z.string().min(1).default('Asia/Shanghai'),
  /**
   * When the daily grant maintenance (expiry, renewal reminders) runs: a cron pattern in
   * OFFICE_TIME_ZONE (DOMAIN.md: "a daily BullMQ job scheduler"). Default five past midnight.
   */
  MAINTENANCE_CRON: z.string().min(9).max(100).default('5 0 * * *'),
  /** Instead of the cron pattern, every this many ms (tests and demos only). */
  MAINTENANCE_EVERY_MS: z.coerce.number().int().min(100).optional(),
  /** Attempts of one maintenance run (BullMQ), with exponential backoff from 5 s. */
  MAINTENANCE_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /**
   * Overrides of the exemption rules as JSON (e.g. {"renewalReminderMonths": 4, "version": "local-1"});
   * validated at boot. Unset: DEFAULT_RULES.
   */
  EXEMPTION_RULES: z.string().optional(),
});
export type ExemptionConfig = z.infer<typeof exemptionEnv>;

export const EXEMPTION_CONFIG = Symbol('EXEMPTION_CONFIG');
export const EXEMPTION_RULES = Symbol('EXEMPTION_RULES');
/** `() => Date` giving now (the system clock unless a test provides one). */
export const EXEMPTION_CLOCK = Symbol('EXEMPTION_CLOCK');

/** The rules in force: DEFAULT_RULES with EXEMPTION_RULES applied; throws one line naming what is wrong. */
export function rulesOf(config: Pick<ExemptionConfig, 'EXEMPTION_RULES'>): ExemptionRules {
  if (!config.EXEMPTION_RULES) return DEFAULT_RULES;
  let overrides: unknown;
  try {
    overrides = JSON.parse(config.EXEMPTION_RULES);
  } catch {
    throw new Error('EXEMPTION_RULES must be a JSON object of rule overrides');
  }
  const r = validateRules(overrides as Record<string, never>);
  if (!r.ok) throw new Error(`EXEMPTION_RULES: ${r.errors.join('; ')}`);
  return r.rules;
}

/** Refuses settings that are only for tests on a production install. */
export function assertProductionSafe(config: ExemptionConfig): void {
  rulesOf(config);
  if (config.NODE_ENV === 'production' && config.MAINTENANCE_EVERY_MS !== undefined)
    throw new Error(
      'MAINTENANCE_EVERY_MS is for tests only: production runs maintenance on MAINTENANCE_CRON',
    );
}
