#!/usr/bin/env node
// Verifies a certificate of origin outside the platform, with nothing but its JSON and the issuer's JWKS
// (node:crypto only, no dependency):
//   node verify-certificate.mjs <certificate.json> <jwks.json | https://.../.well-known/jwks.json>
// certificate.json is what GET /v1/certificates/<number> answers: {certificate, signature {alg, kid, value}}.
// The signature is Ed25519 over the RFC 8785 (JCS) canonical JSON of `certificate` in UTF-8.
// Exit code 0: VALID; 1: INVALID; 2: usage or input error.
import { createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** RFC 8785 canonical JSON: sorted members (UTF-16 order), no whitespace, ECMAScript numbers and strings. */
function jcs(value) {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a number without JSON form');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (/[\uD800-\uDFFF]/u.test(value)) throw new TypeError('a lone surrogate is not I-JSON');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${jcs(k)}:${jcs(value[k])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} has no JSON form`);
}

async function readJson(source) {
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
    return res.json();
  }
  return JSON.parse(await readFile(source, 'utf8'));
}

async function main() {
  const [certificateFile, jwksSource] = process.argv.slice(2);
  if (!certificateFile || !jwksSource) {
    process.stderr.write('usage: verify-certificate.mjs <certificate.json> <jwks.json | jwks URL>\n');
    return 2;
  }
  const signed = await readJson(certificateFile);
  const jwks = await readJson(jwksSource);
  const { certificate, signature } = signed ?? {};
  if (!certificate || !signature?.kid || !signature?.value) throw new Error('not a signed certificate JSON');
  if (signature.alg !== 'EdDSA') throw new Error(`unsupported algorithm ${signature.alg}`);
  const jwk = (jwks.keys ?? []).find((k) => k.kid === signature.kid);
  const out = (result, reason) =>
    process.stdout.write(
      `${JSON.stringify({ number: certificate.number, kid: signature.kid, result, reason })}\n`,
    );
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    out('INVALID', `key ${signature.kid} is not in the JWKS`);
    return 1;
  }
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
  const ok = verify(
    null,
    Buffer.from(jcs(certificate), 'utf8'),
    key,
    Buffer.from(signature.value, 'base64url'),
  );
  out(
    ok ? 'VALID' : 'INVALID',
    ok ? 'the Ed25519 signature verifies' : 'the signature does not match the content',
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`verify-certificate: ${error.message}\n`);
    process.exit(2);
  },
);
