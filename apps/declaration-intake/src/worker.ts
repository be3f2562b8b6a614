// declaration-intake, worker role: BullMQ processors for slow or delayed work (decision timeouts).
import { loadConfig } from '@cic/platform-config';
import { createIntakeWorker } from './app.factory';
import { intakeEnv } from './config';

const config = loadConfig(intakeEnv);
createIntakeWorker(config)
  .then(async (app) => {
    app.enableShutdownHooks();
    await app.listen(config.WORKER_PORT, '0.0.0.0');
  })
  .catch((error) => {
    process.stderr.write(`declaration-intake worker failed to start: ${(error as Error).stack}\n`);
    process.exit(1);
  });
