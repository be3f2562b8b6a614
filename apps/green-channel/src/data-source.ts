import { apiKeyMigrations, authEntities } from '@cic/platform-auth';
import { messagingMigrations } from '@cic/platform-messaging';
import { createSchemaMigration, createServiceDataSource } from '@cic/platform-persistence';
import type { DataSource } from 'typeorm';
import type { GreenChannelConfig } from './config';
import { GreenChannelTables1764600000100 } from './migrations/1764600000100-green-channel-tables';
import { ReferenceChangeKey1764600000200 } from './migrations/1764600000200-reference-change-key';
import { AbandonedChecks1764600000300 } from './migrations/1764600000300-abandoned-checks';

/**
 * Green-channel's data source. Its hot paths (lanes, history) are plain SQL through this data source's
 * pool; TypeORM runs the migrations and the transactions.
 */
export function createGreenChannelDataSource(
  config: Pick<GreenChannelConfig, 'DATABASE_URL' | 'DB_SCHEMA'>,
  role: string,
): DataSource {
  return createServiceDataSource({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    applicationName: `green-channel:${role}`,
    entities: authEntities,
    migrations: [
      createSchemaMigration(config.DB_SCHEMA),
      ...messagingMigrations(config.DB_SCHEMA),
      ...apiKeyMigrations(config.DB_SCHEMA),
      GreenChannelTables1764600000100,
      ReferenceChangeKey1764600000200,
      AbandonedChecks1764600000300,
    ],
  });
}
