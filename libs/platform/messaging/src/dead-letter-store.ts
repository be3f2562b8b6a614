import type { DataSource, EntityManager } from 'typeorm';
import { Header, type StringHeaders } from './headers';

export type DeadLetterStatus = 'OPEN' | 'REPLAYED' | 'DISCARDED';
export const DEAD_LETTER_STATUSES: readonly DeadLetterStatus[] = ['OPEN', 'REPLAYED', 'DISCARDED'];
export type DeadLetterAction = 'REPLAY' | 'DISCARD';

/** A dead letter as operators list it: everything but the value bytes (their size instead). */
export interface DeadLetterSummary {
  id: string;
  consumerGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  eventId: string | null;
  key: string | null;
  bytes: number | null;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  failedAt: string;
  dlqPartition: number | null;
  dlqOffset: string | null;
  status: DeadLetterStatus;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  /** The dead letter this message was a replay of. */
  replayOf: string | null;
}

export interface DeadLetterActionRecord {
  id: string;
  action: DeadLetterAction;
  actor: string;
  reason: string | null;
  at: string;
  result: Record<string, unknown> | null;
}

/** One dead letter in full: its headers, its value (UTF-8 text, or base64 when it is not text), its audit. */
export interface DeadLetterDetail extends DeadLetterSummary {
  headers: StringHeaders;
  value: string | null;
  valueEncoding: 'utf8' | 'base64' | null;
  actions: DeadLetterActionRecord[];
  /** Dead letters that are replays of this one failing again. */
  replays: string[];
}

/** The row as the replay needs it (original bytes included). */
export interface DeadLetterForReplay {
  id: string;
  status: DeadLetterStatus;
  sourceTopic: string;
  key: string | null;
  value: Buffer | null;
  headers: StringHeaders;
}

export interface NewDeadLetter {
  consumerGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  eventId: string | null;
  key: string | null;
  value: Buffer | null;
  headers: StringHeaders;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  failedAt: Date;
  replayOf: string | null;
}

/** No dead letter with that id (HTTP 404). */
export class DeadLetterNotFoundError extends Error {
  override readonly name = 'DeadLetterNotFoundError';
  constructor(readonly id: string) {
    super(`no dead letter ${id}`);
  }
}

/** The action needs an OPEN dead letter and this one is not (HTTP 409). */
export class DeadLetterNotOpenError extends Error {
  override readonly name = 'DeadLetterNotOpenError';
  readonly requiredStatus: DeadLetterStatus = 'OPEN';
  constructor(
    readonly id: string,
    readonly currentStatus: DeadLetterStatus,
    readonly action: DeadLetterAction,
  ) {
    super(
      `dead letter ${id} is ${currentStatus}; only an OPEN dead letter can be ${action === 'REPLAY' ? 'replayed' : 'discarded'}`,
    );
  }
}

/** Another operator is acting on the same dead letter right now (HTTP 409; try again). */
export class DeadLetterBusyError extends Error {
  override readonly name = 'DeadLetterBusyError';
  constructor(readonly id: string) {
    super(`dead letter ${id} is being acted on by someone else; try again`);
  }
}

/** Bad operator input, e.g. a discard without a reason (HTTP 422 on `field`). */
export class DeadLetterInputError extends Error {
  override readonly name = 'DeadLetterInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = /^[1-9][0-9]{0,17}$/;

/** Whether a string is a dead letter id (a positive bigint that fits Postgres). */
export function isDeadLetterId(id: string): boolean {
  return ID.test(id);
}

/** Postgres refuses NUL in text and jsonb; a message must never become unrecordable because of one. */
function pgText(s: string): string {
  return s.includes('\u0000') ? s.replace(/\u0000/g, '\uFFFD') : s;
}

function pgHeaders(headers: StringHeaders): StringHeaders {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [pgText(k), pgText(v)]));
}

