import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { outboxChannel } from './outbox';

export interface ParkedEvent {
  id: string;
  eventId: string;
  topic: string;
  key: string;
  bytes: number;
  createdAt: string;
  parkedAt: string;
  error: string;
}

/** What operators see of the outbox: the backlog, and parked events with a way to retry them. */
@Injectable()
export class OutboxAdmin {
  private readonly logger = new Logger('OutboxAdmin');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  async backlog(): Promise<{ pending: number; parked: number; oldestPendingAt: string | null }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked,
              min(created_at) FILTER (WHERE parked_at IS NULL) AS oldest
         FROM "${this.options.schema}"."outbox" WHERE published_at IS NULL`,
    );
    return { pending: row.pending, parked: row.parked, oldestPendingAt: row.oldest?.toISOString() ?? null };
  }

  async listParked(limit = 100): Promise<ParkedEvent[]> {
    const rows: Array<{
      id: string;
      event_id: string;
      topic: string;
      message_key: string;
      bytes: number;
      created_at: Date;
      parked_at: Date;
      park_error: string;
    }> = await this.dataSource.query(
      `SELECT id, event_id, topic, message_key, octet_length(payload) AS bytes, created_at, parked_at, park_error
         FROM "${this.options.schema}"."outbox"
        WHERE parked_at IS NOT NULL AND published_at IS NULL ORDER BY id LIMIT $1`,
      [Math.min(Math.max(limit, 1), 1000)],
    );
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      topic: r.topic,
      key: r.message_key,
      bytes: r.bytes,
      createdAt: r.created_at.toISOString(),
      parkedAt: r.parked_at.toISOString(),
      error: r.park_error,
    }));
  }

  /** Puts a parked event back in line (after the cause was fixed, e.g. the topic's limit raised). */
  async retryParked(id: string, actor: string): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      `UPDATE "${this.options.schema}"."outbox" SET parked_at = NULL, park_error = NULL
        WHERE id = $1 AND parked_at IS NOT NULL AND published_at IS NULL RETURNING id`,
      [id],
    );
    if (!affected) return false;
    await this.dataSource.query('SELECT pg_notify($1, $2)', [outboxChannel(this.options.schema), '']);
    this.logger.warn({ msg: `parked outbox event ${id} put back in line by ${actor}`, outboxId: id, actor });
    return true;
  }
}
