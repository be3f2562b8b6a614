import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { KafkaClient } from './kafka-client';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { outboxPending, outboxPublishedTotal } from './messaging.metrics';
import { outboxChannel } from './outbox';

export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  payload: unknown;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows in id order (so in commit order per key) with the idempotent producer, then marks
 * them. One relay per service schema is active at a time (Postgres advisory lock); others stand by.
 * A crash between publish and mark republishes those rows on the next run: consumers' inboxes absorb
 * the duplicates, nothing is lost.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private loopDone?: Promise<void>;
  private lockClient?: Client;
  private wake?: () => void;
  private lastCleanup = 0;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly retentionHours: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: KafkaClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    this.batchSize = options.relay?.batchSize ?? 500;
    this.pollMs = options.relay?.pollMs ?? 1000;
    this.retentionHours = options.relay?.retentionHours ?? 72;
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

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Finishes the batch in flight (publish and mark), then releases the lock. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
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
        const published = await this.publishBatch();
        failures = 0;
        if (published < this.batchSize) {
          await this.cleanupIfDue();
          if (published === 0) await this.idle(this.pollMs);
        }
      } catch (error) {
        failures++;
        const delay = Math.min(200 * 2 ** failures, 10000);
        this.logger.error({
          msg: `outbox relay failed, retrying in ${delay} ms: ${(error as Error).message}`,
          err: error,
        });
        if (this.lockClient && !(await this.lockAlive())) await this.releaseLock();
        await this.idle(delay);
      }
    }
  }

  /** One round: fetch pending rows, publish, mark. Returns how many were published. */
  async publishBatch(): Promise<number> {
    const rows = await this.fetchPending();
    outboxPending.set(rows.length);
    if (rows.length === 0) return 0;
    await this.send(rows);
    await this.markPublished(rows);
    return rows.length;
  }

  async fetchPending(limit = this.batchSize): Promise<OutboxRow[]> {
    return this.dataSource.query(
      `SELECT id, topic, message_key, payload, headers FROM "${this.options.schema}"."outbox"
       WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [limit],
    );
  }

  async send(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push({ key: row.message_key, value: JSON.stringify(row.payload), headers: row.headers });
      byTopic.set(row.topic, list);
    }
    const producer = await this.client.producer();
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const [topic, messages] of byTopic) outboxPublishedTotal.inc({ topic }, messages.length);
  }

  async markPublished(rows: OutboxRow[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE "${this.options.schema}"."outbox" SET published_at = now() WHERE id = ANY($1::bigint[])`,
      [rows.map((r) => r.id)],
    );
  }

  private async tryLead(): Promise<boolean> {
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.service}:outbox-relay`,
    });
    client.on('error', (error) => this.logger.warn(`relay lock connection error: ${error.message}`));
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [`cic-outbox:${this.options.schema}`],
    );
    if (!rows[0]?.locked) {
      await client.end();
      return false;
    }
    client.on('notification', () => this.wake?.());
    await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
    this.lockClient = client;
    this.logger.log(`outbox relay active for schema ${this.options.schema}`);
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
    if (client) await client.end().catch(() => undefined);
  }

  private idle(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanup < 10 * 60 * 1000) return;
    this.lastCleanup = Date.now();
    const s = this.options.schema;
    await this.dataSource.query(
      `DELETE FROM "${s}"."outbox" WHERE published_at < now() - make_interval(hours => $1)`,
      [this.retentionHours],
    );
    // Keep handled ids well beyond Kafka's retention so a redelivery is still recognised.
    await this.dataSource.query(
      `DELETE FROM "${s}"."inbox" WHERE handled_at < now() - make_interval(hours => $1)`,
      [Math.max(this.retentionHours, 24 * 14)],
    );
  }
}
