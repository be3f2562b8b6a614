import type { MigrationInterface, QueryRunner } from 'typeorm';

/** First migration of every service: its own schema. */
export function createSchemaMigration(schema: string): new () => MigrationInterface {
  return class CreateSchema1763700000000 implements MigrationInterface {
    name = 'CreateSchema1763700000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  };
}
