import { randomUUID } from 'node:crypto';
import { Topics } from '@cic/contracts';
import { submissionKey, validateDeclaration } from '@cic/intake-domain';
import { EventTooLargeError, OutboxWriter } from '@cic/platform-messaging';
import { runWithTrace, toTraceparent, traceFromParent } from '@cic/platform-observability';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IntakeConfig } from '../config';
import { INTAKE_CONFIG } from '../intake.tokens';
import { type Accepted, AcceptedWriter } from './accepted-writer';
import { payloadHash } from './canonical-hash';
import { DeclarationEntity } from '../entities';
import { declarationRow, IntakeService, type SubmitOutcome } from './intake.service';

interface ExistingRow {
  id: string;
  declarant_code: string;
  local_ref: string;
  payload_hash: string;
  status: DeclarationEntity['status'];
  revision: number;
  direct_release: boolean | null;
  received_at: Date;
  decided_at: Date | null;
}

/** The unique index on (declarant code, localRef) refused a row: that key is stored already. */
function isDeclarationKeyTaken(error: unknown): boolean {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const pg = e.driverError ?? e;
  return pg.code === '23505' && pg.constraint === 'UQ_declarations_declarant_local_ref';
}

export interface Submission {
  raw: unknown;
  /** The Kafka key, `<declarantCode>:<localRef>`: addresses a rejection of a body that names neither. */
  key: string | null;
  traceparent?: string;
}

/**
 * The Kafka door for a whole batch, set-based: what is new and valid is accepted with one statement per
 * table (declarations, lines, documents, timeline, outbox) instead of about ten per declaration.
 * Everything else (duplicates of stored declarations aside) goes through the one-at-a-time path of
 * IntakeService in the same transaction, after the accepted rows before it are written, so the outcome
 * is exactly what submitting them one by one would give.
 */
@Injectable()
export class IntakeBatch {
  constructor(
    private readonly intake: IntakeService,
    private readonly outbox: OutboxWriter,
    private readonly writer: AcceptedWriter,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
  ) {}

  /**
   * Submits in order, in the caller's transaction; returns each submission's outcome (what submitting
   * it alone would have answered).
   */
  async submitMany(
    manager: EntityManager,
    submissions: readonly Submission[],
    channel: 'http' | 'kafka' = 'kafka',
  ): Promise<SubmitOutcome[]> {
    const receivedAt = new Date();
    const keys = submissions.map((s) => submissionKey(s.raw));
    const known = await this.existing(manager, keys);
    const outcomes: SubmitOutcome[] = [];
    let pending: Accepted[] = [];
    const flush = async () => {
      if (pending.length) await this.writer.write(manager, pending, receivedAt, channel);
      pending = [];
    };
    for (const [i, s] of submissions.entries()) {
      const planned = this.plan(s, keys[i], known, receivedAt, channel);
      if (planned.kind === 'slow') {
        await flush();
        const outcome = await this.intake.submit(manager, s.raw, channel, s.key);
        outcomes.push(outcome);
        if (outcome.kind === 'accepted') {
          const d = outcome.declaration;
          known.set(`${d.declarantCode}\u0000${d.localRef}`, d);
        }
        continue;
      }
      if (planned.kind === 'accepted') pending.push(planned.accepted);
      outcomes.push(planned.outcome);
    }
    await flush();
    return outcomes;
  }

  /**
   * The HTTP door's group commit when every submission is new and valid, or the same as a stored one:
   * no transaction, and in the common case one statement. The group is first written on the assumption
   * that none of its keys is stored yet (copies within the group are still answered as duplicates of the
   * first); the unique index on (declarant code, localRef) is the check. When it refuses, nothing was
   * written, and the group is planned again against what is stored (a lookup, then the write): a
   * resubmission is answered as a duplicate, as before. Returns undefined, having written nothing, when a
   * submission needs the one-by-one path (a rejection, a conflict, an event too large): the caller then
   * uses submitMany in a transaction. A declaration stored by someone else between the lookup and the
   * write fails the write on the unique index, which the caller handles like any failed group.
   */
  async submitAtomic(
    manager: EntityManager,
    submissions: readonly Submission[],
    channel: 'http' | 'kafka',
  ): Promise<SubmitOutcome[] | undefined> {
    const keys = submissions.map((s) => submissionKey(s.raw));
    if (keys.some((k) => !k)) return undefined;
    const optimistic = this.planAll(submissions, keys, new Map(), channel);
    if (!optimistic) return undefined;
    try {
      if (optimistic.pending.length)
        await this.writer.write(manager, optimistic.pending, optimistic.receivedAt, channel);
      return optimistic.outcomes;
    } catch (error) {
      if (!isDeclarationKeyTaken(error)) throw error;
    }
    const planned = this.planAll(submissions, keys, await this.existing(manager, keys), channel);
    if (!planned) return undefined;
    if (planned.pending.length)
      await this.writer.write(manager, planned.pending, planned.receivedAt, channel);
    return planned.outcomes;
  }

