// green-channel, worker role: the slow checks on BullMQ and the check deadline.
import { loadConfig } from '@cic/platform-config';
import { createGreenChannelWorker } from './app.factory';
import { greenChannelEnv } from './config';

const config = loadConfig(greenChannelEnv);
createGreenChannelWorker(config)
  .then(async (app) => {
    app.enableShutdownHooks();
    await app.listen(config.WORKER_PORT, '0.0.0.0');
  })
  .catch((error) => {
    process.stderr.write(`green-channel worker failed to start: ${(error as Error).stack}\n`);
    process.exit(1);
  });
