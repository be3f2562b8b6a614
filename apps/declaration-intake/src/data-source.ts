import { messagingMigrations } from '@cic/platform-messaging';
import { createSchemaMigration, createServiceDataSource } from '@cic/platform-persistence';
import type { DataSource } from 'typeorm';
import type { IntakeConfig } from './config';
import { intakeEntities } from './entities';
import { IntakeTables1763700000200 } from './migrations/1763700000200-intake-tables';
import { DecisionDeadline1763700000300 } from './migrations/1763700000300-decision-deadline';
import { InlineStorage1763700000400 } from './migrations/1763700000400-inline-storage';

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
      ...messagingMigrations(config.DB_SCHEMA),
      IntakeTables1763700000200,
      DecisionDeadline1763700000300,
      InlineStorage1763700000400,
    ],
  });
}
