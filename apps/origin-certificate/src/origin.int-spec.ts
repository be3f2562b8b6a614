// Origin certificates on the real stack: accepted declarations in, decided events out (once per
// declaration); applications over HTTP; signatures, public verification (tampering, rate limit), key
// rotation, the external verifier script, corrections and revocation; the PDF from the worker.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type OriginDecided, Topics } from '@cic/contracts';
import { KafkaProbe } from '@cic/platform-messaging';
import { runService, testInfra, waitFor } from '@cic/platform-testing';
import {
  accepted,
  acceptedMessage,
  applicationBody,
  gearboxRequest,
  type OriginHarness,
  parseEvents,
  SOCKS,
  startOrigin,
} from './testing/origin-harness';

const run = promisify(execFile);
const probe = new KafkaProbe(testInfra().brokers);
const VERIFIER = join(__dirname, '../scripts/verify-certificate.mjs');
const OUTPUT = join(__dirname, '../test-output');
let h: OriginHarness;

async function decisions(declarationId: string) {
  const all = parseEvents<OriginDecided>(await probe.readAll(h.topic(Topics.OriginDecidedV1)));
  return all.filter((e) => e.subject === declarationId);
}
const decided = (declarationId: string) =>
  waitFor(`origin decision for ${declarationId}`, async () => {
    const found = await decisions(declarationId);
    return found.length > 0 && found;
  });

async function issue(reference = `IT-${randomUUID().slice(0, 8)}`) {
  const r = await h.call('POST', '/v1/certificates/applications', { body: applicationBody(reference) });
  expect(r.status).toBe(201);
  expect(r.body.outcome).toBe('ISSUED');
  return r.body.certificate.number as string;
}

async function verifyExternally(certificate: unknown, jwks: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'origin-verify-'));
  writeFileSync(join(dir, 'certificate.json'), JSON.stringify(certificate));
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
  return run(process.execPath, [VERIFIER, join(dir, 'certificate.json'), join(dir, 'jwks.json')]).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

beforeAll(async () => {
  h = await startOrigin({ VERIFY_RATE_BURST: '40', VERIFY_RATE_PER_SECOND: '20' });
  await probe.connect();
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
});

describe('declarations', () => {
  it('issues for a declaration that requests a certificate, once, however often the event comes', async () => {
    const d = accepted();
    const eventId = randomUUID();
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d, eventId)]);
    const [first] = await decided(d.declarationId);
    expect(first.data).toMatchObject({
      declarationId: d.declarationId,
      outcome: 'ISSUED',
      rulesetVersion: expect.stringContaining('origin/'),
      lines: [{ lineNo: 1, criterion: 'PSR', met: true, rule: 'RVC40 or CTH', rvc: '55.00' }],
      certificate: {
        agreement: 'RCEP',
        verifyUrl: expect.stringMatching(
          /^https:\/\/origin\.example\.test\/v1\/certificates\/R\d{15}\/verify$/,
        ),
      },
    });
    const number = first.data.certificate!.number;
    // R + year + office 3302 (first 4 digits of 330200) + enterprise + serial
    expect(number).toMatch(new RegExp(`^R${first.data.decidedAt.slice(2, 4)}3302\\d{5}\\d{4}$`));
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    expect(first.data.certificate!.validUntil).toBe(`${Number(today.slice(0, 4)) + 1}${today.slice(4)}`);

    // The same event again, and the same declaration under a new event id: no second decision.
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [
      acceptedMessage(d, eventId),
      acceptedMessage(d),
    ]);
    const marker = accepted();
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(marker)]);
    await decided(marker.declarationId);
    expect(await decisions(d.declarationId)).toHaveLength(1);
    const stored = await h.call('GET', `/v1/decisions/${d.declarationId}`, { key: 'operator' });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ eventId: first.id, outcome: 'ISSUED', certificate: { number } });
    const [{ n }] = await h.ds.query(
      `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."certificates" WHERE declaration_id = $1`,
      [d.declarationId],
    );
    expect(n).toBe(1);
  });

  it('refuses a failing CTH with the offending materials, and skips declarations without a request', async () => {
    const without = accepted({ originCertificate: undefined });
    const failing = accepted({
      originCertificate: gearboxRequest({
        lines: [
          {
            lineNo: 1,
            fob: { amount: '100000.00', currency: 'USD' },
            criterion: 'PSR',
            // Gearbox parts from Germany: same heading 8708, 70% of FOB.
            materials: [
              { hsCode: '870840', originCountry: 'DE', value: { amount: '70000.00', currency: 'USD' } },
            ],
          },
        ],
      }),
    });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [
      acceptedMessage(without),
      acceptedMessage(failing),
    ]);
    const [e] = await decided(failing.declarationId);
    expect(e.data.outcome).toBe('REFUSED');
    expect(e.data.certificate).toBeUndefined();
    expect(e.data.lines[0]).toMatchObject({ met: false, rule: 'RVC40 or CTH', rvc: '30.00' });
    expect(e.data.lines[0].reason).toContain('870840');
    expect(e.data.reasons.map((r) => r.code)).toEqual(['PSR_NOT_MET']);
    expect(await decisions(without.declarationId)).toHaveLength(0);
    const stored = await h.call('GET', `/v1/decisions/${failing.declarationId}`, { key: 'operator' });
    expect(
      stored.body.lines[0].details.evaluations.find((x: { kind: string }) => x.kind === 'CTH'),
    ).toMatchObject({
      met: false,
      offendingMaterials: [{ hsCode: '870840', originCountry: 'DE' }],
    });
  });
});

