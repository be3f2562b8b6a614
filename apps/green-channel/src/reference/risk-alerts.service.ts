import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { decodeCursor, type Page, pageOf } from './paging';
import type { RiskAlertData } from './reference.schemas';
import {
  type Actor,
  actorName,
  assertVersion,
  changeLog,
  type ChangeView,
  loggedVersions,
  logChanges,
  notFound,
  notifyRiskAlertsChanged,
  queryRows,
} from './reference.sql';

export interface RiskAlertView extends RiskAlertData {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface RiskAlertRow {
  id: string;
  hs_prefix: string;
  destinations: string[];
  valid_from: string;
  valid_until: string | null;
  source: RiskAlertData['source'];
  description: string;
  version: number;
  updated_at: Date;
  updated_by: string;
}

export const RISK_ALERT_COLUMNS = `"id", "hs_prefix", "destinations", to_char("valid_from", 'YYYY-MM-DD') AS "valid_from",
  to_char("valid_until", 'YYYY-MM-DD') AS "valid_until", "source", "description", "version", "updated_at", "updated_by"`;

export const riskAlertData = (r: RiskAlertRow): RiskAlertData => ({
  id: r.id,
  hsPrefix: r.hs_prefix,
  destinations: r.destinations,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
  source: r.source,
  description: r.description,
});
const view = (r: RiskAlertRow): RiskAlertView => ({
  ...riskAlertData(r),
  version: r.version,
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});
export const sameRiskAlert = (a: RiskAlertData, b: RiskAlertData): boolean =>
  a.hsPrefix === b.hsPrefix &&
  a.destinations.join(',') === b.destinations.join(',') &&
  a.validFrom === b.validFrom &&
  a.validUntil === b.validUntil &&
  a.source === b.source &&
  a.description === b.description;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@Injectable()
export class RiskAlertsService {
  private readonly schema: string;

  constructor(
    private readonly db: DataSource,
    @Inject(GREEN_CHANNEL_CONFIG) config: Pick<GreenChannelConfig, 'DB_SCHEMA'>,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  async list(q: {
    limit: number;
    cursor?: string;
    offset?: number;
    source?: string;
    hsPrefix?: string;
  }): Promise<Page<RiskAlertView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.source) where.push(`"source" = $${params.push(q.source)}`);
    if (q.hsPrefix) where.push(`"hs_prefix" LIKE $${params.push(q.hsPrefix)} || '%'`);
    if (q.cursor) where.push(`"id" > $${params.push(decodeCursor(q.cursor, (k) => UUID.test(k)))}::uuid`);
    const rows = await queryRows<RiskAlertRow>(
      this.db,
      `SELECT ${RISK_ALERT_COLUMNS} FROM "${this.schema}"."risk_alerts"
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY "id" LIMIT $${params.push(q.limit + 1)} OFFSET $${params.push(q.offset ?? 0)}`,
      params,
    );
    return pageOf(rows.map(view), q.limit, (a) => a.id, q.offset);
  }

  async get(id: string): Promise<RiskAlertView> {
    const [row] = await queryRows<RiskAlertRow>(
      this.db,
      `SELECT ${RISK_ALERT_COLUMNS} FROM "${this.schema}"."risk_alerts" WHERE "id" = $1::uuid`,
      [id],
    );
    if (!row) throw notFound(`risk alert ${id}`);
    return view(row);
  }

  /** A new alert with a new id. */
  async create(data: Omit<RiskAlertData, 'id'>, actor: Actor): Promise<RiskAlertView> {
    const { view: created } = await this.write({ ...data, id: randomUUID() }, undefined, actor, 'create');
    return created;
  }

