import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Role } from './principal';

/**
 * An API key, stored only as its SHA-256 (keys are 256-bit random, so a fast hash is enough). The issuer
 * (declaration-intake) owns the records; every other service keeps a replica in its own schema, fed by
 * `platform.api-key.changed.v1`. No schema of its own: the DataSource sets the service's.
 */
@Entity({ name: 'api_keys' })
@Index('UQ_api_keys_hash', ['keyHash'], { unique: true })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash!: string;

  /** First characters of the key, to recognise it in listings. */
  @Column({ name: 'key_prefix', type: 'varchar', length: 16 })
  keyPrefix!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ name: 'declarant_codes', type: 'text', array: true, default: () => `'{}'` })
  declarantCodes!: string[];

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}

/** The entities a service adds to its DataSource to use this library. */
export const authEntities = [ApiKeyEntity];
