import { TokenBuckets } from './rate-limit';

describe('TokenBuckets', () => {
  it('allows a burst, then answers how long to wait, and refills with time', () => {
    let now = 0;
    const sut = new TokenBuckets(3, 2, () => now);
    expect([sut.take('a'), sut.take('a'), sut.take('a')]).toEqual([0, 0, 0]);
    expect(sut.take('a')).toBe(1);
    expect(sut.take('b')).toBe(0);
    now = 500; // half a second: one token back at 2/s
    expect(sut.take('a')).toBe(0);
    expect(sut.take('a')).toBeGreaterThanOrEqual(1);
  });

  it('a slow refill asks for a longer wait', () => {
    const sut = new TokenBuckets(1, 0.1, () => 0);
    expect(sut.take('x')).toBe(0);
    expect(sut.take('x')).toBe(10);
  });
});