  /** Replaces (or creates, with the caller's id) the alert; 409 on a version mismatch. */
  put(
    data: RiskAlertData,
    expected: number | 'any' | undefined,
    actor: Actor,
  ): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; view: RiskAlertView }> {
    return this.write(data, expected, actor, 'put');
  }

  private write(
    data: RiskAlertData,
    expected: number | 'any' | undefined,
    actor: Actor,
    mode: 'create' | 'put',
  ): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; view: RiskAlertView }> {
    const s = this.schema;
    return this.db.transaction(async (m) => {
      const [current] =
        mode === 'create'
          ? []
          : await queryRows<RiskAlertRow>(
              m,
              `SELECT ${RISK_ALERT_COLUMNS} FROM "${s}"."risk_alerts" WHERE "id" = $1::uuid FOR UPDATE`,
              [data.id],
            );
      assertVersion(`risk alert ${data.id}`, expected, current?.version);
      if (current && sameRiskAlert(riskAlertData(current), data))
        return { outcome: 'unchanged' as const, view: view(current) };
      const values = [
        data.id,
        data.hsPrefix,
        data.destinations,
        data.validFrom,
        data.validUntil,
        data.source,
        data.description,
        actorName(actor),
      ];
      let row: RiskAlertRow | undefined;
      if (current) {
        [row] = await queryRows<RiskAlertRow>(
          m,
          `UPDATE "${s}"."risk_alerts" SET "hs_prefix" = $2, "destinations" = $3::text[], "valid_from" = $4::date,
             "valid_until" = $5::date, "source" = $6, "description" = $7, "updated_by" = $8,
             "updated_at" = now(), "version" = "version" + 1
           WHERE "id" = $1::uuid RETURNING ${RISK_ALERT_COLUMNS}`,
          values,
        );
      } else {
        const version = ((await loggedVersions(m, s, 'risk_alert', [data.id])).get(data.id) ?? 0) + 1;
        [row] = await queryRows<RiskAlertRow>(
          m,
          `INSERT INTO "${s}"."risk_alerts" ("id", "hs_prefix", "destinations", "valid_from", "valid_until",
             "source", "description", "updated_by", "version")
           VALUES ($1::uuid, $2, $3::text[], $4::date, $5::date, $6, $7, $8, $9)
           ON CONFLICT ("id") DO NOTHING RETURNING ${RISK_ALERT_COLUMNS}`,
          [...values, version],
        );
        if (!row)
          throw new ProblemException(
            409,
            'VERSION_CONFLICT',
            'Version conflict',
            `risk alert ${data.id} was created by someone else meanwhile: read it and retry`,
          );
      }
      await logChanges(m, s, 'risk_alert', actor, [
        {
          entityId: data.id,
          version: row.version,
          action: current ? 'UPDATE' : 'CREATE',
          before: current ? riskAlertData(current) : null,
          after: riskAlertData(row),
        },
      ]);
      await notifyRiskAlertsChanged(m, s);
      return { outcome: current ? ('updated' as const) : ('created' as const), view: view(row) };
    });
  }

  async delete(id: string, expected: number | 'any' | undefined, actor: Actor): Promise<void> {
    const s = this.schema;
    await this.db.transaction(async (m) => {
      const [current] = await queryRows<RiskAlertRow>(
        m,
        `SELECT ${RISK_ALERT_COLUMNS} FROM "${s}"."risk_alerts" WHERE "id" = $1::uuid FOR UPDATE`,
        [id],
      );
      if (!current) throw notFound(`risk alert ${id}`);
      assertVersion(`risk alert ${id}`, expected, current.version);
      await m.query(`DELETE FROM "${s}"."risk_alerts" WHERE "id" = $1::uuid`, [id]);
      await logChanges(m, s, 'risk_alert', actor, [
        {
          entityId: id,
          version: current.version + 1,
          action: 'DELETE',
          before: riskAlertData(current),
          after: null,
        },
      ]);
      await notifyRiskAlertsChanged(m, s);
    });
  }

  versions(
    id: string,
    page: { limit: number; afterVersion: number },
  ): Promise<{ items: ChangeView[]; nextCursor: string | null }> {
    return changeLog(this.db, this.schema, 'risk_alert', id, page);
  }
}
