// Runs green-channel's migrations (nx run green-channel:migrate).
import { loadConfig } from '@cic/platform-config';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { greenChannelEnv } from './config';
import { createGreenChannelDataSource } from './data-source';

async function main(): Promise<void> {
  const config = loadConfig(greenChannelEnv);
  await ensureDatabase(config.DATABASE_URL);
  const ran = await runMigrations(createGreenChannelDataSource(config, 'migrate'));
  process.stdout.write(`green-channel: ${ran.length ? `ran ${ran.join(', ')}` : 'schema up to date'}\n`);
}

main().catch((error) => {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exit(1);
});
