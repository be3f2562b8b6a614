// Runs origin-certificate's migrations (nx run origin-certificate:migrate).
import { loadConfig } from '@cic/platform-config';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { originEnv } from './config';
import { createOriginDataSource } from './data-source';

async function main(): Promise<void> {
  const config = loadConfig(originEnv);
  await ensureDatabase(config.DATABASE_URL);
  const ran = await runMigrations(createOriginDataSource(config, 'migrate'));
  process.stdout.write(`origin-certificate: ${ran.length ? `ran ${ran.join(', ')}` : 'schema up to date'}\n`);
}

main().catch((error) => {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exit(1);
});
