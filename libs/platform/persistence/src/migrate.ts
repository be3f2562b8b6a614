import type { DataSource } from 'typeorm';

/**
 * Runs pending migrations. TypeORM creates its migrations table inside the service schema, so the schema
 * must exist first; creating it here (idempotently) keeps the first migration simple.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema;
  const wasInitialized = dataSource.isInitialized;
  if (!wasInitialized) await dataSource.initialize();
  try {
    if (schema) await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    if (!wasInitialized) await dataSource.destroy();
  }
}

/**
 * SQL statements TypeORM would generate to bring the schema in line with the entities. Empty means the
 * committed migrations match the entities (the check CI runs).
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const wasInitialized = dataSource.isInitialized;
  if (!wasInitialized) await dataSource.initialize();
  try {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  } finally {
    if (!wasInitialized) await dataSource.destroy();
  }
}
