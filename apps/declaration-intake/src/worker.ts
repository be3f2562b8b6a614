// declaration-intake, worker role: BullMQ processors for slow or delayed work (decision timeouts).
import { loadConfig } from '@cic/platform-config';
import { createIntakeWorker } from './app.factory';
import { intakeEnv } from './config';

createIntakeWorker(loadConfig(intakeEnv))
  .then((ctx) => ctx.enableShutdownHooks())
  .catch((error) => {
    process.stderr.write(`declaration-intake worker failed to start: ${(error as Error).stack}\n`);
    process.exit(1);
  });
