import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  inspectRawInput,
  MAX_INPUT_ERRORS,
  storableCopy,
  TRUNCATED_KEY,
  TRUNCATED_TOO_DEEP,
} from './input-guard';

const fixture = JSON.parse(
  readFileSync(
    join(__dirname, '../../../contracts/fixtures/customs.declaration.submitted.v1/v1-initial.json'),
    'utf8',
  ),
).data;

type Json = Record<string, unknown>;
type Declaration = Json & { goods: Json[] };
function variant(mutate: (d: Declaration) => void): unknown {
  const copy = structuredClone(fixture);
  mutate(copy);
  return copy;
}

const LEVELS = 100_000;
/** Nested iteratively: building it recursively would be the very overflow under test. */
function nested(wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < LEVELS; i++) value = wrap(value);
  return value;
}
const deepArrays = nested((v) => [v]);
const deepObjects = nested((v) => ({ a: v }));
const hugeArray = { ...fixture, goods: Array.from({ length: 300_000 }, (_, i) => i) };
const LONE_HIGH = '\uD83D';
const LONE_LOW = '\uDE00';

const HOSTILE: Array<[string, unknown, string, string]> = [
  ['100,000 nested arrays', deepArrays, '/0'.repeat(32), 'TOO_DEEP'],
  ['100,000 nested objects', deepObjects, '/a'.repeat(32), 'TOO_DEEP'],
  [
    'NUL in a description',
    variant((d) => (d.goods[0].description = 'Gear\u0000boxes')),
    '/goods/0/description',
    'CONTROL_CHARACTER',
  ],
  [
    'escape character in localRef',
    variant((d) => (d.localRef = 'NB-\u001b[31m')),
    '/localRef',
    'CONTROL_CHARACTER',
  ],
  [
    'DEL in a member name',
    variant((d) => ((d.goods[1] as Json)['x\u007f'] = 1)),
    '/goods/1/x\u007f',
    'CONTROL_CHARACTER',
  ],
  [
    'lone surrogate in a member name',
    variant((d) => ((d.declarant as Json)[`name${LONE_HIGH}`] = 'x')),
    '/declarant/name\uFFFD',
    'INVALID_UNICODE',
  ],
  [
    'lone low surrogate in a value',
    variant((d) => (d.goods[1].description = `harness ${LONE_LOW}`)),
    '/goods/1/description',
    'INVALID_UNICODE',
  ],
  [
    '1e300 as quantity',
    variant((d) => ((d.goods[0].quantity as Json).value = 1e300)),
    '/goods/0/quantity/value',
    'NUMBER_OUT_OF_RANGE',
  ],
  [
    'an unsafe integer',
    variant((d) => (d.goods[0].lineNo = 2 ** 53 + 2)),
    '/goods/0/lineNo',
    'NUMBER_OUT_OF_RANGE',
  ],
  ['NaN from a non-JSON caller', variant((d) => (d.goods[0].lineNo = NaN)), '/goods/0/lineNo', 'NOT_FINITE'],
  ['a 300,000-element array', hugeArray, '/goods', 'TOO_MANY_ELEMENTS'],
  [
    'a 100,001-character string',
    variant((d) => (d.goods[0].description = 'x'.repeat(100_001))),
    '/goods/0/description',
    'STRING_TOO_LONG',
  ],
  [
    'a pointer needing RFC 6901 escapes',
    variant((d) => ((d.declarant as Json)['a/b~c'] = '\u0001')),
    '/declarant/a~1b~0c',
    'CONTROL_CHARACTER',
  ],
];

describe('inspectRawInput', () => {
  it('finds nothing wrong with the reference declaration', () => {
    const sut = inspectRawInput(fixture);
    expect(sut).toEqual([]);
  });

  it.each([
    ['tab, LF and CR', 'line 1\tA\r\nline 2'],
    ['a surrogate pair', 'gearbox \u{1F697}'],
    ['Chinese text', '乘用车变速箱'],
  ])('allows %s', (_name, description) => {
    const sut = inspectRawInput(variant((d) => (d.goods[0].description = description)));
    expect(sut).toEqual([]);
  });

  it.each(HOSTILE)('%s -> %s %s', (_name, raw, pointer, code) => {
    const sut = inspectRawInput(raw);
    expect(sut).toContainEqual(expect.objectContaining({ pointer, code }));
    for (const e of sut) {
      expect(e.message.length).toBeGreaterThan(0);
      expect(e.messageZh).toMatch(/[\u4e00-\u9fff]/);
      // The errors themselves must be storable: no NUL, no lone surrogate, even when echoing a key.
      expect(JSON.stringify(e)).not.toMatch(/\\u0000|\\ud[89a-f]/i);
    }
  });

  it.each([
    ['maxDepth', { maxDepth: 2 }, { a: { b: { c: 1 } } }, '/a/b', 'TOO_DEEP'],
    ['maxNodes', { maxNodes: 3 }, { a: [1, 2] }, '/a', 'TOO_MANY_ELEMENTS'],
    ['maxStringLength', { maxStringLength: 3 }, { a: 'abcd' }, '/a', 'STRING_TOO_LONG'],
    ['a long member name', { maxStringLength: 3 }, { abcd: 1 }, '/abcd', 'STRING_TOO_LONG'],
  ])('honours %s', (_name, limits, raw, pointer, code) => {
    const sut = inspectRawInput(raw, limits);
    expect(sut).toEqual([expect.objectContaining({ pointer, code })]);
  });

  it('stops descending at the first container that is too deep', () => {
    const sut = inspectRawInput({ ok: [[['x']]], deep: nested((v) => [v]) }, { maxDepth: 4 });
    expect(sut.map((e) => e.pointer)).toEqual(['/deep/0/0/0']);
  });

  it(`reports at most ${MAX_INPUT_ERRORS} errors`, () => {
    const sut = inspectRawInput(Array.from({ length: 10_000 }, () => '\u0000'));
    expect(sut).toHaveLength(MAX_INPUT_ERRORS);
    expect(sut[0]).toMatchObject({ pointer: '/0', code: 'CONTROL_CHARACTER' });
  });

  it('walks in document order', () => {
    const sut = inspectRawInput({ b: ['\u0001', { c: 1e16 }], a: '\u0002' });
    expect(sut.map((e) => `${e.pointer} ${e.code}`)).toEqual([
      '/b/0 CONTROL_CHARACTER',
      '/b/1/c NUMBER_OUT_OF_RANGE',
      '/a CONTROL_CHARACTER',
    ]);
  });
});

