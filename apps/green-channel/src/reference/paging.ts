import { ProblemException } from '@cic/platform-http';
import { z } from 'zod';

// Keyset paging (`cursor`, opaque) or offset paging (`offset`), never both; `limit` 1..500.

const pageShape = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'a cursor as given in nextCursor')
    .optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
};

/** A list's query: paging plus the list's own filters; unknown parameters are errors. */
export function pageQuery<S extends z.core.$ZodLooseShape>(filters: S) {
  return z
    .strictObject({ ...pageShape, ...filters })
    .refine((q: { cursor?: unknown; offset?: unknown }) => q.cursor === undefined || q.offset === undefined, {
      path: ['offset'],
      message: 'must not be given with cursor',
      params: { code: 'CURSOR_AND_OFFSET', messageZh: 'offset不能与cursor同时使用' },
    });
}

/** A change log's query: `limit` and the version to continue after. */
export const VersionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(10).regex(/^\d+$/, 'a cursor as given in nextCursor').optional(),
});

export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

/** The key a cursor stands for; 400 when it is not one of ours. */
export function decodeCursor(cursor: string, valid: (key: string) => boolean): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!valid(key))
    throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', undefined, {
      errors: [
        {
          pointer: '/cursor',
          code: 'BAD_CURSOR',
          message: 'is not a cursor of this list',
          messageZh: '分页游标无效',
        },
      ],
    });
  return key;
}

export interface Page<T> {
  items: T[];
  limit: number;
  offset?: number;
  nextCursor: string | null;
}

/** Rows fetched with LIMIT limit + 1: the page and, when there is more, the cursor after its last item. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (item: T) => string, offset?: number): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return {
    items,
    limit,
    ...(offset !== undefined ? { offset } : {}),
    nextCursor: more ? encodeCursor(keyOf(items[items.length - 1])) : null,
  };
}
