// declaration-intake, api role: HTTP API, Kafka consumers, outbox relay.
import { loadConfig } from '@cic/platform-config';
import { Logger } from '@nestjs/common';
import { createIntakeApi } from './app.factory';
import { intakeEnv } from './config';

async function main(): Promise<void> {
  const config = loadConfig(intakeEnv);
  const app = await createIntakeApi(config);
  app.enableShutdownHooks();
  const port = config.PORT ?? 3001;
  await app.listen(port, '0.0.0.0');
  new Logger('Main').log(
    `declaration-intake api on http://127.0.0.1:${port} (docs: /docs, health: /health/ready, metrics: /metrics)`,
  );
}

main().catch((error) => {
  process.stderr.write(`declaration-intake api failed to start: ${(error as Error).stack}\n`);
  process.exit(1);
});