describe('applications over HTTP', () => {
  it('issues, answers the same reference idempotently and refuses another body under it', async () => {
    const body = applicationBody('IT-APP-0001');
    const first = await h.call('POST', '/v1/certificates/applications', { key: 'declarant', body });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      outcome: 'ISSUED',
      reference: 'IT-APP-0001',
      certificate: { status: 'VALID' },
    });
    const again = await h.call('POST', '/v1/certificates/applications', { key: 'declarant', body });
    expect(again.status).toBe(200);
    expect(again.body.certificate.number).toBe(first.body.certificate.number);
    const other = await h.call('POST', '/v1/certificates/applications', {
      key: 'declarant',
      body: { ...body, invoiceNumber: 'INV-OTHER' },
    });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('REFERENCE_IN_USE');
    // A declarant applies only for its own codes.
    const foreign = await h.call('POST', '/v1/certificates/applications', {
      key: 'declarant',
      body: applicationBody('IT-APP-0002', { exporter: { code: SOCKS, name: 'Socks Co.' } }),
    });
    expect(foreign.status).toBe(403);
  });

  it('answers bad input with 400 and pointers, never 500', async () => {
    const bad = await h.call('POST', '/v1/certificates/applications', {
      body: applicationBody('IT-BAD-1', {
        exporter: { code: '91330200MA2H4K7L3X', name: 'x' },
        originCertificate: { ...gearboxRequest(), agreement: 'NAFTA', extra: 1 },
        goods: [],
      }),
    });
    expect(bad.status).toBe(400);
    const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/exporter/code',
        '/originCertificate/agreement',
        '/originCertificate/extra',
        '/goods',
      ]),
    );
    const unknownLine = await h.call('POST', '/v1/certificates/applications', {
      body: applicationBody('IT-BAD-2', {
        originCertificate: gearboxRequest({ lines: [{ ...gearboxRequest().lines[0], lineNo: 7 }] }),
      }),
    });
    expect(unknownLine.status).toBe(400);
    expect(unknownLine.body.errors[0].pointer).toBe('/originCertificate/lines/0/lineNo');
    for (const [method, path, body] of [
      ['POST', '/v1/certificates/applications', 'not json'],
      ['POST', '/v1/certificates/applications', [1, 2]],
      ['GET', '/v1/certificates/XYZ', undefined],
      ['GET', '/v1/certificates/XYZ/verify', undefined],
      ['POST', '/v1/certificates/R999999999999999/revoke', { reason: '' }],
      ['GET', '/v1/certificates/applications/not-a-uuid', undefined],
      ['GET', '/v1/certificates?limit=abc', undefined],
    ] as const) {
      const r = await h.call(method, path, { body, key: path.endsWith('/verify') ? null : 'admin' });
      expect([path, r.status]).toEqual([path, 400]);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await h.call('GET', '/v1/certificates/R269999999999999/verify', { key: null })).status).toBe(404);
    expect((await h.call('GET', '/v1/certificates', { key: null })).status).toBe(401);
  });
  it('documents the API at /docs-json, request bodies from the schemas the handlers parse with', async () => {
    const docs = await h.call('GET', '/docs-json', { key: null });
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/certificates/applications',
        '/v1/certificates/{number}',
        '/v1/certificates/{number}/verify',
        '/v1/certificates/{number}/pdf',
        '/v1/certificates/{number}/corrections',
        '/v1/certificates/{number}/revoke',
        '/v1/signing-keys/rotate',
        '/.well-known/jwks.json',
      ]),
    );
    expect(
      docs.body.paths['/v1/certificates/applications'].post.requestBody.content['application/json'].schema,
    ).toEqual({
      $ref: '#/components/schemas/ApplicationBody',
    });
  });
});

