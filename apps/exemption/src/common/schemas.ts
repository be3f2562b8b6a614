import { checkUscc } from '@cic/contracts';
import type { Principal } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { z } from 'zod';

// Request bodies and queries of the exemption API: strict (unknown fields are errors), every string
// bounded, so bad input is a 400 with field pointers, never a 500.

const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_EXCEPT_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const noControl = (pattern: RegExp) =>
  [
    (s: string) => !pattern.test(s),
    {
      message: 'must not contain control characters',
      params: { code: 'CONTROL_CHARACTER', messageZh: '不得包含控制字符' },
    },
  ] as const;

/** One line of text, trimmed, 1..max characters, no control characters. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .trim()
    .min(1)
    .refine(...noControl(CONTROL));

/** Free text that may span lines. */
export const multilineText = (max: number) =>
  z
    .string()
    .max(max)
    .trim()
    .min(1)
    .refine(...noControl(CONTROL_EXCEPT_BREAKS));

/** A calendar date YYYY-MM-DD between 1900 and 2999 (what Postgres `date` and the rules take). */
export const isoDate = z
  .string()
  .max(10)
  .pipe(z.iso.date({ message: 'an ISO date YYYY-MM-DD' }))
  .refine((d) => d >= '1900-01-01' && d <= '2999-12-31', {
    message: 'must be between 1900-01-01 and 2999-12-31',
    params: { code: 'OUT_OF_RANGE', messageZh: '日期应在1900-01-01至2999-12-31之间' },
  });

/** An 18-character unified social credit code with its check character (GB 32100-2015). */
export const UsccCode = z
  .string()
  .max(64)
  .superRefine((code, ctx) => {
    const problem = checkUscc(code);
    if (!problem) return;
    const t = {
      LENGTH: ['must have 18 characters', '统一社会信用代码应为18位'],
      CHARACTER: ['may use only 0-9 and A-Y without I, O, S, V, Z', '统一社会信用代码含有非法字符'],
      CHECK_CHARACTER: ['has a wrong check character (GB 32100-2015)', '统一社会信用代码校验位错误'],
    }[problem];
    ctx.addIssue({ code: 'custom', message: t[0], params: { code: `USCC_${problem}`, messageZh: t[1] } });
  });

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
