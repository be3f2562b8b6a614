import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema of the DataSource running the migration (DB_SCHEMA). */
function schemaOf(q: QueryRunner): string {
  return (q.connection.options as { schema?: string }).schema ?? 'exemption';
}

/**
 * Exemption's own data: the evidence behind applications (inspection results learnt from events, ISO
 * 9001 certificates, quality disputes and foreign notifications recorded through the API), applications
 * with their evaluation, grants with their history, and one decision per declaration.
 */
export class ExemptionTables1764700000100 implements MigrationInterface {
  name = 'ExemptionTables1764700000100';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    // Inspection and sampling results per line, from inspection.result.recorded.v1; result_date is the
    // office's date of recorded_at (the application window counts calendar days at the office).
    await q.query(`CREATE TABLE "${s}"."inspection_results" (
      "event_id" uuid NOT NULL,
      "line_no" integer NOT NULL,
      "declaration_id" uuid NOT NULL,
      "enterprise_code" character varying(18) NOT NULL,
      "hs_code" character(10) NOT NULL,
      "outcome" character varying(4) NOT NULL CHECK ("outcome" IN ('PASS', 'FAIL')),
      "kind" character varying(16) NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "result_date" date NOT NULL,
      PRIMARY KEY ("event_id", "line_no"))`);
    // The same result replayed under a new event id is the same row.
    await q.query(
      `CREATE UNIQUE INDEX "UQ_inspection_results_result" ON "${s}"."inspection_results" ("declaration_id", "kind", "recorded_at", "line_no")`,
    );
    await q.query(
      `CREATE INDEX "IX_inspection_results_enterprise" ON "${s}"."inspection_results" ("enterprise_code", "result_date")`,
    );
    await q.query(`CREATE TABLE "${s}"."certificates" (
      "id" uuid PRIMARY KEY,
      "enterprise_code" character varying(18) NOT NULL,
      "standard" character varying(40) NOT NULL,
      "standard_key" character varying(40) NOT NULL,
      "number" character varying(100) NOT NULL,
      "valid_from" date NOT NULL,
      "valid_until" date NOT NULL CHECK ("valid_until" >= "valid_from"),
      "recorded_by" character varying(100) NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_certificates_number" ON "${s}"."certificates" ("enterprise_code", "standard_key", "number")`,
    );
    await q.query(`CREATE TABLE "${s}"."quality_disputes" (
      "id" uuid PRIMARY KEY,
      "enterprise_code" character varying(18) NOT NULL,
      "reference" character varying(100) NOT NULL,
      "occurred_on" date NOT NULL,
      "hs_code" character varying(10),
      "detail" character varying(2000),
      "recorded_by" character varying(100) NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_quality_disputes_reference" ON "${s}"."quality_disputes" ("enterprise_code", "reference")`,
    );
    await q.query(`CREATE TABLE "${s}"."foreign_notifications" (
      "id" uuid PRIMARY KEY,
      "enterprise_code" character varying(18) NOT NULL,
      "reference" character varying(100) NOT NULL,
      "hs_code" character varying(10) NOT NULL,
      "notified_on" date NOT NULL,
      "detail" character varying(2000),
      "suspended_grant_ids" uuid[] NOT NULL DEFAULT '{}',
      "recorded_by" character varying(100) NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_foreign_notifications_reference" ON "${s}"."foreign_notifications" ("enterprise_code", "reference")`,
    );
    await q.query(`CREATE TABLE "${s}"."applications" (
      "id" uuid PRIMARY KEY,
      "enterprise_code" character varying(18) NOT NULL,
      "product_scope" text[] NOT NULL,
      "as_of" date NOT NULL,
      "qualifies" boolean NOT NULL,
      "ruleset_version" character varying(100) NOT NULL,
      "evaluation" jsonb NOT NULL,
      "submitted_by" character varying(100) NOT NULL,
      "submitted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE INDEX "IX_applications_enterprise" ON "${s}"."applications" ("enterprise_code", "submitted_at")`,
    );
    // A grant: status is guarded by every change (UPDATE ... WHERE status IN (...)); renewal_reminded_at
    // guards the reminder, so the daily job may run any number of times on any number of workers.
    await q.query(`CREATE TABLE "${s}"."grants" (
      "id" uuid PRIMARY KEY,
      "enterprise_code" character varying(18) NOT NULL,
      "product_scope" text[] NOT NULL CHECK (cardinality("product_scope") >= 1),
      "valid_from" date NOT NULL,
      "valid_until" date NOT NULL CHECK ("valid_until" >= "valid_from"),
      "status" character varying(16) NOT NULL CHECK ("status" IN ('ACTIVE', 'SUSPENDED', 'REVOKED', 'EXPIRED')),
      "approval_reference" character varying(100) NOT NULL,
      "application_id" uuid REFERENCES "${s}"."applications" ("id"),
      "version" integer NOT NULL DEFAULT 1,
      "created_by" character varying(100) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "status_since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "renewal_reminded_at" TIMESTAMP WITH TIME ZONE)`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_grants_approval_reference" ON "${s}"."grants" ("approval_reference")`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_grants_application" ON "${s}"."grants" ("application_id") WHERE "application_id" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "IX_grants_enterprise" ON "${s}"."grants" ("enterprise_code")`);
    await q.query(
      `CREATE INDEX "IX_grants_live_until" ON "${s}"."grants" ("valid_until") WHERE "status" IN ('ACTIVE', 'SUSPENDED')`,
    );
    await q.query(`CREATE TABLE "${s}"."grant_events" (
      "id" bigserial PRIMARY KEY,
      "grant_id" uuid NOT NULL REFERENCES "${s}"."grants" ("id"),
      "change" character varying(16) NOT NULL,
      "from_status" character varying(16),
      "to_status" character varying(16) NOT NULL,
      "reason_code" character varying(64),
      "reason" character varying(2000),
      "actor" character varying(100) NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "evidence" jsonb)`);
    await q.query(`CREATE INDEX "IX_grant_events_grant" ON "${s}"."grant_events" ("grant_id", "id")`);
    // One decision per declaration: the primary key makes a redelivered or replayed accepted event a no-op.
    await q.query(`CREATE TABLE "${s}"."decisions" (
      "declaration_id" uuid PRIMARY KEY,
      "declarant_code" character varying(18) NOT NULL,
      "departure_date" date NOT NULL,
      "exempt" boolean NOT NULL,
      "ruleset_version" character varying(100) NOT NULL,
      "decision" jsonb NOT NULL,
      "event_id" uuid NOT NULL,
      "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    for (const t of [
      'decisions',
      'grant_events',
      'grants',
      'applications',
      'foreign_notifications',
      'quality_disputes',
      'certificates',
      'inspection_results',
    ])
      await q.query(`DROP TABLE "${s}"."${t}"`);
  }
}
