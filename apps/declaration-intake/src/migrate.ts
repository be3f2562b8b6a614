// Runs the service's migrations (nx run declaration-intake:migrate), or with --generate <Name> writes a
// migration holding whatever the entities need beyond the committed migrations.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@cic/platform-config';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { intakeEnv } from './config';
import { createIntakeDataSource } from './data-source';

async function main(): Promise<void> {
  const config = loadConfig(intakeEnv);
  await ensureDatabase(config.DATABASE_URL);
  const ds = createIntakeDataSource(config, 'migrate');
  const ran = await runMigrations(ds);
  process.stdout.write(`declaration-intake: ${ran.length ? `ran ${ran.join(', ')}` : 'schema up to date'}\n`);
  const generateAt = process.argv.indexOf('--generate');
  if (generateAt < 0) return;
  const name = process.argv[generateAt + 1] ?? 'Change';
  await ds.initialize();
  try {
    const sql = await ds.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      process.stdout.write('entities and migrations agree: nothing to generate\n');
      return;
    }
    const stamp = Date.now();
    const cls = `${name}${stamp}`;
    // Schema-neutral: the migration takes its schema from the DataSource running it.
    const q = (list: { query: string }[]) =>
      list
        .map(
          (x) =>
            `    await q.query(\`${x.query.split(`"${config.DB_SCHEMA}".`).join('"${s}".').replace(/`/g, '\\`')}\`);`,
        )
        .join('\n');
    const file = join(
      __dirname,
      'migrations',
      `${stamp}-${name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`,
    );
    writeFileSync(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\nfunction schemaOf(q: QueryRunner): string {\n  return (q.connection.options as { schema?: string }).schema ?? 'intake';\n}\n\nexport class ${cls} implements MigrationInterface {\n  name = '${cls}';\n\n  async up(q: QueryRunner): Promise<void> {\n    const s = schemaOf(q);\n${q(sql.upQueries)}\n  }\n\n  async down(q: QueryRunner): Promise<void> {\n    const s = schemaOf(q);\n${q(sql.downQueries.reverse())}\n  }\n}\n`,
    );
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await ds.destroy();
  }
}

main().catch((error) => {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exit(1);
});
