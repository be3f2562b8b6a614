import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HealthRegistry } from '@cic/platform-observability';
import type { Message } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { KafkaClient } from './kafka-client';
import { DEFAULT_MAX_MESSAGE_BYTES, MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import {
  outboxParked,
  outboxParkedTotal,
  outboxPending,
  outboxPublishedTotal,
  relayFailuresTotal,
} from './messaging.metrics';
import { messageBytes, outboxChannel } from './outbox';

export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  /** The event as the writer serialised it (stored as text: no parse and re-serialise on the hot path). */
  value: string;
  headers: Record<string, string>;
}

interface Outgoing {
  row: OutboxRow;
  message: Message;
  bytes: number;
}

/** How often the leader vacuums the outbox (and removes rows marked published by earlier versions). */
const CLEANUP_EVERY_MS = 30_000;

/**
 * After a batch that emptied the outbox, how long the relay waits for the next commit so that the next
 * read also deletes the batch (one statement instead of two) before deleting it on its own.
 */
const DELETE_WITH_NEXT_READ_MS = 50;

/** Broker answers that retrying the same bytes can never change: the row is parked. */
const PERMANENT_BROKER_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

function permanentBrokerError(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e = error; typeof e === 'object' && e !== null && !seen.has(e); ) {
    seen.add(e);
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && PERMANENT_BROKER_ERRORS.has(type)) return type;
    e =
      (e as { cause?: unknown; originalError?: unknown }).cause ??
      (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/**
 * Publishes outbox rows in id order (so in commit order per key) with the idempotent producer, then deletes
 * them (with the statement that claims the next rows): Kafka is the log, and a deleted row costs Postgres a
 * few bytes of WAL where marking it wrote a whole new row version and index entries. At most one relay
 * publishes a schema's outbox:
 * - leadership is a session advisory lock held by one dedicated connection, and that same connection
 *   claims (selects) and deletes every batch. A relay that loses the connection loses the lock and, with
 *   it, any way to claim or delete: its next statement fails and it steps down before publishing more.
 *   A standby takes the lock only after the old session is gone; the old leader can at most finish the
 *   one produce request it had in flight (those rows go out again from the new leader, in order).
 * - a crash between publish and delete republishes at most that one batch; consumers' inboxes absorb it.
 * - each produce request is capped in bytes (the broker's limit) as well as rows; a row the broker
 *   refuses for good (too large, invalid) is parked with its error and the rows behind it flow on.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private loopDone?: Promise<void>;
  private lockClient?: Client;
  /** Ids published by the last round, deleted by the next fetch (one statement per round, not two). */
  private toDelete: string[] = [];
  private wake?: () => void;
  /** A commit notified since the current round began: the next idle returns at once. */
  private notified = false;
  /** The last round read fewer rows than a batch and settled them all: the outbox was empty behind it. */
  private drained = false;
  private lastCleanup = 0;
  private lastVacuum = 0;
  private cleaning = false;
  private cleanupDone?: Promise<void>;
  private lastInboxCleanup = 0;
  /** Rows deleted since the last vacuum (their dead tuples are what the vacuum reclaims). */
  private deletedSinceVacuum = 0;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly lingerMs: number;
  private readonly retentionMs: number;
  private readonly inboxRetentionHours: number;
  readonly maxMessageBytes: number;
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: KafkaClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    health: HealthRegistry,
  ) {
    health.registerLiveness({ name: 'outbox-relay', live: () => this.isLive() });
    this.batchSize = options.relay?.batchSize ?? 500;
    this.pollMs = options.relay?.pollMs ?? 1000;
    this.lingerMs = options.relay?.lingerMs ?? 3;
    this.retentionMs = options.relay?.retentionMs ?? 60_000;
    // Handled ids outlive Kafka's retention (7 days here) so a redelivery is always recognised.
    this.inboxRetentionHours = options.relay?.inboxRetentionHours ?? 24 * 14;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.schema = options.schema;
  }

  onApplicationBootstrap(): void {
    if (this.options.relay?.enabled === false) return;
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  get isLeader(): boolean {
    return this.lockClient !== undefined;
  }

  /** False when the relay loop has stopped while it should be running (liveness). */
  isLive(): boolean {
    return !this.running || this.loopDone !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop().finally(() => (this.loopDone = undefined));
  }

  /** Finishes the batch in flight (publish and delete), then releases the lock. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
    await this.deleteOwed();
    await this.cleanupDone;
    await this.releaseLock();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.lockClient && !(await this.tryLead())) {
          await this.idle(2000);
          continue;
        }
        // A commit notified while this round runs may be invisible to its query: remember it, so the
        // round that finds nothing does not then sleep through it.
        this.notified = false;
        const published = await this.publishBatch();
        failures = 0;
        this.cleanupIfDue();
        if (published > 0 && !this.drained) continue; // more rows are waiting
        if (published > 0) {
          // The outbox was empty behind this batch: rather than read it again at once (an empty read
          // and a delete), wait a moment for the next commit, whose round deletes these rows in its read.
          // Under steady load that is one statement per round instead of two; if no commit comes, the
          // rows are deleted on their own (they are published: no read returns them meanwhile).
          await this.idle(DELETE_WITH_NEXT_READ_MS);
          if (!this.running) continue;
          if (!this.notified) {
            await this.deleteOwed();
            await this.idle(this.pollMs);
          }
        } else {
          await this.idle(this.pollMs);
        }
        // Woken by the first commit of a burst: linger a moment so one produce carries the burst
        // (like a producer's linger.ms) instead of one request per committed transaction.
        if (this.running && this.lingerMs > 0) await new Promise((r) => setTimeout(r, this.lingerMs));
      } catch (error) {
        failures++;
        relayFailuresTotal.inc();
        const delay = Math.min(200 * 2 ** failures, 10000);
        if (failures <= 3 || failures % 10 === 0)
          this.logger.error({
            msg: `outbox relay for schema ${this.schema} failed (${failures} in a row), retrying in ${delay} ms: ${(error as Error).message}`,
            err: error,
          });
        // Whatever failed, the lock connection may be the reason: step down unless it still answers.
        if (this.lockClient && !(await this.lockAlive())) await this.releaseLock();
        await this.idle(delay);
      }
    }
  }

  /**
   * One round on the lock connection: claim pending rows, publish them (capped in bytes); the next round's
   * claim deletes them.
   * Returns how many rows were settled (published or parked).
   */
  async publishBatch(): Promise<number> {
    const lock = this.lockClient;
    if (!lock) throw new Error('not the outbox leader');
    const rows = await this.fetchPending(lock);
    this.toDelete = [];
    outboxPending.set(rows.length);
    this.drained = rows.length < this.batchSize;
    if (rows.length === 0) return 0;
    const outgoing: Outgoing[] = [];
    let settled = 0;
    for (const row of rows) {
      const message = { key: row.message_key, value: row.value, headers: row.headers };
      const bytes = messageBytes(message);
      if (bytes > this.maxMessageBytes) {
        await this.park(
          lock,
          row,
          'MESSAGE_TOO_LARGE',
          `event of ${bytes} bytes exceeds the ${this.maxMessageBytes}-byte limit`,
        );
        settled++;
        continue;
      }
      outgoing.push({ row, message, bytes });
    }
    // Rows in id order until the byte cap; a single row always fits (it passed the check above).
    let bytes = 0;
    let take = 0;
    while (take < outgoing.length && (take === 0 || bytes + outgoing[take].bytes <= this.maxMessageBytes)) {
      bytes += outgoing[take].bytes;
      take++;
    }
    const chunk = outgoing.slice(0, take);
    // Every row there was got settled: nothing is known to be waiting behind this batch.
    this.drained = rows.length < this.batchSize && take === outgoing.length;
    if (chunk.length) {
      const published = await this.sendIsolatingRefusals(lock, chunk);
      // Deleted by the next round's fetch, in the same statement (the loop goes on at once after rows).
      this.toDelete = published.map((r) => r.id);
      this.deletedSinceVacuum += published.length;
      settled += chunk.length;
    }
    return settled;
  }

  private pendingSql(): string {
    return `SELECT id, topic, message_key, payload AS value, headers FROM "${this.schema}"."outbox"
       WHERE published_at IS NULL AND parked_at IS NULL ORDER BY id LIMIT $1`;
  }

  /** Deletes the rows the previous round published and claims the next ones, in one statement. */
  private async fetchPending(lock: Client): Promise<OutboxRow[]> {
    if (!this.toDelete.length) return (await lock.query<OutboxRow>(this.pendingSql(), [this.batchSize])).rows;
    const s = this.schema;
    return (
      await lock.query<OutboxRow>(
        `WITH m AS (
           DELETE FROM "${s}"."outbox" WHERE id = ANY($2::bigint[])
         )
         SELECT id, topic, message_key, payload AS value, headers FROM "${s}"."outbox"
          WHERE published_at IS NULL AND parked_at IS NULL AND id <> ALL($2::bigint[]) ORDER BY id LIMIT $1`,
        [this.batchSize, this.toDelete],
      )
    ).rows;
  }

  /** The rows a leader would claim next, read without claiming (tools and tests). */
  async pending(limit = this.batchSize): Promise<OutboxRow[]> {
    return this.dataSource.query(this.pendingSql(), [limit]);
  }

  /** Publishes rows without deleting them: what a relay that dies before its delete has done (tests). */
  async publishWithoutDelete(rows: OutboxRow[]): Promise<void> {
    await this.send(
      rows.map((row) => {
        const message = { key: row.message_key, value: row.value, headers: row.headers };
        return { row, message, bytes: messageBytes(message) };
      }),
    );
  }

  /**
   * Publishes the chunk. When the broker refuses it for a permanent reason, sends its rows one at a time
   * to find the culprits, parks those and publishes the rest. Transient failures propagate (retried).
   * Returns the rows that were published.
   */
  private async sendIsolatingRefusals(lock: Client, chunk: Outgoing[]): Promise<OutboxRow[]> {
    try {
      await this.send(chunk);
      return chunk.map((o) => o.row);
    } catch (error) {
      // The broker may have written this request for some partitions and refused it for others, while
      // the producer rolled back its sequence numbers for all: a new producer starts in step (the rows
      // already written go out again; consumers' inboxes absorb the duplicates).
      await this.client.resetProducer();
      const permanent = permanentBrokerError(error);
      if (!permanent) throw error;
      if (chunk.length === 1) {
        await this.park(lock, chunk[0].row, permanent, (error as Error).message);
        return [];
      }
      const published: OutboxRow[] = [];
      for (const one of chunk) published.push(...(await this.sendIsolatingRefusals(lock, [one])));
      return published;
    }
  }

  private async send(chunk: Outgoing[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { row, message } of chunk) {
      const list = byTopic.get(row.topic) ?? [];
      list.push(message);
      byTopic.set(row.topic, list);
    }
    const producer = await this.client.producer();
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const [topic, messages] of byTopic) outboxPublishedTotal.inc({ topic }, messages.length);
  }

  /** Deletes what the last round published, if that is still owed (on stop). */
  private async deleteOwed(): Promise<void> {
    const lock = this.lockClient;
    if (!lock || !this.toDelete.length) return;
    await lock
      .query(`DELETE FROM "${this.schema}"."outbox" WHERE id = ANY($1::bigint[])`, [this.toDelete])
      .then(
        () => (this.toDelete = []),
        // Not deleted: the next leader publishes those rows again and consumers' inboxes absorb them.
        (error: Error) =>
          this.logger.warn(
            `outbox delete of published rows failed (the next read retries it): ${error.message}`,
          ),
      );
  }

  private async park(lock: Client, row: OutboxRow, reason: string, detail: string): Promise<void> {
    await lock.query(
      `UPDATE "${this.schema}"."outbox" SET parked_at = now(), park_error = $2 WHERE id = $1 AND published_at IS NULL`,
      [row.id, `${reason}: ${detail}`.slice(0, 2000)],
    );
    outboxParkedTotal.inc({ topic: row.topic, reason });
    outboxParked.inc();
    this.logger.error({
      msg: `outbox event parked: the broker refuses it for good (${reason}); the events behind it flow on. Fix the cause, then retry it (admin: outbox parked list)`,
      outboxId: row.id,
      topic: row.topic,
      key: row.message_key,
      reason,
      detail,
    });
  }

  private async tryLead(): Promise<boolean> {
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.service}:outbox-relay`,
      connectionTimeoutMillis: 5000,
      statement_timeout: 30000,
    });
    client.on('error', (error) => this.logger.warn(`relay lock connection error: ${error.message}`));
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [`cic-outbox:${this.schema}`],
      );
      if (!rows[0]?.locked) {
        await client.end();
        return false;
      }
      client.on('notification', () => {
        this.notified = true;
        this.wake?.();
      });
      await client.query(`LISTEN "${outboxChannel(this.schema)}"`);
      const parked = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${this.schema}"."outbox" WHERE parked_at IS NOT NULL AND published_at IS NULL`,
      );
      outboxParked.set(parked.rows[0]?.n ?? 0);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.lockClient = client;
    this.logger.log(`outbox relay active for schema ${this.schema}`);
    return true;
  }

  private async lockAlive(): Promise<boolean> {
    try {
      await this.lockClient?.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async releaseLock(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    this.toDelete = []; // the next leader publishes them again
    if (client) await client.end().catch(() => undefined);
  }

  private idle(ms: number): Promise<void> {
    if (!this.running || this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * The outbox stays small and its plans right without relying on autovacuum (which may be off): published
   * rows are deleted as they go, and every CLEANUP_EVERY_MS the leader vacuums and analyzes the table
   * itself, beside the publishing loop (rows marked published by an earlier version, which marked instead
   * of deleting, are removed after the retention). Inbox ids are
   * kept far longer, so a redelivery is still recognised; the inbox only grows and shrinks at its old end.
   */
  private cleanupIfDue(): void {
    if (this.cleaning || Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = Date.now();
    this.cleaning = true;
    // On a pooled connection and not awaited: a vacuum must never hold up publishing.
    this.cleanupDone = this.cleanup()
      .catch((error: unknown) =>
        this.logger.warn({ msg: `outbox cleanup failed (retried later): ${(error as Error).message}` }),
      )
      .finally(() => (this.cleaning = false));
  }

  private async cleanup(): Promise<void> {
    const s = this.schema;
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM "${s}"."outbox" WHERE published_at < now() - make_interval(secs => $1)`,
      [this.retentionMs / 1000],
    );
    if (deleted > 0 || this.deletedSinceVacuum > 0 || Date.now() - this.lastVacuum > 5 * 60 * 1000) {
      this.deletedSinceVacuum = 0;
      this.lastVacuum = Date.now();
      await this.dataSource.query(`VACUUM (ANALYZE) "${s}"."outbox"`);
    }
    if (Date.now() - this.lastInboxCleanup > 10 * 60 * 1000) {
      this.lastInboxCleanup = Date.now();
      await this.dataSource.query(
        `DELETE FROM "${s}"."inbox" WHERE handled_at < now() - make_interval(hours => $1)`,
        [this.inboxRetentionHours],
      );
      await this.dataSource.query(`ANALYZE "${s}"."inbox"`);
    }
  }
}
