import { isoDate, multilineText, text, UsccCode } from '@cic/platform-http';
import type { Principal } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { z } from 'zod';

// Request bodies and queries of the exemption API: strict (unknown fields are errors), every string
// bounded, so bad input is a 400 with field pointers, never a 500.

// Shared field schemas (libs/platform/http), re-exported for this service's modules.
export { isoDate, multilineText, text, UsccCode };

/** A grant's product scope entry: an HS prefix of 4 to 10 digits (DOMAIN.md). */
export const HsPrefix = z
  .string()
  .max(10)
  .regex(/^\d{4,10}$/, 'an HS code prefix of 4 to 10 digits');
/** What a dispute or foreign notification may name: a chapter, heading, subheading or tariff line. */
export const HsNotified = z
  .string()
  .max(10)
  .regex(/^\d{2,10}$/, 'an HS chapter, heading, subheading or code of 2 to 10 digits');

/** A product scope: 1..50 distinct HS prefixes. */
export const ProductScope = z
  .array(HsPrefix)
  .min(1)
  .max(50)
  .refine((s) => new Set(s).size === s.length, {
    message: 'must not list a prefix twice',
    params: { code: 'DUPLICATE', messageZh: 'HS编码前缀不得重复' },
  });

/** An approval reference (免验证书 number), e.g. "MY-2026-0001". */
export const ApprovalReference = text(100).regex(
  /^[A-Za-z0-9][A-Za-z0-9 /._-]*$/,
  'letters, digits, space, "/", ".", "_" or "-"',
);

export const NoBody = z.union([z.undefined(), z.strictObject({})]);

export const pageQuery = <T extends z.ZodRawShape>(filters: T) =>
  z.strictObject({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(100).optional(),
    ...filters,
  });

const CodeParam = z.strictObject({ code: UsccCode });
/** Parses the path's enterprise code (400 with pointer /code when it is no valid USCC). */
export const enterpriseCode = (code: string): string => parseOr400(CodeParam, { code }).code;

const IdParam = z.strictObject({ id: z.uuid() });
/** Parses a path id (400 with pointer /id unless a uuid). */
export const uuidParam = (id: string): string => parseOr400(IdParam, { id }).id;

/** Who made a change: the API key's name and id. */
export interface Actor {
  name: string;
  keyId: string;
}
export const actorOf = (p: Principal): Actor => ({ name: p.name.slice(0, 100), keyId: p.keyId });