describe('signing and verification', () => {
  it('verifies a certificate: publicly, and from its JSON and the JWKS alone (external verifier)', async () => {
    const number = await issue();
    const v = await h.call('GET', `/v1/certificates/${number}/verify`, { key: null });
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({
      number,
      integrity: { result: 'VALID' },
      status: { result: 'VALID' },
      issuer: { result: 'KNOWN', keyState: 'ACTIVE', office: '3302' },
    });
    for (const part of ['integrity', 'status', 'issuer'])
      expect(v.body[part].reason).toEqual(expect.any(String));

    const signed = await h.call('GET', `/v1/certificates/${number}`, { key: 'declarant' });
    expect(signed.status).toBe(200);
    expect(Object.keys(signed.body).sort()).toEqual(['certificate', 'signature']);
    expect(signed.body.signature).toMatchObject({ alg: 'EdDSA', kid: v.body.integrity.kid });
    const jwks = await h.call('GET', '/.well-known/jwks.json', { key: null });
    expect(jwks.body.keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      kid: signed.body.signature.kid,
    });
    const ok = await verifyExternally(signed.body, jwks.body);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain('VALID');
    // One changed field and the external verifier refuses it too.
    const forged = { ...signed.body, certificate: { ...signed.body.certificate, importingCountry: 'KR' } };
    expect((await verifyExternally(forged, jwks.body)).code).toBe(1);
    // The script also fetches the JWKS from a URL.
    const dir = mkdtempSync(join(tmpdir(), 'origin-verify-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(signed.body));
    const byUrl = await run(process.execPath, [
      VERIFIER,
      join(dir, 'c.json'),
      `${h.url}/.well-known/jwks.json`,
    ]);
    expect(byUrl.stdout).toContain('VALID');
  });

  it('reports a certificate whose stored content was altered as INVALID', async () => {
    const number = await issue();
    await h.ds.query(
      `UPDATE "${h.config.DB_SCHEMA}"."certificates"
          SET content = jsonb_set(content, '{consignee,name}', '"Someone Else Ltd."') WHERE number = $1`,
      [number],
    );
    const v = await h.call('GET', `/v1/certificates/${number}/verify`, { key: null });
    expect(v.status).toBe(200);
    expect(v.body.integrity.result).toBe('INVALID');
    expect(v.body.integrity.reason).toContain('altered');
  });

  it('keeps old certificates verifiable after a key rotation, and signs new ones with the new key', async () => {
    const old = await issue();
    const oldKid = (await h.call('GET', `/v1/certificates/${old}`)).body.signature.kid;
    expect((await h.call('POST', '/v1/signing-keys/rotate', { key: 'operator' })).status).toBe(403);
    const rotated = await h.call('POST', '/v1/signing-keys/rotate');
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ retired: oldKid, kid: expect.any(String) });
    expect(rotated.body.kid).not.toBe(oldKid);
    const fresh = await issue();
    const freshSigned = (await h.call('GET', `/v1/certificates/${fresh}`)).body;
    expect(freshSigned.signature.kid).toBe(rotated.body.kid);

    const oldReport = await h.call('GET', `/v1/certificates/${old}/verify`, { key: null });
    expect(oldReport.body).toMatchObject({
      integrity: { result: 'VALID', kid: oldKid },
      issuer: { result: 'KNOWN', keyState: 'RETIRED' },
    });
    const jwks = (await h.call('GET', '/.well-known/jwks.json', { key: null })).body;
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(
      expect.arrayContaining([oldKid, rotated.body.kid]),
    );
    expect((await verifyExternally((await h.call('GET', `/v1/certificates/${old}`)).body, jwks)).code).toBe(
      0,
    );
    expect((await verifyExternally(freshSigned, jwks)).code).toBe(0);
    const keys = await h.call('GET', '/v1/signing-keys');
    expect(JSON.stringify(keys.body)).not.toMatch(/private|v1\./);
    const [row] = await h.ds.query(
      `SELECT private_key_enc FROM "${h.config.DB_SCHEMA}"."signing_keys" WHERE kid = $1`,
      [oldKid],
    );
    expect(row.private_key_enc).toMatch(/^v1\./);
    expect(row.private_key_enc).not.toContain('PRIVATE KEY');
  });

  it('a correction replaces the original (REPLACED, pointing to it); revocation marks REVOKED', async () => {
    const number = await issue();
    const corrected = await h.call('POST', `/v1/certificates/${number}/corrections`, {
      key: 'operator',
      body: { reason: 'consignee name misspelt', consignee: { name: 'Nagoya Drivetrain Co., Ltd.' } },
    });
    expect(corrected.status).toBe(201);
    const replacement = corrected.body.certificate.number;
    expect(replacement).not.toBe(number);
    expect(replacement.slice(0, 12)).toBe(number.slice(0, 12));
    expect(corrected.body.certificate).toMatchObject({
      replaces: { number, reason: 'consignee name misspelt' },
      consignee: { name: 'Nagoya Drivetrain Co., Ltd.' },
    });
    const original = await h.call('GET', `/v1/certificates/${number}/verify`, { key: null });
    expect(original.body).toMatchObject({
      integrity: { result: 'VALID' },
      status: { result: 'REPLACED', replacedBy: replacement },
    });
    const again = await h.call('POST', `/v1/certificates/${number}/corrections`, {
      body: { reason: 'again' },
    });
    expect(again.status).toBe(409);
    const newOne = await h.call('GET', `/v1/certificates/${replacement}/verify`, { key: null });
    expect(newOne.body).toMatchObject({
      integrity: { result: 'VALID' },
      status: { result: 'VALID', replaces: number },
    });

    const revoked = await h.call('POST', `/v1/certificates/${replacement}/revoke`, {
      key: 'operator',
      body: { reason: 'goods not shipped' },
    });
    expect(revoked.status).toBe(200);
    const report = await h.call('GET', `/v1/certificates/${replacement}/verify`, { key: null });
    expect(report.body.status).toMatchObject({
      result: 'REVOKED',
      reason: expect.stringContaining('goods not shipped'),
    });
    expect(
      (await h.call('POST', `/v1/certificates/${replacement}/revoke`, { body: { reason: 'x' } })).status,
    ).toBe(409);
  });

  it('limits verification per client: 429 with Retry-After', async () => {
    const number = await issue();
    const answers = await Promise.all(
      Array.from({ length: 80 }, () => h.call('GET', `/v1/certificates/${number}/verify`, { key: null })),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0].body.code).toBe('RATE_LIMITED');
    await waitFor(
      'a token back',
      async () => (await h.call('GET', `/v1/certificates/${number}/verify`, { key: null })).status === 200,
    );
  });
});

