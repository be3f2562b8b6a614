import type { TopicDefinition } from '@cic/contracts';
import type { OutboxWriter, PreparedEvent } from '@cic/platform-messaging';
import type { EntityManager } from 'typeorm';
import type { DeclarationEntity } from '../entities';

/**
 * What the clearance decisions read and change of a declaration: its columns without the payload, and the
 * line numbers it was accepted with. The hot path locks these with one raw statement (no payload, no
 * entity hydration); an operator's request may pass the whole entity with its line numbers.
 */
export type ClearanceState = Pick<
  DeclarationEntity,
  | 'id'
  | 'declarantCode'
  | 'localRef'
  | 'status'
  | 'receivedAt'
  | 'decidedAt'
  | 'traceParent'
  | 'settledBy'
  | 'revision'
  | 'directRelease'
  | 'greenChannel'
  | 'exemption'
  | 'reasons'
> & { declaredLines: number[] };

interface TimelineRow {
  declaration_id: string;
  at: string;
  kind: string;
  summary: string;
  detail: Record<string, unknown> | null;
}

/**
 * What clearance decisions change, gathered in memory and written with one statement for the tables: the
 * declarations touched (their final state), their timeline entries and the events to publish. One event
 * or a whole Kafka batch costs the same single statement.
 */
export class ClearanceWork {
  private readonly touched = new Map<string, ClearanceState>();
  private readonly timelineRows: TimelineRow[] = [];
  private readonly events: Array<PreparedEvent<TopicDefinition>> = [];

  constructor(
    private readonly schema: string,
    private readonly outbox: OutboxWriter,
  ) {}

  /** The declaration's state (decisions, status, revision...) is to be written as it stands at flush. */
  touch(d: ClearanceState): void {
    this.touched.set(d.id, d);
  }

  timeline(
    declarationId: string,
    kind: string,
    summary: string,
    detail: Record<string, unknown> | null = null,
    at = new Date(),
  ): void {
    this.timelineRows.push({ declaration_id: declarationId, at: at.toISOString(), kind, summary, detail });
  }

  publish(event: PreparedEvent<TopicDefinition>): void {
    this.events.push(event);
  }

  async flush(manager: EntityManager): Promise<void> {
    const s = this.schema;
    if (this.touched.size || this.timelineRows.length) {
      // One statement (one round trip): the update and the outbox insert are data-modifying CTEs beside
      // the timeline insert.
      const outbox = this.events.length ? this.outbox.insertStatement(this.events, 3) : undefined;
      await manager.query(
        `WITH u AS (
           UPDATE "${s}"."declarations" d SET green_channel = x.green_channel, exemption = x.exemption,
                  status = x.status, revision = x.revision, decided_at = x.decided_at,
                  direct_release = x.direct_release, reasons = x.reasons, settled_by = x.settled_by
             FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, green_channel jsonb, exemption jsonb, status text,
                  revision int, decided_at timestamptz, direct_release boolean, reasons jsonb, settled_by text)
            WHERE d.id = x.id
         ), t AS (
           INSERT INTO "${s}"."declaration_timeline" (declaration_id, at, kind, summary, detail)
           SELECT * FROM jsonb_to_recordset($2::jsonb)
               AS x(declaration_id uuid, at timestamptz, kind text, summary text, detail jsonb)
         )${outbox ? `, e AS (${outbox.sql}) SELECT pg_notify($${3 + outbox.params.length}, '')` : ' SELECT 1'}`,
        [
          JSON.stringify(
            [...this.touched.values()].map((d) => ({
              id: d.id,
              green_channel: d.greenChannel,
              exemption: d.exemption,
              status: d.status,
              revision: d.revision,
              decided_at: d.decidedAt?.toISOString() ?? null,
              direct_release: d.directRelease,
              reasons: d.reasons,
              settled_by: d.settledBy,
            })),
          ),
          JSON.stringify(this.timelineRows),
          ...(outbox ? [...outbox.params, outbox.channel] : []),
        ],
      );
    } else {
      await this.outbox.publishMany(manager, this.events);
    }
    this.touched.clear();
    this.timelineRows.length = 0;
    this.events.length = 0;
  }
}
