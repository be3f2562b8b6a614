// npm run bench:risk-alerts — green-channel's risk-alert screening without I/O: builds the in-memory
// index over 100,000 synthetic alerts (HS prefixes of 4 to 10 digits, some destinations, some expired)
// and times 200,000 line lookups, the work the lane does per declaration line. Deterministic data.
import { type RiskAlert, RiskAlertIndex } from '@cic/green-channel-domain';

const ALERTS = Number(process.env['BENCH_ALERTS'] ?? 100_000);
const LOOKUPS = Number(process.env['BENCH_LOOKUPS'] ?? 200_000);
const countries = ['US', 'JP', 'DE', 'AU', 'KR', 'GB', 'FR', 'NL', 'CL', 'BR'];
let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

const alerts: RiskAlert[] = Array.from({ length: ALERTS }, (_, i) => ({
  id: `alert-${i}`,
  hsPrefix: digits(4 + Math.floor(rnd() * 7)),
  destinations: rnd() < 0.3 ? [] : [countries[Math.floor(rnd() * countries.length)]],
  validFrom: '2020-01-01',
  validUntil: rnd() < 0.2 ? '2025-01-01' : null,
  source: 'TRADE_MEASURE',
  description: 'synthetic alert',
}));
const heapBefore = process.memoryUsage().heapUsed;
let t = process.hrtime.bigint();
const built = RiskAlertIndex.build(alerts);
if (!built.ok) throw new Error(built.problems.join('; '));
const buildMs = Number(process.hrtime.bigint() - t) / 1e6;
const queries = Array.from(
  { length: LOOKUPS },
  (_, i) => [digits(10), countries[i % countries.length]] as const,
);
let matches = 0;
t = process.hrtime.bigint();
for (const [hs, dest] of queries) matches += built.index.match(hs, dest, '2026-12-02').length;
const perLineUs = Number(process.hrtime.bigint() - t) / LOOKUPS / 1000;
process.stdout.write(
  `risk-alert index: ${ALERTS} alerts built in ${buildMs.toFixed(0)} ms ` +
    `(~${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(0)} MB heap); ` +
    `${LOOKUPS} line lookups at ${perLineUs.toFixed(2)} µs per line, ${matches} matches\n`,
);
