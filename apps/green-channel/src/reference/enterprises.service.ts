import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { decodeCursor, type Page, pageOf } from './paging';
import type { EnterpriseData } from './reference.schemas';
import {
  type Actor,
  actorName,
  assertVersion,
  changeLog,
  type ChangeView,
  logChanges,
  notFound,
  queryRows,
} from './reference.sql';

export interface EnterpriseView extends EnterpriseData {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface EnterpriseRow {
  code: string;
  name: string;
  tier: EnterpriseData['tier'];
  category: number;
  annual_exports_usd: string;
  certifications: EnterpriseData['certifications'];
  zone_ids: string[];
  history_since: string | null;
  version: number;
  updated_at: Date;
  updated_by: string;
}

/** Dates as text, so no time zone shifts a calendar day. */
export const ENTERPRISE_COLUMNS = `"code", "name", "tier", "category", "annual_exports_usd"::text AS "annual_exports_usd",
  "certifications", "zone_ids", to_char("history_since", 'YYYY-MM-DD') AS "history_since",
  "version", "updated_at", "updated_by"`;

export const enterpriseData = (r: EnterpriseRow): EnterpriseData => ({
  code: r.code,
  name: r.name,
  tier: r.tier,
  category: r.category,
  annualExportsUsd: r.annual_exports_usd,
  // jsonb reorders keys; give them in the API's order.
  certifications: r.certifications.map((c) => ({
    standard: c.standard,
    number: c.number,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
  })),
  zoneIds: r.zone_ids,
  historySince: r.history_since,
});

const view = (r: EnterpriseRow): EnterpriseView => ({
  ...enterpriseData(r),
  version: r.version,
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});

const certKey = (c: EnterpriseData['certifications'][number]) =>
  JSON.stringify([c.standard, c.number, c.validFrom, c.validUntil]);
const sortedKey = (ids: readonly string[]) => JSON.stringify([...ids].sort());

/** The amount as stored (numeric(20, 2) prints two decimals), so amounts compare as written. */
export const storedAmount = (amount: string): string => {
  const [int, frac = ''] = amount.split('.');
  return `${int}.${frac.padEnd(2, '0')}`;
};

/** Whether a stored enterprise already says what `d` says (zone order does not matter). */
export function sameEnterprise(stored: EnterpriseData, d: EnterpriseData): boolean {
  return (
    stored.name === d.name &&
    stored.tier === d.tier &&
    stored.category === d.category &&
    stored.annualExportsUsd === storedAmount(d.annualExportsUsd) &&
    stored.certifications.length === d.certifications.length &&
    stored.certifications.every((c, i) => certKey(c) === certKey(d.certifications[i])) &&
    sortedKey(stored.zoneIds) === sortedKey(d.zoneIds) &&
    stored.historySince === d.historySince
  );
}

/** The stored form of the data (the change log's `after` of an import). */
export const storedEnterprise = (d: EnterpriseData): EnterpriseData => ({
  ...d,
  annualExportsUsd: storedAmount(d.annualExportsUsd),
});

export interface PutOutcome {
  outcome: 'created' | 'updated' | 'unchanged';
  enterprise: EnterpriseView;
}

@Injectable()
export class EnterprisesService {
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
    tier?: string;
    zone?: string;
  }): Promise<Page<EnterpriseView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.tier) where.push(`"tier" = $${params.push(q.tier)}`);
    if (q.zone) where.push(`"zone_ids" @> ARRAY[$${params.push(q.zone)}]::text[]`);
    if (q.cursor) {
      const after = decodeCursor(q.cursor, (k) => /^[0-9A-Z]{18}$/.test(k));
      where.push(`"code" > $${params.push(after)}`);
    }
    const rows = await queryRows<EnterpriseRow>(
      this.db,
      `SELECT ${ENTERPRISE_COLUMNS} FROM "${this.schema}"."enterprises"
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY "code" LIMIT $${params.push(q.limit + 1)} OFFSET $${params.push(q.offset ?? 0)}`,
      params,
    );
    return pageOf(rows.map(view), q.limit, (e) => e.code, q.offset);
  }

  async get(code: string): Promise<EnterpriseView> {
    const [row] = await queryRows<EnterpriseRow>(
      this.db,
      `SELECT ${ENTERPRISE_COLUMNS} FROM "${this.schema}"."enterprises" WHERE "code" = $1`,
      [code],
    );
    if (!row) throw notFound(`enterprise ${code}`);
    return view(row);
  }

  /** Creates or replaces the enterprise; 409 when `expected` is given and is not the current version. */
  async put(data: EnterpriseData, expected: number | 'any' | undefined, actor: Actor): Promise<PutOutcome> {
    const s = this.schema;
    return this.db.transaction(async (m) => {
      const [current] = await queryRows<EnterpriseRow>(
        m,
        `SELECT ${ENTERPRISE_COLUMNS} FROM "${s}"."enterprises" WHERE "code" = $1 FOR UPDATE`,
        [data.code],
      );
      assertVersion(`enterprise ${data.code}`, expected, current?.version);
      await this.assertZonesExist(m, data.zoneIds);
      if (current && sameEnterprise(enterpriseData(current), data))
        return { outcome: 'unchanged' as const, enterprise: view(current) };
      const values = [
        data.code,
        data.name,
        data.tier,
        data.category,
        data.annualExportsUsd,
        JSON.stringify(data.certifications),
        data.zoneIds,
        data.historySince,
        actorName(actor),
      ];
      let row: EnterpriseRow | undefined;
      if (current) {
        [row] = await queryRows<EnterpriseRow>(
          m,
          `UPDATE "${s}"."enterprises" SET "name" = $2, "tier" = $3, "category" = $4, "annual_exports_usd" = $5,
             "certifications" = $6::jsonb, "zone_ids" = $7::text[], "history_since" = $8::date,
             "updated_by" = $9, "updated_at" = now(), "version" = "version" + 1
           WHERE "code" = $1 RETURNING ${ENTERPRISE_COLUMNS}`,
          values,
        );
      } else {
        [row] = await queryRows<EnterpriseRow>(
          m,
          `INSERT INTO "${s}"."enterprises" ("code", "name", "tier", "category", "annual_exports_usd",
             "certifications", "zone_ids", "history_since", "updated_by", "version")
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8::date, $9, 1)
           ON CONFLICT ("code") DO NOTHING RETURNING ${ENTERPRISE_COLUMNS}`,
          values,
        );
        if (!row)
          throw new ProblemException(
            409,
            'VERSION_CONFLICT',
            'Version conflict',
            `enterprise ${data.code} was created by someone else meanwhile: read it and retry`,
          );
      }
      await logChanges(m, s, 'enterprise', actor, [
        {
          entityId: data.code,
          version: row.version,
          action: current ? 'UPDATE' : 'CREATE',
          before: current ? enterpriseData(current) : null,
          after: enterpriseData(row),
        },
      ]);
      return { outcome: current ? ('updated' as const) : ('created' as const), enterprise: view(row) };
    });
  }

  versions(
    code: string,
    page: { limit: number; afterVersion: number },
  ): Promise<{ items: ChangeView[]; nextCursor: string | null }> {
    return changeLog(this.db, this.schema, 'enterprise', code, page);
  }

  /** 400 naming each zoneIds entry not on file; the zones stay locked (FOR SHARE) until commit. */
  private async assertZonesExist(m: EntityManager, zoneIds: readonly string[]): Promise<void> {
    if (zoneIds.length === 0) return;
    const found = await queryRows<{ id: string }>(
      m,
      `SELECT "id" FROM "${this.schema}"."zones" WHERE "id" = ANY($1::text[]) ORDER BY "id" FOR SHARE`,
      [zoneIds],
    );
    const known = new Set(found.map((r) => r.id));
    const errors = zoneIds.flatMap((id, i) =>
      known.has(id)
        ? []
        : [
            {
              pointer: `/zoneIds/${i}`,
              code: 'UNKNOWN_ZONE',
              message: `zone ${id} is not on file`,
              messageZh: `示范区${id}不存在`,
            },
          ],
    );
    if (errors.length)
      throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', undefined, { errors });
  }
}
