// Serial numbers under load on the real stack: two api instances on one schema issue 500 certificates
// at once for one office and year, and every number is distinct with serials 1..500 without a gap; an
// office past serial 9999 refuses cleanly.
import { applicationBody, type OriginHarness, startOrigin } from './testing/origin-harness';

let h: OriginHarness;

beforeAll(async () => {
  h = await startOrigin({ DB_POOL_SIZE: '12' }, { worker: false });
});
afterAll(async () => {
  await h?.close();
});

it('two instances issuing 500 certificates concurrently (64 requests in flight) give 500 distinct numbers', async () => {
  const second = await h.startApi();
  const N = 500;
  // 64 in flight, like a busy client's connection pool. All 500 at once queued requests behind the pool
  // longer than its 5 s wait on a slow machine, and they were answered 503 (retry later), as designed.
  const IN_FLIGHT = 64;
  const started = Date.now();
  const answers: Array<Awaited<ReturnType<typeof h.call>>> = new Array(N);
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = next++; i < N; i = next++)
        answers[i] = await h.call('POST', '/v1/certificates/applications', {
          body: applicationBody(`IT-LOAD-${String(i).padStart(4, '0')}`),
          base: i % 2 ? second.url : h.url,
        });
    }),
  );
  const elapsed = Date.now() - started;
  expect(answers.map((a) => a.status).filter((s) => s !== 201)).toEqual([]);
  const numbers = answers.map((a) => a.body.certificate.number as string);
  expect(new Set(numbers).size).toBe(N);
  // One office (3302), one year, one enterprise: the serials are 1..500 exactly.
  const serials = numbers.map((n) => Number(n.slice(12))).sort((a, b) => a - b);
  expect(serials).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  const [{ n, last }] = await h.ds.query(
    `SELECT (SELECT count(DISTINCT number)::int FROM "${h.config.DB_SCHEMA}"."certificates") AS n,
            (SELECT last_serial FROM "${h.config.DB_SCHEMA}"."office_serials" WHERE office = '3302') AS last`,
  );
  expect([n, last]).toEqual([N, N]);
  process.stdout.write(`issuance: ${N} certificates over two instances in ${elapsed} ms\n`);
});

it('an office that used serial 9999 of the year refuses cleanly; other offices go on', async () => {
  const year = Number(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 4),
  );
  await h.ds.query(
    `INSERT INTO "${h.config.DB_SCHEMA}"."office_serials" (office, year, last_serial) VALUES ('4403', $1, 9998)`,
    [year],
  );
  const shenzhen = (ref: string) => applicationBody(ref, { inspectionOffice: '440300' });
  const last = await h.call('POST', '/v1/certificates/applications', { body: shenzhen('IT-SZ-1') });
  expect(last.status).toBe(201);
  expect(last.body.certificate.number.slice(-4)).toBe('9999');
  const past = await h.call('POST', '/v1/certificates/applications', { body: shenzhen('IT-SZ-2') });
  expect(past.status).toBe(201);
  expect(past.body).toMatchObject({ outcome: 'REFUSED', certificate: null });
  expect(past.body.reasons).toEqual([expect.objectContaining({ code: 'CERTIFICATE_SERIAL_EXHAUSTED' })]);
  const [{ last_serial }] = await h.ds.query(
    `SELECT last_serial FROM "${h.config.DB_SCHEMA}"."office_serials" WHERE office = '4403'`,
  );
  expect(last_serial).toBe(9999);
  const elsewhere = await h.call('POST', '/v1/certificates/applications', {
    body: applicationBody('IT-NB-1'),
  });
  expect(elsewhere.body.outcome).toBe('ISSUED');
});
