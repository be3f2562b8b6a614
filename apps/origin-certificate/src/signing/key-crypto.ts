import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

// Private keys at rest: AES-256-GCM under the master key (ORIGIN_KEY_ENCRYPTION_KEY), a fresh 96-bit IV per
// key, the kid as additional authenticated data (a ciphertext moved to another key's row fails to open).
// Text form: "v1.<iv>.<tag>.<ciphertext>", each base64url.

const VERSION = 'v1';

/** Encrypts a private key's PKCS#8 DER for storage. */
export function encryptPrivateKey(pkcs8Der: Buffer, masterKey: Buffer, kid: string): string {
  if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The private key stored as `text` for `kid`; throws when the master key or the kid does not match. */
export function decryptPrivateKey(text: string, masterKey: Buffer, kid: string): KeyObject {
  const [version, iv, tag, ciphertext] = text.split('.');
  if (version !== VERSION || !iv || !tag || !ciphertext)
    throw new Error(`signing key ${kid}: unknown encrypted form`);
  const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  let der: Buffer;
  try {
    der = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch {
    // Never the key material in a message: only that it did not open.
    throw new Error(`signing key ${kid} cannot be decrypted: wrong ORIGIN_KEY_ENCRYPTION_KEY?`);
  }
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** An Ed25519 public key as a JWK (RFC 8037). */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** The RFC 7638 thumbprint of an OKP key: SHA-256 of {"crv","kty","x"} in that order, base64url. */
export function jwkThumbprint(x: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
    .digest('base64url');
}
