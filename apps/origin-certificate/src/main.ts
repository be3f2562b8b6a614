// origin-certificate, api role: HTTP API (with public verification and JWKS), Kafka consumer, outbox relay.
import { loadConfig } from '@cic/platform-config';
import { Logger } from '@nestjs/common';
import { createOriginApi } from './app.factory';
import { assertProductionSafe, originEnv } from './config';

/** One line naming what production must not run with (exit 78, EX_CONFIG), like a bad variable. */
function refuseUnsafe(config: Parameters<typeof assertProductionSafe>[0]): void {
  try {
    assertProductionSafe(config);
  } catch (error) {
    process.stderr.write(`config error: ${(error as Error).message}\n`);
    process.exit(78);
  }
}

async function main(): Promise<void> {
  const config = loadConfig(originEnv);
  refuseUnsafe(config);
  const app = await createOriginApi(config);
  app.enableShutdownHooks();
  const port = config.PORT ?? 3004;
  await app.listen(port, '0.0.0.0');
  new Logger('Main').log(
    `origin-certificate api on http://127.0.0.1:${port} (docs: /docs, health: /health/ready, metrics: /metrics, keys: /.well-known/jwks.json)`,
  );
}

main().catch((error) => {
  process.stderr.write(`origin-certificate api failed to start: ${(error as Error).stack}\n`);
  process.exit(1);
});
