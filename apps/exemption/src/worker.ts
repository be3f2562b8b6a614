// exemption, worker role: the daily grant maintenance (expiry, renewal reminders) on a BullMQ job scheduler.
import { loadConfig } from '@cic/platform-config';
import { createExemptionWorker } from './app.factory';
import { exemptionEnv } from './config';

const config = loadConfig(exemptionEnv);
createExemptionWorker(config)
  .then(async (app) => {
    app.enableShutdownHooks();
    await app.listen(config.WORKER_PORT, '0.0.0.0');
  })
  .catch((error) => {
    process.stderr.write(`exemption worker failed to start: ${(error as Error).stack}\n`);
    process.exit(1);
  });
