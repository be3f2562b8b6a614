import {
  dueForExpiry,
  dueForRenewalReminder,
  type ExemptionRules,
  grantTransition,
  renewalReminderFrom,
  toOfficeDate,
} from '@cic/exemption-domain';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../common/sql';
import { EXEMPTION_CLOCK, EXEMPTION_CONFIG, EXEMPTION_RULES, type ExemptionConfig } from '../config';
import { type GrantChangeItem, GrantStore } from './grant.store';

/** Grants handled per transaction; a full batch is followed at once by the next. */
export const MAINTENANCE_BATCH = 500;
/** Who the history and the events name for the daily job. */
export const MAINTENANCE_ACTOR = 'exemption:grant-maintenance';

export interface MaintenanceRun {
  today: string;
  expired: string[];
  reminded: string[];
}

/**
 * The daily grant maintenance (DOMAIN.md): grants past validUntil EXPIRE (the day after validUntil), and a
 * renewal reminder (grant-changed.v1, change RENEWAL_DUE, status unchanged) goes out once from 3 months
 * before validUntil. Idempotent and safe to run concurrently: each batch locks its candidates in id order
 * FOR UPDATE (a second runner waits and then no longer finds them), the UPDATE is guarded by the status
 * and renewal_reminded_at, and the outbox insert is in the same transaction. A run that missed days
 * catches up: every grant still due is found, whatever day it fell due.
 */
@Injectable()
export class GrantMaintenance {
  private readonly logger = new Logger('GrantMaintenance');
  private readonly schema: string;
  private readonly timeZone: string;

  constructor(
    private readonly db: DataSource,
    private readonly store: GrantStore,
    @Inject(EXEMPTION_CONFIG) config: Pick<ExemptionConfig, 'DB_SCHEMA' | 'OFFICE_TIME_ZONE'>,
    @Inject(EXEMPTION_RULES) private readonly rules: ExemptionRules,
    @Inject(EXEMPTION_CLOCK) private readonly clock: () => Date,
  ) {
    this.schema = config.DB_SCHEMA;
    this.timeZone = config.OFFICE_TIME_ZONE;
  }

  /** One run for the office's `today` (default: now in OFFICE_TIME_ZONE). */
  async runOnce(today: string = toOfficeDate(this.clock(), this.timeZone)): Promise<MaintenanceRun> {
    const run: MaintenanceRun = { today, expired: [], reminded: [] };
    for (;;) {
      const n = await this.expireBatch(today, run);
      if (n < MAINTENANCE_BATCH) break;
    }
    for (;;) {
      const n = await this.remindBatch(today, run);
      if (n < MAINTENANCE_BATCH) break;
    }
    if (run.expired.length || run.reminded.length)
      this.logger.log({
        msg: `grant maintenance for ${today}: ${run.expired.length} expired, ${run.reminded.length} renewal reminder(s)`,
        ...run,
      });
    return run;
  }

  private expireBatch(today: string, run: MaintenanceRun): Promise<number> {
    return this.db.transaction(async (m) => {
      const locked = await this.store.find(
        m,
        `g.status IN ('ACTIVE', 'SUSPENDED') AND g.valid_until < $1::date`,
        [today],
        { lock: true, limit: MAINTENANCE_BATCH },
      );
      const byId = new Map(locked.map((g) => [g.id, g]));
      const items: GrantChangeItem[] = dueForExpiry(locked, today).flatMap((due) => {
        const before = byId.get(due.grantId)!;
        const t = grantTransition(before.status, 'EXPIRE');
        return t.ok
          ? [
              {
                before,
                change: 'EXPIRED' as const,
                to: t.state,
                reason: due.reason,
                actor: MAINTENANCE_ACTOR,
                evidence: { today },
              },
            ]
          : [];
      });
      const changed = await this.store.apply(m, items, this.clock());
      run.expired.push(...changed.map((g) => g.id));
      // Another full batch only when this one changed everything it locked: rows the rules would leave
      // alone must not be locked again forever (the SQL filter and dueForExpiry agree today).
      return changed.length === locked.length ? locked.length : 0;
    });
  }

  private remindBatch(today: string, run: MaintenanceRun): Promise<number> {
    return this.db.transaction(async (m) => {
      // Candidates in validUntil order within a generous window (a month more than the rule): the due ones
      // are a prefix of it, since remindFrom grows with validUntil. The rule decides the day exactly.
      const window = [today, this.rules.renewalReminderMonths + 1];
      const live = `g.status IN ('ACTIVE', 'SUSPENDED') AND g.renewal_reminded_at IS NULL AND g.valid_until >= $1::date`;
      const candidates = await queryRows<{ id: string; valid_until: string }>(
        m,
        `SELECT g.id, to_char(g.valid_until, 'YYYY-MM-DD') AS valid_until FROM "${this.schema}"."grants" g
          WHERE ${live} AND g.valid_until <= ($1::date + make_interval(months => $2::int))::date
          ORDER BY g.valid_until, g.id LIMIT ${MAINTENANCE_BATCH}`,
        window,
      );
      const dueIds = candidates
        .filter((c) => renewalReminderFrom(c.valid_until, this.rules) <= today)
        .map((c) => c.id);
      if (dueIds.length === 0) return 0;
      // Locked in id order like every other writer of grants; a grant another runner reminded meanwhile
      // no longer matches once its lock is released, and is not reminded twice.
      const locked = await this.store.find(m, `${live} AND g.id = ANY($2::uuid[])`, [today, dueIds], {
        lock: true,
      });
      const byId = new Map(locked.map((g) => [g.id, g]));
      const due = dueForRenewalReminder(
        locked.map((g) => ({ ...g, renewalReminded: g.renewalRemindedAt !== null })),
        today,
        this.rules,
      );
      const changed = await this.store.apply(
        m,
        due.map((d) => {
          const before = byId.get(d.grantId)!;
          return {
            before,
            change: 'RENEWAL_DUE' as const,
            to: before.status,
            reason: d.reason,
            actor: MAINTENANCE_ACTOR,
            evidence: { today, remindFrom: d.remindFrom, daysLeft: d.daysLeft },
          };
        }),
        this.clock(),
      );
      run.reminded.push(...changed.map((g) => g.id));
      return dueIds.length;
    });
  }
}