/** The event id of a message: its `ce_id` header, else the envelope's `id`; null when neither is a UUID. */
export function eventIdOf(headers: StringHeaders, value: Buffer | null): string | null {
  const fromHeader = headers[Header.ceId];
  if (fromHeader && UUID.test(fromHeader)) return fromHeader.toLowerCase();
  if (!value || value.length > 4 * 1024 * 1024) return null;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : null;
  } catch {
    return null;
  }
}

interface SummaryRow {
  id: string;
  consumer_group: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  event_id: string | null;
  message_key: string | null;
  bytes: number | null;
  error_code: string;
  error_message: string;
  attempts: number;
  failed_at: Date;
  dlq_partition: number | null;
  dlq_offset: string | null;
  status: DeadLetterStatus;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution_note: string | null;
  replay_of: string | null;
}

const SUMMARY_COLUMNS = `id, consumer_group, source_topic, source_partition, source_offset, event_id, message_key,
  octet_length(value) AS bytes, error_code, error_message, attempts, failed_at, dlq_partition, dlq_offset, status,
  resolved_at, resolved_by, resolution_note, replay_of`;

function toSummary(r: SummaryRow): DeadLetterSummary {
  return {
    id: String(r.id),
    consumerGroup: r.consumer_group,
    sourceTopic: r.source_topic,
    sourcePartition: r.source_partition,
    sourceOffset: String(r.source_offset),
    eventId: r.event_id,
    key: r.message_key,
    bytes: r.bytes,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    attempts: r.attempts,
    failedAt: r.failed_at.toISOString(),
    dlqPartition: r.dlq_partition,
    dlqOffset: r.dlq_offset === null ? null : String(r.dlq_offset),
    status: r.status,
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    resolvedBy: r.resolved_by,
    resolutionNote: r.resolution_note,
    replayOf: r.replay_of === null ? null : String(r.replay_of),
  };
}

function describeValue(value: Buffer | null): Pick<DeadLetterDetail, 'value' | 'valueEncoding'> {
  if (value === null) return { value: null, valueEncoding: null };
  const text = value.toString('utf8');
  return Buffer.from(text, 'utf8').equals(value)
    ? { value: text, valueEncoding: 'utf8' }
    : { value: value.toString('base64'), valueEncoding: 'base64' };
}

/**
 * SQL over the `dead_letters` and `dead_letter_actions` tables of one service schema. Each method runs on
 * the given EntityManager (inside a transaction) or on the DataSource.
 */
