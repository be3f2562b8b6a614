import { randomUUID } from 'node:crypto';
import { type FieldError, type InspectionDeclaration, Topics } from '@cic/contracts';
import {
  fieldError,
  inspectRawInput,
  storableCopy,
  submissionKey,
  validateDeclaration,
} from '@cic/intake-domain';
import { EventTooLargeError, OutboxWriter } from '@cic/platform-messaging';
import { currentTrace, toTraceparent } from '@cic/platform-observability';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, Not } from 'typeorm';
import type { IntakeConfig } from '../config';
import { DeclarationEntity } from '../entities';
import { INTAKE_CONFIG } from '../intake.tokens';
import { AcceptedWriter } from './accepted-writer';
import { payloadHash } from './canonical-hash';
import { addTimeline } from './timeline';

export type SubmitOutcome =
  | { kind: 'accepted'; declaration: DeclarationEntity }
  | { kind: 'duplicate'; declaration: DeclarationEntity }
  | { kind: 'conflict'; existing: DeclarationEntity }
  | {
      kind: 'rejected';
      declarationId?: string;
      code: string;
      message: string;
      errors: FieldError[];
      repeated: boolean;
    };

const UNIQUE_VIOLATION = '23505';

type NewDeclaration = Pick<
  DeclarationEntity,
  'id' | 'declarantCode' | 'localRef' | 'payloadHash' | 'status' | 'channel' | 'receivedAt' | 'payload'
> &
  Partial<DeclarationEntity>;

/** A declaration row before any decision: what accepted and rejected submissions share. */
export function declarationRow(fields: NewDeclaration): DeclarationEntity {
  return {
    decidedAt: null,
    decisionDueAt: null,
    traceParent: null,
    settledBy: null,
    revision: 0,
    directRelease: null,
    paperless: true,
    departureDate: null,
    greenChannel: null,
    exemption: null,
    rejection: null,
    reasons: [],
    ...fields,
  };
}

/** A Kafka key made safe to store and publish (no control characters or lone surrogates, bounded). */
function storableKey(key: string | null | undefined): string {
  return (key ?? '')
    .replace(
      /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '\ufffd',
    )
    .slice(0, 200);
}

