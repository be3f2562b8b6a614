// Child process for the crash tests: node -r ./scripts/register.js .../harness-child.ts '<json config>'
import { KafkaTransport } from '../kafka.transport';
import { createHarnessApp, type HarnessConfig } from './harness';

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]) as HarnessConfig;
  const app = await createHarnessApp(cfg);
  // Graceful stop on SIGTERM: exit code 0 only once everything has been closed in order.
  process.once('SIGTERM', () => {
    app
      .close()
      .then(() => {
        process.stdout.write('HARNESS_STOPPED\n');
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).stack}\n`);
        process.exit(1);
      });
  });
  const transport = app.get(KafkaTransport);
  const started = Date.now();
  while (!transport.isConsuming()) {
    if (Date.now() - started > 60000) throw new Error('consumer did not join its group');
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stdout.write('HARNESS_READY\n');
}

main().catch((error) => {
  process.stderr.write(`harness failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
