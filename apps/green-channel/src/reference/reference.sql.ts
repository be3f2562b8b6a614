import { ProblemException } from '@cic/platform-http';
import type { EntityManager } from 'typeorm';

/** Who made a change: the API key's name and id (both go into the change log). */
export interface Actor {
  name: string;
  keyId: string;
}

export type ReferenceEntity = 'enterprise' | 'zone' | 'risk_alert';
export type ChangeAction = 'CREATE' | 'UPDATE' | 'DELETE' | 'IMPORT';

/**
 * Rows of a statement. TypeORM's Postgres driver answers UPDATE and DELETE with [rows, rowCount] and
 * everything else with rows; this gives rows either way.
 */
export async function queryRows<T>(
  m: Pick<EntityManager, 'query'>,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result: unknown = await m.query(text, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}

export interface ChangeEntry {
  entityId: string;
  version: number;
  action: ChangeAction;
  before: object | null;
  after: object | null;
}

/** One reference_changes row per entry, in one statement. */
export async function logChanges(
  m: EntityManager,
  schema: string,
  entity: ReferenceEntity,
  actor: Actor,
  entries: readonly ChangeEntry[],
  importId: string | null = null,
): Promise<void> {
  if (entries.length === 0) return;
  await m.query(
    `INSERT INTO "${schema}"."reference_changes"
       ("entity", "entity_id", "version", "action", "changed_by", "changed_by_key_id", "import_id", "before", "after")
     SELECT $1, t.entity_id, t.version, t.action, $2, $3, $4, t.before, t.after
     FROM unnest($5::text[], $6::int[], $7::text[], $8::jsonb[], $9::jsonb[])
       AS t(entity_id, version, action, before, after)`,
    [
      entity,
      actorName(actor),
      actor.keyId.slice(0, 64),
      importId,
      entries.map((e) => e.entityId),
      entries.map((e) => e.version),
      entries.map((e) => e.action),
      entries.map((e) => (e.before === null ? null : JSON.stringify(e.before))),
      entries.map((e) => (e.after === null ? null : JSON.stringify(e.after))),
    ],
  );
}

/** `updated_by` and `changed_by` hold 100 characters. */
export const actorName = (actor: Actor): string => actor.name.slice(0, 100);

/**
 * The highest logged version of each id (a deleted zone or alert created again goes on from there, so
 * its change log never repeats a version).
 */
export async function loggedVersions(
  m: EntityManager,
  schema: string,
  entity: ReferenceEntity,
  ids: readonly string[],
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ entity_id: string; version: number }>(
    m,
    `SELECT "entity_id", max("version")::int AS "version" FROM "${schema}"."reference_changes"
     WHERE "entity" = $1 AND "entity_id" = ANY($2::text[]) GROUP BY "entity_id"`,
    [entity, ids],
  );
  return new Map(rows.map((r) => [r.entity_id, r.version]));
}

export interface ChangeView {
  version: number;
  action: ChangeAction;
  changedBy: { name: string; keyId: string | null };
  changedAt: string;
  importId: string | null;
  before: unknown;
  after: unknown;
}

/** The change log of one record, oldest first; 404 when nothing was ever logged for it. */
export async function changeLog(
  m: Pick<EntityManager, 'query'>,
  schema: string,
  entity: ReferenceEntity,
  entityId: string,
  page: { limit: number; afterVersion: number },
): Promise<{ items: ChangeView[]; nextCursor: string | null }> {
  const rows = await queryRows<{
    version: number;
    action: ChangeAction;
    changed_by: string;
    changed_by_key_id: string | null;
    changed_at: Date;
    import_id: string | null;
    before: unknown;
    after: unknown;
  }>(
    m,
    `SELECT "version", "action", "changed_by", "changed_by_key_id", "changed_at", "import_id", "before", "after"
     FROM "${schema}"."reference_changes"
     WHERE "entity" = $1 AND "entity_id" = $2 AND "version" > $3
     ORDER BY "version", "id" LIMIT $4`,
    [entity, entityId, page.afterVersion, page.limit + 1],
  );
  if (rows.length === 0 && page.afterVersion === 0)
    throw new ProblemException(
      404,
      'NOT_FOUND',
      'Not found',
      `no ${entity.replace('_', ' ')} ${entityId} on record`,
    );
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map((r) => ({
    version: r.version,
    action: r.action,
    changedBy: { name: r.changed_by, keyId: r.changed_by_key_id },
    changedAt: r.changed_at.toISOString(),
    importId: r.import_id,
    before: r.before,
    after: r.after,
  }));
  return { items, nextCursor: more ? String(items[items.length - 1].version) : null };
}

/** The risk-alert index of the lanes reloads on this channel (LISTEN "<schema>_risk_alerts"). */
export async function notifyRiskAlertsChanged(m: EntityManager, schema: string): Promise<void> {
  await m.query(`SELECT pg_notify($1, '')`, [`${schema}_risk_alerts`]);
}

/**
 * The expected version from `If-Match` ("3", W/"3" or 3) and/or the body's `version`; 400 when they
 * disagree or the header is unreadable. `*` means "must exist" (returned as 'any').
 */
export function expectedVersion(
  ifMatch: string | undefined,
  bodyVersion: number | undefined,
): number | 'any' | undefined {
  let header: number | 'any' | undefined;
  if (ifMatch !== undefined && ifMatch.trim() !== '') {
    const v = ifMatch.trim();
    if (v === '*') header = 'any';
    else {
      const m = /^(?:W\/)?"?(\d{1,10})"?$/.exec(v);
      if (!m || Number(m[1]) < 1 || Number(m[1]) > 2_147_483_647)
        throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', undefined, {
          errors: [
            {
              pointer: '',
              code: 'BAD_IF_MATCH',
              message: 'If-Match must be a version, e.g. "3", as given in the ETag',
              messageZh: 'If-Match应为版本号（见ETag）',
            },
          ],
        });
      header = Number(m[1]);
    }
  }
  if (header !== undefined && bodyVersion !== undefined && header !== 'any' && header !== bodyVersion)
    throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', 'If-Match and version disagree', {
      errors: [
        {
          pointer: '/version',
          code: 'VERSION_MISMATCH',
          message: `version ${bodyVersion} disagrees with If-Match ${header}`,
          messageZh: '版本号与If-Match不一致',
        },
      ],
    });
  return bodyVersion ?? header;
}

/** 409 when the expected version is not the current one (undefined current: not on file). */
export function assertVersion(
  what: string,
  expected: number | 'any' | undefined,
  current: number | undefined,
): void {
  if (expected === undefined) return;
  if (expected === 'any' ? current !== undefined : current === expected) return;
  throw new ProblemException(
    409,
    'VERSION_CONFLICT',
    'Version conflict',
    current === undefined
      ? `${what} is not on file, but version ${expected} was expected`
      : `${what} is at version ${current}, not ${expected}: read it again and retry`,
    { currentVersion: current ?? null, expectedVersion: expected },
  );
}

export const notFound = (what: string): ProblemException =>
  new ProblemException(404, 'NOT_FOUND', 'Not found', `${what} is not on file`);