export function isUniqueViolation(error: unknown): boolean {
  return (
    (error as { code?: string; driverError?: { code?: string } }).code === UNIQUE_VIOLATION ||
    (error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION
  );
}

/**
 * One behaviour for both doors (HTTP and Kafka): size, idempotency on (declarant code, localRef),
 * validation, storage, and the accepted or rejected event through the outbox, all in one transaction.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly writer: AcceptedWriter,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
  ) {}

  /** HTTP door: its own transaction, retried once when a concurrent identical submission won the race. */
  async submitStandalone(raw: unknown): Promise<SubmitOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((m) => this.submit(m, raw, 'http'));
      } catch (error) {
        if (attempt < 2 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /**
   * Both doors. `fallbackKey` is the Kafka key (`<declarantCode>:<localRef>`) to address a rejection of a
   * body that names neither.
   */
  async submit(
    manager: EntityManager,
    raw: unknown,
    channel: 'http' | 'kafka',
    fallbackKey?: string | null,
  ): Promise<SubmitOutcome> {
    const receivedAt = new Date();
    const repo = manager.getRepository(DeclarationEntity);
    // Hostile shapes (deep nesting, control characters, lone surrogates, huge arrays) are found by an
    // iterative walk before anything recursive (hashing, schema validation) or the database sees them.
    const hostile = inspectRawInput(raw);
    const safe = hostile.length ? storableCopy(raw) : raw;
    const hash = payloadHash(safe);
    const key = submissionKey(safe);

    if (key) {
      const existing = await repo.findOne({
        where: { declarantCode: key.declarantCode, localRef: key.localRef, status: Not('REJECTED') },
      });
      if (existing) {
        if (existing.payloadHash === hash) return { kind: 'duplicate', declaration: existing };
        await addTimeline(
          manager,
          existing.id,
          'CONFLICTING_SUBMISSION',
          `A different declaration was submitted under localRef ${key.localRef} (${channel}) and refused`,
          { channel, payloadHash: hash },
        );
        await this.publishRejected(manager, {
          declarationId: undefined,
          subject: `${key.declarantCode}:${key.localRef}`,
          localRef: key.localRef,
          declarantCode: key.declarantCode,
          code: 'LOCAL_REF_CONFLICT',
          message: `localRef ${key.localRef} is already used by declaration ${existing.id} with different content`,
          errors: [fieldError('/localRef', 'LOCAL_REF_CONFLICT')].map((e) => ({
            ...e,
            message: 'already used for a different declaration',
            messageZh: '该报检编号已用于其他报检内容',
          })),
        });
        return { kind: 'conflict', existing };
      }
    }

    const validation = hostile.length ? { ok: false as const, errors: hostile } : validateDeclaration(raw);
    if (!validation.ok)
      return this.reject(manager, safe, channel, hash, key, validation.errors, receivedAt, fallbackKey);
    return this.accept(manager, validation.declaration, channel, hash, receivedAt, fallbackKey);
  }

  private async accept(
    manager: EntityManager,
    d: InspectionDeclaration,
    channel: 'http' | 'kafka',
    hash: string,
    receivedAt: Date,
    fallbackKey?: string | null,
  ): Promise<SubmitOutcome> {
    const id = randomUUID();
    let accepted;
    try {
      // Serialised and measured before anything is stored: an event the broker would refuse is never
      // written (it would stall nobody, but it would never reach anyone either).
      accepted = this.outbox.prepare(Topics.DeclarationAcceptedV1, {
        subject: id,
        data: { ...d, declarationId: id, receivedAt: receivedAt.toISOString(), paperless: true },
      });
    } catch (error) {
      if (!(error instanceof EventTooLargeError)) throw error;
      const tooLarge: FieldError = {
        pointer: '',
        code: 'BODY_TOO_LARGE',
        message: `the declaration is too large to be published (${error.bytes} of at most ${error.limit} bytes as an event)`,
        messageZh: '报文过大，超过消息系统可发布的上限',
      };
      const key = { declarantCode: d.declarant.code, localRef: d.localRef };
      return this.reject(manager, storableCopy(d), channel, hash, key, [tooLarge], receivedAt, fallbackKey);
    }
    const trace = currentTrace();
    const traceParent = trace ? toTraceparent(trace) : null;
    await this.writer.write(manager, [{ id, d, hash, traceParent, event: accepted }], receivedAt, channel);
    const declaration = declarationRow({
      id,
      declarantCode: d.declarant.code,
      localRef: d.localRef,
      payloadHash: hash,
      status: 'AWAITING_DECISIONS',
      channel,
      receivedAt,
      departureDate: d.departureDate,
      payload: d,
      decisionDueAt: new Date(receivedAt.getTime() + this.config.DECISION_TIMEOUT_MS),
      traceParent,
    });
    return { kind: 'accepted', declaration };
  }

  private async reject(
    manager: EntityManager,
    raw: unknown,
    channel: 'http' | 'kafka',
    hash: string,
    key: { declarantCode: string; localRef: string } | undefined,
    errors: FieldError[],
    receivedAt: Date,
    fallbackKey?: string | null,
  ): Promise<SubmitOutcome> {
    const code = errors.some((e) => e.code === 'BODY_TOO_LARGE') ? 'BODY_TOO_LARGE' : 'VALIDATION_FAILED';
    const message = `The declaration has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}`;
    if (!key) {
      // Nothing to file it under: answer, but store nothing.
      const safeKey = storableKey(fallbackKey);
      const [declarantCode, localRef] = safeKey.split(':');
      if (channel === 'kafka') {
        await this.publishRejected(manager, {
          subject: safeKey || 'UNKNOWN',
          declarantCode: declarantCode || 'UNKNOWN',
          localRef: localRef || 'UNKNOWN',
          code,
          message,
          errors,
        });
      }
      return { kind: 'rejected', code, message, errors, repeated: false };
    }
    const repo = manager.getRepository(DeclarationEntity);
    const same = await repo.findOne({
      where: {
        declarantCode: key.declarantCode,
        localRef: key.localRef,
        status: 'REJECTED',
        payloadHash: hash,
      },
    });
    if (same) return { kind: 'rejected', declarationId: same.id, code, message, errors, repeated: true };
    const id = randomUUID();
    // The same invalid submission arriving several times at once: one REJECTED record and one event.
    // The unique index on (declarant, localRef, payload hash) of rejected rows decides who files it.
    const inserted = await repo
      .createQueryBuilder()
      .insert()
      .values(
        declarationRow({
          id,
          declarantCode: key.declarantCode,
          localRef: key.localRef,
          payloadHash: hash,
          status: 'REJECTED',
          channel,
          receivedAt,
          decidedAt: receivedAt,
          payload: raw as Record<string, unknown>,
          rejection: { code, message, errors },
        }),
      )
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      const winner = await repo.findOneOrFail({
        where: {
          declarantCode: key.declarantCode,
          localRef: key.localRef,
          status: 'REJECTED',
          payloadHash: hash,
        },
      });
      return { kind: 'rejected', declarationId: winner.id, code, message, errors, repeated: true };
    }
    await addTimeline(
      manager,
      id,
      'REJECTED',
      `${message} (${channel})`,
      { code, errors: errors.slice(0, 50) },
      receivedAt,
    );
    await this.publishRejected(manager, { declarationId: id, subject: id, ...key, code, message, errors });
    return { kind: 'rejected', declarationId: id, code, message, errors, repeated: false };
  }

  private async publishRejected(
    manager: EntityManager,
    r: {
      declarationId?: string;
      subject: string;
      localRef: string;
      declarantCode: string;
      code: string;
      message: string;
      errors: FieldError[];
    },
  ): Promise<void> {
    await this.outbox.publish(manager, Topics.DeclarationRejectedV1, {
      subject: r.subject,
      data: {
        declarationId: r.declarationId,
        localRef: r.localRef.slice(0, 64) || 'UNKNOWN',
        declarantCode: r.declarantCode.slice(0, 18) || 'UNKNOWN',
        rejectedAt: new Date().toISOString(),
        code: r.code,
        message: r.message,
        // Bounded: a pathological body must not make an oversized event.
        errors: r.errors.slice(0, 200),
      },
    });
  }
}
