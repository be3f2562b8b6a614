import { randomUUID } from 'node:crypto';
import { type InspectionDeclaration, Topics } from '@cic/contracts';
import { submissionKey, validateDeclaration } from '@cic/intake-domain';
import { EventTooLargeError, OutboxWriter, type PreparedEvent } from '@cic/platform-messaging';
import { runWithTrace, toTraceparent, traceFromParent } from '@cic/platform-observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IntakeConfig } from '../config';
import { INTAKE_CONFIG } from '../intake.tokens';
import { payloadHash } from './canonical-hash';
import { DeclarationEntity } from '../entities';
import { declarationRow, IntakeService, type SubmitOutcome } from './intake.service';

export interface Submission {
  raw: unknown;
  /** The Kafka key, `<declarantCode>:<localRef>`: addresses a rejection of a body that names neither. */
  key: string | null;
  traceparent?: string;
}

interface Accepted {
  id: string;
  d: InspectionDeclaration;
  hash: string;
  traceParent: string;
  event: PreparedEvent<typeof Topics.DeclarationAcceptedV1>;
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
  private readonly logger = new Logger('IntakeBatch');

  constructor(
    private readonly intake: IntakeService,
    private readonly outbox: OutboxWriter,
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
      if (pending.length) await this.insert(manager, pending, receivedAt, channel);
      pending = [];
    };
    const oneByOne = async (s: Submission) => {
      await flush();
      const outcome = await this.intake.submit(manager, s.raw, channel, s.key);
      outcomes.push(outcome);
      if (outcome.kind === 'accepted') {
        const d = outcome.declaration;
        known.set(`${d.declarantCode}\u0000${d.localRef}`, d);
      }
    };
    for (const [i, s] of submissions.entries()) {
      const key = keys[i];
      // validateDeclaration runs the hostile-input guard first, so nothing recursive sees a hostile body.
      const fast = key ? validateDeclaration(s.raw) : undefined;
      if (!key || !fast?.ok) {
        await oneByOne(s);
        continue;
      }
      const hash = payloadHash(s.raw);
      const seen = known.get(`${key.declarantCode}\u0000${key.localRef}`);
      if (seen) {
        if (seen.payloadHash === hash) {
          outcomes.push({ kind: 'duplicate', declaration: seen }); // the same declaration again
          continue;
        }
        await oneByOne(s); // a conflict: the usual refusal
        continue;
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
        await oneByOne(s); // refused as too large there
        continue;
      }
      const accepted: Accepted = { id, d: fast.declaration, hash, traceParent: toTraceparent(trace), event };
      pending.push(accepted);
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
      outcomes.push({ kind: 'accepted', declaration: row });
      known.set(`${key.declarantCode}\u0000${key.localRef}`, row);
    }
    await flush();
    return outcomes;
  }

  /** The stored (not rejected) declarations under these keys. */
  private async existing(
    manager: EntityManager,
    keys: ReadonlyArray<{ declarantCode: string; localRef: string } | undefined>,
  ): Promise<Map<string, DeclarationEntity>> {
    const present = keys.filter((k): k is { declarantCode: string; localRef: string } => !!k);
    const found = new Map<string, DeclarationEntity>();
    if (!present.length) return found;
    const rows = await manager
      .getRepository(DeclarationEntity)
      .createQueryBuilder('d')
      .select([
        'd.id',
        'd.declarantCode',
        'd.localRef',
        'd.payloadHash',
        'd.status',
        'd.revision',
        'd.directRelease',
        'd.receivedAt',
        'd.decidedAt',
      ])
      .innerJoin(
        '(SELECT unnest(CAST(:codes AS text[])) AS code, unnest(CAST(:refs AS text[])) AS ref)',
        'k',
        'k.code = d.declarant_code AND k.ref = d.local_ref',
      )
      .where("d.status <> 'REJECTED'")
      .setParameters({ codes: present.map((k) => k.declarantCode), refs: present.map((k) => k.localRef) })
      .getMany();
    for (const r of rows) found.set(`${r.declarantCode}\u0000${r.localRef}`, r);
    return found;
  }

  private async insert(
    manager: EntityManager,
    accepted: Accepted[],
    receivedAt: Date,
    channel: 'http' | 'kafka',
  ): Promise<void> {
    const s = this.config.DB_SCHEMA;
    const at = receivedAt.toISOString();
    const due = new Date(receivedAt.getTime() + this.config.DECISION_TIMEOUT_MS).toISOString();
    await manager.query(
      `INSERT INTO "${s}"."declarations" (id, declarant_code, local_ref, payload_hash, status, channel, received_at,
              paperless, departure_date, payload, reasons, decision_due_at, trace_parent)
       SELECT x.id, x.declarant_code, x.local_ref, x.payload_hash, 'AWAITING_DECISIONS', $4, $2::timestamptz,
              true, x.departure_date, x.payload, '[]'::jsonb, $3::timestamptz, x.trace_parent
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, declarant_code text, local_ref text, payload_hash text,
              departure_date date, payload jsonb, trace_parent text)`,
      [
        JSON.stringify(
          accepted.map((a) => ({
            id: a.id,
            declarant_code: a.d.declarant.code,
            local_ref: a.d.localRef,
            payload_hash: a.hash,
            departure_date: a.d.departureDate,
            payload: a.d,
            trace_parent: a.traceParent,
          })),
        ),
        at,
        due,
        channel,
      ],
    );
    await manager.query(
      `INSERT INTO "${s}"."declaration_lines" (declaration_id, line_no, hs_code, description, quantity_value,
              quantity_unit, value_amount, value_currency, origin_country, manufacturer_code, dangerous_goods, bulk)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(declaration_id uuid, line_no smallint, hs_code text,
              description text, quantity_value numeric, quantity_unit text, value_amount numeric, value_currency text,
              origin_country text, manufacturer_code text, dangerous_goods text, bulk boolean)`,
      [
        JSON.stringify(
          accepted.flatMap((a) =>
            a.d.goods.map((g) => ({
              declaration_id: a.id,
              line_no: g.lineNo,
              hs_code: g.hsCode,
              description: g.description,
              quantity_value: g.quantity.value,
              quantity_unit: g.quantity.unit,
              value_amount: g.value.amount,
              value_currency: g.value.currency,
              origin_country: g.originCountry,
              manufacturer_code: g.manufacturerCode ?? null,
              dangerous_goods: g.dangerousGoods ?? null,
              bulk: g.bulk ?? false,
            })),
          ),
        ),
      ],
    );
    const documents = accepted.flatMap((a) =>
      a.d.documents.map((doc) => ({
        declaration_id: a.id,
        kind: doc.kind,
        number: doc.number,
        sha256: doc.sha256,
        uri: doc.uri ?? null,
      })),
    );
    if (documents.length)
      await manager.query(
        `INSERT INTO "${s}"."declaration_documents" (declaration_id, kind, number, sha256, uri)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(declaration_id uuid, kind text, number text, sha256 text, uri text)`,
        [JSON.stringify(documents)],
      );
    await manager.query(
      `INSERT INTO "${s}"."declaration_timeline" (declaration_id, at, kind, summary, detail)
       SELECT x.declaration_id, $2::timestamptz, 'ACCEPTED', x.summary, jsonb_build_object('channel', $3::text)
         FROM jsonb_to_recordset($1::jsonb) AS x(declaration_id uuid, summary text)`,
      [
        JSON.stringify(
          accepted.map((a) => ({
            declaration_id: a.id,
            summary: `Declaration ${a.d.localRef} of ${a.d.declarant.code} accepted (${channel}), ${a.d.goods.length} line(s)`,
          })),
        ),
        at,
        channel,
      ],
    );
    await this.outbox.publishMany(
      manager,
      accepted.map((a) => a.event),
    );
    this.logger.log({
      msg: `accepted ${accepted.length} declaration(s) via ${channel}`,
      declarationIds: accepted.slice(0, 50).map((a) => a.id),
    });
  }
}
