// Rotates the certificate signing key from the command line (what POST /v1/signing-keys/rotate does for an
// admin): the active key is retired, stays published in the JWKS so what it signed still verifies, and a
// new key signs from now on. Reads the service's configuration (DATABASE_URL, DB_SCHEMA,
// ORIGIN_KEY_ENCRYPTION_KEY). Usage: rotate-key.ts [--list]
import { loadConfig } from '@cic/platform-config';
import { originEnv } from '../config';
import { createOriginDataSource } from '../data-source';
import { SigningKeys } from '../signing/signing-keys';

async function main(): Promise<void> {
  const config = loadConfig(originEnv);
  const ds = await createOriginDataSource(config, 'cli').initialize();
  try {
    const keys = new SigningKeys(ds, config);
    if (process.argv.includes('--list')) {
      for (const k of await keys.list())
        process.stdout.write(
          `${k.kid}  created ${k.createdAt}  ${k.active ? 'ACTIVE' : `retired ${k.retiredAt}`}\n`,
        );
      return;
    }
    const r = await keys.rotate('cli');
    process.stdout.write(`signing key rotated: ${r.retired ?? '(none)'} retired, ${r.kid} active\n`);
  } finally {
    await ds.destroy();
  }
}

main().catch((error) => {
  process.stderr.write(`key rotation failed: ${(error as Error).message}\n`);
  process.exit(1);
});
