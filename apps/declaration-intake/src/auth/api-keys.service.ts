import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity, type Role } from '../entities';
import type { IntakeConfig } from '../config';
import { INTAKE_CONFIG } from '../intake.tokens';
import type { Principal } from './principal';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface CreatedKey {
  id: string;
  name: string;
  role: Role;
  declarantCodes: string[];
  /** Shown once; only its hash is stored. */
  key: string;
}

/** How long an authenticated (or refused) key is remembered: revocation reaches every instance within it. */
export const KEY_CACHE_MS = 5000;
const KEY_CACHE_MAX = 10_000;

/** Keys made by `intake:keys demo` for the local demo; never honoured in production. */
export const DEMO_KEY_PREFIX = 'demo-';

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, { principal: Principal | undefined; expires: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INTAKE_CONFIG) private readonly config: Pick<IntakeConfig, 'NODE_ENV'>,
  ) {}

  async create(input: {
    name: string;
    role: Role;
    declarantCodes?: string[];
    key?: string;
  }): Promise<CreatedKey> {
    const key = input.key ?? `cic_${input.role.slice(0, 3)}_${randomBytes(32).toString('base64url')}`;
    const entity = this.dataSource.getRepository(ApiKeyEntity).create({
      id: randomUUID(),
      name: input.name,
      role: input.role,
      declarantCodes: input.declarantCodes ?? [],
      keyHash: hashKey(key),
      keyPrefix: key.slice(0, 12),
      revokedAt: null,
    });
    await this.dataSource.getRepository(ApiKeyEntity).insert(entity);
    return {
      id: entity.id,
      name: entity.name,
      role: entity.role,
      declarantCodes: entity.declarantCodes,
      key,
    };
  }

  /**
   * The key's principal, from a short cache (KEY_CACHE_MS) in front of the table: one lookup per key per
   * few seconds instead of one per request. A revocation takes effect at once on the instance that made
   * it and within KEY_CACHE_MS everywhere else; unknown keys are cached too, so a flood of bad keys does
   * not become a flood of queries.
   */
  async authenticate(key: string): Promise<Principal | undefined> {
    const hash = hashKey(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expires > now) return cached.principal;
    const principal = await this.lookup(hash);
    if (this.cache.size >= KEY_CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { principal, expires: now + KEY_CACHE_MS });
    return principal;
  }

  private async lookup(hash: string): Promise<Principal | undefined> {
    const found = await this.dataSource
      .getRepository(ApiKeyEntity)
      .findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
    if (found && this.config.NODE_ENV === 'production' && found.name.startsWith(DEMO_KEY_PREFIX)) {
      this.logger.warn({
        msg: `refused demo key ${found.keyPrefix}… (${found.name}) in production`,
        keyId: found.id,
      });
      return undefined;
    }
    return found
      ? { keyId: found.id, name: found.name, role: found.role, declarantCodes: found.declarantCodes }
      : undefined;
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } });
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(ApiKeyEntity)
      .update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    // This instance forgets every cached key at once (the cache is keyed by hash, not id).
    this.cache.clear();
    return (result.affected ?? 0) > 0;
  }
}
