import { type DeclarationAccepted, Topics } from '@cic/contracts';
import { decideExemption, type ExemptionRules } from '@cic/exemption-domain';
import { OutboxWriter } from '@cic/platform-messaging';
import { runWithTrace, traceFromParent } from '@cic/platform-observability';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../common/sql';
import { EXEMPTION_CLOCK, EXEMPTION_CONFIG, EXEMPTION_RULES, type ExemptionConfig } from '../config';
import { GrantStore } from '../grants/grant.store';

export interface AcceptedDeclaration {
  data: DeclarationAccepted;
  traceParent?: string;
}

export interface DecideResult {
  decided: number;
  exempt: number;
  /** Already decided (a redelivery or replay of the same declaration): nothing published. */
  known: number;
}

/**
 * inspection.declaration.accepted.v1, a Kafka batch at a time in its transaction, set-based: one query
 * for every grant of the batch's declarants and manufacturers, the pure rules per declaration (each line
 * exempt or not, on the declaration's departure date, an office-local date), one insert of decision rows
 * whose primary key is the replay guard (ON CONFLICT DO NOTHING), and one outbox write of
 * inspection.exemption.decided.v1 for the rows inserted, each naming every line.
 */
@Injectable()
export class ExemptionDecider {
  private readonly schema: string;

  constructor(
    private readonly grants: GrantStore,
    private readonly outbox: OutboxWriter,
    @Inject(EXEMPTION_CONFIG) config: Pick<ExemptionConfig, 'DB_SCHEMA'>,
    @Inject(EXEMPTION_RULES) private readonly rules: ExemptionRules,
    @Inject(EXEMPTION_CLOCK) private readonly clock: () => Date,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  async onAccepted(m: EntityManager, declarations: readonly AcceptedDeclaration[]): Promise<DecideResult> {
    const byId = new Map<string, AcceptedDeclaration>();
    for (const d of declarations) if (!byId.has(d.data.declarationId)) byId.set(d.data.declarationId, d);
    const list = [...byId.values()];
    if (list.length === 0) return { decided: 0, exempt: 0, known: 0 };
    const codes = [
      ...new Set(
        list.flatMap((d) => [
          d.data.declarant.code,
          ...d.data.goods.map((g) => g.manufacturerCode?.trim()).filter((c): c is string => !!c),
        ]),
      ),
    ];
    const grants = await this.grants.find(m, 'g.enterprise_code = ANY($1::text[])', [codes]);
    const decidedAt = this.clock();
    const prepared = list.map((d) => {
      const holders = new Set([
        d.data.declarant.code,
        ...d.data.goods.map((g) => g.manufacturerCode?.trim()).filter((c): c is string => !!c),
      ]);
      const decision = decideExemption(
        {
          declarationId: d.data.declarationId,
          departureDate: d.data.departureDate,
          declarantCode: d.data.declarant.code,
          lines: d.data.goods.map((g) => ({
            lineNo: g.lineNo,
            hsCode: g.hsCode,
            manufacturerCode: g.manufacturerCode,
            dangerousGoods: g.dangerousGoods,
            bulk: g.bulk,
          })),
          grants: grants.filter((g) => holders.has(g.enterpriseCode)),
        },
        this.rules,
      );
      return runWithTrace(traceFromParent(d.traceParent), () =>
        this.outbox.prepare(Topics.ExemptionDecidedV1, {
          subject: d.data.declarationId,
          time: decidedAt,
          data: { declarationId: d.data.declarationId, decidedAt: decidedAt.toISOString(), ...decision },
        }),
      );
    });
    const inserted = await queryRows<{ declaration_id: string }>(
      m,
      `INSERT INTO "${this.schema}"."decisions"
         (declaration_id, declarant_code, departure_date, exempt, ruleset_version, decision, event_id, decided_at)
       SELECT id, code, dep, ex, $6, decision, ev, $7
         FROM unnest($1::uuid[], $2::text[], $3::date[], $4::boolean[], $5::jsonb[], $8::uuid[])
           AS x(id, code, dep, ex, decision, ev)
       ON CONFLICT (declaration_id) DO NOTHING
       RETURNING declaration_id`,
      [
        list.map((d) => d.data.declarationId),
        list.map((d) => d.data.declarant.code),
        list.map((d) => d.data.departureDate),
        prepared.map((p) => p.event.data.exempt),
        prepared.map((p) => JSON.stringify(p.event.data)),
        this.rules.version,
        decidedAt,
        prepared.map((p) => p.event.id),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.declaration_id));
    const events = prepared.filter((p) => fresh.has(p.event.subject));
    await this.outbox.publishMany(m, events);
    return {
      decided: events.length,
      exempt: events.filter((e) => e.event.data.exempt).length,
      known: list.length - events.length,
    };
  }

  /** The decision as published, or undefined. */
  async get(m: Pick<EntityManager, 'query'>, declarationId: string) {
    const [row] = await queryRows<{ decision: unknown; event_id: string }>(
      m,
      `SELECT decision, event_id FROM "${this.schema}"."decisions" WHERE declaration_id = $1`,
      [declarationId],
    );
    return row ? { eventId: row.event_id, ...(row.decision as object) } : undefined;
  }
}
