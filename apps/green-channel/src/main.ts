// green-channel, api role: HTTP API, Kafka consumers, outbox relay.
import { loadConfig } from '@cic/platform-config';
import { Logger } from '@nestjs/common';
import { createGreenChannelApi } from './app.factory';
import { greenChannelEnv } from './config';

async function main(): Promise<void> {
  const config = loadConfig(greenChannelEnv);
  const app = await createGreenChannelApi(config);
  app.enableShutdownHooks();
  const port = config.PORT ?? 3002;
  await app.listen(port, '0.0.0.0');
  new Logger('Main').log(
    `green-channel api on http://127.0.0.1:${port} (docs: /docs, health: /health/ready, metrics: /metrics)`,
  );
}

main().catch((error) => {
  process.stderr.write(`green-channel api failed to start: ${(error as Error).stack}\n`);
  process.exit(1);
});
