import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(q: QueryRunner): string {
  return (q.connection.options as { schema?: string }).schema ?? 'green_channel';
}

/**
 * The change log names the API key behind a change (name and key id), enterprises are listed by zone
 * (GIN on zone_ids for `zone_ids @> ARRAY[...]`) and by tier, and a risk alert's source is one of two.
 */
export class ReferenceChangeKey1764600000200 implements MigrationInterface {
  name = 'ReferenceChangeKey1764600000200';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(
      `ALTER TABLE "${s}"."reference_changes" ADD COLUMN "changed_by_key_id" character varying(64)`,
    );
    await q.query(`CREATE INDEX "IX_enterprises_zone_ids" ON "${s}"."enterprises" USING gin ("zone_ids")`);
    await q.query(`CREATE INDEX "IX_enterprises_tier" ON "${s}"."enterprises" ("tier", "code")`);
    await q.query(
      `ALTER TABLE "${s}"."risk_alerts" ADD CONSTRAINT "CK_risk_alerts_source" CHECK ("source" IN ('FOREIGN_NOTIFICATION', 'TRADE_MEASURE'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."risk_alerts" DROP CONSTRAINT "CK_risk_alerts_source"`);
    await q.query(`DROP INDEX "${s}"."IX_enterprises_tier"`);
    await q.query(`DROP INDEX "${s}"."IX_enterprises_zone_ids"`);
    await q.query(`ALTER TABLE "${s}"."reference_changes" DROP COLUMN "changed_by_key_id"`);
  }
}
