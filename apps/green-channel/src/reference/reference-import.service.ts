import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import {
  ENTERPRISE_COLUMNS,
  enterpriseData,
  type EnterpriseRow,
  sameEnterprise,
  storedEnterprise,
} from './enterprises.service';
import {
  csvRows,
  type ImportError,
  importInvalid,
  type ImportKind,
  MAX_REPORTED_ERRORS,
  jsonRows,
  type RawRow,
  rowError,
  validateRows,
} from './import-rows';
import type { ImportBody } from './raw-body';
import type { EnterpriseData, RiskAlertData, ZoneData } from './reference.schemas';
import {
  type Actor,
  actorName,
  type ChangeEntry,
  loggedVersions,
  logChanges,
  notifyRiskAlertsChanged,
  queryRows,
} from './reference.sql';
import { RISK_ALERT_COLUMNS, riskAlertData, type RiskAlertRow, sameRiskAlert } from './risk-alerts.service';
import { sameZone, ZONE_COLUMNS, zoneData, type ZoneRow } from './zones.service';

export interface ImportResult {
  kind: ImportKind;
  importId: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Bulk import of reference data: every row is validated first (nothing is written when one is bad),
 * then the file is applied in one transaction with a handful of set-based statements whatever its size,
 * each changed record logged with action IMPORT under one import id.
 */
@Injectable()
export class ReferenceImportService {
  private readonly schema: string;

