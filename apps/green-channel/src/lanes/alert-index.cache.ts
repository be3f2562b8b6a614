import { type RiskAlert, RiskAlertIndex, riskAlertProblem } from '@cic/green-channel-domain';
import { HealthRegistry } from '@cic/platform-observability';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig, SERVICE } from '../config';

/** Postgres channel notified (in the changing transaction) whenever risk alerts change. */
export function riskAlertChannel(schema: string): string {
  return `${schema}_risk_alerts`;
}

/** How often the cache compares its version with the table, in case a notification was missed. */
const RECHECK_MS = 10_000;

/**
 * The risk alerts in memory, indexed by HS prefix (100,000 alerts answer a line in microseconds). It
 * is loaded before the service consumes anything, reloaded when the table changes (LISTEN, plus a
 * periodic version check for notifications missed while disconnected), and a failed reload keeps the
 * last good index and makes the service not ready: an index that cannot be trusted is never silently
 * empty.
 */
@Injectable()
export class AlertIndexCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AlertIndexCache');
  private index: RiskAlertIndex | undefined;
  private version = '';
  private listener?: Client;
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private dirty = false;
  private lastError?: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(GREEN_CHANNEL_CONFIG) private readonly config: GreenChannelConfig,
    health: HealthRegistry,
  ) {
    health.register({
      name: 'risk-alert-index',
      check: async () => {
        if (!this.index)
          throw new Error(`risk alerts not loaded${this.lastError ? `: ${this.lastError}` : ''}`);
        if (this.lastError) throw new Error(`risk alerts reload failing: ${this.lastError}`);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.refreshIfChanged(), RECHECK_MS);
    this.timer.unref();
    void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => undefined);
  }

  get size(): number {
    return this.index?.size ?? 0;
  }

  /** Active alerts matching any line of a declaration. Throws when no index could be loaded. */
  match(lines: ReadonlyArray<{ hsCode: string }>, destination: string, onDate: string): RiskAlert[] {
    if (!this.index) throw new Error('risk alert index not loaded');
    const seen = new Map<string, RiskAlert>();
    for (const line of lines)
      for (const alert of this.index.match(line.hsCode, destination, onDate)) seen.set(alert.id, alert);
    return [...seen.values()];
  }

  get ready(): boolean {
    return this.index !== undefined;
  }

  /** Reloads now (also what a change notification triggers); concurrent calls share one reload. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.dirty = true;
      return this.reloading;
    }
    this.reloading = this.load()
      .catch((error: Error) => {
        this.lastError = error.message;
        this.logger.error({ msg: `risk alert reload failed, keeping the last index: ${error.message}` });
        if (!this.index) throw error;
      })
      .finally(() => {
        this.reloading = undefined;
        if (this.dirty) {
          this.dirty = false;
          void this.reload();
        }
      });
    return this.reloading;
  }

  private async currentVersion(): Promise<string> {
    const [r] = await this.dataSource.query(
      `SELECT count(*)::text || ':' || coalesce(max(updated_at)::text, '') || ':' || coalesce(sum(version), 0)::text AS v
         FROM "${this.config.DB_SCHEMA}"."risk_alerts"`,
    );
    return r.v as string;
  }

  private async refreshIfChanged(): Promise<void> {
    try {
      if ((await this.currentVersion()) !== this.version) await this.reload();
    } catch (error) {
      this.lastError = (error as Error).message;
    }
  }

  private async load(): Promise<void> {
    const started = Date.now();
    const version = await this.currentVersion();
    // Alerts that ended before yesterday can no longer match a declaration decided from now on.
    const rows: Array<{
      id: string;
      hs_prefix: string;
      destinations: string[];
      valid_from: string;
      valid_until: string | null;
      source: string;
      description: string;
    }> = await this.dataSource.query(
      `SELECT id, hs_prefix, destinations, valid_from::text AS valid_from, valid_until::text AS valid_until,
              source, description
         FROM "${this.config.DB_SCHEMA}"."risk_alerts"
        WHERE valid_until IS NULL OR valid_until >= current_date - 1`,
    );
    const alerts: RiskAlert[] = [];
    for (const r of rows) {
      const alert: RiskAlert = {
        id: r.id,
        hsPrefix: r.hs_prefix,
        destinations: r.destinations,
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        source: r.source,
        description: r.description,
      };
      const problem = riskAlertProblem(alert);
      if (problem) this.logger.error({ msg: `risk alert ${r.id} ignored: ${problem}`, alertId: r.id });
      else alerts.push(alert);
    }
    const built = RiskAlertIndex.build(alerts);
    if (!built.ok) throw new Error(built.problems.slice(0, 3).join('; '));
    this.index = built.index;
    this.version = version;
    this.lastError = undefined;
    this.logger.log({
      msg: `risk alert index loaded: ${alerts.length} active alert(s) in ${Date.now() - started} ms`,
      alerts: alerts.length,
    });
  }

  private async listen(): Promise<void> {
    const options = this.dataSource.options as { url?: string };
    const client = new Client({
      connectionString: options.url,
      application_name: `${SERVICE}:risk-alerts`,
      connectionTimeoutMillis: 5000,
    });
    client.on('notification', () => void this.reload());
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      // Reconnect later; the periodic version check covers the gap.
      setTimeout(() => void this.listen(), 5000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${riskAlertChannel(this.config.DB_SCHEMA)}"`);
      this.listener = client;
      // Changes made while not listening.
      await this.refreshIfChanged();
    } catch {
      await client.end().catch(() => undefined);
      setTimeout(() => void this.listen(), 5000).unref();
    }
  }
}
