import { coveringPrefix, prefixCovers, scopesOverlap } from './hs-code';

describe('prefixCovers (grant scope prefixes of 4 to 10 digits)', () => {
  it.each<[string, string, boolean]>([
    ['8471', '8471300000', true],
    ['847130', '8471300000', true],
    ['8471300000', '8471300000', true],
    ['8471300001', '8471300000', false],
    ['84713', '8471300000', true],
    ['84714', '8471300000', false],
    ['8471', '8741300000', false],
    ['8471', '8470999999', false],
    // 4 vs 10 digits: a heading does not cover its neighbour, a tariff line covers only itself.
    ['8473', '8471300000', false],
    ['847', '8471300000', false],
    ['84713000001', '8471300000', false],
    ['8471.30', '8471300000', false],
    ['8471 30', '8471300000', false],
    ['', '8471300000', false],
    ['8471', '847130', false],
    ['8471', '84713000AB', false],
  ])('%j covers %j: %s', (prefix, hsCode, expected) => {
    expect(prefixCovers(prefix, hsCode)).toBe(expected);
  });

  it('picks the longest covering prefix', () => {
    expect(coveringPrefix(['8471', '847130', '8473'], '8471300000')).toBe('847130');
    expect(coveringPrefix(['8473'], '8471300000')).toBeUndefined();
  });
});

describe('scopesOverlap (foreign notifications name 2 to 10 digits)', () => {
  it.each<[string, string, boolean]>([
    ['8471300000', '847130', true],
    ['8471', '8471300000', true],
    ['8471', '84', true],
    ['8471', '8473', false],
    ['847130', '847140', false],
    ['8471', '8', false],
    ['8471', '', false],
  ])('%j and %j: %s', (prefix, notified, expected) => {
    expect(scopesOverlap(prefix, notified)).toBe(expected);
  });
});
