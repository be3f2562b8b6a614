// Runs exemption's migrations (nx run exemption:migrate).
import { loadConfig } from '@cic/platform-config';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { exemptionEnv } from './config';
import { createExemptionDataSource } from './data-source';

async function main(): Promise<void> {
  const config = loadConfig(exemptionEnv);
  await ensureDatabase(config.DATABASE_URL);
  const ran = await runMigrations(createExemptionDataSource(config, 'migrate'));
  process.stdout.write(`exemption: ${ran.length ? `ran ${ran.join(', ')}` : 'schema up to date'}\n`);
}

main().catch((error) => {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exit(1);
});