  constructor(
    private readonly db: DataSource,
    @Inject(GREEN_CHANNEL_CONFIG) config: Pick<GreenChannelConfig, 'DB_SCHEMA'>,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  /** A CSV text or a parsed JSON array, as read from the request. */
  importBody(kind: ImportKind, body: ImportBody, actor: Actor): Promise<ImportResult> {
    const read = body.type === 'csv' ? csvRows(kind, body.text) : jsonRows(body.value);
    if ('errors' in read) throw importInvalid(read.errors, read.errorCount);
    return this.import(kind, read.rows, actor);
  }

  async import(kind: ImportKind, rows: readonly RawRow[], actor: Actor): Promise<ImportResult> {
    const parsed = validateRows(kind, rows);
    if (!parsed.ok) throw importInvalid(parsed.errors, parsed.errorCount);
    const importId = randomUUID();
    const { records, sources } = parsed;
    const counts = await this.db.transaction(async (m) => {
      switch (records.kind) {
        case 'enterprises':
          return this.enterprises(m, records.rows, sources, actor, importId);
        case 'zones':
          return this.zones(m, records.rows, actor, importId);
        case 'risk-alerts':
          return this.riskAlerts(m, records.rows, actor, importId);
      }
    });
    return { kind, importId, rows: rows.length, ...counts };
  }

  private async enterprises(
    m: EntityManager,
    rows: EnterpriseData[],
    sources: RawRow[],
    actor: Actor,
    importId: string,
  ): Promise<Counts> {
    const s = this.schema;
    // Lock what is there (in key order, so two imports cannot deadlock), then compare with what it sees.
    const existing = await queryRows<EnterpriseRow>(
      m,
      `SELECT ${ENTERPRISE_COLUMNS} FROM "${s}"."enterprises" WHERE "code" = ANY($1::text[]) ORDER BY "code" FOR UPDATE`,
      [rows.map((r) => r.code)],
    );
    const before = new Map(existing.map((r) => [r.code, enterpriseData(r)]));

    // Every zone named must be on file; held FOR SHARE so none is deleted before we commit.
    const zoneIds = [...new Set(rows.flatMap((r) => r.zoneIds))];
    if (zoneIds.length) {
      const found = await queryRows<{ id: string }>(
        m,
        `SELECT "id" FROM "${s}"."zones" WHERE "id" = ANY($1::text[]) ORDER BY "id" FOR SHARE`,
        [zoneIds],
      );
      const known = new Set(found.map((z) => z.id));
      const errors: ImportError[] = [];
      let errorCount = 0;
      rows.forEach((r, i) =>
        r.zoneIds.forEach((id, j) => {
          if (known.has(id)) return;
          errorCount++;
          if (errors.length < MAX_REPORTED_ERRORS)
            errors.push(
              rowError(
                sources[i],
                `/zoneIds/${j}`,
                'UNKNOWN_ZONE',
                `zone ${id} is not on file`,
                `示范区${id}不存在`,
              ),
            );
        }),
      );
      if (errorCount) throw importInvalid(errors, errorCount);
    }

    const changed = rows.filter((r) => {
      const old = before.get(r.code);
      return !old || !sameEnterprise(old, r);
    });
    if (changed.length === 0) return { created: 0, updated: 0, unchanged: rows.length };
    const written = await queryRows<{ code: string; version: number; inserted: boolean }>(
      m,
      `INSERT INTO "${s}"."enterprises" AS e ("code", "name", "tier", "category", "annual_exports_usd",
         "certifications", "zone_ids", "history_since", "updated_by", "version")
       SELECT t.code, t.name, t.tier, t.category, t.annual, t.certs, string_to_array(t.zones, ','), t.since, $9, 1
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::numeric[], $6::jsonb[], $7::text[], $8::date[])
         AS t(code, name, tier, category, annual, certs, zones, since)
       ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "tier" = EXCLUDED."tier",
         "category" = EXCLUDED."category", "annual_exports_usd" = EXCLUDED."annual_exports_usd",
         "certifications" = EXCLUDED."certifications", "zone_ids" = EXCLUDED."zone_ids",
         "history_since" = EXCLUDED."history_since", "updated_by" = EXCLUDED."updated_by",
         "updated_at" = now(), "version" = e."version" + 1
       RETURNING e."code", e."version", (e.xmax = 0) AS "inserted"`,
      [
        changed.map((r) => r.code),
        changed.map((r) => r.name),
        changed.map((r) => r.tier),
        changed.map((r) => r.category),
        changed.map((r) => r.annualExportsUsd),
        changed.map((r) => JSON.stringify(r.certifications)),
        changed.map((r) => r.zoneIds.join(',')),
        changed.map((r) => r.historySince),
        actorName(actor),
      ],
    );
    const versions = new Map(written.map((w) => [w.code, w.version]));
    await logChanges(
      m,
      s,
      'enterprise',
      actor,
      changed.map(
        (r): ChangeEntry => ({
          entityId: r.code,
          version: versions.get(r.code)!,
          action: 'IMPORT',
          before: before.get(r.code) ?? null,
          after: storedEnterprise(r),
        }),
      ),
      importId,
    );
    const created = written.filter((w) => w.inserted).length;
    return { created, updated: written.length - created, unchanged: rows.length - written.length };
  }

  private async zones(m: EntityManager, rows: ZoneData[], actor: Actor, importId: string): Promise<Counts> {
    const s = this.schema;
    const existing = await queryRows<ZoneRow>(
      m,
      `SELECT ${ZONE_COLUMNS} FROM "${s}"."zones" WHERE "id" = ANY($1::text[]) ORDER BY "id" FOR UPDATE`,
      [rows.map((r) => r.id)],
    );
    const before = new Map(existing.map((r) => [r.id, zoneData(r)]));
    const changed = rows.filter((r) => {
      const old = before.get(r.id);
      return !old || !sameZone(old, r);
    });
    if (changed.length === 0) return { created: 0, updated: 0, unchanged: rows.length };
    // A zone deleted and imported again goes on from its last logged version.
    const logged = await loggedVersions(
      m,
      s,
      'zone',
      changed.filter((r) => !before.has(r.id)).map((r) => r.id),
    );
    const written = await queryRows<{ id: string; version: number; inserted: boolean }>(
      m,
      `INSERT INTO "${s}"."zones" AS z ("id", "name", "level", "industry", "updated_by", "version")
       SELECT t.id, t.name, t.level, t.industry, $6, t.version
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) AS t(id, name, level, industry, version)
       ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "level" = EXCLUDED."level",
         "industry" = EXCLUDED."industry", "updated_by" = EXCLUDED."updated_by", "updated_at" = now(),
         "version" = z."version" + 1
       RETURNING z."id", z."version", (z.xmax = 0) AS "inserted"`,
      [
        changed.map((r) => r.id),
        changed.map((r) => r.name),
        changed.map((r) => r.level),
        changed.map((r) => r.industry),
        changed.map((r) => (logged.get(r.id) ?? 0) + 1),
        actorName(actor),
      ],
    );
    const versions = new Map(written.map((w) => [w.id, w.version]));
    await logChanges(
      m,
      s,
      'zone',
      actor,
      changed.map((r) => ({
        entityId: r.id,
        version: versions.get(r.id)!,
        action: 'IMPORT' as const,
        before: before.get(r.id) ?? null,
        after: r,
      })),
      importId,
    );
    const created = written.filter((w) => w.inserted).length;
    return { created, updated: written.length - created, unchanged: rows.length - written.length };
  }

  /**
   * Rows with an id create or replace that alert. Rows without one are matched on content: an alert
   * saying exactly the same (on file or earlier in the file) is left alone, anything else is created.
   */
  private async riskAlerts(
    m: EntityManager,
    rows: (RiskAlertData & { explicitId: boolean })[],
    actor: Actor,
    importId: string,
  ): Promise<Counts> {
    const s = this.schema;
    const withId = rows.filter((r) => r.explicitId);
    const existing = withId.length
      ? await queryRows<RiskAlertRow>(
          m,
          `SELECT ${RISK_ALERT_COLUMNS} FROM "${s}"."risk_alerts" WHERE "id" = ANY($1::uuid[]) ORDER BY "id" FOR UPDATE`,
          [withId.map((r) => r.id)],
        )
      : [];
    const before = new Map(existing.map((r) => [r.id, riskAlertData(r)]));

    const contentKey = (r: RiskAlertData) =>
      JSON.stringify([r.hsPrefix, r.destinations, r.validFrom, r.validUntil, r.source, r.description]);
    const seenInFile = new Set<string>();
    const anonymous: RiskAlertData[] = [];
    for (const r of rows) {
      if (r.explicitId) continue;
      const key = contentKey(r);
      if (seenInFile.has(key)) continue;
      seenInFile.add(key);
      anonymous.push(r);
    }
    const matched = new Set<number>();
    if (anonymous.length) {
      const found = await queryRows<{ ord: number }>(
        m,
        `SELECT DISTINCT t.ord FROM unnest($1::int[], $2::text[], $3::text[], $4::date[], $5::date[], $6::text[], $7::text[])
           AS t(ord, hs, dest, vf, vu, src, descr)
         JOIN "${s}"."risk_alerts" a ON a."hs_prefix" = t.hs AND array_to_string(a."destinations", ',') = t.dest
           AND a."valid_from" = t.vf AND a."valid_until" IS NOT DISTINCT FROM t.vu AND a."source" = t.src
           AND a."description" = t.descr`,
        [
          anonymous.map((_, i) => i),
          anonymous.map((r) => r.hsPrefix),
          anonymous.map((r) => r.destinations.join(',')),
          anonymous.map((r) => r.validFrom),
          anonymous.map((r) => r.validUntil),
          anonymous.map((r) => r.source),
          anonymous.map((r) => r.description),
        ],
      );
      for (const f of found) matched.add(f.ord);
    }
    const changed: RiskAlertData[] = [
      ...withId.filter((r) => {
        const old = before.get(r.id);
        return !old || !sameRiskAlert(old, r);
      }),
      ...anonymous.filter((_, i) => !matched.has(i)),
    ];
    if (changed.length === 0) return { created: 0, updated: 0, unchanged: rows.length };
    const logged = await loggedVersions(
      m,
      s,
      'risk_alert',
      changed.filter((r) => !before.has(r.id)).map((r) => r.id),
    );
    const written = await queryRows<{ id: string; version: number; inserted: boolean }>(
      m,
      `INSERT INTO "${s}"."risk_alerts" AS a ("id", "hs_prefix", "destinations", "valid_from", "valid_until",
         "source", "description", "updated_by", "version")
       SELECT t.id, t.hs, string_to_array(t.dest, ','), t.vf, t.vu, t.src, t.descr, $9, t.version
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::date[], $6::text[], $7::text[], $8::int[])
         AS t(id, hs, dest, vf, vu, src, descr, version)
       ON CONFLICT ("id") DO UPDATE SET "hs_prefix" = EXCLUDED."hs_prefix", "destinations" = EXCLUDED."destinations",
         "valid_from" = EXCLUDED."valid_from", "valid_until" = EXCLUDED."valid_until", "source" = EXCLUDED."source",
         "description" = EXCLUDED."description", "updated_by" = EXCLUDED."updated_by", "updated_at" = now(),
         "version" = a."version" + 1
       RETURNING a."id"::text AS "id", a."version", (a.xmax = 0) AS "inserted"`,
      [
        changed.map((r) => r.id),
        changed.map((r) => r.hsPrefix),
        changed.map((r) => r.destinations.join(',')),
        changed.map((r) => r.validFrom),
        changed.map((r) => r.validUntil),
        changed.map((r) => r.source),
        changed.map((r) => r.description),
        changed.map((r) => (logged.get(r.id) ?? 0) + 1),
        actorName(actor),
      ],
    );
    const versions = new Map(written.map((w) => [w.id, w.version]));
    await logChanges(
      m,
      s,
      'risk_alert',
      actor,
      changed.map((r) => ({
        entityId: r.id,
        version: versions.get(r.id)!,
        action: 'IMPORT' as const,
        before: before.get(r.id) ?? null,
        after: {
          id: r.id,
          hsPrefix: r.hsPrefix,
          destinations: r.destinations,
          validFrom: r.validFrom,
          validUntil: r.validUntil,
          source: r.source,
          description: r.description,
        },
      })),
      importId,
    );
    await notifyRiskAlertsChanged(m, s);
    const created = written.filter((w) => w.inserted).length;
    return { created, updated: written.length - created, unchanged: rows.length - written.length };
  }
}
