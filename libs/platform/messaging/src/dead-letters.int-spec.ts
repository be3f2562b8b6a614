import { buildEvent } from '@cic/contracts';
import { runId, testInfra, waitFor } from '@cic/platform-testing';
import type { INestApplication } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { DeadLetterAdmin } from './dead-letter-admin';
import {
  DeadLetterInputError,
  DeadLetterNotFoundError,
  DeadLetterNotOpenError,
  type DeadLetterStatus,
} from './dead-letter-store';
import { DeadLetters, DLQ_ID_HEADER } from './dead-letters';
import { Header } from './headers';
import { KafkaClient } from './kafka-client';
import { KafkaProbe, type RawMessage } from './kafka-probe';
import { KafkaTransport } from './kafka.transport';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import {
  createHarnessApp,
  harnessDataSource,
  type HarnessConfig,
  harnessNames,
  type ItData,
  prepareHarnessSchema,
} from './testing/harness';

const infra = testInfra();

interface Row {
  id: string;
  status: DeadLetterStatus;
  replay_of: string | null;
  event_id: string | null;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  dlq_partition: number | null;
  dlq_offset: string | null;
  error_code: string;
  attempts: number;
  resolved_by: string | null;
  resolution_note: string | null;
}

interface ActionRow {
  dead_letter_id: string;
  action: string;
  actor: string;
  reason: string | null;
  at: Date;
  result: Record<string, unknown> | null;
}

