// Reliability of the messaging library on the real stack (Kafka, Postgres): the outbox relay never
// stalls on one event and has one publisher at a time, an outage is not a poison message, and a
// retrying, hanging or slow message holds up only its own partition. Each test prints its figures.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildEvent, defineTopic } from '@cic/contracts';
import { metricsRegistry } from '@cic/platform-observability';
import { isRunning, pace, runId, testInfra, waitFor } from '@cic/platform-testing';
import type { INestApplication } from '@nestjs/common';
import {
  type Admin,
  ConfigResourceTypes,
  type Consumer,
  Kafka,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { Header } from './headers';
import { KafkaClient } from './kafka-client';
import { KafkaProbe, type ReadMessage } from './kafka-probe';
import { type HandledEvent, KafkaTransport } from './kafka.transport';
import { deadLetterTopic } from './messaging.options';
import { EventTooLargeError, outboxChannel, OutboxWriter } from './outbox';
import { OutboxAdmin } from './outbox-admin';
import { OutboxRelay } from './outbox-relay';
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
const SOURCE = 'urn:cic:it';

function report(line: string): void {
  process.stdout.write(`[reliability] ${line}\n`);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function inputMessage(
  topic: string,
  key: string,
  data: Partial<ItData> & { n: number },
  partition?: number,
): { id: string; message: Message } {
  const event = buildEvent(topic, { subject: key, source: SOURCE, data });
  return {
    id: event.id,
    message: { key, value: JSON.stringify(event), headers: { [Header.ceType]: topic }, partition },
  };
}

async function metricSum(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** An outbox row written past OutboxWriter (which refuses oversize events), as an old writer might have. */
async function insertOutboxRow(
  m: EntityManager | DataSource,
  schema: string,
  topic: string,
  event: { id: string; subject: string },
): Promise<string> {
  const [row] = (await m.query(
    `INSERT INTO "${schema}"."outbox" (event_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [event.id, topic, event.subject, JSON.stringify(event), JSON.stringify({ [Header.ceType]: topic })],
  )) as Array<{ id: string }>;
  await m.query('SELECT pg_notify($1, $2)', [outboxChannel(schema), '']);
  return row.id;
}

async function pendingCount(ds: DataSource, schema: string): Promise<number> {
  const [{ n }] = (await ds.query(
    `SELECT count(*)::int AS n FROM "${schema}"."outbox" WHERE published_at IS NULL AND parked_at IS NULL`,
  )) as Array<{ n: number }>;
  return n;
}

interface EchoSummary {
  total: number;
  distinct: number;
  duplicates: number;
  /** Per key, the data.n of each event at its first occurrence, in topic order. */
  firstOccurrences: Map<string, number[]>;
  orderedPerKey: boolean;
}

/** Echo events with lo <= n < hi, in partition/offset order (one key lives on one partition). */
function summarise(messages: ReadMessage[], lo: number, hi: number): EchoSummary {
  const seen = new Set<string>();
  const firstOccurrences = new Map<string, number[]>();
  let total = 0;
  for (const m of messages) {
    const event = JSON.parse(m.value!) as { id: string; data: { n: number } };
    const n = event.data.n;
    if (n < lo || n >= hi) continue;
    total++;
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const list = firstOccurrences.get(m.key ?? '') ?? [];
    list.push(n);
    firstOccurrences.set(m.key ?? '', list);
  }
  const orderedPerKey = [...firstOccurrences.values()].every((ns) =>
    ns.every((n, i) => i === 0 || n > ns[i - 1]),
  );
  return { total, distinct: seen.size, duplicates: total - seen.size, firstOccurrences, orderedPerKey };
}

interface Running {
  app: INestApplication;
  transport: KafkaTransport;
  /** Every settled message with the time it was settled. */
  outcomes: Array<HandledEvent & { at: number }>;
}

async function startHarness(cfg: HarnessConfig): Promise<Running> {
  const app = await createHarnessApp(cfg);
  await app.listen(0, '127.0.0.1');
  const transport = app.get(KafkaTransport);
  const outcomes: Running['outcomes'] = [];
  transport.on('handled', (e) => outcomes.push({ ...e, at: Date.now() }));
  await waitFor('consumer to join its group', () => transport.isConsuming(), { timeoutMs: 60000 });
  return { app, transport, outcomes };
}

async function dropSchema(cfg: HarnessConfig): Promise<void> {
  const ds = await harnessDataSource({ ...cfg, databaseUrl: infra.databaseUrl }).initialize();
  try {
    await ds.query(`DROP SCHEMA IF EXISTS "${harnessNames(cfg.run).schema}" CASCADE`);
  } finally {
    await ds.destroy();
  }
}

describe('messaging reliability on the real broker and database', () => {
  const probe = new KafkaProbe(infra.brokers, 'it-reliability-probe');
  const kafka = new Kafka({ clientId: 'it-reliability', brokers: infra.brokers, logLevel: logLevel.NOTHING });
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    await probe.connect();
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await probe.disconnect();
  });

  describe('1. one event that cannot be published never stops the relay', () => {
    const cfg: HarnessConfig = { run: runId(), databaseUrl: infra.databaseUrl, brokers: infra.brokers };
    const names = harnessNames(cfg.run);
    const smallTopic = `it.reliability.${cfg.run}.small.v1`;
    const blob = defineTopic({
      name: `it.reliability.${cfg.run}.blob.v1`,
      summary: 'large integration test events',
      key: 'test key',
      producer: 'declaration-intake',
      consumers: [],
      data: z.object({ n: z.number().int(), blob: z.string() }),
    });
    let running: Running;
    let ds: DataSource;

    beforeAll(async () => {
      await prepareHarnessSchema(cfg);
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: smallTopic,
            numPartitions: 3,
            configEntries: [{ name: 'max.message.bytes', value: '16384' }],
          },
          { topic: blob.name, numPartitions: 3 },
        ],
      });
      running = await startHarness(cfg);
      ds = running.app.get(DataSource);
    });
    afterAll(async () => {
      await running?.app.close();
      await dropSchema(cfg);
    });

    it('parks an event over its limit and one the broker refuses, publishes the 200 around them, and retries a parked one', async () => {
      const writer = running.app.get(OutboxWriter);
      const outboxAdmin = running.app.get(OutboxAdmin);
      const limit = writer.maxMessageBytes;
      const huge = { subject: 'huge', data: { n: -1, blob: 'x'.repeat(limit + 1000) } };
      expect(() => writer.prepare(blob, huge)).toThrow(EventTooLargeError);
      await expect(ds.transaction((m) => writer.publish(m, blob, huge))).rejects.toBeInstanceOf(
        EventTooLargeError,
      );
      const parkedBefore = await metricSum('cic_messaging_outbox_parked_total');

      // One transaction, so the relay claims all of it in one batch: the refused row shares a produce request.
      const started = Date.now();
      const { tooLargeId, refusedId } = await ds.transaction(async (m) => {
        for (let n = 0; n < 100; n++)
          await writer.publish(m, names.echo, { subject: `k${n % 3}`, data: { n } });
        const tooLargeId = await insertOutboxRow(
          m,
          names.schema,
          names.echo.name,
          buildEvent(names.echo.name, { subject: 'huge', source: SOURCE, data: huge.data }),
        );
        const refusedId = await insertOutboxRow(
          m,
          names.schema,
          smallTopic,
          buildEvent(smallTopic, {
            subject: 'refused',
            source: SOURCE,
            data: { n: -2, blob: 'y'.repeat(30000) },
          }),
        );
        for (let n = 100; n < 200; n++)
          await writer.publish(m, names.echo, { subject: `k${n % 3}`, data: { n } });
        return { tooLargeId, refusedId };
      });

      await waitFor(
        'the outbox to drain around the two unpublishable rows',
        async () => (await pendingCount(ds, names.schema)) === 0,
        {
          timeoutMs: 30000,
        },
      );
      const drainedMs = Date.now() - started;
      const echo = summarise(await probe.readAll(names.echo.name), -10, 1000);
      expect(echo.distinct).toBe(200);
      expect([...echo.firstOccurrences.values()].flat().sort((a, b) => a - b)).toEqual(
        Array.from({ length: 200 }, (_, i) => i),
      );
      expect(echo.orderedPerKey).toBe(true);
      expect(await probe.count(smallTopic)).toBe(0);

      // The 198 published rows have left the outbox (the transaction's ids run from 100 before the
      // oversize row to 100 after the refused one); the two parked ones stay, with their error.
      const rows = (await ds.query(
        `SELECT id, parked_at IS NOT NULL AS parked, published_at IS NOT NULL AS published, park_error FROM "${names.schema}"."outbox"
          WHERE id BETWEEN $1::bigint - 100 AND $2::bigint + 100 ORDER BY id`,
        [tooLargeId, refusedId],
      )) as Array<{ id: string; parked: boolean; published: boolean; park_error: string }>;
      expect(rows.map((r) => [r.id, r.parked, r.published])).toEqual([
        [tooLargeId, true, false],
        [refusedId, true, false],
      ]);
      expect(rows[0].park_error).toMatch(/MESSAGE_TOO_LARGE.*exceeds the \d+-byte limit/);
      expect(rows[1].park_error).toMatch(/MESSAGE_TOO_LARGE/);
      const parked = await outboxAdmin.listParked();
      expect(parked.map((p) => p.id)).toEqual([tooLargeId, refusedId]);
      expect(parked[1]).toMatchObject({ topic: smallTopic, key: 'refused' });
      expect(parked[1].error).toMatch(/MESSAGE_TOO_LARGE/);
      expect(await metricSum('cic_messaging_outbox_parked_total')).toBe(parkedBefore + 2);
      const metricsText = await metricsRegistry.metrics();
      expect(metricsText).toMatch(
        new RegExp(`cic_messaging_outbox_parked_total\\{[^}]*topic="${smallTopic.replace(/\./g, '\\.')}"`),
      );

      // The operator raises the topic's limit and puts the refused event back in line: it is published.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: smallTopic,
            configEntries: [{ name: 'max.message.bytes', value: '1048588' }],
          },
        ],
      });
      const retried = Date.now();
      expect(await outboxAdmin.retryParked(refusedId, 'it-operator')).toBe(true);
      await waitFor('the retried event on its topic', async () => (await probe.count(smallTopic)) === 1, {
        timeoutMs: 20000,
      });
      const retriedMs = Date.now() - retried;
      // Published, so deleted from the outbox.
      await waitFor(
        'the retried row to leave the outbox',
        async () =>
          (
            (await ds.query(`SELECT count(*)::int AS n FROM "${names.schema}"."outbox" WHERE id = $1`, [
              refusedId,
            ])) as Array<{ n: number }>
          )[0].n === 0,
      );
      // The one over the relay's own limit, put back, is parked again rather than blocking the line.
      expect(await outboxAdmin.retryParked(tooLargeId, 'it-operator')).toBe(true);
      await waitFor('the oversize event to be parked again', async () =>
        (await outboxAdmin.listParked()).some((p) => p.id === tooLargeId),
      );
      expect((await outboxAdmin.listParked()).map((p) => p.id)).toEqual([tooLargeId]);
      const retryPublished = await outboxAdmin.retryParked(refusedId, 'it-operator');
      const retryUnknown = await outboxAdmin.retryParked('999999999', 'it-operator');

      report(
        `1a/1b parking: 200 rows around 2 unpublishable ones drained in ${drainedMs} ms; echo messages ${echo.total} (distinct ${echo.distinct}, duplicates ${echo.duplicates}); parked 2 (${rows
          .map((r) => r.park_error.split(':')[0])
          .join(', ')}); retried refused row published ${retriedMs} ms after retryParked`,
      );
      // Nothing to put back: a published row and an unknown id must answer false.
      expect({ retryPublished, retryUnknown }).toEqual({ retryPublished: false, retryUnknown: false });
    });

    it('caps each produce request in bytes: 120 events of ~20 KB to one key all publish', async () => {
      const writer = running.app.get(OutboxWriter);
      const kafkaProducer = await running.app.get(KafkaClient).producer();
      const spy = jest.spyOn(kafkaProducer, 'sendBatch');
      try {
        const started = Date.now();
        await ds.transaction(async (m) => {
          for (let i = 0; i < 120; i++)
            await writer.publish(m, blob, {
              subject: 'big-key',
              data: { n: 1000 + i, blob: 'z'.repeat(20000) },
            });
        });
        await waitFor(
          'the 120 large events to be published',
          async () => (await pendingCount(ds, names.schema)) === 0,
          {
            timeoutMs: 30000,
          },
        );
        const elapsed = Date.now() - started;
        const settled = await Promise.allSettled(spy.mock.results.map((r) => r.value as Promise<unknown>));
        const perCall = spy.mock.calls.map(([batch]) =>
          (batch.topicMessages ?? []).reduce(
            (sum, t) =>
              sum + t.messages.reduce((s, msg) => s + Buffer.byteLength(String(msg.value ?? '')), 0),
            0,
          ),
        );
        const totalBytes = perCall.reduce((a, b) => a + b, 0);
        expect(totalBytes).toBeGreaterThan(2 * 1024 * 1024);
        expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
        expect(perCall.length).toBeGreaterThanOrEqual(3);
        expect(perCall.length).toBeLessThanOrEqual(6);
        expect(Math.max(...perCall)).toBeLessThanOrEqual(writer.maxMessageBytes);

        const onTopic = summarise(
          (await probe.readAll(blob.name)).filter((msg) => msg.key === 'big-key'),
          1000,
          1120,
        );
        expect(onTopic.distinct).toBe(120);
        expect(onTopic.firstOccurrences.get('big-key')).toEqual(
          Array.from({ length: 120 }, (_, i) => 1000 + i),
        );
        expect(await outboxAdmin(running).listParked()).toHaveLength(1); // only the oversize row of the test above
        report(
          `1c byte cap: 120 x 20 KB (${(totalBytes / 1048576).toFixed(2)} MiB) published in ${perCall.length} produce requests of at most ${Math.max(
            ...perCall,
          )} bytes (limit ${writer.maxMessageBytes}) in ${elapsed} ms, none refused`,
        );
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('2. at most one publisher per outbox', () => {
    const cfg: HarnessConfig = { run: runId(), databaseUrl: infra.databaseUrl, brokers: infra.brokers };
    const names = harnessNames(cfg.run);
    const lockKey = `cic-outbox:${names.schema}`;
    let apps: Running[] = [];
    let ds: DataSource;
    const children: ChildProcess[] = [];
    /** Every echo n whose transaction writeEcho has committed. */
    const committed: number[] = [];

    function startChild(): { child: ChildProcess; output: () => string; exited: Promise<unknown> } {
      const child = spawn(
        process.execPath,
        [
          '-r',
          join(root, 'scripts/register.js'),
          join(__dirname, 'testing/harness-child.ts'),
          JSON.stringify(cfg),
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      return { child, output: () => out, exited };
    }

    /** Terminates the session holding this outbox's relay lock; returns how many sessions were ended. */
    async function killLeaderConnection(): Promise<number> {
      const rows = (await ds.query(
        `SELECT pg_terminate_backend(a.pid) AS killed FROM pg_locks l JOIN pg_stat_activity a USING (pid)
          WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE '%outbox-relay%'
            AND a.datname = current_database()
            AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext($1)::bigint`,
        [lockKey],
      )) as Array<{ killed: boolean }>;
      return rows.filter((r) => r.killed).length;
    }

    async function lockHeld(): Promise<boolean> {
      const rows = (await ds.query(
        `SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
            AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext($1)::bigint`,
        [lockKey],
      )) as unknown[];
      return rows.length > 0;
    }

    /** Writes rows n in [from, to) to the echo topic, `perTx` per transaction, keys k0..k2. */
    async function writeEcho(
      writer: OutboxWriter,
      from: number,
      to: number,
      gapMs = 0,
      perTx = 100,
    ): Promise<void> {
      for (let start = from; start < to; start += perTx) {
        const ns: number[] = [];
        await ds.transaction(async (m) => {
          for (let n = start; n < Math.min(start + perTx, to); n++) {
            await writer.publish(m, names.echo, { subject: `k${n % 3}`, data: { n } });
            ns.push(n);
          }
        });
        committed.push(...ns);
        if (gapMs) await pace(gapMs);
      }
    }

    /**
     * Rows n in [from, to) published: committed by writeEcho and since deleted by a relay (published rows
     * leave the outbox). Counted low, never high, while a transaction's commit and its count race.
     */
    async function publishedCount(from: number, to: number): Promise<number> {
      const written = committed.filter((n) => n >= from && n < to).length;
      const [{ n }] = (await ds.query(
        `SELECT count(*)::int AS n FROM "${names.schema}"."outbox"
          WHERE (payload::jsonb->'data'->>'n')::int >= $1 AND (payload::jsonb->'data'->>'n')::int < $2`,
        [from, to],
      )) as Array<{ n: number }>;
      return Math.max(0, written - n);
    }

    beforeAll(async () => {
      await prepareHarnessSchema(cfg);
      ds = await harnessDataSource(cfg).initialize();
      // Two instances of the service start at once, both with the relay on.
      apps = await Promise.all([startHarness(cfg), startHarness(cfg)]);
    });
    afterAll(async () => {
      for (const c of children) if (isRunning(c)) c.kill('SIGKILL');
      await Promise.all(apps.map((a) => a.app.close()));
      await ds?.destroy();
      await dropSchema(cfg);
    });

    it('publishes 3,000 events exactly once and in order per key with two relays running, and loses nothing when the leader is cut off or killed', async () => {
      const relays = apps.map((a) => a.app.get(OutboxRelay));
      await waitFor('one of the two relays to lead', () => relays.some((r) => r.isLeader));
      expect(relays.filter((r) => r.isLeader)).toHaveLength(1);
      const writer = apps[0].app.get(OutboxWriter);

      // Steady state.
      let started = Date.now();
      await writeEcho(writer, 0, 3000);
      await waitFor('3,000 published', async () => (await publishedCount(0, 3000)) === 3000, {
        timeoutMs: 60000,
      });
      const steadyMs = Date.now() - started;
      const steady = summarise(await probe.readAll(names.echo.name, 60000), 0, 3000);
      expect(steady.total).toBe(3000);
      expect(steady.distinct).toBe(3000);
      expect(steady.orderedPerKey).toBe(true);

      // The leader's lock connection is cut three times while 3,000 more are written (1,000 per
      // transaction, so two batches of 500 back to back): each cut comes as soon as the first batch of
      // a transaction is published and deleted, when the second is being claimed or sent.
      started = Date.now();
      let kills = 0;
      const takeovers: number[] = [];
      for (let i = 0; i < 3; i++) {
        const from = 3000 + i * 1000;
        await writeEcho(writer, from, from + 1000, 0, 1000);
        await waitFor('a first batch published', async () => (await publishedCount(from, from + 1000)) > 0, {
          intervalMs: 5,
          timeoutMs: 20000,
        });
        await waitFor('a relay to hold the lock', async () => (await killLeaderConnection()) > 0, {
          intervalMs: 5,
          timeoutMs: 20000,
        });
        kills++;
        const killedAt = Date.now();
        await waitFor('a relay to take the lock again', () => lockHeld(), {
          intervalMs: 20,
          timeoutMs: 20000,
        });
        takeovers.push(Date.now() - killedAt);
        await pace(300);
      }
      await waitFor('the second 3,000 published', async () => (await publishedCount(3000, 6000)) === 3000, {
        timeoutMs: 60000,
      });
      const cutMs = Date.now() - started;
      const cut = summarise(await probe.readAll(names.echo.name, 60000), 3000, 6000);
      expect(cut.distinct).toBe(3000);
      expect(cut.total).toBeLessThanOrEqual(3000 + kills * 500);
      expect(cut.orderedPerKey).toBe(true);

      // A whole instance dies (SIGKILL) while it leads: the standby takes over and publishes the rest.
      await Promise.all(relays.map((r) => r.stop()));
      expect(await lockHeld()).toBe(false);
      const leader = startChild();
      await waitFor('the child to be ready', () => leader.output().includes('HARNESS_READY'), {
        timeoutMs: 60000,
      });
      await waitFor('the child relay to lead', () => lockHeld(), { timeoutMs: 20000 });
      relays[1].start();
      started = Date.now();
      const writingMore = writeEcho(writer, 6000, 9000, 50);
      await waitFor('the child to publish some', async () => (await publishedCount(6000, 9000)) >= 600, {
        intervalMs: 20,
        timeoutMs: 30000,
      });
      leader.child.kill('SIGKILL');
      const killedAt = Date.now();
      const publishedAtKill = await publishedCount(6000, 9000);
      expect(await leader.exited).toBe('SIGKILL');
      await waitFor('the standby to take over', () => relays[1].isLeader, {
        intervalMs: 20,
        timeoutMs: 20000,
      });
      const takeoverMs = Date.now() - killedAt;
      await writingMore;
      await waitFor('the third 3,000 published', async () => (await publishedCount(6000, 9000)) === 3000, {
        timeoutMs: 60000,
      });
      const crashMs = Date.now() - started;
      const crash = summarise(await probe.readAll(names.echo.name, 60000), 6000, 9000);
      expect(crash.distinct).toBe(3000);
      expect(crash.total).toBeLessThanOrEqual(3000 + 500);
      expect(crash.orderedPerKey).toBe(true);

      report(
        `2 one publisher: steady 3000 in ${steadyMs} ms, 0 duplicates; ${kills} lock-connection kills: ${cut.total} messages for 3000 events (${cut.duplicates} duplicates, bound ${kills * 500}), lock retaken after ${takeovers.join('/')} ms, all in ${cutMs} ms; leader SIGKILLed after ${publishedAtKill} published: standby led after ${takeoverMs} ms, ${crash.duplicates} duplicates, all 3000 in ${crashMs} ms`,
      );
    });
  });

  describe('3. a transient outage is not a poison message', () => {
    const run = runId();
    const role = `it_role_${run}`;
    const roleUrl = (() => {
      const url = new URL(infra.databaseUrl);
      url.username = role;
      url.password = '';
      return url.toString();
    })();
    const cfg: HarnessConfig = {
      run,
      databaseUrl: roleUrl,
      brokers: infra.brokers,
      maxAttempts: 3,
      readinessGraceMs: 8000,
    };
    const names = harnessNames(cfg.run);
    let running: Running | undefined;
    let pg: DataSource;

    async function terminateRole(): Promise<number> {
      const rows = (await pg.query(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE usename = $1',
        [role],
      )) as Array<{ killed: boolean }>;
      return rows.filter((r) => r.killed).length;
    }

    beforeAll(async () => {
      pg = await harnessDataSource({ ...cfg, databaseUrl: infra.databaseUrl }).initialize();
      await pg.query(`CREATE ROLE "${role}" LOGIN SUPERUSER`);
      await prepareHarnessSchema(cfg);
      running = await startHarness(cfg);
    });
    afterAll(async () => {
      await pg.query(`ALTER ROLE "${role}" LOGIN`);
      await running?.app.close();
      await pg.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
      await terminateRole();
      await pg.query(`DROP OWNED BY "${role}"`);
      await pg.query(`DROP ROLE IF EXISTS "${role}"`);
      await pg.destroy();
    });

    it('handles every message exactly once and dead-letters none when Postgres refuses the service for 30 s under load', async () => {
      const { app, outcomes } = running!;
      const url = await app.getUrl();
      const health = async () => {
        const [ready, live] = await Promise.all([fetch(`${url}/health/ready`), fetch(`${url}/health/live`)]);
        // Terminus answers `details`; the registry's own report says `checks`.
        const body = (await ready.json()) as {
          status: string;
          details?: Record<string, { failingForMs?: number }>;
          checks?: Record<string, { failingForMs?: number }>;
        };
        return {
          at: Date.now(),
          ready: ready.status,
          status: body.status,
          failingForMs: (body.details ?? body.checks)?.['postgres']?.failingForMs,
          live: live.status,
        };
      };
      expect(await health()).toMatchObject({ ready: 200, status: 'ok', live: 200 });

      const total = 300;
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const loadStarted = Date.now();
      const producing = (async () => {
        for (let n = 0; n < total; n++) {
          await producer.send({
            topic: names.input.name,
            acks: -1,
            messages: [inputMessage(names.input.name, `key-${keys[n % keys.length]}`, { n }).message],
          });
          await pace(Math.max(0, loadStarted + ((n + 1) * 35000) / total - Date.now()));
        }
      })();
      const samples: Array<Awaited<ReturnType<typeof health>>> = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          samples.push(await health());
          await pace(400);
        }
      })();

      await waitFor('some messages handled before the outage', () => outcomes.length >= 10, {
        timeoutMs: 20000,
      });
      const outageStart = Date.now();
      await pg.query(`ALTER ROLE "${role}" NOLOGIN`);
      let terminated = await terminateRole();
      for (let i = 0; i < 2; i++) {
        await pace(1000);
        terminated += await terminateRole();
      }
      await pace(outageStart + 30000 - Date.now());
      await pg.query(`ALTER ROLE "${role}" LOGIN`);
      const loginAt = Date.now();
      const handledDuringOutage = outcomes.filter((o) => o.at > outageStart + 3000 && o.at < loginAt).length;

      await producing;
      const rows = await waitFor(
        `all ${total} handled`,
        async () => {
          const r = (await pg.query(`SELECT n FROM "${names.schema}"."handled"`)) as Array<{ n: number }>;
          return r.length >= total && r;
        },
        { timeoutMs: 60000 },
      );
      const firstAfter = outcomes.find((o) => o.at >= loginAt);
      const drainedAt = Date.now();
      await waitFor(
        'the outbox to drain',
        async () => {
          const [{ n }] = (await pg.query(
            `SELECT count(*)::int AS n FROM "${names.schema}"."outbox" WHERE published_at IS NULL`,
          )) as Array<{ n: number }>;
          return n === 0;
        },
        { timeoutMs: 60000 },
      );
      const relayDrainedMs = Date.now() - loginAt;
      await waitFor('ready again', async () => (await health()).status === 'ok', { timeoutMs: 30000 });
      polling = false;
      await poller;

      expect(rows).toHaveLength(total);
      expect(new Set(rows.map((r) => r.n)).size).toBe(total);
      expect(await probe.count(deadLetterTopic(names.groupId))).toBe(0);
      expect(outcomes.filter((o) => o.outcome === 'dead_lettered')).toHaveLength(0);
      const echo = summarise(await probe.readAll(names.echo.name), 0, total);
      expect(echo.distinct).toBe(total);
      expect(echo.orderedPerKey).toBe(true);

      const during = samples.filter((s) => s.at > outageStart + 1500 && s.at < loginAt);
      const degraded = during.filter((s) => s.ready === 200 && s.status === 'degraded');
      const failed = during.filter((s) => s.ready === 503 && s.status === 'error');
      expect(degraded.length).toBeGreaterThan(0);
      expect(degraded.every((s) => (s.failingForMs ?? Infinity) < 8000)).toBe(true);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((s) => (s.failingForMs ?? 0) >= 8000)).toBe(true);
      expect(samples.every((s) => s.live === 200)).toBe(true);
      expect(samples[samples.length - 1]).toMatchObject({ ready: 200, status: 'ok' });

      const duplicates = outcomes.filter((o) => o.outcome === 'duplicate').length;
      report(
        `3 outage: 30 s NOLOGIN + ${terminated} sessions terminated under ${total} msgs/35 s; handled during outage ${handledDuringOutage}; first handled ${firstAfter ? firstAfter.at - loginAt : NaN} ms after LOGIN, all ${total} by ${drainedAt - loginAt} ms, outbox drained ${relayDrainedMs} ms after LOGIN; dead letters 0; inbox duplicates ${duplicates}; echo ${echo.total} msgs/${echo.distinct} distinct; ready: degraded ${degraded.length} samples, 503 ${failed.length} samples (first 503 at ${failed.length ? failed[0].at - outageStart : NaN} ms), live always 200 (${samples.length} samples)`,
      );
    });
  });

  describe('4. a retrying, hanging or slow message holds up only its own partition', () => {
    const cfg: HarnessConfig = {
      run: runId(),
      databaseUrl: infra.databaseUrl,
      brokers: infra.brokers,
      maxAttempts: 1000,
      handlerTimeoutMs: 1500,
      sessionTimeoutMs: 6000,
    };
    const names = harnessNames(cfg.run);
    let running: Running;
    let ds: DataSource;
    let joins = 0;

    beforeAll(async () => {
      await prepareHarnessSchema(cfg);
      running = await startHarness(cfg);
      ds = running.app.get(DataSource);
      const consumer = running.transport.unwrap<Consumer>();
      consumer.on(consumer.events.GROUP_JOIN, () => joins++);
    });
    afterAll(async () => {
      await running?.app.close();
      await dropSchema(cfg);
    });

    async function handledNs(from: number, to: number): Promise<number[]> {
      const rows = (await ds.query(
        `SELECT n FROM "${names.schema}"."handled" WHERE n >= $1 AND n < $2 ORDER BY id`,
        [from, to],
      )) as Array<{ n: number }>;
      return rows.map((r) => r.n);
    }

    /** Ok messages to partitions 1 and 2 every 300 ms for `ms`; returns each event's produce time. */
    async function trickle(base: number, ms: number): Promise<Map<string, number>> {
      const sent = new Map<string, number>();
      const until = Date.now() + ms;
      for (let i = 0; Date.now() < until; i++) {
        const a = inputMessage(names.input.name, 'p1', { n: base + 2 * i }, 1);
        const b = inputMessage(names.input.name, 'p2', { n: base + 2 * i + 1 }, 2);
        const at = Date.now();
        await producer.send({ topic: names.input.name, acks: -1, messages: [a.message, b.message] });
        sent.set(a.id, at);
        sent.set(b.id, at);
        await pace(300);
      }
      return sent;
    }

    async function latencies(sent: Map<string, number>): Promise<number[]> {
      const { outcomes } = running;
      const done = await waitFor(
        `the ${sent.size} messages on partitions 1 and 2`,
        () => {
          const found = [...sent.keys()].map((id) =>
            outcomes.find((o) => o.eventId === id && o.outcome === 'handled'),
          );
          return found.every(Boolean) && found;
        },
        { timeoutMs: 60000 },
      );
      return done.map((o) => o!.at - sent.get(o!.eventId!)!);
    }

    it('a message failing for 10 s delays only its partition, then is handled once with the messages behind it in order', async () => {
      const dlqBefore = await probe.count(deadLetterTopic(names.groupId));
      const failing = inputMessage(names.input.name, 'p0', { n: 1, behaviour: 'fail-until-fixed' }, 0);
      const behind = [2, 3, 4].map((n) => inputMessage(names.input.name, 'p0', { n }, 0));
      await producer.send({
        topic: names.input.name,
        acks: -1,
        messages: [failing.message, ...behind.map((b) => b.message)],
      });
      const retriesBefore = await metricSum('cic_messaging_handler_retries_total', { kind: 'message' });
      const sent = await trickle(100, 10000);
      const lat = await latencies(sent);
      expect(await handledNs(1, 5)).toEqual([]);
      await ds.query(`INSERT INTO "${names.schema}"."fixes" (n) VALUES (1)`);
      const fixedAt = Date.now();
      await waitFor(
        'the fixed message and those behind it',
        async () => (await handledNs(1, 5)).length === 4,
      );
      const afterFix = Date.now() - fixedAt;
      expect(await handledNs(1, 5)).toEqual([1, 2, 3, 4]);
      const failures =
        (await metricSum('cic_messaging_handler_retries_total', { kind: 'message' })) - retriesBefore;
      expect(failures).toBeGreaterThan(10);
      expect(await probe.count(deadLetterTopic(names.groupId))).toBe(dlqBefore);
      expect(Math.max(...lat)).toBeLessThan(1500);
      report(
        `4a retrying: partition 0 failed ${failures} times over 10 s; partitions 1/2 latency p50 ${percentile(lat, 50)} ms, max ${Math.max(
          ...lat,
        )} ms (${lat.length} msgs); fixed message handled once ${afterFix} ms after the fix, 3 behind it in order`,
      );
    });

    it('a long batch of slow messages keeps the group membership and handles each once', async () => {
      const joinsBefore = joins;
      let consumingThroughout = true;
      const watch = setInterval(() => {
        if (!running.transport.isConsuming()) consumingThroughout = false;
      }, 100);
      try {
        const slow = Array.from({ length: 20 }, (_, i) =>
          inputMessage(names.input.name, 'p0', { n: 300 + i, behaviour: 'slow' }, 0),
        );
        const started = Date.now();
        await producer.send({ topic: names.input.name, acks: -1, messages: slow.map((s) => s.message) });
        const sent = await trickle(400, 12000);
        await waitFor('the 20 slow messages', async () => (await handledNs(300, 320)).length >= 20, {
          timeoutMs: 60000,
        });
        const slowMs = Date.now() - started;
        const lat = await latencies(sent);
        expect(await handledNs(300, 320)).toEqual(Array.from({ length: 20 }, (_, i) => 300 + i));
        expect(running.outcomes.filter((o) => o.outcome === 'duplicate')).toHaveLength(0);
        expect(joins).toBe(joinsBefore);
        expect(consumingThroughout).toBe(true);
        report(
          `4b slow: 20 x 700 ms on partition 0 (session timeout 6 s) took ${slowMs} ms, group joins during it ${joins - joinsBefore}, consuming throughout ${consumingThroughout}, duplicates 0; partitions 1/2 latency meanwhile p50 ${percentile(
            lat,
            50,
          )} ms, max ${Math.max(...lat)} ms (${lat.length} msgs)`,
        );
        expect(Math.max(...lat)).toBeLessThan(2500);
      } finally {
        clearInterval(watch);
      }
    });

    it('a hanging handler times out and is retried (never dead-lettered) while the other partitions flow', async () => {
      const dlqBefore = await probe.count(deadLetterTopic(names.groupId));
      const timeoutsBefore = await metricSum('cic_messaging_handler_retries_total', {
        kind: 'infrastructure',
      });
      const hanging = inputMessage(names.input.name, 'p0', { n: 10, behaviour: 'hang' }, 0);
      const behind = inputMessage(names.input.name, 'p0', { n: 11 }, 0);
      await producer.send({ topic: names.input.name, acks: -1, messages: [hanging.message, behind.message] });
      // Sessions of this service in a transaction older than the handler limit (plus 1 s to roll back).
      let maxStuck = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const [{ n }] = (await ds.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE application_name = $1 AND pid <> pg_backend_pid()
                AND xact_start < now() - make_interval(secs => $2)`,
            [`it-messaging-${cfg.run}`, (cfg.handlerTimeoutMs! + 1000) / 1000],
          )) as Array<{ n: number }>;
          maxStuck = Math.max(maxStuck, n);
          await pace(250);
        }
      })();
      const sent = await trickle(500, 8000);
      const lat = await latencies(sent);
      await ds.query(`INSERT INTO "${names.schema}"."fixes" (n) VALUES (10)`);
      const fixedAt = Date.now();
      await waitFor(
        'the hanging message, once fixed, and the one behind it',
        async () => (await handledNs(10, 12)).length === 2,
        {
          timeoutMs: 60000,
        },
      );
      const afterFix = Date.now() - fixedAt;
      sampling = false;
      await sampler;
      const timeouts =
        (await metricSum('cic_messaging_handler_retries_total', { kind: 'infrastructure' })) - timeoutsBefore;
      expect(await handledNs(10, 12)).toEqual([10, 11]);
      expect(await probe.count(deadLetterTopic(names.groupId))).toBe(dlqBefore);
      expect(timeouts).toBeGreaterThanOrEqual(3);
      report(
        `4c hanging: ${timeouts} handler timeouts (1500 ms) retried, 0 dead letters; partitions 1/2 latency p50 ${percentile(lat, 50)} ms, max ${Math.max(
          ...lat,
        )} ms (${lat.length} msgs); handled once ${afterFix} ms after the fix; transactions older than the handler limit (max at once): ${maxStuck}`,
      );
      // A timed-out attempt's transaction is rolled back: none outlives the handler limit.
      expect(maxStuck).toBe(0);
      expect(afterFix).toBeLessThan(10000);
      expect(Math.max(...lat)).toBeLessThan(1500 + 1500);
    });
  });
});

function outboxAdmin(running: Running): OutboxAdmin {
  return running.app.get(OutboxAdmin);
}
