import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { submissionKey, validateDeclaration } from './declaration.validation';

const fixture = JSON.parse(
  readFileSync(
    join(__dirname, '../../../contracts/fixtures/customs.declaration.submitted.v1/v1-initial.json'),
    'utf8',
  ),
).data;

type Json = Record<string, unknown>;
function variant(mutate: (d: Json & { goods: Json[]; documents: Json[] }) => void): unknown {
  const copy = structuredClone(fixture);
  mutate(copy);
  return copy;
}

describe('validateDeclaration', () => {
  it('accepts the reference declaration', () => {
    const sut = validateDeclaration(fixture);
    expect(sut.ok ? [] : sut.errors).toEqual([]);
  });

  it.each<[string, (d: Json & { goods: Json[]; documents: Json[] }) => void, string, string]>([
    ['missing localRef', (d) => delete d.localRef, '/localRef', 'REQUIRED'],
    [
      'wrong check character',
      (d) => ((d.declarant as Json).code = '91330200MA2H4K7L3Q'),
      '/declarant/code',
      'USCC_CHECK_CHARACTER',
    ],
    ['9-digit HS code', (d) => (d.goods[0].hsCode = '870840910'), '/goods/0/hsCode', 'FORMAT'],
    ['unknown destination', (d) => (d.destinationCountry = 'XX'), '/destinationCountry', 'UNKNOWN_COUNTRY'],
    ['lowercase country', (d) => (d.destinationCountry = 'jp'), '/destinationCountry', 'FORMAT'],
    [
      'unknown currency',
      (d) => ((d.goods[1].value as Json).currency = 'ABC'),
      '/goods/1/value/currency',
      'UNKNOWN_CURRENCY',
    ],
    ['port abroad', (d) => (d.portOfExit = 'JPTYO'), '/portOfExit', 'PORT_NOT_IN_CHINA'],
    ['port of unknown country', (d) => (d.portOfExit = 'XXABC'), '/portOfExit', 'UNKNOWN_LOCODE'],
    [
      'zero amount',
      (d) => ((d.goods[0].value as Json).amount = '0.00'),
      '/goods/0/value/amount',
      'NOT_POSITIVE',
    ],
    [
      'negative quantity',
      (d) => ((d.goods[0].quantity as Json).value = '-5'),
      '/goods/0/quantity/value',
      'NOT_POSITIVE',
    ],
    [
      'amount as number',
      (d) => ((d.goods[0].value as Json).amount = 48000),
      '/goods/0/value/amount',
      'WRONG_TYPE',
    ],
    ['duplicate line number', (d) => (d.goods[1].lineNo = 1), '/goods/1/lineNo', 'DUPLICATE_LINE_NO'],
    ['line number 0', (d) => (d.goods[0].lineNo = 0), '/goods/0/lineNo', 'OUT_OF_RANGE'],
    ['no goods', (d) => (d.goods = []), '/goods', 'TOO_SHORT'],
    [
      '1000 lines',
      (d) => (d.goods = Array.from({ length: 1000 }, (_, i) => ({ ...d.goods[0], lineNo: (i % 999) + 1 }))),
      '/goods',
      'TOO_LONG',
    ],
    ['bad sha256', (d) => (d.documents[0].sha256 = 'abc'), '/documents/0/sha256', 'FORMAT'],
    [
      'no packing list',
      (d) => (d.documents = d.documents.filter((x) => x.kind !== 'PACKING_LIST')),
      '/documents',
      'REQUIRED_DOCUMENT_MISSING',
    ],
    ['unknown document kind', (d) => (d.documents[0].kind = 'MEMO'), '/documents/0/kind', 'NOT_ALLOWED'],
    ['import declaration', (d) => (d.kind = 'IMPORT'), '/kind', 'NOT_ALLOWED'],
    ['impossible date', (d) => (d.departureDate = '2026-02-30'), '/departureDate', 'FORMAT'],
    [
      'origin line not on goods',
      (d) => (((d.originCertificate as Json).lines as Json[])[0].lineNo = 7),
      '/originCertificate/lines/0/lineNo',
      'UNKNOWN_LINE',
    ],
  ])('%s -> %s %s', (_name, mutate, pointer, code) => {
    const sut = validateDeclaration(variant(mutate));
    expect(sut.ok).toBe(false);
    if (sut.ok) return;
    expect(sut.errors).toContainEqual(expect.objectContaining({ pointer, code }));
    for (const e of sut.errors) {
      expect(e.message.length).toBeGreaterThan(0);
      expect(e.messageZh).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it.each([null, 42, 'text', [1, 2]])('refuses a non-object body %p', (body) => {
    const sut = validateDeclaration(body);
    expect(sut).toEqual({
      ok: false,
      errors: [expect.objectContaining({ pointer: '', code: 'NOT_AN_OBJECT' })],
    });
  });

  it('reports every problem at once', () => {
    const sut = validateDeclaration(
      variant((d) => {
        d.destinationCountry = 'XX';
        d.goods[1].lineNo = 1;
        d.documents = [];
      }),
    );
    expect(sut.ok ? [] : sut.errors.map((e) => e.code).sort()).toEqual([
      'DUPLICATE_LINE_NO',
      'REQUIRED_DOCUMENT_MISSING',
      'REQUIRED_DOCUMENT_MISSING',
      'UNKNOWN_COUNTRY',
    ]);
  });

  it.each<[string, () => unknown, string, string]>([
    [
      '100,000 nested objects',
      () => {
        let body: unknown = {};
        for (let i = 0; i < 100_000; i++) body = { localRef: body };
        return body;
      },
      '/localRef'.repeat(32),
      'TOO_DEEP',
    ],
    [
      'NUL in a description',
      () => variant((d) => (d.goods[0].description = 'Gear\u0000boxes')),
      '/goods/0/description',
      'CONTROL_CHARACTER',
    ],
    [
      '1e300 as a line number',
      () => variant((d) => (d.goods[0].lineNo = 1e300)),
      '/goods/0/lineNo',
      'NUMBER_OUT_OF_RANGE',
    ],
  ])('refuses a hostile body (%s) before the schema sees it', (_name, body, pointer, code) => {
    const sut = validateDeclaration(body());
    // Only the guard spoke: the schema would have added REQUIRED, WRONG_TYPE or OUT_OF_RANGE errors.
    expect(sut).toEqual({ ok: false, errors: [expect.objectContaining({ pointer, code })] });
  });
});

describe('submissionKey', () => {
  const body = (localRef: unknown, code: unknown = '91330200MA2H4K7L3P') => ({
    localRef,
    declarant: { code },
  });
  it.each<[string, unknown, ReturnType<typeof submissionKey>]>([
    [
      'the reference declaration',
      fixture,
      { declarantCode: '91330200MA2H4K7L3P', localRef: 'NB-2026-000123' },
    ],
    ['an invalid body with both parts', body('NB-1', 'X'), { declarantCode: 'X', localRef: 'NB-1' }],
    ['no localRef', body(undefined), undefined],
    ['a numeric localRef', body(42), undefined],
    ['an empty localRef', body(''), undefined],
    ['a 65-character localRef', body('x'.repeat(65)), undefined],
    ['NUL in localRef', body('NB\u00001'), undefined],
    ['an escape character in localRef', body('NB\u001b1'), undefined],
    ['a lone surrogate in localRef', body('NB\uD83D'), undefined],
    ['NUL in the declarant code', body('NB-1', '9133\u0000'), undefined],
    ['a lone surrogate in the declarant code', body('NB-1', '\uDE009133'), undefined],
    ['not an object', 'NB-1', undefined],
    ['null', null, undefined],
  ])('%s -> %j', (_name, input, key) => {
    const sut = submissionKey(input);
    expect(sut).toEqual(key);
  });
});
