import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema of the DataSource running the migration (DB_SCHEMA). */
function schemaOf(q: QueryRunner): string {
  return (q.connection.options as { schema?: string }).schema ?? 'green_channel';
}

/**
 * Green-channel's own data: reference data (enterprises, zones, risk alerts) with a change log, the
 * history learnt from events and the API, green-channel approvals with their timeline, and the lane of
 * each declaration with the slow checks it waits for.
 */
export class GreenChannelTables1764600000100 implements MigrationInterface {
  name = 'GreenChannelTables1764600000100';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    const audit = `"version" integer NOT NULL DEFAULT 1,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_by" character varying(100) NOT NULL`;
    await q.query(`CREATE TABLE "${s}"."zones" (
      "id" character varying(32) PRIMARY KEY,
      "name" character varying(200) NOT NULL,
      "level" character varying(16) NOT NULL CHECK ("level" IN ('PROVINCIAL', 'NATIONAL')),
      "industry" character varying(200) NOT NULL,
      ${audit})`);
    await q.query(`CREATE TABLE "${s}"."enterprises" (
      "code" character(18) PRIMARY KEY,
      "name" character varying(200) NOT NULL,
      "tier" character varying(32) NOT NULL CHECK ("tier" IN ('ADVANCED_CERTIFIED', 'CERTIFIED', 'REGULAR', 'DISCREDITED', 'SERIOUSLY_DISCREDITED')),
      "category" smallint NOT NULL CHECK ("category" BETWEEN 1 AND 4),
      "annual_exports_usd" numeric(20, 2) NOT NULL CHECK ("annual_exports_usd" >= 0),
      "certifications" jsonb NOT NULL DEFAULT '[]',
      "zone_ids" text[] NOT NULL DEFAULT '{}',
      "history_since" date,
      ${audit})`);
    await q.query(`CREATE TABLE "${s}"."risk_alerts" (
      "id" uuid PRIMARY KEY,
      "hs_prefix" character varying(10) NOT NULL CHECK ("hs_prefix" ~ '^[0-9]{4,10}$'),
      "destinations" text[] NOT NULL DEFAULT '{}',
      "valid_from" date NOT NULL,
      "valid_until" date,
      "source" character varying(32) NOT NULL,
      "description" character varying(1000) NOT NULL,
      ${audit})`);
    // Who changed what and when, one row per version of a reference record (before and after).
    await q.query(`CREATE TABLE "${s}"."reference_changes" (
      "id" bigserial PRIMARY KEY,
      "entity" character varying(16) NOT NULL,
      "entity_id" character varying(64) NOT NULL,
      "version" integer NOT NULL,
      "action" character varying(16) NOT NULL,
      "changed_by" character varying(100) NOT NULL,
      "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "import_id" uuid,
      "before" jsonb,
      "after" jsonb)`);
    await q.query(
      `CREATE INDEX "IX_reference_changes_entity" ON "${s}"."reference_changes" ("entity", "entity_id", "version")`,
    );
    // Inspection and sampling results per line, from inspection.result.recorded.v1.
    await q.query(`CREATE TABLE "${s}"."sample_results" (
      "event_id" uuid NOT NULL,
      "line_no" integer NOT NULL,
      "declaration_id" uuid NOT NULL,
      "enterprise_code" character varying(18) NOT NULL,
      "hs_code" character(10) NOT NULL,
      "hs_heading" character(4) NOT NULL,
      "outcome" character varying(4) NOT NULL CHECK ("outcome" IN ('PASS', 'FAIL')),
      "kind" character varying(16) NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      PRIMARY KEY ("event_id", "line_no"))`);
    await q.query(
      `CREATE INDEX "IX_sample_results_history" ON "${s}"."sample_results" ("enterprise_code", "hs_heading", "recorded_at")`,
    );
    // Quality claims, non-compliant declarations, penalties, foreign notifications, returned goods.
    await q.query(`CREATE TABLE "${s}"."enterprise_events" (
      "id" uuid PRIMARY KEY,
      "enterprise_code" character varying(18) NOT NULL,
      "kind" character varying(32) NOT NULL CHECK ("kind" IN ('QUALITY_CLAIM', 'NON_COMPLIANT_DECLARATION', 'PENALTY', 'FOREIGN_NOTIFICATION', 'RETURNED_GOODS')),
      "occurred_on" date NOT NULL,
      "reference" character varying(100),
      "hs_code" character varying(10),
      "detail" character varying(2000),
      "recorded_by" character varying(100) NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE INDEX "IX_enterprise_events_enterprise" ON "${s}"."enterprise_events" ("enterprise_code", "occurred_on")`,
    );
    await q.query(`CREATE TABLE "${s}"."approvals" (
      "enterprise_code" character varying(18) PRIMARY KEY,
      "status" character varying(16) NOT NULL CHECK ("status" IN ('NONE', 'APPROVED', 'SUSPENDED')),
      "since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "version" integer NOT NULL DEFAULT 1)`);
    await q.query(`CREATE TABLE "${s}"."approval_events" (
      "id" bigserial PRIMARY KEY,
      "enterprise_code" character varying(18) NOT NULL,
      "action" character varying(16) NOT NULL,
      "from_status" character varying(16) NOT NULL,
      "to_status" character varying(16) NOT NULL,
      "reason_code" character varying(64) NOT NULL,
      "reason" character varying(2000) NOT NULL,
      "actor" character varying(100) NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "evidence" jsonb)`);
    await q.query(
      `CREATE INDEX "IX_approval_events_enterprise" ON "${s}"."approval_events" ("enterprise_code", "id")`,
    );
    // One row per declaration: PENDING while slow checks run (until due_at), then DECIDED with the
    // decision as published. The primary key makes a redelivered or replayed declaration a no-op.
    await q.query(`CREATE TABLE "${s}"."lane_requests" (
      "declaration_id" uuid PRIMARY KEY,
      "enterprise_code" character varying(18) NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "as_of" date NOT NULL,
      "input" jsonb NOT NULL,
      "status" character varying(16) NOT NULL CHECK ("status" IN ('PENDING', 'DECIDED')),
      "due_at" TIMESTAMP WITH TIME ZONE,
      "decided_at" TIMESTAMP WITH TIME ZONE,
      "decided_by" character varying(16),
      "lane" character varying(8),
      "decision" jsonb,
      "trace_parent" character varying(55))`);
    await q.query(
      `CREATE INDEX "IX_lane_requests_due" ON "${s}"."lane_requests" ("due_at") WHERE "status" = 'PENDING'`,
    );
    await q.query(`CREATE TABLE "${s}"."lane_checks" (
      "declaration_id" uuid NOT NULL,
      "check_name" character varying(80) NOT NULL,
      "kind" character varying(32) NOT NULL,
      "params" jsonb NOT NULL DEFAULT '{}',
      "status" character varying(16) NOT NULL DEFAULT 'PENDING' CHECK ("status" IN ('PENDING', 'DONE')),
      "enqueued_at" TIMESTAMP WITH TIME ZONE,
      "attempts" integer NOT NULL DEFAULT 0,
      "result" jsonb,
      "finished_at" TIMESTAMP WITH TIME ZONE,
      PRIMARY KEY ("declaration_id", "check_name"))`);
    await q.query(
      `CREATE INDEX "IX_lane_checks_pending" ON "${s}"."lane_checks" ("enqueued_at") WHERE "status" = 'PENDING'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    for (const t of [
      'lane_checks',
      'lane_requests',
      'approval_events',
      'approvals',
      'enterprise_events',
      'sample_results',
      'reference_changes',
      'risk_alerts',
      'enterprises',
      'zones',
    ])
      await q.query(`DROP TABLE "${s}"."${t}"`);
  }
}
