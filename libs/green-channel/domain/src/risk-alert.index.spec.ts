import { alertMatches, type RiskAlert, RiskAlertIndex } from './risk-alert.index';
import { ASOF } from './testing/fixtures';
import { pick, seededRandom } from './testing/seeded-random';

const alert = (over: Partial<RiskAlert> = {}): RiskAlert => ({
  id: 'RA-1',
  hsPrefix: '8471',
  destinations: ['JP'],
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  source: 'FOREIGN_NOTIFICATION',
  description: 'RAPEX notification: overheating power supply',
  ...over,
});

const build = (alerts: RiskAlert[]) => {
  const built = RiskAlertIndex.build(alerts);
  if (!built.ok) throw new Error(built.problems.join('\n'));
  return built.index;
};

describe('RiskAlertIndex.match', () => {
  it.each<[string, Partial<RiskAlert>, string, string, string, boolean]>([
    ['4-digit prefix', {}, '8471300000', 'JP', ASOF, true],
    ['10-digit prefix, equal code', { hsPrefix: '8471300000' }, '8471300000', 'JP', ASOF, true],
    ['6-digit prefix', { hsPrefix: '847130' }, '8471300000', 'JP', ASOF, true],
    ['other subheading', { hsPrefix: '847131' }, '8471300000', 'JP', ASOF, false],
    ['other heading', {}, '8472300000', 'JP', ASOF, false],
    ['other destination', {}, '8471300000', 'US', ASOF, false],
    ['one of several destinations', { destinations: ['US', 'JP'] }, '8471300000', 'JP', ASOF, true],
    ['empty destinations: any', { destinations: [] }, '8471300000', 'BR', ASOF, true],
    ['valid from the query date', { validFrom: ASOF }, '8471300000', 'JP', ASOF, true],
    ['valid from the next day', { validFrom: '2026-03-11' }, '8471300000', 'JP', ASOF, false],
    ['valid until the query date', { validUntil: ASOF }, '8471300000', 'JP', ASOF, true],
    ['ended the day before', { validUntil: '2026-03-09' }, '8471300000', 'JP', ASOF, false],
    ['open-ended', { validUntil: null }, '8471300000', 'JP', '2099-01-01', true],
  ])('%s -> %s', (_name, over, hs, dest, on, matches) => {
    const sut = build([alert(over)]);
    expect(sut.match(hs, dest, on).map((a) => a.id)).toEqual(matches ? ['RA-1'] : []);
  });

  it('finds alerts on every prefix length of one code, shortest first', () => {
    const sut = build(
      ['84713000', '8471', '8471300000', '847130'].map((hsPrefix) => alert({ id: hsPrefix, hsPrefix })),
    );
    expect(sut.match('8471300000', 'JP', ASOF).map((a) => a.id)).toEqual([
      '8471',
      '847130',
      '84713000',
      '8471300000',
    ]);
  });

  it.each<[string, Partial<RiskAlert>, string]>([
    ['short prefix', { hsPrefix: '847' }, 'hsPrefix "847" is not 4 to 10 digits'],
    ['letters', { hsPrefix: '8471AB' }, 'hsPrefix'],
    ['lower-case destination', { destinations: ['jp'] }, 'destinations "jp"'],
    ['bad date', { validFrom: '2026-02-30' }, 'validFrom'],
    ['ends before it starts', { validUntil: '2025-12-31' }, 'validUntil is before validFrom'],
  ])('refuses a malformed alert (%s), naming it', (_name, over, problem) => {
    const built = RiskAlertIndex.build([alert(), alert({ id: 'RA-BAD', ...over })]);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.problems).toEqual([expect.stringContaining('alert RA-BAD: ')]);
    if (!built.ok) expect(built.problems[0]).toContain(problem);
  });
});

describe('RiskAlertIndex over 100,000 alerts agrees with a brute-force scan', () => {
  const random = seededRandom(4711);
  const COUNTRIES = ['JP', 'US', 'DE', 'KR', 'AU', 'VN', 'GB', 'FR'];
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  // Products under 40 headings, so that prefixes overlap and many queries match something; alerts
  // mostly on long prefixes, so that some queries on those headings match nothing.
  const headings = Array.from({ length: 40 }, () => String(1 + Math.floor(random() * 9)) + digits(3));
  const products = Array.from({ length: 2_000 }, () => pick(random, headings) + digits(6));
  const prefixLength = () => (random() < 0.005 ? 4 + Math.floor(random() * 3) : 7 + Math.floor(random() * 4));
  const day = () =>
    `${2024 + Math.floor(random() * 4)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(
      1 + Math.floor(random() * 28),
    ).padStart(2, '0')}`;
  const alerts: RiskAlert[] = Array.from({ length: 100_000 }, (_, i) => {
    const [a, b] = [day(), day()].sort();
    const dests =
      random() < 0.3
        ? []
        : Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, COUNTRIES));
    return {
      id: `RA-${i}`,
      hsPrefix: pick(random, products).slice(0, prefixLength()),
      destinations: [...new Set(dests)],
      validFrom: a,
      validUntil: random() < 0.2 ? null : b,
      source: random() < 0.5 ? 'FOREIGN_NOTIFICATION' : 'TRADE_MEASURE',
      description: 'synthetic',
    };
  });
  const queries = Array.from({ length: 2_000 }, () => {
    const base = pick(random, products);
    const keep = 4 + Math.floor(random() * 7);
    return {
      hs: base.slice(0, keep) + digits(10 - keep),
      dest: pick(random, [...COUNTRIES, 'CN']),
      on: day(),
    };
  });

  // Generous timeout: the brute-force side scans 100,000 alerts per query.
  it('returns exactly the alerts a scan of all of them finds', () => {
    const sut = build(alerts);
    expect(sut.size).toBe(100_000);
    let matched = 0;
    let empty = 0;
    for (const q of queries) {
      const got = sut
        .match(q.hs, q.dest, q.on)
        .map((a) => a.id)
        .sort();
      const expected = alerts
        .filter((a) => alertMatches(a, q.hs, q.dest, q.on))
        .map((a) => a.id)
        .sort();
      expect(got).toEqual(expected);
      matched += got.length;
      if (got.length === 0) empty++;
    }
    // The comparison means something only if both kinds of answers occur.
    expect(matched).toBeGreaterThan(1_000);
    expect(empty).toBeGreaterThan(100);
    expect(empty).toBeLessThan(queries.length - 100);
  }, 60_000);
});