describe('dead letters: recorded, listed, replayed and discarded by operators', () => {
  const cfg: HarnessConfig = {
    run: runId(),
    databaseUrl: infra.databaseUrl,
    brokers: infra.brokers,
    maxAttempts: 3,
  };
  const names = harnessNames(cfg.run);
  const probe = new KafkaProbe(infra.brokers, 'it-dead-letters-probe');
  let app: INestApplication;
  let ds: DataSource;
  let admin: DeadLetterAdmin;
  let dlqTopic: string;
  const started = new Date();

  function envelope(key: string, data: Partial<ItData> & { n: number }): RawMessage & { eventId: string } {
    const event = buildEvent(names.input.name, { subject: key, source: 'urn:cic:it', data });
    return {
      key,
      value: JSON.stringify(event),
      headers: { [Header.ceType]: names.input.name, [Header.ceId]: event.id },
      eventId: event.id,
    };
  }

  async function rowsOf(eventId: string): Promise<Row[]> {
    return ds.query(`SELECT * FROM "${names.schema}"."dead_letters" WHERE event_id = $1 ORDER BY id`, [
      eventId,
    ]);
  }

  async function actionsOf(id: string): Promise<ActionRow[]> {
    return ds.query(
      `SELECT dead_letter_id, action, actor, reason, at, result FROM "${names.schema}"."dead_letter_actions"
        WHERE dead_letter_id = $1 ORDER BY id`,
      [id],
    );
  }

  async function handledCount(n: number): Promise<number> {
    const [{ count }] = await ds.query(
      `SELECT count(*)::int AS count FROM "${names.schema}"."handled" WHERE n = $1`,
      [n],
    );
    return count;
  }

  /** Waits for the dead letters of an event to be exactly `count` rows, each in the dead-letter topic. */
  async function deadLettered(eventId: string, count: number): Promise<Row[]> {
    return waitFor(`${count} dead letter(s) of ${eventId}`, async () => {
      const rows = await rowsOf(eventId);
      return rows.length === count && rows.every((r) => r.dlq_offset !== null) && rows;
    });
  }

  /** The retries of a failing message take well under a second here (3 attempts, 50-200 ms backoff). */
  const settle = () => new Promise((r) => setTimeout(r, 2500));

  beforeAll(async () => {
    await prepareHarnessSchema(cfg);
    app = await createHarnessApp({ ...cfg, relay: false });
    ds = app.get(DataSource);
    admin = app.get(DeadLetterAdmin);
    dlqTopic = app.get(DeadLetters).topic;
    await probe.connect();
    await waitFor('consumer to join its group', () => app.get(KafkaTransport).isConsuming());
  });
  afterAll(async () => {
    await probe.disconnect();
    await app?.close();
    await harnessDataSource(cfg)
      .initialize()
      .then(async (d) => {
        await d.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
        await d.destroy();
      });
  });

  let poisoned: { id: string; eventId: string };

  it('records a failing message once, with its original bytes, and puts it in the dead-letter topic', async () => {
    const message = envelope('dl-key-1', { n: 1, behaviour: 'fail-always' });
    await probe.produce(names.input.name, [message]);
    const [row] = await deadLettered(message.eventId, 1);
    await settle();
    expect(await rowsOf(message.eventId)).toHaveLength(1);
    expect(row).toMatchObject({
      status: 'OPEN',
      replay_of: null,
      source_topic: names.input.name,
      error_code: 'HANDLER_FAILED',
      attempts: 3,
    });
    poisoned = { id: row.id, eventId: message.eventId };

    const detail = await admin.get(row.id);
    expect(detail).toMatchObject({
      id: row.id,
      key: 'dl-key-1',
      valueEncoding: 'utf8',
      value: message.value,
      headers: { [Header.ceId]: message.eventId },
      actions: [],
      replays: [],
    });
    expect(detail.errorMessage).toContain('refusing n=1');

    const inTopic = (await probe.readAll(dlqTopic)).find(
      (m) => m.partition === row.dlq_partition && m.offset === row.dlq_offset,
    );
    expect(inTopic).toBeDefined();
    expect(inTopic!.value).toBe(message.value);
    expect(inTopic!.headers).toMatchObject({
      [Header.dlqSourceTopic]: names.input.name,
      [Header.dlqSourcePartition]: String(row.source_partition),
      [Header.dlqSourceOffset]: String(row.source_offset),
      [Header.dlqErrorCode]: 'HANDLER_FAILED',
      [DLQ_ID_HEADER]: row.id,
    });
  });

  it('lists dead letters newest first, without their bytes but with their size, paginated', async () => {
    const second = envelope('dl-key-2', { n: 2, behaviour: 'fail-always' });
    await probe.produce(names.input.name, [second]);
    const [row2] = await deadLettered(second.eventId, 1);

    const page1 = await admin.list({ status: 'OPEN', limit: 1 });
    expect(page1.items.map((i) => i.id)).toEqual([row2.id]);
    expect(page1.items[0]).not.toHaveProperty('value');
    expect(page1.items[0].bytes).toBe(Buffer.byteLength(second.value as string));
    expect(page1.nextAfterId).toBe(row2.id);
    const page2 = await admin.list({ status: 'OPEN', limit: 1, afterId: page1.nextAfterId! });
    expect(page2.items.map((i) => i.id)).toEqual([poisoned.id]);
    expect((await admin.list({ status: 'REPLAYED', limit: 10 })).items).toEqual([]);
    await expect(admin.list({ status: 'NOPE' as DeadLetterStatus, limit: 10 })).rejects.toBeInstanceOf(
      DeadLetterInputError,
    );
  });

  it('refuses a discard without a reason, discards with one (audited), then refuses acting on it again', async () => {
    await expect(admin.discard(poisoned.id, 'test:alice', '')).rejects.toBeInstanceOf(DeadLetterInputError);
    await expect(admin.discard(poisoned.id, 'test:alice', '   ')).rejects.toMatchObject({ field: 'reason' });
    expect((await admin.get(poisoned.id)).status).toBe('OPEN');
    expect(await actionsOf(poisoned.id)).toEqual([]);

    const outcome = await admin.discard(poisoned.id, 'test:alice', ' known bad test data ');
    expect(outcome).toEqual({
      id: poisoned.id,
      status: 'DISCARDED',
      actor: 'test:alice',
      reason: 'known bad test data',
    });
    const detail = await admin.get(poisoned.id);
    expect(detail).toMatchObject({
      status: 'DISCARDED',
      resolvedBy: 'test:alice',
      resolutionNote: 'known bad test data',
    });
    const actions = await actionsOf(poisoned.id);
    expect(actions).toEqual([
      expect.objectContaining({ action: 'DISCARD', actor: 'test:alice', reason: 'known bad test data' }),
    ]);
    expect(actions[0].at.getTime()).toBeGreaterThanOrEqual(started.getTime());

    const again = admin.replay(poisoned.id, 'test:alice');
    await expect(again).rejects.toBeInstanceOf(DeadLetterNotOpenError);
    await expect(admin.replay(poisoned.id, 'test:alice')).rejects.toMatchObject({
      currentStatus: 'DISCARDED',
      requiredStatus: 'OPEN',
    });
    await expect(admin.discard(poisoned.id, 'test:alice', 'twice')).rejects.toBeInstanceOf(
      DeadLetterNotOpenError,
    );
    await expect(admin.replay('999999999', 'test:alice')).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    await expect(admin.get('not-a-number')).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    expect(await actionsOf(poisoned.id)).toHaveLength(1);
  });

  it('replays without looping: a replay that fails again is a new OPEN dead letter; once fixed it is handled once', async () => {
    const message = envelope('dl-key-3', { n: 3, behaviour: 'fail-until-fixed' });
    await probe.produce(names.input.name, [message]);
    const [first] = await deadLettered(message.eventId, 1);

    const replayed = await admin.replay(first.id, 'test:bob');
    expect(replayed).toMatchObject({ id: first.id, status: 'REPLAYED', actor: 'test:bob' });
    expect(replayed.replayedTo.topic).toBe(names.input.name);
    const [, second] = await deadLettered(message.eventId, 2);
    expect(second).toMatchObject({ status: 'OPEN', replay_of: first.id, error_code: 'HANDLER_FAILED' });
    expect({ partition: second.source_partition, offset: String(second.source_offset) }).toEqual({
      partition: replayed.replayedTo.partition,
      offset: replayed.replayedTo.offset,
    });
    const original = await admin.get(first.id);
    expect(original).toMatchObject({ status: 'REPLAYED', resolvedBy: 'test:bob', replays: [second.id] });

    // The copy on the source topic carries the original headers and no dlq-* header but dlq-replay-of.
    const copy = (await probe.readAll(names.input.name)).find(
      (m) => m.partition === replayed.replayedTo.partition && m.offset === replayed.replayedTo.offset,
    );
    expect(copy).toMatchObject({ key: 'dl-key-3', value: message.value });
    expect(Object.keys(copy!.headers).filter((h) => h.startsWith('dlq-'))).toEqual([Header.dlqReplayOf]);
    expect(copy!.headers[Header.dlqReplayOf]).toBe(first.id);

    // Nothing replays by itself: once the retries have settled there is still no third dead letter.
    await settle();
    expect((await rowsOf(message.eventId)).map((r) => [r.id, r.status])).toEqual([
      [first.id, 'REPLAYED'],
      [second.id, 'OPEN'],
    ]);
    expect(await handledCount(3)).toBe(0);

    await ds.query(`INSERT INTO "${names.schema}"."fixes" (n) VALUES (3)`);
    await admin.replay(second.id, 'test:carol');
    await waitFor('n=3 handled after the replay', async () => (await handledCount(3)) === 1);
    await settle();
    expect(await handledCount(3)).toBe(1);
    expect((await rowsOf(message.eventId)).map((r) => [r.id, r.status])).toEqual([
      [first.id, 'REPLAYED'],
      [second.id, 'REPLAYED'],
    ]);

    for (const [id, actor] of [
      [first.id, 'test:bob'],
      [second.id, 'test:carol'],
    ]) {
      const actions = await actionsOf(id);
      expect(actions).toHaveLength(1);
      expect(actions[0]).toMatchObject({ action: 'REPLAY', actor, result: { state: 'DONE' } });
      expect(actions[0].at.getTime()).toBeGreaterThanOrEqual(started.getTime());
    }

    const refused = admin.replay(first.id, 'test:bob');
    await expect(refused).rejects.toBeInstanceOf(DeadLetterNotOpenError);
    await expect(admin.replay(first.id, 'test:bob')).rejects.toThrow(/is REPLAYED.*OPEN/);
    expect(await actionsOf(first.id)).toHaveLength(1);
  });

  it('lets only one of two operators replay the same dead letter', async () => {
    const message = envelope('dl-key-4', { n: 4, behaviour: 'fail-always' });
    await probe.produce(names.input.name, [message]);
    const [row] = await deadLettered(message.eventId, 1);
    const results = await Promise.allSettled([
      admin.replay(row.id, 'test:dave'),
      admin.replay(row.id, 'test:erin'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(DeadLetterNotOpenError);
    expect(await actionsOf(row.id)).toHaveLength(1);
    await deadLettered(message.eventId, 2);
  });

  it('says so when an earlier replay of the row may have been delivered (a crash between produce and mark)', async () => {
    const message = envelope('dl-key-5', { n: 5, behaviour: 'fail-until-fixed' });
    await probe.produce(names.input.name, [message]);
    const [row] = await deadLettered(message.eventId, 1);
    // What a replay that died after producing leaves behind: its audit row, still STARTED.
    await ds.query(
      `INSERT INTO "${names.schema}"."dead_letter_actions" (dead_letter_id, action, actor, result)
       VALUES ($1, 'REPLAY', 'test:crashed', '{"state":"STARTED"}')`,
      [row.id],
    );
    await ds.query(`INSERT INTO "${names.schema}"."fixes" (n) VALUES (5)`);
    const outcome = await admin.replay(row.id, 'test:frank');
    expect(outcome.warning).toMatch(/earlier replay \(by test:crashed/);
    const actions = await actionsOf(row.id);
    expect(actions[1]).toMatchObject({ actor: 'test:frank', result: { state: 'DONE' } });
    expect(actions[1].result!['warning']).toBeDefined();
    await waitFor('n=5 handled', async () => (await handledCount(5)) === 1);
  });

  it('replays all OPEN dead letters of a topic once, leaving the new failures of those replays OPEN', async () => {
    const messages = [6, 7, 8].map((n) => envelope(`dl-key-${n}`, { n, behaviour: 'fail-always' }));
    await probe.produce(names.input.name, messages);
    for (const m of messages) await deadLettered(m.eventId, 1);
    const openBefore = (await admin.list({ status: 'OPEN', limit: 500 })).items.map((i) => i.id);
    expect(openBefore.length).toBeGreaterThanOrEqual(3);

    const outcome = await admin.replayAll('test:grace', { sourceTopic: names.input.name });
    expect(outcome.considered).toBe(openBefore.length);
    expect([...outcome.replayed].sort()).toEqual([...openBefore].sort());
    expect(outcome.failed).toEqual([]);

    const isReplayOfBefore = (i: { replayOf: string | null }) =>
      i.replayOf !== null && openBefore.includes(i.replayOf);
    await waitFor('every replay dead-lettered again', async () => {
      const open = (await admin.list({ status: 'OPEN', limit: 500 })).items;
      return open.length === openBefore.length && open.every(isReplayOfBefore);
    });
    await settle();
    for (const m of messages) {
      const rows = await rowsOf(m.eventId);
      expect(rows.map((r) => r.status)).toEqual(['REPLAYED', 'OPEN']);
      expect(rows[1].replay_of).toBe(rows[0].id);
    }
    const openAfter = (await admin.list({ status: 'OPEN', limit: 500 })).items;
    expect(openAfter).toHaveLength(openBefore.length);
    expect(openAfter.every(isReplayOfBefore)).toBe(true);
    expect((await admin.replayAll('test:grace', { sourceTopic: 'it.no.such.topic' })).considered).toBe(0);
  });

  it('keeps DeadLetters.replay(ref) working through the audited path', async () => {
    const message = envelope('dl-key-9', { n: 9, behaviour: 'fail-until-fixed' });
    await probe.produce(names.input.name, [message]);
    const [row] = await deadLettered(message.eventId, 1);
    await ds.query(`INSERT INTO "${names.schema}"."fixes" (n) VALUES (9)`);
    const result = await app
      .get(DeadLetters)
      .replay({ partition: row.dlq_partition!, offset: String(row.dlq_offset) }, 'test:legacy');
    expect(result).toMatchObject({ topic: names.input.name, deadLetterId: row.id });
    await waitFor('n=9 handled', async () => (await handledCount(9)) === 1);
    expect((await admin.get(row.id)).status).toBe('REPLAYED');
    expect(await actionsOf(row.id)).toEqual([
      expect.objectContaining({ action: 'REPLAY', actor: 'test:legacy' }),
    ]);
  });

  describe('DeadLetters.send', () => {
    function synthetic(offset: string): { topic: string; partition: number; message: KafkaMessage } {
      return {
        topic: `it.synthetic.${cfg.run}`,
        partition: 0,
        message: {
          key: Buffer.from('syn\u0000key'),
          value: Buffer.from([0xff, 0x00, 0x01]),
          headers: { 'x-odd': Buffer.from('a\u0000b') },
          offset,
          timestamp: String(Date.now()),
          attributes: 0,
        } satisfies KafkaMessage,
      };
    }

    it('records a redelivered failure once and does not produce it twice', async () => {
      const before = await probe.count(dlqTopic);
      const source = synthetic('42');
      const reason = { code: 'HANDLER_FAILED', message: 'bad\u0000bytes', attempts: 3 };
      await app.get(DeadLetters).send(source, reason);
      await app.get(DeadLetters).send(source, reason);
      const rows: Row[] = await ds.query(
        `SELECT * FROM "${names.schema}"."dead_letters" WHERE source_topic = $1`,
        [source.topic],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].dlq_offset).not.toBeNull();
      expect(await probe.count(dlqTopic)).toBe(before + 1);
      const detail = await admin.get(rows[0].id);
      expect(detail).toMatchObject({
        valueEncoding: 'base64',
        value: Buffer.from([0xff, 0, 1]).toString('base64'),
      });
      expect(detail.eventId).toBeNull();
    });

    it('throws when the dead letter cannot be recorded, and then produces nothing', async () => {
      const options = app.get<MessagingOptions>(MESSAGING_OPTIONS);
      const broken = new DeadLetters(app.get(KafkaClient), { ...options, schema: `no_such_${cfg.run}` }, ds);
      const before = await probe.count(dlqTopic);
      await expect(
        broken.send(synthetic('43'), { code: 'HANDLER_FAILED', message: 'x', attempts: 1 }),
      ).rejects.toThrow(/does not exist/);
      expect(await probe.count(dlqTopic)).toBe(before);
    });
  });
});
