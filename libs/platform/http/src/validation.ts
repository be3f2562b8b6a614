import type { FieldError } from '@cic/contracts';
import type { z } from 'zod';
import { ProblemException } from './problem';

/** RFC 6901 JSON Pointer of a path, escaping "~" and "/" ("" is the whole document). */
export function toPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

const UNIT: Record<string, { en: string; zh: string }> = {
  array: { en: 'items', zh: '项' },
  set: { en: 'items', zh: '项' },
  string: { en: 'characters', zh: '个字符' },
};

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const p of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[p];
  }
  return value;
}

/**
 * Field errors for one zod issue, with a stable code and text in English and Chinese. Codes: REQUIRED,
 * WRONG_TYPE, FORMAT, TOO_SHORT, TOO_LONG, OUT_OF_RANGE, NOT_ALLOWED, UNKNOWN_FIELD (one per key) and
 * INVALID. A refinement names its own code and Chinese text with
 * `.refine(check, { message, params: { code: 'X', messageZh: '…' } })`.
 */
export function fieldErrorsOf(issue: z.core.$ZodIssue, input: unknown): FieldError[] {
  const pointer = toPointer(issue.path);
  const one = (code: string, message: string, messageZh: string): FieldError[] => [
    { pointer, code, message, messageZh },
  ];
  switch (issue.code) {
    case 'invalid_type':
      return valueAt(input, issue.path) === undefined
        ? one('REQUIRED', 'is required', '为必填项')
        : one('WRONG_TYPE', `must be ${issue.expected}`, `类型应为${issue.expected}`);
    case 'invalid_format':
      return one(
        'FORMAT',
        `must be ${issue.message.replace(/^Invalid (string: )?/, '')}`,
        `格式不正确（${issue.format}）`,
      );
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = String(small ? issue.minimum : issue.maximum);
      const unit = UNIT[issue.origin];
      if (!unit)
        return small
          ? one('OUT_OF_RANGE', `must be at least ${bound}`, `不得小于${bound}`)
          : one('OUT_OF_RANGE', `must be at most ${bound}`, `不得大于${bound}`);
      return small
        ? one('TOO_SHORT', `must have at least ${bound} ${unit.en}`, `至少需要${bound}${unit.zh}`)
        : one('TOO_LONG', `must have at most ${bound} ${unit.en}`, `最多允许${bound}${unit.zh}`);
    }
    case 'not_multiple_of':
      return one('OUT_OF_RANGE', `must be a multiple of ${issue.divisor}`, `应为${issue.divisor}的整数倍`);
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return one('NOT_ALLOWED', `must be one of ${values}`, `取值应为${values}之一`);
    }
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        pointer: toPointer([...issue.path, key]),
        code: 'UNKNOWN_FIELD',
        message: 'is not a known field',
        messageZh: '不是可接受的字段',
      }));
    case 'custom': {
      const params = (issue.params ?? {}) as { code?: unknown; messageZh?: unknown };
      return one(
        typeof params.code === 'string' ? params.code : 'INVALID',
        issue.message,
        typeof params.messageZh === 'string' ? params.messageZh : '字段取值无效',
      );
    }
    default:
      return one('INVALID', issue.message, '字段取值无效');
  }
}

export interface ParseOptions {
  /** HTTP status of the problem (default 400). */
  status?: number;
  /** Problem title (default "Invalid request"). */
  title?: string;
  /** Problem code (default VALIDATION_FAILED). */
  code?: string;
}

/**
 * The parsed value, or a problem (`application/problem+json`, code VALIDATION_FAILED, status 400 unless
 * told otherwise) whose `errors[]` name each failing field by JSON Pointer, in English and Chinese.
 */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, opts: ParseOptions = {}): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ProblemException(
    opts.status ?? 400,
    opts.code ?? 'VALIDATION_FAILED',
    opts.title ?? 'Invalid request',
    undefined,
    { errors: result.error.issues.flatMap((i) => fieldErrorsOf(i, value)) },
  );
}
