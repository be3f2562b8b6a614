import { apiKeyMigrations, authEntities } from '@cic/platform-auth';
import { messagingMigrations } from '@cic/platform-messaging';
import { createSchemaMigration, createServiceDataSource } from '@cic/platform-persistence';
import type { DataSource } from 'typeorm';
import type { OriginConfig } from './config';
import { OriginTables1764800000100 } from './migrations/1764800000100-origin-tables';

/**
 * Origin-certificate's data source. Everything is plain SQL through this data source's pool; TypeORM runs
 * the migrations and the transactions (its only entities are the replicated API keys).
 */
export function createOriginDataSource(
  config: Pick<OriginConfig, 'DATABASE_URL' | 'DB_SCHEMA'> & Partial<Pick<OriginConfig, 'DB_POOL_SIZE'>>,
  role: string,
): DataSource {
  return createServiceDataSource({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    applicationName: `origin-certificate:${role}`,
    entities: authEntities,
    poolSize: config.DB_POOL_SIZE,
    migrations: [
      createSchemaMigration(config.DB_SCHEMA),
      ...messagingMigrations(config.DB_SCHEMA),
      ...apiKeyMigrations(config.DB_SCHEMA),
      OriginTables1764800000100,
    ],
  });
}
