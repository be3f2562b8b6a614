import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { SqlLogger } from './sql-logger';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema (DESIGN.md: no service reads another's). */
  schema: string;
  /** Shown in pg_stat_activity, e.g. "declaration-intake:api". */
  applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /**
   * Postgres ends a statement running longer than this, and a transaction left idle this long (a
   * handler that hung or was abandoned), so no lock is held forever. Default 30 s.
   */
  statementTimeoutMs?: number;
}

/**
 * A TypeORM data source bound to one service schema. Schema changes happen only through committed
 * migrations: `synchronize` is off here and cannot be switched on.
 */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema))
    throw new Error(`invalid schema name "${options.schema}"`);
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    applicationName: options.applicationName,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'warn', 'migration'],
    logger: new SqlLogger(),
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      statement_timeout: options.statementTimeoutMs ?? 30000,
      idle_in_transaction_session_timeout: options.statementTimeoutMs ?? 30000,
    },
  });
}
