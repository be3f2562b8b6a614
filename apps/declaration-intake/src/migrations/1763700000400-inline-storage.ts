import { inlineStorageSql } from '@cic/platform-messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema of the DataSource running the migration (DB_SCHEMA). */
function schemaOf(q: QueryRunner): string {
  return (q.connection.options as { schema?: string }).schema ?? 'intake';
}

/**
 * Declarations (a 1.5-4 kB row with its payload and decisions) inline and uncompressed: every decision
 * rewrites the row, and pglz compressing it each time cost more than the write itself.
 */
export class InlineStorage1763700000400 implements MigrationInterface {
  name = 'InlineStorage1763700000400';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    for (const sql of inlineStorageSql(s, 'declarations', [
      'payload',
      'green_channel',
      'exemption',
      'reasons',
    ]))
      await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."declarations" RESET (toast_tuple_target)`);
    for (const c of ['payload', 'green_channel', 'exemption', 'reasons'])
      await q.query(`ALTER TABLE "${s}"."declarations" ALTER COLUMN "${c}" SET COMPRESSION DEFAULT`);
  }
}
