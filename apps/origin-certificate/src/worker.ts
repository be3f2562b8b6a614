// origin-certificate, worker role: certificate PDFs rendered on BullMQ.
import { loadConfig } from '@cic/platform-config';
import { createOriginWorker } from './app.factory';
import { assertProductionSafe, originEnv } from './config';

const config = loadConfig(originEnv);
try {
  assertProductionSafe(config);
} catch (error) {
  // One line naming what production must not run with (exit 78, EX_CONFIG), like a bad variable.
  process.stderr.write(`config error: ${(error as Error).message}\n`);
  process.exit(78);
}
createOriginWorker(config)
  .then(async (app) => {
    app.enableShutdownHooks();
    await app.listen(config.WORKER_PORT, '0.0.0.0');
  })
  .catch((error) => {
    process.stderr.write(`origin-certificate worker failed to start: ${(error as Error).stack}\n`);
    process.exit(1);
  });
