import { createMessagingMigration } from '@cic/platform-messaging';
import { createSchemaMigration, createServiceDataSource } from '@cic/platform-persistence';
import type { DataSource } from 'typeorm';
import type { IntakeConfig } from './config';
import { intakeEntities } from './entities';
import { IntakeTables1763700000200 } from './migrations/1763700000200-intake-tables';

export function createIntakeDataSource(
  config: Pick<IntakeConfig, 'DATABASE_URL' | 'DB_SCHEMA'>,
  role: string,
): DataSource {
  return createServiceDataSource({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    applicationName: `declaration-intake:${role}`,
    entities: intakeEntities,
    migrations: [
      createSchemaMigration(config.DB_SCHEMA),
      createMessagingMigration(config.DB_SCHEMA),
      IntakeTables1763700000200,
    ],
  });
}
