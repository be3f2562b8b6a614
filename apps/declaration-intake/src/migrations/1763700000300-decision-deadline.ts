import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema of the DataSource running the migration (DB_SCHEMA). */
function schemaOf(q: QueryRunner): string {
  return (q.connection.options as { schema?: string }).schema ?? 'intake';
}

/**
 * The decision deadline as a column swept from Postgres (instead of a delayed Redis job per
 * declaration), the submission's trace, what settled the outcome, and one REJECTED record per distinct
 * invalid submission even when it arrives many times at once.
 */
export class DecisionDeadline1763700000300 implements MigrationInterface {
  name = 'DecisionDeadline1763700000300';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."declarations" ADD "decision_due_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "${s}"."declarations" ADD "trace_parent" character varying(55)`);
    await q.query(`ALTER TABLE "${s}"."declarations" ADD "settled_by" character varying(16)`);
    // Declarations waiting when this runs keep the default 30 s deadline from their receipt.
    await q.query(
      `UPDATE "${s}"."declarations" SET "decision_due_at" = "received_at" + interval '30 seconds' WHERE "status" = 'AWAITING_DECISIONS'`,
    );
    // Earlier duplicates of a rejected submission, if any, would block the unique index: keep the first.
    await q.query(
      `DELETE FROM "${s}"."declarations" d USING "${s}"."declarations" e WHERE d."status" = 'REJECTED' AND e."status" = 'REJECTED' AND d."declarant_code" = e."declarant_code" AND d."local_ref" = e."local_ref" AND d."payload_hash" = e."payload_hash" AND d."received_at" > e."received_at"`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_declarations_rejected_submission" ON "${s}"."declarations" ("declarant_code", "local_ref", "payload_hash") WHERE "status" = 'REJECTED'`,
    );
    await q.query(
      `CREATE INDEX "IX_declarations_decision_due" ON "${s}"."declarations" ("decision_due_at") WHERE "status" = 'AWAITING_DECISIONS'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP INDEX "${s}"."IX_declarations_decision_due"`);
    await q.query(`DROP INDEX "${s}"."UQ_declarations_rejected_submission"`);
    await q.query(`ALTER TABLE "${s}"."declarations" DROP COLUMN "settled_by"`);
    await q.query(`ALTER TABLE "${s}"."declarations" DROP COLUMN "trace_parent"`);
    await q.query(`ALTER TABLE "${s}"."declarations" DROP COLUMN "decision_due_at"`);
  }
}
