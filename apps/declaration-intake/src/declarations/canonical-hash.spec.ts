import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { payloadHash } from './canonical-hash';

describe('payloadHash', () => {
  it('is the same whatever the key order', () => {
    expect(payloadHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      payloadHash({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
  });

  it('differs when a value or the array order differs', () => {
    const sut = payloadHash({ a: [1, 2] });
    expect(payloadHash({ a: [2, 1] })).not.toBe(sut);
    expect(payloadHash({ a: [1, 3] })).not.toBe(sut);
  });

  it('ignores undefined members as JSON does', () => {
    expect(payloadHash({ a: 1, b: undefined })).toBe(payloadHash({ a: 1 }));
  });

  it('orders small and large objects alike, by UTF-16 code units', () => {
    for (const count of [5, 24, 25, 60]) {
      const names = Array.from({ length: count }, (_, i) => `k${(i * 7919) % 1000}${i % 3 ? 'é' : 'Z'}`);
      const sorted = [...names].sort();
      const inOrder = Object.fromEntries(sorted.map((k) => [k, k.length]));
      const reversed = Object.fromEntries([...sorted].reverse().map((k) => [k, k.length]));
      const expected = createHash('sha256').update(JSON.stringify(inOrder)).digest('hex');
      expect([count, payloadHash(reversed)]).toEqual([count, expected]);
      expect(payloadHash(inOrder)).toBe(expected);
    }
  });

  it('gives the hashes stored declarations were matched with (fixed values)', () => {
    const fixture = JSON.parse(
      readFileSync(
        join(
          __dirname,
          '../../../../libs/contracts/fixtures/customs.declaration.submitted.v1/v1-initial.json',
        ),
        'utf8',
      ),
    );
    expect(payloadHash(fixture.data ?? fixture)).toBe(
      '2d1ddb694c66537d0c4e3b56b1b5e834804be20662f84fde100c95b1e1e273f3',
    );
    expect(
      payloadHash({ b: [1, { z: null, a: undefined, é: 'x', A: [], 'a b': {} }], a: '\u2028"q\\' }),
    ).toBe('31d9a36499220cbb26d0e2c58f071b576b74500f03ccd3ac32e13800fe369958');
    expect(payloadHash([undefined, 1.5e-7, true, -0, 'x'])).toBe(
      '6400fb025e1c6b341af0d8b1791356e39cef6ada5535b8554e941bdec509d42e',
    );
  });
});
