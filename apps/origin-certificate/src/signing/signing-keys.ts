import {
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign as edSign,
  verify as edVerify,
} from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '../common/sql';
import { masterKeyOf, ORIGIN_CONFIG, type OriginConfig } from '../config';
import { decryptPrivateKey, type Ed25519Jwk, encryptPrivateKey, jwkThumbprint } from './key-crypto';

export interface ActiveKey {
  kid: string;
  privateKey: KeyObject;
}

export interface SigningKeyView {
  kid: string;
  createdAt: string;
  retiredAt: string | null;
  createdBy: string;
  active: boolean;
}

interface KeyRow {
  kid: string;
  public_jwk: { x: string };
  private_key_enc: string;
  created_at: Date;
  retired_at: Date | null;
  created_by: string;
}

/**
 * The Ed25519 signing keys: exactly one active key signs new certificates; rotation retires it (it stays
 * published in the JWKS, so what it signed still verifies) and creates the next. Private halves are kept
 * encrypted (key-crypto.ts) and decrypted into memory only, never logged.
 */
@Injectable()
export class SigningKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger('SigningKeys');
  private readonly schema: string;
  private readonly masterKey: Buffer;
  private readonly privateKeys = new Map<string, KeyObject>();
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(
    private readonly db: DataSource,
    @Inject(ORIGIN_CONFIG) config: OriginConfig,
  ) {
    this.schema = config.DB_SCHEMA;
    this.masterKey = masterKeyOf(config);
  }

  /** An installation signs from its first start: create the first key when there is none. */
  async onApplicationBootstrap(): Promise<void> {
    const created = await this.ensureActive(this.db, 'system');
    if (created) this.logger.log(`created signing key ${created}`);
  }

  /** Creates a key when none is active (two instances starting at once still give one); its kid, or undefined. */
  async ensureActive(m: Pick<EntityManager, 'query'>, actor: string): Promise<string | undefined> {
    const [active] = await queryRows<{ kid: string }>(
      m,
      `SELECT kid FROM "${this.schema}"."signing_keys" WHERE retired_at IS NULL`,
    );
    if (active) return undefined;
    const key = this.generate();
    const inserted = await queryRows<{ kid: string }>(
      m,
      `INSERT INTO "${this.schema}"."signing_keys" (kid, public_jwk, private_key_enc, created_by)
       VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT DO NOTHING RETURNING kid`,
      [key.kid, JSON.stringify(key.jwk), key.encrypted, actor],
    );
    return inserted[0]?.kid;
  }

  /** Retires the active key and creates the next, in one transaction; the new and the retired kid. */
  async rotate(actor: string): Promise<{ kid: string; retired: string | null }> {
    return this.db.transaction(async (m) => {
      // Serialises rotations; issuers keep signing with the key they read until this commits.
      await m.query(`LOCK TABLE "${this.schema}"."signing_keys" IN SHARE ROW EXCLUSIVE MODE`);
      const retired = await queryRows<{ kid: string }>(
        m,
        `UPDATE "${this.schema}"."signing_keys" SET retired_at = now() WHERE retired_at IS NULL RETURNING kid`,
      );
      const key = this.generate();
      await m.query(
        `INSERT INTO "${this.schema}"."signing_keys" (kid, public_jwk, private_key_enc, created_by)
         VALUES ($1, $2::jsonb, $3, $4)`,
        [key.kid, JSON.stringify(key.jwk), key.encrypted, actor],
      );
      this.logger.log(`signing key rotated by ${actor}: ${retired[0]?.kid ?? '(none)'} -> ${key.kid}`);
      return { kid: key.kid, retired: retired[0]?.kid ?? null };
    });
  }

  /** The key that signs now, read in the caller's transaction (the private half cached per kid). */
  async active(m: Pick<EntityManager, 'query'>): Promise<ActiveKey> {
    let [row] = await queryRows<Pick<KeyRow, 'kid' | 'private_key_enc'>>(
      m,
      `SELECT kid, private_key_enc FROM "${this.schema}"."signing_keys" WHERE retired_at IS NULL`,
    );
    if (!row) {
      await this.ensureActive(this.db, 'system');
      [row] = await queryRows<Pick<KeyRow, 'kid' | 'private_key_enc'>>(
        m,
        `SELECT kid, private_key_enc FROM "${this.schema}"."signing_keys" WHERE retired_at IS NULL`,
      );
      if (!row) throw new Error('no active signing key');
    }
    let privateKey = this.privateKeys.get(row.kid);
    if (!privateKey) {
      privateKey = decryptPrivateKey(row.private_key_enc, this.masterKey, row.kid);
      this.privateKeys.set(row.kid, privateKey);
    }
    return { kid: row.kid, privateKey };
  }

  sign(key: ActiveKey, payload: Uint8Array): string {
    return edSign(null, payload, key.privateKey).toString('base64url');
  }

  /** Whether `signature` (base64url) is kid's signature of `payload`; undefined when kid is unknown. */
  async verify(kid: string, payload: Uint8Array, signature: string): Promise<boolean | undefined> {
    const key = await this.publicKey(kid);
    if (!key) return undefined;
    const bytes = Buffer.from(signature, 'base64url');
    if (bytes.length !== 64) return false;
    return edVerify(null, payload, key, bytes);
  }

  /** Every key, newest first, as the JWKS publishes them (retired ones too: they verify what they signed). */
  async jwks(): Promise<{ keys: Ed25519Jwk[] }> {
    const rows = await queryRows<Pick<KeyRow, 'kid' | 'public_jwk'>>(
      this.db,
      `SELECT kid, public_jwk FROM "${this.schema}"."signing_keys" ORDER BY created_at DESC, kid`,
    );
    return { keys: rows.map((r) => this.jwkOf(r.kid, r.public_jwk.x)) };
  }

  async list(): Promise<SigningKeyView[]> {
    const rows = await queryRows<KeyRow>(
      this.db,
      `SELECT kid, created_at, retired_at, created_by FROM "${this.schema}"."signing_keys" ORDER BY created_at DESC, kid`,
    );
    return rows.map((r) => ({
      kid: r.kid,
      createdAt: r.created_at.toISOString(),
      retiredAt: r.retired_at?.toISOString() ?? null,
      createdBy: r.created_by,
      active: r.retired_at === null,
    }));
  }

  /** A key's state for verification reports, or undefined. */
  async state(kid: string): Promise<SigningKeyView | undefined> {
    return (await this.list()).find((k) => k.kid === kid);
  }

  private async publicKey(kid: string): Promise<KeyObject | undefined> {
    const cached = this.publicKeys.get(kid);
    if (cached) return cached;
    const [row] = await queryRows<Pick<KeyRow, 'public_jwk'>>(
      this.db,
      `SELECT public_jwk FROM "${this.schema}"."signing_keys" WHERE kid = $1`,
      [kid],
    );
    if (!row) return undefined;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: row.public_jwk.x }, format: 'jwk' });
    this.publicKeys.set(kid, key);
    return key;
  }

  private jwkOf(kid: string, x: string): Ed25519Jwk {
    return { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
  }

  private generate(): { kid: string; jwk: Ed25519Jwk; encrypted: string } {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const x = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
    const kid = jwkThumbprint(x);
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    return { kid, jwk: this.jwkOf(kid, x), encrypted: encryptPrivateKey(der, this.masterKey, kid) };
  }
}
