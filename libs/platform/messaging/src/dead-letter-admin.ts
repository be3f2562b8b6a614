import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DEAD_LETTER_STATUSES,
  DeadLetterBusyError,
  type DeadLetterDetail,
  DeadLetterInputError,
  DeadLetterNotFoundError,
  DeadLetterNotOpenError,
  type DeadLetterStatus,
  DeadLetterStore,
  type DeadLetterSummary,
  isDeadLetterId,
} from './dead-letter-store';
import { Header, type StringHeaders } from './headers';
import { KafkaClient } from './kafka-client';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';

export interface DeadLetterPage {
  items: DeadLetterSummary[];
  /** Pass as `afterId` for the next page; null on the last page. */
  nextAfterId: string | null;
}

export interface ReplayOutcome {
  id: string;
  status: 'REPLAYED';
  replayedTo: { topic: string; partition: number; offset: string };
  actor: string;
  /** Set when an earlier replay of this row may have been produced already (its outcome is unknown). */
  warning?: string;
}

export interface ReplayAllOutcome {
  /** OPEN dead letters considered (at most `limit`, the oldest first). */
  considered: number;
  replayed: string[];
  /** Acted on by someone else meanwhile (no longer OPEN, or locked). */
  skipped: Array<{ id: string; reason: string }>;
  /** Replays that failed (the broker refused or did not answer); they stay OPEN. */
  failed: Array<{ id: string; error: string }>;
  /** OPEN dead letters left (matching the filter) once this run ended, including new failures of replays. */
  remainingOpen: number;
}

export interface DiscardOutcome {
  id: string;
  status: 'DISCARDED';
  actor: string;
  reason: string;
}

const MAX_PAGE = 500;
const MAX_REPLAY_ALL = 1000;
/** How long a replay waits for the broker before giving up (below the database's idle-transaction limit). */
const PRODUCE_TIMEOUT_MS = 15000;
const LOCK_TIMEOUT_MS = 5000;