describe('PDF', () => {
  it('renders the certificate with its number and a QR code of the verify URL; 202 until ready', async () => {
    const number = await issue();
    const pdf = await waitFor(
      `PDF of ${number}`,
      async () => {
        const r = await h.call('GET', `/v1/certificates/${number}/pdf`, { key: 'declarant' });
        if (r.status === 202) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        return r.status === 200 && r;
      },
      { timeoutMs: 30_000 },
    );
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    mkdirSync(OUTPUT, { recursive: true });
    const file = join(OUTPUT, `${number}.pdf`);
    writeFileSync(file, pdf.bytes);
    const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
    expect(text).toContain(number);
    expect(text).toContain('Nagoya Drivetrain');
    expect(text).toContain('8708');
    expect(text).toContain('INV-GB-2026-0001');
    expect(text).toContain('REGIONAL COMPREHENSIVE ECONOMIC PARTNERSHIP');
    // For a person to look at: test-output/<number>-1.png
    await run('pdftoppm', ['-png', '-r', '60', file, join(OUTPUT, number)]);
    expect(readdirSync(OUTPUT).some((f) => f.startsWith(number) && f.endsWith('.png'))).toBe(true);
  });
});

describe('demo data and the key CLI', () => {
  it('loads the demo applications through the API, idempotently, with the outcomes they are meant to have', async () => {
    const first = await runService('apps/origin-certificate/src/cli/demo-data.ts', {}, [h.url, h.keys.admin]);
    expect(first).not.toContain('expected');
    for (const [ref, outcome] of [
      ['DEMO-ORIGIN-GEAR-JP', 'ISSUED'],
      ['DEMO-ORIGIN-SPKR-KR', 'REFUSED'],
      ['DEMO-ORIGIN-SOCK-JP-2', 'REFUSED'],
      ['DEMO-ORIGIN-GARM-AU', 'REFUSED'],
      ['DEMO-ORIGIN-ELEC-VN', 'ISSUED'],
    ])
      expect(first).toMatch(new RegExp(`${ref}: ${outcome}`));
    expect(first).toMatch(/DEMO-ORIGIN-WOOD-AU: \S+ corrected, replaced by/);
    const again = await runService('apps/origin-certificate/src/cli/demo-data.ts', {}, [h.url, h.keys.admin]);
    expect(again.match(/on file/g)).toHaveLength(9);
    expect(again).not.toContain('corrected');
  });

  it('rotates the key from the command line', async () => {
    const before = (await h.call('GET', '/v1/signing-keys')).body.items.find(
      (k: { active: boolean }) => k.active,
    );
    const out = await runService('apps/origin-certificate/src/cli/rotate-key.ts', h.env);
    expect(out).toContain(`${before.kid} retired`);
    const after = (await h.call('GET', '/v1/signing-keys')).body.items.find(
      (k: { active: boolean }) => k.active,
    );
    expect(after.kid).not.toBe(before.kid);
  });
});
