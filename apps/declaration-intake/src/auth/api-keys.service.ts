import { randomBytes, randomUUID } from 'node:crypto';
import { Topics } from '@cic/contracts';
import { ApiKeyAuthenticator, apiKeyChangedData, ApiKeyEntity, hashKey, type Role } from '@cic/platform-auth';
import { OutboxWriter } from '@cic/platform-messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';

export interface CreatedKey {
  id: string;
  name: string;
  role: Role;
  declarantCodes: string[];
  /** Shown once; only its hash is stored. */
  key: string;
}

/**
 * Issues and revokes API keys (declaration-intake is the issuer). Every change writes, in the same
 * transaction, the key's whole state to `platform.api-key.changed.v1`, from which every other service
 * keeps its own replica: one key works on every service.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly authenticator: ApiKeyAuthenticator,
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
      createdAt: new Date(),
      revokedAt: null,
    });
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(ApiKeyEntity).insert(entity);
      await this.announce(manager, entity);
    });
    return {
      id: entity.id,
      name: entity.name,
      role: entity.role,
      declarantCodes: entity.declarantCodes,
      key,
    };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } });
  }

  async revoke(id: string): Promise<boolean> {
    const revoked = await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ApiKeyEntity);
      const key = await repo.findOne({
        where: { id, revokedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!key) return undefined;
      key.revokedAt = new Date();
      await repo.update({ id }, { revokedAt: key.revokedAt });
      await this.announce(manager, key);
      return key;
    });
    // This instance stops honouring it at once; the others (and other services) within KEY_CACHE_MS.
    if (revoked) this.authenticator.forget(revoked.keyHash);
    return !!revoked;
  }

  /**
   * Publishes the current state of every key again (`intake:keys sync`): for keys issued before the
   * topic existed. Harmless to repeat: replicas are idempotent and never un-revoke.
   */
  async republishAll(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const keys = await manager.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } });
      await this.outbox.publishMany(
        manager,
        keys.map((k) =>
          this.outbox.prepare(Topics.ApiKeyChangedV1, { subject: k.id, data: apiKeyChangedData(k) }),
        ),
      );
      return keys.length;
    });
  }

  private async announce(manager: EntityManager, key: ApiKeyEntity): Promise<void> {
    await this.outbox.publish(manager, Topics.ApiKeyChangedV1, {
      subject: key.id,
      data: apiKeyChangedData(key),
    });
  }
}
