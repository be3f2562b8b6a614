import type { InspectionDeclaration, Topics } from '@cic/contracts';
import { OutboxWriter, type PreparedEvent } from '@cic/platform-messaging';
import { preparedQuery } from '@cic/platform-persistence';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IntakeConfig } from '../config';
import { INTAKE_CONFIG } from '../intake.tokens';

/** A validated declaration ready to be stored, with its accepted event already serialised and measured. */
export interface Accepted {
  id: string;
  d: InspectionDeclaration;
  hash: string;
  traceParent: string | null;
  event: PreparedEvent<typeof Topics.DeclarationAcceptedV1>;
}

/**
 * Stores accepted declarations set-based, for both doors and any number at once: one statement for
 * the tables (declarations, lines, documents, timeline) and the outbox.
 */
@Injectable()
export class AcceptedWriter {
  private readonly logger = new Logger('AcceptedWriter');

  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
  ) {}

  async write(
    manager: EntityManager,
    accepted: Accepted[],
    receivedAt: Date,
    channel: 'http' | 'kafka',
  ): Promise<void> {
    const s = this.config.DB_SCHEMA;
    const at = receivedAt.toISOString();
    const due = new Date(receivedAt.getTime() + this.config.DECISION_TIMEOUT_MS).toISOString();
    const documents = accepted.flatMap((a) =>
      a.d.documents.map((doc) => ({
        declaration_id: a.id,
        kind: doc.kind,
        number: doc.number,
        sha256: doc.sha256,
        uri: doc.uri ?? null,
      })),
    );
    // One statement (one round trip) for the four tables and the outbox: the inserts are data-modifying
    // CTEs; the foreign keys of lines, documents and timeline are checked at the end of the statement.
    const outbox = this.outbox.insertStatement(
      accepted.map((a) => a.event),
      8,
    );
    await preparedQuery(
      manager,
      `WITH d AS (
         INSERT INTO "${s}"."declarations" (id, declarant_code, local_ref, payload_hash, status, channel, received_at,
                paperless, departure_date, payload, reasons, decision_due_at, trace_parent)
         SELECT x.id, x.declarant_code, x.local_ref, x.payload_hash, 'AWAITING_DECISIONS', $4, $2::timestamptz,
                true, x.departure_date, x.payload, '[]'::jsonb, $3::timestamptz, x.trace_parent
           FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, declarant_code text, local_ref text, payload_hash text,
                departure_date date, payload jsonb, trace_parent text)
       ), l AS (
         INSERT INTO "${s}"."declaration_lines" (declaration_id, line_no, hs_code, description, quantity_value,
                quantity_unit, value_amount, value_currency, origin_country, manufacturer_code, dangerous_goods, bulk)
         SELECT * FROM jsonb_to_recordset($5::jsonb) AS x(declaration_id uuid, line_no smallint, hs_code text,
                description text, quantity_value numeric, quantity_unit text, value_amount numeric, value_currency text,
                origin_country text, manufacturer_code text, dangerous_goods text, bulk boolean)
       ), doc AS (
         INSERT INTO "${s}"."declaration_documents" (declaration_id, kind, number, sha256, uri)
         SELECT * FROM jsonb_to_recordset($6::jsonb) AS x(declaration_id uuid, kind text, number text, sha256 text, uri text)
       ), t AS (
         INSERT INTO "${s}"."declaration_timeline" (declaration_id, at, kind, summary, detail)
         SELECT x.declaration_id, $2::timestamptz, 'ACCEPTED', x.summary, jsonb_build_object('channel', $4::text)
           FROM jsonb_to_recordset($7::jsonb) AS x(declaration_id uuid, summary text)
       ), e AS (${outbox.sql})
       SELECT pg_notify($${8 + outbox.params.length}, '')`,
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
        JSON.stringify(documents),
        JSON.stringify(
          accepted.map((a) => ({
            declaration_id: a.id,
            summary: `Declaration ${a.d.localRef} of ${a.d.declarant.code} accepted (${channel}), ${a.d.goods.length} line(s)`,
          })),
        ),
        ...outbox.params,
        outbox.channel,
      ],
    );
    this.logger.log({
      msg: `accepted ${accepted.length} declaration(s) via ${channel}`,
      declarationIds: accepted.slice(0, 50).map((a) => a.id),
    });
  }
}
