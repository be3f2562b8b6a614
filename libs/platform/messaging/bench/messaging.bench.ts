// npm run bench:messaging — events/s through the real path (Kafka -> transport -> handler writing one row
// in the inbox transaction -> outbox -> relay -> Kafka) against the same path with no database work
// (Kafka -> transport -> handler -> direct publish). BENCH_EVENTS sets the count (default 5000).
import { buildEvent } from '@cic/contracts';
import { runId, testInfra } from '@cic/platform-testing';
import { DataSource } from 'typeorm';
import { KafkaProbe } from '../src/kafka-probe';
import { KafkaTransport } from '../src/kafka.transport';
import {
  createHarnessApp,
  type HarnessConfig,
  harnessNames,
  prepareHarnessSchema,
} from '../src/testing/harness';

const events = Number(process.env['BENCH_EVENTS'] ?? 5000);
const infra = testInfra();

async function measure(
  label: string,
  noDatabase: boolean,
): Promise<{ label: string; seconds: number; rate: number }> {
  const cfg: HarnessConfig = {
    run: runId(),
    databaseUrl: infra.databaseUrl,
    brokers: infra.brokers,
    noDatabase,
  };
  const names = harnessNames(cfg.run);
  await prepareHarnessSchema(cfg);
  const probe = new KafkaProbe(infra.brokers, 'bench-probe');
  await probe.connect();
  await probe.createTopics([names.input.name, names.echo.name]);
  const batch = 1000;
  for (let i = 0; i < events; i += batch) {
    await probe.produce(
      names.input.name,
      Array.from({ length: Math.min(batch, events - i) }, (_, j) => {
        const key = `bench-${(i + j) % 64}`;
        return {
          key,
          value: JSON.stringify(
            buildEvent(names.input.name, { subject: key, source: 'urn:cic:bench', data: { n: i + j } }),
          ),
        };
      }),
    );
  }
  process.stdout.write(`${label}: ${events} events queued, consuming...\n`);
  const app = await createHarnessApp(cfg);
  const transport = app.get(KafkaTransport);
  while (!transport.isConsuming()) await new Promise((r) => setTimeout(r, 10));
  const started = process.hrtime.bigint();
  let last = -1;
  for (;;) {
    const n = await probe.count(names.echo.name);
    if (n >= events) break;
    if (n !== last && n > 0 && Math.floor(n / 1000) !== Math.floor(last / 1000))
      process.stdout.write(`  ${label}: ${n}/${events}\n`);
    last = n;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await app.close();
  await probe.disconnect();
  const cleanup = await new DataSource({ type: 'postgres', url: infra.databaseUrl }).initialize();
  await cleanup.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
  await cleanup.destroy();
  return { label, seconds, rate: events / seconds };
}

async function main(): Promise<void> {
  const withDb = await measure('inbox + row + outbox + relay', false);
  const noDb = await measure('no database work', true);
  const rows = [withDb, noDb];
  process.stdout.write(
    `\nmessaging benchmark: ${events} events, 3 partitions, 1 consumer instance, ${new Date().toISOString()}\n`,
  );
  process.stdout.write(`${'path'.padEnd(32)} ${'seconds'.padStart(8)} ${'events/s'.padStart(10)}\n`);
  for (const r of rows)
    process.stdout.write(
      `${r.label.padEnd(32)} ${r.seconds.toFixed(2).padStart(8)} ${r.rate.toFixed(0).padStart(10)}\n`,
    );
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
