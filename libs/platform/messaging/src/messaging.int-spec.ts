import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildEvent, defineTopic } from '@cic/contracts';
import { isRunning, runId, testInfra, waitFor } from '@cic/platform-testing';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { DeadLetters } from './dead-letters';
import { Header } from './headers';
import { KafkaProbe, type RawMessage } from './kafka-probe';
import { type HandledEvent, KafkaTransport } from './kafka.transport';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox';
import {
  createHarnessApp,
  harnessDataSource,
  type HarnessConfig,
  harnessNames,
  type ItData,
  prepareHarnessSchema,
} from './testing/harness';

const infra = testInfra();
const root = join(__dirname, '../../../..');

function envelope(
  topic: string,
  key: string,
  data: Partial<ItData> & { n: number },
  id?: string,
): RawMessage {
  const event = buildEvent(topic, { subject: key, source: 'urn:cic:it', data, id });
  return { key, value: JSON.stringify(event), headers: { [Header.ceType]: topic } };
}

async function handledRows(
  ds: DataSource,
  schema: string,
): Promise<Array<{ n: number; event_id: string; msg_key: string }>> {
  return ds.query(`SELECT n, event_id, msg_key FROM "${schema}"."handled" ORDER BY id`);
}

describe('messaging on the real broker and database', () => {
  const probe = new KafkaProbe(infra.brokers, 'it-messaging-probe');
  beforeAll(() => probe.connect());
  afterAll(() => probe.disconnect());

  describe('one service instance', () => {
    const cfg: HarnessConfig = {
      run: runId(),
      databaseUrl: infra.databaseUrl,
      brokers: infra.brokers,
      maxAttempts: 3,
    };
    const names = harnessNames(cfg.run);
    let app: INestApplication;
    let ds: DataSource;
    const outcomes: HandledEvent[] = [];

    beforeAll(async () => {
      await prepareHarnessSchema(cfg);
      app = await createHarnessApp({ ...cfg, relay: false });
      await app.listen(0, '127.0.0.1');
      ds = app.get(DataSource);
      const transport = app.get(KafkaTransport);
      transport.on('handled', (e) => outcomes.push(e));
      await waitFor('consumer to join its group', () => transport.isConsuming());
      app.get(OutboxRelay).start();
    });
    afterAll(async () => {
      await app?.close();
      await harnessDataSource(cfg)
        .initialize()
        .then(async (d) => {
          await d.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
          await d.destroy();
        });
    });

    it('reports ready with Postgres and the Kafka consumer checked', async () => {
      const url = await app.getUrl();
      const res = await fetch(`${url}/health/ready`);
      const body = (await res.json()) as { status: string; details: Record<string, unknown> };
      expect(res.status).toBe(200);
      expect(body.status).toBe('ok');
      expect(Object.keys(body.details).sort()).toEqual(['kafka-consumer', 'postgres']);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('cic_messaging_consumer_up{service="it-messaging"} 1');
    });

    it('handles every event once, in order per key, and publishes what handlers write to the outbox', async () => {
      const keys = ['decl-a', 'decl-b', 'decl-c'];
      const messages = Array.from({ length: 30 }, (_, i) =>
        envelope(names.input.name, keys[i % 3], { n: i }),
      );
      await probe.produce(names.input.name, messages);

      const rows = await waitFor('30 handled rows', async () => {
        const r = await handledRows(ds, names.schema);
        return r.length >= 30 && r;
      });
      expect(rows).toHaveLength(30);
      for (const key of keys) {
        const ns = rows.filter((r) => r.msg_key === key).map((r) => r.n);
        expect(ns).toEqual([...ns].sort((a, b) => a - b));
        expect(ns).toHaveLength(10);
      }
      const [{ count }] = await ds.query(`SELECT count(*)::int AS count FROM "${names.schema}"."inbox"`);
      expect(count).toBe(30);

      const echoed = await waitFor('30 echo events on Kafka', async () => {
        const all = await probe.readAll(names.echo.name);
        return all.length >= 30 && all;
      });
      const parsed = echoed.map((m) => names.echo.envelope.parse(JSON.parse(m.value!)));
      expect(parsed.map((e) => e.data.n).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => i),
      );
      expect(
        echoed.every((m) => m.key === parsed.find((p) => p.id === JSON.parse(m.value!).id)!.subject),
      ).toBe(true);
      expect(
        echoed.every(
          (m) => m.headers[Header.ceType] === names.echo.name && /^00-/.test(m.headers[Header.traceparent]),
        ),
      ).toBe(true);
    });

    it('stores every payload and header of a batch byte for byte, whatever characters they hold', async () => {
      const texts = [
        'quote " backslash \\ and \\" both',
        '{braces}, commas, NULL',
        '',
        'ünïcode 中文 😀',
        'tab\tnewline\ncontrol \u0001 separator \u001e',
      ];
      const topic = defineTopic({
        name: `it.messaging.${cfg.run}.text.v1`,
        summary: 'integration test text',
        key: 'test key',
        producer: 'declaration-intake',
        consumers: [],
        data: z.object({ text: z.string() }),
      });
      const writer = app.get(OutboxWriter);
      const events = texts.map((text, i) =>
        writer.prepare(topic, { subject: `k "${i}", \\`, data: { text } }),
      );
      const rows = await ds
        .transaction(async (m) => {
          await writer.publishMany(m, events);
          const stored: Array<{ event_id: string; message_key: string; payload: string; headers: unknown }> =
            await m.query(
              `SELECT event_id, message_key, payload, headers FROM "${names.schema}"."outbox" WHERE event_id = ANY($1)`,
              [events.map((e) => e.event.id)],
            );
          throw Object.assign(new Error('rolled back'), { stored });
        })
        .catch((e: Error & { stored?: unknown }) => e.stored);
      expect(rows).toHaveLength(texts.length);
      for (const e of events) {
        const row = (
          rows as Array<{ event_id: string; message_key: string; payload: string; headers: unknown }>
        ).find((r) => r.event_id === e.event.id);
        expect(row?.payload).toBe(e.value);
        expect(row?.message_key).toBe(e.event.subject);
        expect(row?.headers).toEqual(e.headers);
        expect((JSON.parse(row!.payload) as { data: { text: string } }).data.text).toBe(e.event.data.text);
      }
    });

    it('commits the handled offsets in the background: the group has no lag once it goes idle', async () => {
      const { groupId } = names;
      // The stream of the test before has been handled; its offsets were committed by the trailing commit
      // of the committer (no batch waits for one), within the commit interval of going idle.
      await waitFor(
        'the group lag to reach 0',
        async () => (await probe.lag(groupId, names.input.name)) === 0,
        {
          timeoutMs: 10000,
        },
      );
      const before = await probe.count(names.input.name);
      await probe.produce(
        names.input.name,
        Array.from({ length: 12 }, (_, i) => envelope(names.input.name, `lag-${i % 3}`, { n: 700 + i })),
      );
      expect(await probe.lag(groupId, names.input.name)).toBeGreaterThan(0);
      await waitFor('the 12 new events handled', async () => {
        const r = await handledRows(ds, names.schema);
        return r.filter((x) => x.n >= 700 && x.n < 712).length === 12;
      });
      await waitFor(
        'the group lag back to 0',
        async () => (await probe.lag(groupId, names.input.name)) === 0,
        {
          timeoutMs: 10000,
        },
      );
      expect(await probe.count(names.input.name)).toBe(before + 12);
    });

    it('dead-letters poison messages with the reason while the next message on the same partition is handled', async () => {
      const key = 'poison-key';
      const bad: RawMessage[] = [
        { key, value: '{"this is": not json' },
        envelope(names.input.name, key, { n: 100 }),
        {
          key,
          value: JSON.stringify(
            buildEvent(names.input.name, { subject: key, source: 'urn:cic:it', data: { n: 'x' } }),
          ),
        },
        envelope(names.input.name, key, { n: 101, behaviour: 'fail-always' }),
        envelope(names.input.name, key, { n: 102 }),
      ];
      await probe.produce(names.input.name, bad);

      await waitFor('n=100 and n=102 handled', async () => {
        const ns = (await handledRows(ds, names.schema)).map((r) => r.n);
        return ns.includes(100) && ns.includes(102);
      });
      const dlq = await waitFor('3 dead letters', async () => {
        const all = await probe.readAll(app.get(DeadLetters).topic);
        return all.length >= 3 && all;
      });
      expect(dlq.map((m) => m.headers[Header.dlqErrorCode])).toEqual([
        'MALFORMED_JSON',
        'INVALID_PAYLOAD',
        'HANDLER_FAILED',
      ]);
      const partitions = new Set(dlq.map((m) => m.headers[Header.dlqSourcePartition]));
      expect(partitions.size).toBe(1);
      const offsets = dlq.map((m) => BigInt(m.headers[Header.dlqSourceOffset]));
      expect(offsets[1] - offsets[0]).toBe(2n);
      expect(offsets[2] - offsets[1]).toBe(1n);
      for (const m of dlq) {
        expect(m.headers[Header.dlqSourceTopic]).toBe(names.input.name);
        expect(m.headers[Header.dlqConsumerGroup]).toBe(names.groupId);
        expect(m.key).toBe(key);
      }
      expect(dlq[2].headers[Header.dlqAttempts]).toBe('3');
      expect(dlq[2].headers[Header.dlqErrorMessage]).toContain('refusing n=101');
      expect((await handledRows(ds, names.schema)).some((r) => r.n === 101)).toBe(false);
    });

    it('isolates a poison message inside a batch that shares one transaction: the rest are handled once, the poison is dead-lettered', async () => {
      const key = 'group-poison';
      const messages = Array.from({ length: 40 }, (_, i) =>
        envelope(names.input.name, key, { n: 500 + i, behaviour: i === 17 ? 'fail-always' : 'ok' }),
      );
      await probe.produce(names.input.name, messages);
      const rows = await waitFor('39 of the group handled', async () => {
        const r = (await handledRows(ds, names.schema)).filter((x) => x.n >= 500 && x.n < 540);
        return r.length >= 39 && r;
      });
      expect(rows.map((r) => r.n)).toEqual(
        Array.from({ length: 40 }, (_, i) => 500 + i).filter((n) => n !== 517),
      );
      const dlq = await waitFor('the poison dead-lettered', async () => {
        // readAll sorts by partition, so earlier dead letters are filtered out by content, not position.
        const all = await probe.readAll(app.get(DeadLetters).topic);
        const mine = all.filter((m) => /n=5\d\d/.test(m.headers[Header.dlqErrorMessage] ?? ''));
        return mine.length > 0 && mine;
      });
      expect(dlq.map((m) => m.headers[Header.dlqErrorMessage])).toEqual([
        expect.stringContaining('refusing n=517'),
      ]);
      await waitFor('the echoes published', async () => {
        const [{ pending }] = await ds.query(
          `SELECT count(*)::int AS pending FROM "${names.schema}"."outbox" WHERE published_at IS NULL`,
        );
        return pending === 0;
      });
    });

    it('replays a dead letter to its source topic once the cause is fixed', async () => {
      const before = (await probe.readAll(app.get(DeadLetters).topic)).length;
      await probe.produce(names.input.name, [
        envelope(names.input.name, 'replay-key', { n: 103, behaviour: 'fail-until-fixed' }),
      ]);
      const dlq = await waitFor('the dead letter of n=103', async () => {
        const all = await probe.readAll(app.get(DeadLetters).topic);
        return all.length > before && all[all.length - 1];
      });
      expect((await handledRows(ds, names.schema)).some((r) => r.n === 103)).toBe(false);

      await ds.query(`INSERT INTO "${names.schema}"."fixes" (n) VALUES (103)`);
      const replayed = await app.get(DeadLetters).replay({ partition: dlq.partition, offset: dlq.offset });
      expect(replayed.topic).toBe(names.input.name);

      await waitFor('n=103 handled after replay', async () =>
        (await handledRows(ds, names.schema)).some((r) => r.n === 103),
      );
    });

    it('loses nothing when the relay dies between publish and delete, and the inbox absorbs the duplicate', async () => {
      const relay = app.get(OutboxRelay);
      // Earlier tests' events first leave the outbox, so only this test's row is pending below.
      await waitFor('the outbox drained', async () => (await relay.pending()).length === 0);
      await relay.stop();
      const writer = app.get(OutboxWriter);
      const event = await ds.transaction((m) =>
        writer.publish(m, names.input, { subject: 'relay-crash', data: { n: 300, behaviour: 'ok' } }),
      );

      // What a relay does up to its crash: read and publish, never delete.
      const rows = await relay.pending();
      expect(rows.map((r) => r.topic)).toEqual([names.input.name]);
      await relay.publishWithoutDelete(rows);
      await waitFor('the first delivery to be handled', () =>
        outcomes.find((o) => o.eventId === event.id && o.outcome === 'handled'),
      );

      // A new relay run finds the row still there and publishes it again.
      relay.start();
      await waitFor('the redelivery to be recognised', () =>
        outcomes.find((o) => o.eventId === event.id && o.outcome === 'duplicate'),
      );
      // Published rows leave the outbox: the redelivered row is gone once the relay goes on.
      await waitFor(
        'the published row deleted',
        async () =>
          (
            (await ds.query(`SELECT count(*)::int AS n FROM "${names.schema}"."outbox" WHERE event_id = $1`, [
              event.id,
            ])) as Array<{ n: number }>
          )[0].n === 0,
      );
      expect((await handledRows(ds, names.schema)).filter((r) => r.n === 300)).toHaveLength(1);
    });
  });

  describe('process lifecycle', () => {
    const cfg: HarnessConfig = { run: runId(), databaseUrl: infra.databaseUrl, brokers: infra.brokers };
    const names = harnessNames(cfg.run);
    let ds: DataSource;
    const children: ChildProcess[] = [];

    function startChild(extra: Partial<HarnessConfig> = {}): {
      child: ChildProcess;
      output: () => string;
      exited: Promise<NodeJS.Signals | number | null>;
    } {
      const child = spawn(
        process.execPath,
        [
          '-r',
          join(root, 'scripts/register.js'),
          join(__dirname, 'testing/harness-child.ts'),
          JSON.stringify({ ...cfg, ...extra }),
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.on('exit', (code, signal) => resolve(signal ?? code)),
      );
      return { child, output: () => out, exited };
    }

    beforeAll(async () => {
      await prepareHarnessSchema(cfg);
      ds = await harnessDataSource(cfg).initialize();
      await probe.createTopics([names.input.name, names.echo.name]);
    });
    afterAll(async () => {
      for (const c of children) if (isRunning(c)) c.kill('SIGKILL');
      await ds?.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
      await ds?.destroy();
    });

    it('handles a message exactly once when the consumer is killed after its commit and before the offset commit', async () => {
      const first = startChild({ crashAfterCommitOf: 200 });
      await waitFor('child ready', () => first.output().includes('HARNESS_READY'), { timeoutMs: 60000 });
      const message = envelope(names.input.name, 'crash-key', { n: 200 });
      const eventId = JSON.parse(message.value as string).id;
      await probe.produce(names.input.name, [message]);
      const firstExit = await Promise.race([
        first.exited,
        new Promise((r) => setTimeout(() => r('still running'), 30000)),
      ]);
      if (firstExit !== 'SIGKILL') process.stderr.write(first.output());
      expect(firstExit).toBe('SIGKILL');
      expect((await handledRows(ds, names.schema)).filter((r) => r.n === 200)).toHaveLength(1);

      const second = startChild();
      await waitFor('child ready', () => second.output().includes('HARNESS_READY'), { timeoutMs: 60000 });
      await waitFor(
        'the redelivered event to be skipped',
        () => second.output().includes(`duplicate event ${eventId}`),
        { timeoutMs: 60000 },
      );
      await probe.produce(names.input.name, [envelope(names.input.name, 'crash-key', { n: 201 })]);
      await waitFor('the next event handled', async () =>
        (await handledRows(ds, names.schema)).some((r) => r.n === 201),
      );
      expect((await handledRows(ds, names.schema)).filter((r) => r.n === 200)).toHaveLength(1);

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    });

    it('loses nothing and handles nothing twice across a graceful shutdown in the middle of a stream', async () => {
      const total = 1500;
      const base = 1000;
      const messages = Array.from({ length: total }, (_, i) =>
        envelope(names.input.name, `k${i % 7}`, { n: base + i }),
      );
      await probe.produce(names.input.name, messages);

      const first = startChild();
      await waitFor(
        'some of the stream handled',
        async () => (await handledRows(ds, names.schema)).filter((r) => r.n >= base).length >= 20,
        { timeoutMs: 60000 },
      );
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      const handledBeforeRestart = (await handledRows(ds, names.schema)).filter((r) => r.n >= base).length;

      const second = startChild();
      const rows = await waitFor(
        `all ${total} handled`,
        async () => {
          const r = (await handledRows(ds, names.schema)).filter((x) => x.n >= base);
          return r.length >= total && r;
        },
        { timeoutMs: 90000 },
      );
      expect(rows).toHaveLength(total);
      expect(new Set(rows.map((r) => r.n)).size).toBe(total);
      expect(handledBeforeRestart).toBeLessThan(total);
      // A graceful stop commits what it handled before leaving the group: nothing comes back to the next one.
      expect(second.output()).not.toContain('duplicate event');
      await waitFor('every outbox event published', async () => {
        const [{ pending }] = await ds.query(
          `SELECT count(*)::int AS pending FROM "${names.schema}"."outbox" WHERE published_at IS NULL`,
        );
        return pending === 0;
      });
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    });
  });
});
