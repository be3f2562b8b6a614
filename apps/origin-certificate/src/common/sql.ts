import type { EntityManager } from 'typeorm';

/**
 * Rows of a statement. TypeORM's Postgres driver answers UPDATE and DELETE with [rows, rowCount] and
 * everything else (SELECT, INSERT ... RETURNING) with rows; this gives rows either way.
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

/** A Postgres unique violation (23505), optionally of the named index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = e?.code ?? e?.driverError?.code;
  const name = e?.constraint ?? e?.driverError?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

/** A `date` column as YYYY-MM-DD (select it with to_char or ::text to keep it a string). */
export const isoOf = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString());
