import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { decryptPrivateKey, encryptPrivateKey, jwkThumbprint } from './key-crypto';

describe('private keys at rest', () => {
  const master = randomBytes(32);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });

  it('round-trips under the master key and the kid, and the key still signs', () => {
    const stored = encryptPrivateKey(der, master, 'kid-1');
    expect(stored).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain(der.toString('base64url'));
    const sut = decryptPrivateKey(stored, master, 'kid-1');
    const signature = sign(null, Buffer.from('payload'), sut);
    expect(verify(null, Buffer.from('payload'), publicKey, signature)).toBe(true);
  });

  it('refuses another master key or another kid, without showing key material', () => {
    const stored = encryptPrivateKey(der, master, 'kid-1');
    expect(() => decryptPrivateKey(stored, randomBytes(32), 'kid-1')).toThrow(/cannot be decrypted/);
    expect(() => decryptPrivateKey(stored, master, 'kid-2')).toThrow(/cannot be decrypted/);
  });

  it('kid is the RFC 7638 thumbprint (RFC 8037 example key)', () => {
    // RFC 8037 Appendix A.3: the thumbprint of the example Ed25519 key.
    expect(jwkThumbprint('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo')).toBe(
      'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
    );
  });
});
