// API keys from the command line (npm run intake:keys -- <command>):
//   create --name NAME --role declarant|operator|admin [--declarant CODE ...]
//   list
//   revoke ID
//   sync                 publishes every key's current state again to platform.api-key.changed.v1
//                        (for keys issued before the topic existed; harmless to repeat)
//   demo [--file PATH]   local demo mode only: ensures one key per role, kept in PATH, prints them as JSON
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '@cic/platform-config';
import { ApiKeyAuthenticator, DEMO_KEY_PREFIX, type Role } from '@cic/platform-auth';
import { KafkaClient, OutboxWriter } from '@cic/platform-messaging';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { ApiKeysService } from '../auth/api-keys.service';
import { intakeEnv } from '../config';
import { createIntakeDataSource } from '../data-source';
import { intakeMessagingOptions } from '../messaging.options';

// The demo enterprises of cli/demo-data.ts (auto parts, socks, flooring, electronics, wiring harnesses,
// buses, garments, loudspeakers), as green-channel's demo reference data knows them.
export const DEMO_DECLARANTS = [
  '91330200MA2H4K7L3P',
  '91330100MA27XK1X08',
  '91330200796000000M',
  '91320500MA1W8E2K0D',
  '91330200MA2CHX5N18',
  '91330200MA2B7U5T34',
  '91330300MA2GAR0M2A',
  '91330200MA2L8P8K43',
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function args(name: string): string[] {
  return process.argv.flatMap((a, i) =>
    a === `--${name}` && process.argv[i + 1] ? [process.argv[i + 1]] : [],
  );
}

async function main(): Promise<void> {
  const config = loadConfig(intakeEnv);
  await ensureDatabase(config.DATABASE_URL);
  const ds = createIntakeDataSource(config, 'cli');
  await runMigrations(ds);
  await ds.initialize();
  // Changes go to the outbox in their transaction; the running api's relay publishes them.
  const messaging = intakeMessagingOptions(config, 'cli');
  const authenticator = new ApiKeyAuthenticator(ds, { nodeEnv: config.NODE_ENV });
  const keys = new ApiKeysService(ds, new OutboxWriter(messaging, new KafkaClient(messaging)), authenticator);
  const command = process.argv[2];
  try {
    if (command === 'create') {
      const role = arg('role') as Role | undefined;
      const name = arg('name');
      if (!name || !role || !['declarant', 'operator', 'admin'].includes(role))
        throw new Error('usage: create --name NAME --role declarant|operator|admin [--declarant CODE ...]');
      const codes = args('declarant');
      if (role === 'declarant' && codes.length === 0)
        throw new Error('a declarant key needs --declarant CODE');
      process.stdout.write(
        JSON.stringify(await keys.create({ name, role, declarantCodes: codes }), null, 2) + '\n',
      );
    } else if (command === 'list') {
      for (const k of await keys.list()) {
        process.stdout.write(
          `${k.id}  ${k.role.padEnd(9)} ${k.keyPrefix}…  ${k.name}${k.revokedAt ? '  (revoked)' : ''}\n`,
        );
      }
    } else if (command === 'revoke') {
      const id = process.argv[3];
      if (!id) throw new Error('usage: revoke ID');
      process.stdout.write((await keys.revoke(id)) ? `revoked ${id}\n` : `no active key ${id}\n`);
    } else if (command === 'sync') {
      process.stdout.write(`published the state of ${await keys.republishAll()} keys\n`);
    } else if (command === 'demo') {
      if (config.NODE_ENV === 'production') throw new Error('demo keys are for local demo mode only');
      const file = arg('file') ?? '.infra/demo-keys.json';
      const saved: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
      const wanted: Array<{ name: string; role: Role; declarantCodes: string[] }> = [
        { name: `${DEMO_KEY_PREFIX}admin`, role: 'admin', declarantCodes: [] },
        { name: `${DEMO_KEY_PREFIX}operator`, role: 'operator', declarantCodes: [] },
        { name: `${DEMO_KEY_PREFIX}declarant`, role: 'declarant', declarantCodes: DEMO_DECLARANTS },
      ];
      const out: Record<string, string> = {};
      for (const w of wanted) {
        const existing = saved[w.role];
        const principal = existing ? await authenticator.authenticate(existing) : undefined;
        // A saved key is kept only while it still covers what the demo needs.
        const covers = principal && w.declarantCodes.every((c) => principal.declarantCodes.includes(c));
        out[w.role] = covers ? existing : (await keys.create(w)).key;
      }
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(out, null, 2) + '\n', { mode: 0o600 });
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      throw new Error('commands: create | list | revoke ID | sync | demo');
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((error) => {
  process.stderr.write(`api-keys: ${(error as Error).message}\n`);
  process.exit(1);
});
