import { randomUUID } from 'node:crypto';
import { buildEvent } from '@cic/contracts';
import { runId, testInfra, waitFor } from '@cic/platform-testing';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeadLetters } from './dead-letters';
import { Header } from './headers';
import { KafkaProbe, type RawMessage } from './kafka-probe';
import { KafkaTransport } from './kafka.transport';
import {
  createHarnessApp,
  harnessDataSource,
  type HarnessConfig,
  harnessNames,
  type ItData,
  prepareHarnessSchema,
} from './testing/harness';

const infra = testInfra();

function envelope(
  topic: string,
  key: string,
  data: Partial<ItData> & { n: number },
  id?: string,
): RawMessage {
  const event = buildEvent(topic, { subject: key, source: 'urn:cic:it', data, id });
  return { key, value: JSON.stringify(event), headers: { [Header.ceType]: topic } };
}

// A batch handler's batches of one fetch (one per partition) share one transaction; a failure of the
// joint transaction is retried partition by partition, so a poison message still costs only itself.
describe('batch handlers across partitions', () => {
  const probe = new KafkaProbe(infra.brokers, 'it-batch-probe');
  const cfg: HarnessConfig = {
    run: runId(),
    databaseUrl: infra.databaseUrl,
    brokers: infra.brokers,
    maxAttempts: 2,
    batch: true,
    partitionsConcurrency: 64,
  };
  const names = harnessNames(cfg.run);
  let app: INestApplication;
  let ds: DataSource;

  beforeAll(async () => {
    await probe.connect();
    await prepareHarnessSchema(cfg);
    app = await createHarnessApp(cfg);
    await app.listen(0, '127.0.0.1');
    ds = app.get(DataSource);
    const transport = app.get(KafkaTransport);
    await waitFor('consumer to join its group', () => transport.isConsuming());
  });
  afterAll(async () => {
    await app?.close();
    await probe.disconnect();
    await harnessDataSource(cfg)
      .initialize()
      .then(async (d) => {
        await d.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
        await d.destroy();
      });
  });

  const handledNs = async (from: number, to: number): Promise<number[]> =>
    (
      await ds.query(`SELECT n FROM "${names.schema}"."handled" WHERE n >= $1 AND n < $2 ORDER BY n`, [
        from,
        to,
      ])
    ).map((r: { n: number }) => r.n);

  it('hands the batches of several partitions to one call, each event once', async () => {
    // Keys spread over the three partitions, produced in one request; a fetch usually carries them all,
    // but nothing guarantees it, so rounds go on until one call held more than one partition.
    let joined: Array<{ partitions: number[]; ns: number[] }> = [];
    let round = 0;
    for (; round < 20 && joined.length === 0; round++) {
      const base = 1000 + round * 100;
      await probe.produce(
        names.input.name,
        Array.from({ length: 30 }, (_, i) => envelope(names.input.name, `key-${i % 10}`, { n: base + i })),
      );
      await waitFor(`round ${round} handled`, async () => (await handledNs(base, base + 30)).length === 30);
      const calls: Array<{ partitions: number[]; ns: number[] }> = await ds.query(
        `SELECT partitions, ns FROM "${names.schema}"."batch_calls" WHERE ns[1] >= $1 AND ns[1] < $2`,
        [base, base + 30],
      );
      joined = calls.filter((c) => c.partitions.length > 1);
    }
    expect(joined.length).toBeGreaterThan(0);
    // Every event of every round handled exactly once.
    const all = await handledNs(1000, 1000 + round * 100);
    expect(all).toEqual(
      Array.from({ length: round }, (_, r) =>
        Array.from({ length: 30 }, (_, i) => 1000 + r * 100 + i),
      ).flat(),
    );
  });

  it('isolates a poison message of one partition: the joint transaction is retried per partition', async () => {
    const poisonKey = 'key-poison';
    const messages = [
      ...Array.from({ length: 20 }, (_, i) => envelope(names.input.name, `key-${i % 10}`, { n: 5000 + i })),
      envelope(names.input.name, poisonKey, { n: 5099, behaviour: 'fail-always' }),
    ];
    await probe.produce(names.input.name, messages);
    await waitFor('the 20 good events handled', async () => (await handledNs(5000, 5020)).length === 20);
    const dlq = await waitFor('the poison dead-lettered', async () => {
      const all = await probe.readAll(app.get(DeadLetters).topic);
      const mine = all.filter((m) => (m.headers[Header.dlqErrorMessage] ?? '').includes('n=5099'));
      return mine.length > 0 && mine;
    });
    expect(dlq).toHaveLength(1);
    expect(dlq[0].key).toBe(poisonKey);
    expect(await handledNs(5000, 5100)).toEqual(Array.from({ length: 20 }, (_, i) => 5000 + i));
  });

  it('handles an event whose id is in upper case (Postgres answers ids in lower case), once', async () => {
    const id = randomUUID().toUpperCase();
    const message = envelope(names.input.name, 'key-upper', { n: 7000 }, id);
    await probe.produce(names.input.name, [message, envelope(names.input.name, 'key-upper', { n: 7001 })]);
    await waitFor('both handled', async () => (await handledNs(7000, 7002)).length === 2);
    await probe.produce(names.input.name, [message, envelope(names.input.name, 'key-upper', { n: 7002 })]);
    await waitFor(
      'the one after the redelivery handled',
      async () => (await handledNs(7002, 7003)).length === 1,
    );
    expect(await handledNs(7000, 7003)).toEqual([7000, 7001, 7002]);
  });
});
