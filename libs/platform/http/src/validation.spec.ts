import { HttpException } from '@nestjs/common';
import { z } from 'zod';
import type { ProblemBody } from './problem';
import { parseOr400, toPointer } from './validation';

const Body = z
  .object({
    name: z.string().min(1).max(5),
    role: z.enum(['declarant', 'operator']),
    goods: z
      .array(
        z.strictObject({
          lineNo: z.number().int().min(1),
          tags: z.array(z.string().regex(/^[A-Z]+$/, 'upper-case letters')).max(2),
        }),
      )
      .min(1),
    'a/b~c': z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.role !== 'declarant' || b.goods.length > 1, {
    path: ['goods'],
    message: 'a declarant needs two lines',
    params: { code: 'TWO_LINES', messageZh: '需要两项' },
  });

function problemOf(
  value: unknown,
  opts?: Parameters<typeof parseOr400>[2],
): ProblemBody & { status: number } {
  try {
    parseOr400(Body, value, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpException);
    return (error as HttpException).getResponse() as ProblemBody & { status: number };
  }
  throw new Error('expected a problem');
}

const valid = { name: 'ok', role: 'operator', goods: [{ lineNo: 1, tags: ['A'] }] };

describe('parseOr400', () => {
  it('returns the parsed value when it is valid', () => {
    expect(parseOr400(Body, valid)).toEqual(valid);
  });

  it('answers a 400 VALIDATION_FAILED problem', () => {
    const sut = problemOf({ ...valid, name: '' });
    expect(sut).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      type: 'urn:cic:problem:validation-failed',
      title: 'Invalid request',
    });
  });

  it('points into nested arrays', () => {
    const sut = problemOf({
      ...valid,
      goods: [
        { lineNo: 1, tags: ['A'] },
        { lineNo: 0, tags: ['A', 'b'] },
        { lineNo: 3, tags: ['A', 'B', 'C'] },
      ],
    });
    expect(sut.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/goods/1/lineNo', code: 'OUT_OF_RANGE' }),
        expect.objectContaining({ pointer: '/goods/1/tags/1', code: 'FORMAT' }),
        expect.objectContaining({ pointer: '/goods/2/tags', code: 'TOO_LONG' }),
      ]),
    );
  });

  it('tells a missing field from a wrong type', () => {
    const sut = problemOf({ role: 'operator', goods: 'none' });
    expect(sut.errors).toEqual([
      expect.objectContaining({ pointer: '/name', code: 'REQUIRED', message: 'is required' }),
      expect.objectContaining({ pointer: '/goods', code: 'WRONG_TYPE', message: 'must be array' }),
    ]);
  });

  it('names each unknown key of a strict object, escaped as RFC 6901 requires', () => {
    const sut = problemOf({ ...valid, extra: 1, goods: [{ lineNo: 1, tags: [], 'x/y': true }] });
    expect(sut.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/extra', code: 'UNKNOWN_FIELD' }),
        expect.objectContaining({ pointer: '/goods/0/x~1y', code: 'UNKNOWN_FIELD' }),
      ]),
    );
  });

  it('gives every error a code and text in English and Chinese', () => {
    const sut = problemOf({ name: 7, role: 'nobody', goods: [], 'a/b~c': 'yes', more: 1 });
    expect(sut.errors!.length).toBeGreaterThanOrEqual(5);
    for (const e of sut.errors!) {
      expect(e.pointer).toMatch(/^(\/[^/]*)*$/);
      expect(e.code).toMatch(/^[A-Z_]+$/);
      expect(e.message.length).toBeGreaterThan(0);
      expect(e.messageZh.length).toBeGreaterThan(0);
    }
    expect(sut.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/role', code: 'NOT_ALLOWED' }),
        expect.objectContaining({ pointer: '/goods', code: 'TOO_SHORT' }),
        expect.objectContaining({ pointer: '/a~1b~0c', code: 'WRONG_TYPE' }),
      ]),
    );
  });

  it("uses a refinement's own code and Chinese text", () => {
    const sut = problemOf({ ...valid, role: 'declarant' });
    expect(sut.errors).toEqual([
      {
        pointer: '/goods',
        code: 'TWO_LINES',
        message: 'a declarant needs two lines',
        messageZh: '需要两项',
      },
    ]);
  });

  it('points at the whole document when the body is not an object', () => {
    expect(problemOf('text').errors).toEqual([expect.objectContaining({ pointer: '', code: 'WRONG_TYPE' })]);
    expect(problemOf(undefined).errors).toEqual([expect.objectContaining({ pointer: '', code: 'REQUIRED' })]);
  });

  it('takes another status, title and code when asked', () => {
    expect(problemOf({}, { status: 422, title: 'Invalid key', code: 'BAD_KEY' })).toMatchObject({
      status: 422,
      title: 'Invalid key',
      code: 'BAD_KEY',
    });
  });
});

describe('toPointer', () => {
  it.each([
    [[], ''],
    [['a', 0, 'b'], '/a/0/b'],
    [['a/b', 'm~n'], '/a~1b/m~0n'],
  ])('%j -> %s', (path, pointer) => {
    expect(toPointer(path)).toBe(pointer);
  });
});
