import { apiKeyMigrations, authEntities } from '@cic/platform-auth';
import { messagingMigrations } from '@cic/platform-messaging';
import { createSchemaMigration, createServiceDataSource } from '@cic/platform-persistence';
import type { DataSource } from 'typeorm';
import type { ExemptionConfig } from './config';
import { ExemptionTables1764700000100 } from './migrations/1764700000100-exemption-tables';

/**
 * Exemption's data source. Everything is plain SQL through this data source's pool; TypeORM runs the
 * migrations and the transactions (its only entities are the replicated API keys).
 */
export function createExemptionDataSource(
  config: Pick<ExemptionConfig, 'DATABASE_URL' | 'DB_SCHEMA'>,
  role: string,
): DataSource {
  return createServiceDataSource({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    applicationName: `exemption:${role}`,
    entities: authEntities,
    migrations: [
      createSchemaMigration(config.DB_SCHEMA),
      ...messagingMigrations(config.DB_SCHEMA),
      ...apiKeyMigrations(config.DB_SCHEMA),
      ExemptionTables1764700000100,
    ],
  });
}
