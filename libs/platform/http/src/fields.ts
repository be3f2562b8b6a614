import { checkUscc } from '@cic/contracts';
import { z } from 'zod';

// Field schemas every service's request bodies share: bounded strings without control characters, calendar
// dates Postgres takes, unified social credit codes with their check character. Refinements carry a
// code and Chinese text that parseOr400 puts in the problem's errors[].

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