/** Every value of a JSON-safe tree, counted without recursion. */
function countValues(root: unknown): number {
  let n = 0;
  const stack = [root];
  while (stack.length) {
    const v = stack.pop();
    n++;
    if (typeof v === 'object' && v !== null) stack.push(...Object.values(v));
  }
  return n;
}
function expectStorable(copy: unknown): string {
  const json = JSON.stringify(copy);
  expect(typeof json).toBe('string');
  // JSON.stringify escapes a lone surrogate as \udxxx and keeps a well-formed pair as is.
  expect(json).not.toMatch(/\\u0000|\\ud[89a-f]/i);
  expect(json).not.toContain('\u0000');
  return json;
}

describe('storableCopy', () => {
  it('copies the reference declaration unchanged', () => {
    const sut = storableCopy(fixture);
    expect(sut).toEqual(fixture);
    expect(sut).not.toBe(fixture);
  });

  it.each(HOSTILE)('makes %s storable', (_name, raw) => {
    const sut = storableCopy(raw);
    expectStorable(sut);
    expect(countValues(sut)).toBeLessThan(52_000);
  });

  it.each([
    ['arrays', deepArrays],
    ['objects', deepObjects],
  ])('cuts 100,000 nested %s at the depth limit', (_name, raw) => {
    const json = expectStorable(storableCopy(raw));
    expect(json).toContain(TRUNCATED_TOO_DEEP);
    expect(json.replace(TRUNCATED_TOO_DEEP, '').match(/\[|\{/g)).toHaveLength(32);
  });

  it('replaces NUL and lone surrogates in values and member names by U+FFFD', () => {
    const sut = storableCopy({ [`k${LONE_HIGH}`]: `a\u0000b${LONE_LOW}`, tab: '\t' });
    expect(sut).toEqual({ 'k\uFFFD': 'a\uFFFDb\uFFFD', tab: '\t' });
  });

  it('truncates a long string without splitting a surrogate pair into a lone half', () => {
    const sut = storableCopy({ s: 'x'.repeat(9_999) + '\u{1F697}' + 'y'.repeat(5_000) }) as { s: string };
    expect(sut.s.startsWith('x'.repeat(9_999) + '\uFFFD…[truncated: 5001 more characters]')).toBe(true);
    expectStorable(sut);
  });

  it('keeps the first 1,000 items of a long array and says so', () => {
    const sut = storableCopy(hugeArray) as { goods: unknown[] };
    expect(sut.goods).toHaveLength(1_001);
    expect(sut.goods[999]).toBe(999);
    expect(sut.goods[1_000]).toBe('[truncated: 299000 more]');
  });

  it('keeps the first 1,000 members of a large object and says so', () => {
    const raw = Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`k${i}`, i]));
    const sut = storableCopy(raw) as Json;
    expect(Object.keys(sut)).toHaveLength(1_001);
    expect(sut[TRUNCATED_KEY]).toBe('[truncated: 500 more]');
  });

  it('stops after about 50,000 values, marking every open container', () => {
    const raw = { batches: Array.from({ length: 100 }, () => Array.from({ length: 1_000 }, (_, i) => i)) };
    const sut = storableCopy(raw) as { batches: unknown[][] };
    expect(countValues(sut)).toBeLessThan(50_100);
    expect(sut.batches.at(-1)).toBe('[truncated: too many values]');
    expect((sut as Json)[TRUNCATED_KEY]).toBe('[truncated: too many values]');
  });

  it('keeps a member named __proto__ as data', () => {
    const sut = storableCopy(JSON.parse('{"__proto__": {"polluted": true}}')) as Json;
    expect(Object.getPrototypeOf(sut)).toBe(Object.prototype);
    expect(Object.keys(sut)).toEqual(['__proto__']);
    expect(({} as Json)['polluted']).toBeUndefined();
  });

  it('gives values without a JSON form one', () => {
    const sut = storableCopy([undefined, () => 1, Symbol('s'), 10n, NaN, Infinity, true, null]);
    expect(sut).toEqual([null, null, null, '10', null, null, true, null]);
  });
});
