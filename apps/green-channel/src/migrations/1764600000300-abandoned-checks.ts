import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(q: QueryRunner): string {
  return (q.connection.options as { schema?: string }).schema ?? 'green_channel';
}

/**
 * A check still unfinished when its lane is decided at the deadline is ABANDONED (it was left PENDING:
 * dispatched again every 30 s for good, counted as waiting, and its job run again only to be skipped).
 * Those left behind by earlier versions are abandoned here, as of their lane's decision.
 */
export class AbandonedChecks1764600000300 implements MigrationInterface {
  name = 'AbandonedChecks1764600000300';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."lane_checks" DROP CONSTRAINT IF EXISTS "lane_checks_status_check"`);
    await q.query(
      `ALTER TABLE "${s}"."lane_checks" ADD CONSTRAINT "CK_lane_checks_status" CHECK ("status" IN ('PENDING', 'DONE', 'ABANDONED'))`,
    );
    await q.query(
      `UPDATE "${s}"."lane_checks" c SET status = 'ABANDONED', finished_at = r.decided_at
         FROM "${s}"."lane_requests" r
        WHERE r.declaration_id = c.declaration_id AND r.status = 'DECIDED' AND c.status = 'PENDING'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(
      `UPDATE "${s}"."lane_checks" SET status = 'PENDING', finished_at = NULL WHERE status = 'ABANDONED'`,
    );
    await q.query(`ALTER TABLE "${s}"."lane_checks" DROP CONSTRAINT "CK_lane_checks_status"`);
    await q.query(
      `ALTER TABLE "${s}"."lane_checks" ADD CONSTRAINT "lane_checks_status_check" CHECK ("status" IN ('PENDING', 'DONE'))`,
    );
  }
}
