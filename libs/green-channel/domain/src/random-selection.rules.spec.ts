import { createHmac } from 'node:crypto';
import type { CreditTier, ZoneLevel } from './enterprise.types';
import { isRandomlySelected, selectionDraw, selectionRate } from './random-selection.rules';
import { DEFAULT_RULES } from './rules.config';
import { seededRandom, seededUuid } from './testing/seeded-random';

const KEY = 'test-selection-key-0123456789abcdef';
const zones = (...levels: ZoneLevel[]) => levels.map((level) => ({ level }));

describe('selectionRate (DOMAIN.md: tier rate x best zone factor, floor 0.3%)', () => {
  it.each<[CreditTier, ZoneLevel[], number]>([
    ['REGULAR', [], 0.025],
    ['CERTIFIED', [], 0.0125],
    ['ADVANCED_CERTIFIED', [], 0.005],
    ['DISCREDITED', [], 0.85],
    ['SERIOUSLY_DISCREDITED', [], 1],
    ['REGULAR', ['NATIONAL'], 0.0125],
    ['REGULAR', ['PROVINCIAL'], 0.01875],
    // several zones: the best factor applies, once
    ['REGULAR', ['PROVINCIAL', 'NATIONAL'], 0.0125],
    ['CERTIFIED', ['PROVINCIAL'], 0.009375],
    // 0.005 x 0.5 = 0.0025, lifted to the 0.003 floor; 0.005 x 0.75 = 0.00375 stays
    ['ADVANCED_CERTIFIED', ['NATIONAL'], 0.003],
    ['ADVANCED_CERTIFIED', ['PROVINCIAL'], 0.00375],
    // no zone relief for discredited tiers: 0.85 x 0.5 would break the 80% minimum
    ['DISCREDITED', ['NATIONAL'], 0.85],
    ['SERIOUSLY_DISCREDITED', ['NATIONAL'], 1],
  ])('%s in zones %j -> %s', (tier, levels, rate) => {
    expect(selectionRate(tier, zones(...levels), DEFAULT_RULES)).toBeCloseTo(rate, 12);
  });

  it('never exceeds 1', () => {
    const rules = { ...DEFAULT_RULES, zoneFactors: { NATIONAL: 1, PROVINCIAL: 1 } };
    expect(selectionRate('SERIOUSLY_DISCREDITED', zones('NATIONAL'), rules)).toBe(1);
  });
});

describe('selectionDraw (HMAC-SHA256, 52 bits)', () => {
  const id = '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';

  it('is the same for the same id and key, and in [0, 1)', () => {
    const draw = selectionDraw(id, KEY);
    expect(selectionDraw(id, KEY)).toBe(draw);
    expect(selectionDraw(id, Buffer.from(KEY))).toBe(draw);
    expect(draw).toBeGreaterThanOrEqual(0);
    expect(draw).toBeLessThan(1);
  });

  it('treats a uuid case-insensitively', () => {
    expect(selectionDraw(id.toUpperCase(), KEY)).toBe(selectionDraw(id, KEY));
  });

  it('depends on the key, so a declarant cannot compute it', () => {
    expect(selectionDraw(id, `${KEY}!`)).not.toBe(selectionDraw(id, KEY));
  });

  it('is the first 52 bits of the MAC over 2^52 (computed here another way)', () => {
    const mac = createHmac('sha256', 'k').update('a').digest();
    const expected = Number(BigInt(`0x${mac.subarray(0, 8).toString('hex')}`) >> 12n) / 2 ** 52;
    expect(selectionDraw('a', 'k')).toBe(expected);
  });

  it('selects when the draw is below the rate: never at 0, always at 1', () => {
    const draw = selectionDraw(id, KEY);
    expect(isRandomlySelected(id, draw, KEY)).toBe(false);
    expect(isRandomlySelected(id, draw + 2 ** -52, KEY)).toBe(true);
    expect(isRandomlySelected(id, 0, KEY)).toBe(false);
    expect(isRandomlySelected(id, 1, KEY)).toBe(true);
  });
});

describe('observed selection rates converge on the configured ones', () => {
  // 20,000 fixed synthetic declaration ids (seeded, so the test is a deterministic computation).
  const N = 20_000;
  const random = seededRandom(20260310);
  const ids = Array.from({ length: N }, () => seededUuid(random));

  // Tolerance: the count of selected ids is Binomial(n, p) if the keyed hash behaves as a uniform
  // draw. |observed - p| <= 4.5 sigma, sigma = sqrt(p(1-p)/n), fails by chance with probability
  // 2 * (1 - Phi(4.5)) ~ 6.8e-6 < 1e-5 under the normal approximation (n*p >= 60 in every row: even
  // the 0.3% floor gives 60 expected selections). The ids are fixed, so the outcome never changes
  // between runs; the bound says that a seed was not picked to make it pass.
  const tolerance = (p: number) => 4.5 * Math.sqrt((p * (1 - p)) / N);

  it.each<[CreditTier, ZoneLevel[]]>([
    ['REGULAR', []],
    ['CERTIFIED', []],
    ['ADVANCED_CERTIFIED', []],
    ['DISCREDITED', []],
    ['SERIOUSLY_DISCREDITED', []],
    ['REGULAR', ['NATIONAL']],
    ['REGULAR', ['PROVINCIAL']],
    ['CERTIFIED', ['NATIONAL']],
    ['CERTIFIED', ['PROVINCIAL']],
    ['ADVANCED_CERTIFIED', ['NATIONAL']],
    ['ADVANCED_CERTIFIED', ['PROVINCIAL']],
  ])('%s in zones %j', (tier, levels) => {
    const p = selectionRate(tier, zones(...levels), DEFAULT_RULES);
    const observed = ids.filter((id) => isRandomlySelected(id, p, KEY)).length / N;
    expect(Math.abs(observed - p)).toBeLessThanOrEqual(tolerance(p));
  });

  it('the draws are uniform on [0, 1): their mean is within 4.5 sigma of 1/2', () => {
    const mean = ids.reduce((s, id) => s + selectionDraw(id, KEY), 0) / N;
    // Var(U[0,1)) = 1/12
    expect(Math.abs(mean - 0.5)).toBeLessThanOrEqual(4.5 * Math.sqrt(1 / 12 / N));
  });

  it('replaying the same ids gives the same selections', () => {
    const first = ids.map((id) => isRandomlySelected(id, 0.025, KEY));
    expect(ids.map((id) => isRandomlySelected(id, 0.025, KEY))).toEqual(first);
  });
});
