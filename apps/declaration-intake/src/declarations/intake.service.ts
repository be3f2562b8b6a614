import { randomUUID } from 'node:crypto';
import { type FieldError, type InspectionDeclaration, Topics } from '@cic/contracts';
import { fieldError, submissionKey, validateDeclaration } from '@cic/intake-domain';
import { OutboxWriter } from '@cic/platform-messaging';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager, Not } from 'typeorm';
import type { IntakeConfig } from '../config';
import { DeclarationDocumentEntity, DeclarationEntity, DeclarationLineEntity } from '../entities';
import { INTAKE_CONFIG } from '../intake.tokens';
import { DecisionTimeouts } from '../jobs/decision-timeouts';
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
function declarationRow(fields: NewDeclaration): DeclarationEntity {
  return {
    decidedAt: null,
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
  private readonly logger = new Logger('IntakeService');

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly timeouts: DecisionTimeouts,
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
    const size = Buffer.byteLength(JSON.stringify(raw) ?? '');
    const hash = payloadHash(raw);
    const key = submissionKey(raw);

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

    const validation =
      size > this.config.MAX_DECLARATION_BYTES
        ? {
            ok: false as const,
            errors: [
              {
                pointer: '',
                code: 'BODY_TOO_LARGE',
                message: `the declaration exceeds ${this.config.MAX_DECLARATION_BYTES} bytes`,
                messageZh: '报文超过长度上限',
              },
            ],
          }
        : validateDeclaration(raw);

    if (!validation.ok)
      return this.reject(manager, raw, channel, hash, key, validation.errors, receivedAt, fallbackKey);
    return this.accept(manager, validation.declaration, channel, hash, receivedAt);
  }

  private async accept(
    manager: EntityManager,
    d: InspectionDeclaration,
    channel: 'http' | 'kafka',
    hash: string,
    receivedAt: Date,
  ): Promise<SubmitOutcome> {
    const id = randomUUID();
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
    });
    await manager.getRepository(DeclarationEntity).insert(declaration);
    await manager.getRepository(DeclarationLineEntity).insert(
      d.goods.map((g) => ({
        declarationId: id,
        lineNo: g.lineNo,
        hsCode: g.hsCode,
        description: g.description,
        quantityValue: g.quantity.value,
        quantityUnit: g.quantity.unit,
        valueAmount: g.value.amount,
        valueCurrency: g.value.currency,
        originCountry: g.originCountry,
        manufacturerCode: g.manufacturerCode ?? null,
        dangerousGoods: g.dangerousGoods ?? null,
        bulk: g.bulk ?? false,
      })),
    );
    if (d.documents.length) {
      await manager.getRepository(DeclarationDocumentEntity).insert(
        d.documents.map((doc) => ({
          declarationId: id,
          kind: doc.kind,
          number: doc.number,
          sha256: doc.sha256,
          uri: doc.uri ?? null,
        })),
      );
    }
    await addTimeline(
      manager,
      id,
      'ACCEPTED',
      `Declaration ${d.localRef} of ${d.declarant.code} accepted (${channel}), ${d.goods.length} line(s)`,
      { channel },
      receivedAt,
    );
    await this.outbox.publish(manager, Topics.DeclarationAcceptedV1, {
      subject: id,
      data: { ...d, declarationId: id, receivedAt: receivedAt.toISOString(), paperless: true },
    });
    // Scheduled inside the transaction: if it rolls back the job finds no declaration and does nothing.
    await this.timeouts.schedule(id);
    this.logger.log({
      msg: `accepted declaration ${id} (${d.declarant.code}:${d.localRef}) via ${channel}`,
      declarationId: id,
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
      const [declarantCode, localRef] = (fallbackKey ?? '').split(':');
      if (channel === 'kafka') {
        await this.publishRejected(manager, {
          subject: fallbackKey || 'UNKNOWN',
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
    await repo.insert(
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
    );
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
