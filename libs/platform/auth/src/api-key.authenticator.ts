import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import type { Principal } from './principal';

/** SHA-256 (hex) of an API key: the only form in which keys are stored and propagated. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * How long an authenticated (or refused) key is remembered: a revocation reaches every instance of every
 * service within this long after its event has been replicated there.
 */
export const KEY_CACHE_MS = 5000;
/** Keys remembered at most per process, so a flood of made-up keys cannot grow memory. */
export const KEY_CACHE_MAX = 10_000;

/** Keys made by `intake:keys demo` for the local demo; never honoured in production. */
export const DEMO_KEY_PREFIX = 'demo-';

export interface AuthOptions {
  /** NODE_ENV of the service: in `production` demo keys are refused. */
  nodeEnv: string;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

function registers(dataSource: DataSource, entity: unknown): boolean {
  const entities = dataSource.options.entities ?? [];
  return (Array.isArray(entities) ? entities : Object.values(entities)).includes(entity as never);
}

/**
 * Turns a bearer key into its principal from the service's own `api_keys` table (the issuer's records,
 * or the replica other services keep from `platform.api-key.changed.v1`).
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, { principal: Principal | undefined; expires: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {
    if (!registers(dataSource, ApiKeyEntity))
      throw new Error(
        'platform-auth: the DataSource does not register ApiKeyEntity; add authEntities to its entities and apiKeyMigrations(schema) to its migrations',
      );
  }

  /**
   * The key's principal, from a short cache (KEY_CACHE_MS) in front of a lookup by hash: one query per key
   * per few seconds instead of one per request. Unknown keys are cached too, so a flood of bad keys does
   * not become a flood of queries.
   */
  async authenticate(key: string): Promise<Principal | undefined> {
    const hash = hashKey(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expires > now) return cached.principal;
    const principal = await this.lookup(hash);
    this.cache.delete(hash); // re-inserted last: the map's order is the order of expiry
    if (this.cache.size >= KEY_CACHE_MAX) this.evict(now);
    this.cache.set(hash, { principal, expires: now + KEY_CACHE_MS });
    return principal;
  }

  /** Forgets one cached key (by hash), or all: a revocation takes effect at once in this process. */
  forget(keyHash?: string): void {
    if (keyHash === undefined) this.cache.clear();
    else this.cache.delete(keyHash);
  }

  private evict(now: number): void {
    for (const [hash, entry] of this.cache) {
      if (entry.expires > now && this.cache.size < KEY_CACHE_MAX) return;
      this.cache.delete(hash);
    }
  }

  private async lookup(hash: string): Promise<Principal | undefined> {
    const found = await this.dataSource
      .getRepository(ApiKeyEntity)
      .findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
    if (!found) return undefined;
    if (this.options.nodeEnv === 'production' && found.name.startsWith(DEMO_KEY_PREFIX)) {
      this.logger.warn({
        msg: `refused demo key ${found.keyPrefix}… (${found.name}) in production`,
        keyId: found.id,
      });
      return undefined;
    }
    return { keyId: found.id, name: found.name, role: found.role, declarantCodes: found.declarantCodes };
  }
}