  /** Every submission planned against `known`; undefined when one of them needs the one-by-one path. */
  private planAll(
    submissions: readonly Submission[],
    keys: ReadonlyArray<ReturnType<typeof submissionKey>>,
    known: Map<string, DeclarationEntity>,
    channel: 'http' | 'kafka',
  ): { receivedAt: Date; outcomes: SubmitOutcome[]; pending: Accepted[] } | undefined {
    const receivedAt = new Date();
    const outcomes: SubmitOutcome[] = [];
    const pending: Accepted[] = [];
    for (const [i, s] of submissions.entries()) {
      const planned = this.plan(s, keys[i], known, receivedAt, channel);
      if (planned.kind === 'slow') return undefined;
      if (planned.kind === 'accepted') pending.push(planned.accepted);
      outcomes.push(planned.outcome);
    }
    return { receivedAt, outcomes, pending };
  }

  /**
   * What a submission comes to without touching the database: accepted (its rows and event prepared), a
   * duplicate of a declaration in `known`, or 'slow' (invalid, a conflict, too large: the one-by-one path
   * decides). An accepted one joins `known`, so a later copy in the same group is its duplicate.
   */
  private plan(
    s: Submission,
    key: ReturnType<typeof submissionKey>,
    known: Map<string, DeclarationEntity>,
    receivedAt: Date,
    channel: 'http' | 'kafka',
  ):
    | { kind: 'slow' }
    | { kind: 'duplicate'; outcome: SubmitOutcome }
    | { kind: 'accepted'; outcome: SubmitOutcome; accepted: Accepted } {
    // validateDeclaration runs the hostile-input guard first, so nothing recursive sees a hostile body.
    const fast = key ? validateDeclaration(s.raw) : undefined;
    if (!key || !fast?.ok) return { kind: 'slow' };
    const hash = payloadHash(s.raw);
    const knownKey = `${key.declarantCode}\u0000${key.localRef}`;
    const seen = known.get(knownKey);
    if (seen) {
      // The same declaration again is answered as a duplicate; a different one under its key is a conflict.
      if (seen.payloadHash === hash)
        return { kind: 'duplicate', outcome: { kind: 'duplicate', declaration: seen } };
      return { kind: 'slow' };
    }
    const id = randomUUID();
    const trace = traceFromParent(s.traceparent, id);
    let event: Accepted['event'];
    try {
      event = runWithTrace(trace, () =>
        this.outbox.prepare(Topics.DeclarationAcceptedV1, {
          subject: id,
          data: {
            ...fast.declaration,
            declarationId: id,
            receivedAt: receivedAt.toISOString(),
            paperless: true,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof EventTooLargeError)) throw error;
      return { kind: 'slow' }; // refused as too large there
    }
    const accepted: Accepted = { id, d: fast.declaration, hash, traceParent: toTraceparent(trace), event };
    const row = declarationRow({
      id,
      declarantCode: key.declarantCode,
      localRef: key.localRef,
      payloadHash: hash,
      status: 'AWAITING_DECISIONS',
      channel,
      receivedAt,
      departureDate: fast.declaration.departureDate,
      payload: fast.declaration,
      decisionDueAt: new Date(receivedAt.getTime() + this.config.DECISION_TIMEOUT_MS),
      traceParent: accepted.traceParent,
    });
    known.set(knownKey, row);
    return { kind: 'accepted', outcome: { kind: 'accepted', declaration: row }, accepted };
  }

  /** The stored (not rejected) declarations under these keys (raw SQL: this is the accept path). */
  private async existing(
    manager: EntityManager,
    keys: ReadonlyArray<{ declarantCode: string; localRef: string } | undefined>,
  ): Promise<Map<string, DeclarationEntity>> {
    const present = keys.filter((k): k is { declarantCode: string; localRef: string } => !!k);
    const found = new Map<string, DeclarationEntity>();
    if (!present.length) return found;
    const rows = (await manager.query(
      `SELECT d.id, d.declarant_code, d.local_ref, d.payload_hash, d.status, d.revision, d.direct_release,
              d.received_at, d.decided_at
         FROM "${this.config.DB_SCHEMA}"."declarations" d
         JOIN unnest($1::text[], $2::text[]) AS k(code, ref) ON k.code = d.declarant_code AND k.ref = d.local_ref
        WHERE d.status <> 'REJECTED'`,
      [present.map((k) => k.declarantCode), present.map((k) => k.localRef)],
    )) as ExistingRow[];
    for (const r of rows) {
      // The columns a duplicate's answer and a conflict check need, as TypeORM's partial select gave them.
      const d = Object.assign(new DeclarationEntity(), {
        id: r.id,
        declarantCode: r.declarant_code,
        localRef: r.local_ref,
        payloadHash: r.payload_hash,
        status: r.status,
        revision: r.revision,
        directRelease: r.direct_release,
        receivedAt: r.received_at,
        decidedAt: r.decided_at,
      });
      found.set(`${d.declarantCode}\u0000${d.localRef}`, d);
    }
    return found;
  }
}
