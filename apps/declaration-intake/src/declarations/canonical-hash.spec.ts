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
});
