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

/** Keys made by `intake:keys demo` for the local demo; never honoured in production. */
export const DEMO_KEY_PREFIX = 'demo-';

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeys');

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

  async authenticate(key: string): Promise<Principal | undefined> {
    const found = await this.dataSource
      .getRepository(ApiKeyEntity)
      .findOne({ where: { keyHash: hashKey(key), revokedAt: IsNull() } });
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
    return (result.affected ?? 0) > 0;
  }
}