class ProduceTimeoutError extends Error {
  override readonly name = 'ProduceTimeoutError';
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ProduceTimeoutError(`${what} got no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function checkActor(actor: string): string {
  const a = actor.trim();
  if (!a) throw new DeadLetterInputError('actor', 'an action needs an actor');
  return a;
}

function checkId(id: string): string {
  if (!isDeadLetterId(id)) throw new DeadLetterNotFoundError(id);
  return id;
}

/**
 * What operators do with dead letters: list and inspect them, replay one or all (back to the source topic
 * with the original key, value and headers), or discard one with a reason. Every action is audited in
 * `dead_letter_actions` (who, when, what, outcome). Only an OPEN dead letter can be acted on, and nothing
 * replays by itself: a replay that fails again becomes a new OPEN dead letter pointing at this one.
 */
@Injectable()
export class DeadLetterAdmin {
  private readonly logger = new Logger('DeadLetterAdmin');
  private readonly store: DeadLetterStore;

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: KafkaClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    this.store = new DeadLetterStore(dataSource, options.schema);
  }

  async list(query: {
    status?: DeadLetterStatus;
    sourceTopic?: string;
    limit?: number;
    afterId?: string;
  }): Promise<DeadLetterPage> {
    if (query.status !== undefined && !DEAD_LETTER_STATUSES.includes(query.status))
      throw new DeadLetterInputError('status', `status must be one of ${DEAD_LETTER_STATUSES.join(', ')}`);
    if (query.afterId !== undefined && !isDeadLetterId(query.afterId))
      throw new DeadLetterInputError('afterId', 'afterId must be a dead letter id');
    const limit = Math.min(Math.max(Math.floor(query.limit ?? 50), 1), MAX_PAGE);
    const items = await this.store.list({
      status: query.status,
      sourceTopic: query.sourceTopic,
      limit,
      beforeId: query.afterId,
    });
    return { items, nextAfterId: items.length === limit ? items[items.length - 1].id : null };
  }

  async get(id: string): Promise<DeadLetterDetail> {
    const found = await this.store.get(checkId(id));
    if (!found) throw new DeadLetterNotFoundError(id);
    return found;
  }

  /**
   * Puts an OPEN dead letter back on its source topic and marks it REPLAYED, under a row lock so two
   * operators cannot both replay it. The attempt is audited before the message is produced (committed on
   * its own), so a crash between producing and marking leaves a visible unconfirmed attempt; a later replay
   * of the row says so in its `warning` and audit. The event id is unchanged: a consumer's inbox absorbs a
   * copy it has handled already.
   */
  async replay(id: string, actor: string): Promise<ReplayOutcome> {
    checkId(id);
    const who = checkActor(actor);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const row = await this.store.lock(manager, id, LOCK_TIMEOUT_MS);
      if (row.status !== 'OPEN') throw new DeadLetterNotOpenError(id, row.status, 'REPLAY');
      const unconfirmed = await this.store.unconfirmedReplays(manager, id);
      const warning = unconfirmed.length
        ? `an earlier replay (${unconfirmed.map((a) => `by ${a.actor} at ${a.at}`).join('; ')}) may have been delivered already; consumers skip an event id they have handled`
        : undefined;
      const headers: StringHeaders = Object.fromEntries(
        Object.entries(row.headers).filter(([k]) => !k.startsWith('dlq-')),
      );
      headers[Header.dlqReplayOf] = id;
      // Committed at once, outside this transaction: survives a crash after the produce below.
      const actionId = await this.store.audit({
        deadLetterId: id,
        action: 'REPLAY',
        actor: who,
        reason: null,
        result: {
          state: 'STARTED',
          ...(unconfirmed.length ? { unconfirmedEarlier: unconfirmed.map((a) => a.id) } : {}),
        },
      });
      let replayedTo: ReplayOutcome['replayedTo'];
      try {
        const producer = await this.client.producer();
        const [meta] = await withTimeout(
          producer.send({
            topic: row.sourceTopic,
            acks: -1,
            messages: [{ key: row.key, value: row.value, headers }],
          }),
          PRODUCE_TIMEOUT_MS,
          `replaying dead letter ${id} to ${row.sourceTopic}`,
        );
        replayedTo = {
          topic: row.sourceTopic,
          partition: meta.partition,
          offset: String(meta.baseOffset ?? meta.offset ?? ''),
        };
      } catch (error) {
        const message = (error as Error).message;
        // A timed-out send may still be delivered by the producer's retries: its outcome is unknown.
        const state = error instanceof ProduceTimeoutError ? 'UNCERTAIN' : 'FAILED';
        await this.store.setAuditResult(actionId, { state, error: message }).catch(() => undefined);
        throw error;
      }
      await this.store.resolve(manager, id, 'REPLAYED', who, warning ?? null);
      await this.store.setAuditResult(
        actionId,
        { state: 'DONE', ...replayedTo, ...(warning ? { warning } : {}) },
        manager,
      );
      return { id, status: 'REPLAYED' as const, replayedTo, actor: who, ...(warning ? { warning } : {}) };
    });
    this.logger.warn({
      msg: `dead letter ${id} replayed to ${outcome.replayedTo.topic}/${outcome.replayedTo.partition}@${outcome.replayedTo.offset} by ${who}`,
      deadLetterId: id,
      actor: who,
      ...outcome.replayedTo,
      warning: outcome.warning,
    });
    return outcome;
  }

  /**
   * Replays the OPEN dead letters (optionally of one source topic), oldest first, at most `limit` (default
   * 100) per call. Only those OPEN when the call starts are considered, so replays that fail again (new
   * OPEN dead letters) wait for the next call: it never loops. Stops at the first broker failure.
   */
  async replayAll(
    actor: string,
    filter: { sourceTopic?: string; limit?: number } = {},
  ): Promise<ReplayAllOutcome> {
    const who = checkActor(actor);
    const limit = Math.min(Math.max(Math.floor(filter.limit ?? 100), 1), MAX_REPLAY_ALL);
    const maxId = await this.store.maxId();
    const ids =
      maxId === null ? [] : await this.store.openIds({ sourceTopic: filter.sourceTopic, limit, maxId });
    const out: ReplayAllOutcome = {
      considered: ids.length,
      replayed: [],
      skipped: [],
      failed: [],
      remainingOpen: 0,
    };
    for (const id of ids) {
      try {
        await this.replay(id, who);
        out.replayed.push(id);
      } catch (error) {
        if (
          error instanceof DeadLetterNotOpenError ||
          error instanceof DeadLetterNotFoundError ||
          error instanceof DeadLetterBusyError
        ) {
          out.skipped.push({ id, reason: error.message });
        } else {
          out.failed.push({ id, error: (error as Error).message });
          break;
        }
      }
    }
    out.remainingOpen = await this.store.count({ status: 'OPEN', sourceTopic: filter.sourceTopic });
    this.logger.warn({
      msg: `replay-all by ${who}: ${out.replayed.length} replayed, ${out.skipped.length} skipped, ${out.failed.length} failed`,
      actor: who,
      sourceTopic: filter.sourceTopic,
      replayed: out.replayed.length,
      skipped: out.skipped.length,
      failed: out.failed.length,
    });
    return out;
  }

  /** Closes an OPEN dead letter for good; the reason is required and kept in the row and the audit. */
  async discard(id: string, actor: string, reason: string): Promise<DiscardOutcome> {
    checkId(id);
    const who = checkActor(actor);
    const why = typeof reason === 'string' ? reason.trim() : '';
    if (!why) throw new DeadLetterInputError('reason', 'a discard needs a reason');
    if (why.length > 2000)
      throw new DeadLetterInputError('reason', 'the reason is longer than 2000 characters');
    await this.dataSource.transaction(async (manager) => {
      const row = await this.store.lock(manager, id, LOCK_TIMEOUT_MS);
      if (row.status !== 'OPEN') throw new DeadLetterNotOpenError(id, row.status, 'DISCARD');
      await this.store.resolve(manager, id, 'DISCARDED', who, why);
      await this.store.audit(
        { deadLetterId: id, action: 'DISCARD', actor: who, reason: why, result: { state: 'DONE' } },
        manager,
      );
    });
    this.logger.warn({ msg: `dead letter ${id} discarded by ${who}: ${why}`, deadLetterId: id, actor: who });
    return { id, status: 'DISCARDED', actor: who, reason: why };
  }

  /** The consumer group whose dead letters these are. */
  get consumerGroup(): string {
    return this.options.groupId;
  }
}