export class DeadLetterStore {
  private readonly letters: string;
  private readonly actions: string;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
  ) {
    this.letters = `"${schema}"."dead_letters"`;
    this.actions = `"${schema}"."dead_letter_actions"`;
  }

  private on(manager?: EntityManager): Pick<EntityManager, 'query'> {
    return manager ?? this.dataSource;
  }

  /**
   * Records a dead letter once per source position. Returns its id and, when it was recorded before (a
   * redelivered failure), where it already is in the dead-letter topic.
   */
  async record(
    letter: NewDeadLetter,
  ): Promise<{ id: string; created: boolean; dlqPartition: number | null; dlqOffset: string | null }> {
    const inserted: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO ${this.letters} (consumer_group, source_topic, source_partition, source_offset, event_id,
         message_key, value, headers, error_code, error_message, attempts, failed_at, replay_of, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, 'OPEN')
       ON CONFLICT (consumer_group, source_topic, source_partition, source_offset) DO NOTHING
       RETURNING id`,
      [
        letter.consumerGroup,
        letter.sourceTopic,
        letter.sourcePartition,
        letter.sourceOffset,
        letter.eventId,
        letter.key === null ? null : pgText(letter.key),
        letter.value,
        JSON.stringify(pgHeaders(letter.headers)),
        pgText(letter.errorCode).slice(0, 100),
        pgText(letter.errorMessage),
        letter.attempts,
        letter.failedAt,
        letter.replayOf,
      ],
    );
    if (inserted.length)
      return { id: String(inserted[0].id), created: true, dlqPartition: null, dlqOffset: null };
    const [existing]: Array<{ id: string; dlq_partition: number | null; dlq_offset: string | null }> =
      await this.dataSource.query(
        `SELECT id, dlq_partition, dlq_offset FROM ${this.letters}
          WHERE consumer_group = $1 AND source_topic = $2 AND source_partition = $3 AND source_offset = $4`,
        [letter.consumerGroup, letter.sourceTopic, letter.sourcePartition, letter.sourceOffset],
      );
    if (!existing) throw new Error('dead letter vanished between insert and select');
    return {
      id: String(existing.id),
      created: false,
      dlqPartition: existing.dlq_partition,
      dlqOffset: existing.dlq_offset === null ? null : String(existing.dlq_offset),
    };
  }

  async setPosition(id: string, partition: number, offset: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.letters} SET dlq_partition = $2, dlq_offset = $3 WHERE id = $1`,
      [id, partition, offset],
    );
  }

  /** Newest first; the next page starts below `beforeId` (the last id of the previous page). */
  async list(filter: {
    status?: DeadLetterStatus;
    sourceTopic?: string;
    limit: number;
    beforeId?: string;
  }): Promise<DeadLetterSummary[]> {
    const rows: SummaryRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM ${this.letters}
        WHERE ($1::varchar IS NULL OR status = $1)
          AND ($2::varchar IS NULL OR source_topic = $2)
          AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [filter.status ?? null, filter.sourceTopic ?? null, filter.beforeId ?? null, filter.limit],
    );
    return rows.map(toSummary);
  }

  async count(filter: { status?: DeadLetterStatus; sourceTopic?: string }): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM ${this.letters}
        WHERE ($1::varchar IS NULL OR status = $1) AND ($2::varchar IS NULL OR source_topic = $2)`,
      [filter.status ?? null, filter.sourceTopic ?? null],
    );
    return n;
  }

  /** Ids of OPEN dead letters, oldest first, up to `maxId` (so what appears meanwhile is left alone). */
  async openIds(filter: { sourceTopic?: string; limit: number; maxId?: string }): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM ${this.letters}
        WHERE status = 'OPEN' AND ($1::varchar IS NULL OR source_topic = $1) AND ($2::bigint IS NULL OR id <= $2)
        ORDER BY id LIMIT $3`,
      [filter.sourceTopic ?? null, filter.maxId ?? null, filter.limit],
    );
    return rows.map((r) => String(r.id));
  }

  async maxId(): Promise<string | null> {
    const [{ max }]: Array<{ max: string | null }> = await this.dataSource.query(
      `SELECT max(id) AS max FROM ${this.letters}`,
    );
    return max === null ? null : String(max);
  }

  async get(id: string): Promise<DeadLetterDetail | undefined> {
    const [row]: Array<SummaryRow & { headers: StringHeaders; value: Buffer | null }> =
      await this.dataSource.query(
        `SELECT ${SUMMARY_COLUMNS}, headers, value FROM ${this.letters} WHERE id = $1`,
        [id],
      );
    if (!row) return undefined;
    const replays: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM ${this.letters} WHERE replay_of = $1 ORDER BY id`,
      [id],
    );
    return {
      ...toSummary(row),
      headers: row.headers,
      ...describeValue(row.value),
      actions: await this.actionsOf(id),
      replays: replays.map((r) => String(r.id)),
    };
  }

  async actionsOf(id: string, manager?: EntityManager): Promise<DeadLetterActionRecord[]> {
    const rows: Array<{
      id: string;
      action: DeadLetterAction;
      actor: string;
      reason: string | null;
      at: Date;
      result: Record<string, unknown> | null;
    }> = await this.on(manager).query(
      `SELECT id, action, actor, reason, at, result FROM ${this.actions} WHERE dead_letter_id = $1 ORDER BY id`,
      [id],
    );
    return rows.map((r) => ({
      id: String(r.id),
      action: r.action,
      actor: r.actor,
      reason: r.reason,
      at: r.at.toISOString(),
      result: r.result,
    }));
  }

  /** Where a dead letter sits in the dead-letter topic, mapped back to its row. */
  async findByPosition(
    consumerGroup: string,
    partition: number,
    offset: string,
  ): Promise<string | undefined> {
    const [row]: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM ${this.letters} WHERE consumer_group = $1 AND dlq_partition = $2 AND dlq_offset = $3
        ORDER BY id DESC LIMIT 1`,
      [consumerGroup, partition, offset],
    );
    return row ? String(row.id) : undefined;
  }

  /**
   * Locks the row for an action (inside the caller's transaction) and returns it with its original bytes.
   * `FOR NO KEY UPDATE` serialises operators on the row yet lets audit rows reference it meanwhile. Waits
   * at most `lockTimeoutMs` for another operator's action to finish.
   */
  async lock(manager: EntityManager, id: string, lockTimeoutMs: number): Promise<DeadLetterForReplay> {
    await manager.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    let rows: Array<{
      id: string;
      status: DeadLetterStatus;
      source_topic: string;
      message_key: string | null;
      value: Buffer | null;
      headers: StringHeaders;
    }>;
    try {
      rows = await manager.query(
        `SELECT id, status, source_topic, message_key, value, headers FROM ${this.letters}
          WHERE id = $1 FOR NO KEY UPDATE`,
        [id],
      );
    } catch (error) {
      // 55P03 lock_not_available: someone else holds the row.
      if ((error as { driverError?: { code?: string }; code?: string }).driverError?.code === '55P03')
        throw new DeadLetterBusyError(id);
      throw error;
    }
    const [row] = rows;
    if (!row) throw new DeadLetterNotFoundError(id);
    return {
      id: String(row.id),
      status: row.status,
      sourceTopic: row.source_topic,
      key: row.message_key,
      value: row.value,
      headers: row.headers,
    };
  }

  async resolve(
    manager: EntityManager,
    id: string,
    status: Exclude<DeadLetterStatus, 'OPEN'>,
    actor: string,
    note: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE ${this.letters} SET status = $2, resolved_at = now(), resolved_by = $3, resolution_note = $4
        WHERE id = $1 AND status = 'OPEN'`,
      [id, status, pgText(actor).slice(0, 200), note === null ? null : pgText(note)],
    );
  }

  /** Writes an audit row; on the DataSource it commits at once (outside the action's transaction). */
  async audit(
    entry: {
      deadLetterId: string;
      action: DeadLetterAction;
      actor: string;
      reason: string | null;
      result: Record<string, unknown> | null;
    },
    manager?: EntityManager,
  ): Promise<string> {
    const [row]: Array<{ id: string }> = await this.on(manager).query(
      `INSERT INTO ${this.actions} (dead_letter_id, action, actor, reason, result) VALUES ($1, $2, $3, $4, $5::jsonb)
       RETURNING id`,
      [
        entry.deadLetterId,
        entry.action,
        pgText(entry.actor).slice(0, 200),
        entry.reason === null ? null : pgText(entry.reason),
        entry.result === null ? null : JSON.stringify(entry.result),
      ],
    );
    return String(row.id);
  }

  async setAuditResult(
    actionId: string,
    result: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<void> {
    await this.on(manager).query(`UPDATE ${this.actions} SET result = $2::jsonb WHERE id = $1`, [
      actionId,
      JSON.stringify(result),
    ]);
  }

  /**
   * Replay attempts on this row whose outcome is unknown (the process died, or the broker did not answer
   * in time, after the message may have been produced): a replay now could deliver it twice.
   */
  async unconfirmedReplays(manager: EntityManager, id: string): Promise<DeadLetterActionRecord[]> {
    return (await this.actionsOf(id, manager)).filter(
      (a) =>
        a.action === 'REPLAY' && (a.result?.['state'] === 'STARTED' || a.result?.['state'] === 'UNCERTAIN'),
    );
  }
}
