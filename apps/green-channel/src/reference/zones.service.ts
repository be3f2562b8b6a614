import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { decodeCursor, type Page, pageOf } from './paging';
import type { ZoneData } from './reference.schemas';
import {
  type Actor,
  actorName,
  assertVersion,
  changeLog,
  type ChangeView,
  loggedVersions,
  logChanges,
  notFound,
  queryRows,
} from './reference.sql';

export interface ZoneView extends ZoneData {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface ZoneRow {
  id: string;
  name: string;
  level: ZoneData['level'];
  industry: string;
  version: number;
  updated_at: Date;
  updated_by: string;
}

export const ZONE_COLUMNS = `"id", "name", "level", "industry", "version", "updated_at", "updated_by"`;

export const zoneData = (r: ZoneRow): ZoneData => ({
  id: r.id,
  name: r.name,
  level: r.level,
  industry: r.industry,
});
const view = (r: ZoneRow): ZoneView => ({
  ...zoneData(r),
  version: r.version,
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});
export const sameZone = (a: ZoneData, b: ZoneData): boolean =>
  a.name === b.name && a.level === b.level && a.industry === b.industry;

@Injectable()
export class ZonesService {
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
    level?: string;
  }): Promise<Page<ZoneView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.level) where.push(`"level" = $${params.push(q.level)}`);
    if (q.cursor)
      where.push(`"id" > $${params.push(decodeCursor(q.cursor, (k) => k.length > 0 && k.length <= 32))}`);
    const rows = await queryRows<ZoneRow>(
      this.db,
      `SELECT ${ZONE_COLUMNS} FROM "${this.schema}"."zones" ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY "id" LIMIT $${params.push(q.limit + 1)} OFFSET $${params.push(q.offset ?? 0)}`,
      params,
    );
    return pageOf(rows.map(view), q.limit, (z) => z.id, q.offset);
  }

  async get(id: string): Promise<ZoneView> {
    const [row] = await queryRows<ZoneRow>(
      this.db,
      `SELECT ${ZONE_COLUMNS} FROM "${this.schema}"."zones" WHERE "id" = $1`,
      [id],
    );
    if (!row) throw notFound(`zone ${id}`);
    return view(row);
  }

  async put(
    data: ZoneData,
    expected: number | 'any' | undefined,
    actor: Actor,
  ): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; zone: ZoneView }> {
    const s = this.schema;
    return this.db.transaction(async (m) => {
      const [current] = await queryRows<ZoneRow>(
        m,
        `SELECT ${ZONE_COLUMNS} FROM "${s}"."zones" WHERE "id" = $1 FOR UPDATE`,
        [data.id],
      );
      assertVersion(`zone ${data.id}`, expected, current?.version);
      if (current && sameZone(current, data)) return { outcome: 'unchanged' as const, zone: view(current) };
      let row: ZoneRow | undefined;
      if (current) {
        [row] = await queryRows<ZoneRow>(
          m,
          `UPDATE "${s}"."zones" SET "name" = $2, "level" = $3, "industry" = $4, "updated_by" = $5,
             "updated_at" = now(), "version" = "version" + 1
           WHERE "id" = $1 RETURNING ${ZONE_COLUMNS}`,
          [data.id, data.name, data.level, data.industry, actorName(actor)],
        );
      } else {
        const version = ((await loggedVersions(m, s, 'zone', [data.id])).get(data.id) ?? 0) + 1;
        [row] = await queryRows<ZoneRow>(
          m,
          `INSERT INTO "${s}"."zones" ("id", "name", "level", "industry", "updated_by", "version")
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ("id") DO NOTHING RETURNING ${ZONE_COLUMNS}`,
          [data.id, data.name, data.level, data.industry, actorName(actor), version],
        );
        if (!row)
          throw new ProblemException(
            409,
            'VERSION_CONFLICT',
            'Version conflict',
            `zone ${data.id} was created by someone else meanwhile: read it and retry`,
          );
      }
      await logChanges(m, s, 'zone', actor, [
        {
          entityId: data.id,
          version: row.version,
          action: current ? 'UPDATE' : 'CREATE',
          before: current ? zoneData(current) : null,
          after: zoneData(row),
        },
      ]);
      return { outcome: current ? ('updated' as const) : ('created' as const), zone: view(row) };
    });
  }

  /** Deletes a zone no enterprise belongs to (409 ZONE_IN_USE otherwise), logging it. */
  async delete(id: string, expected: number | 'any' | undefined, actor: Actor): Promise<void> {
    const s = this.schema;
    await this.db.transaction(async (m) => {
      const [current] = await queryRows<ZoneRow>(
        m,
        `SELECT ${ZONE_COLUMNS} FROM "${s}"."zones" WHERE "id" = $1 FOR UPDATE`,
        [id],
      );
      if (!current) throw notFound(`zone ${id}`);
      assertVersion(`zone ${id}`, expected, current.version);
      // Enterprise writers hold the zones they name FOR SHARE, so none can join it while we look.
      const [{ members }] = await queryRows<{ members: number }>(
        m,
        `SELECT count(*)::int AS "members" FROM "${s}"."enterprises" WHERE "zone_ids" @> ARRAY[$1]::text[]`,
        [id],
      );
      if (members > 0)
        throw new ProblemException(
          409,
          'ZONE_IN_USE',
          'Zone in use',
          `${members} enterprise(s) belong to zone ${id}: take them out of it first`,
          { enterprises: members },
        );
      await m.query(`DELETE FROM "${s}"."zones" WHERE "id" = $1`, [id]);
      await logChanges(m, s, 'zone', actor, [
        {
          entityId: id,
          version: current.version + 1,
          action: 'DELETE',
          before: zoneData(current),
          after: null,
        },
      ]);
    });
  }

  versions(
    id: string,
    page: { limit: number; afterVersion: number },
  ): Promise<{ items: ChangeView[]; nextCursor: string | null }> {
    return changeLog(this.db, this.schema, 'zone', id, page);
  }
}
