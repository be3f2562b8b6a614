// exemption, api role: HTTP API, Kafka consumers, outbox relay.
import { loadConfig } from '@cic/platform-config';
import { Logger } from '@nestjs/common';
import { createExemptionApi } from './app.factory';
import { exemptionEnv } from './config';

async function main(): Promise<void> {
  const config = loadConfig(exemptionEnv);
  const app = await createExemptionApi(config);
  app.enableShutdownHooks();
  const port = config.PORT ?? 3003;
  await app.listen(port, '0.0.0.0');
  new Logger('Main').log(
    `exemption api on http://127.0.0.1:${port} (docs: /docs, health: /health/ready, metrics: /metrics)`,
  );
}

main().catch((error) => {
  process.stderr.write(`exemption api failed to start: ${(error as Error).stack}\n`);
  process.exit(1);
});
