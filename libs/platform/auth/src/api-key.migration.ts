import type { MigrationInterface, QueryRunner } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/**
 * The `api_keys` table (ApiKeyEntity) in a service schema, for the services that keep a replica of the
 * keys. IF NOT EXISTS: harmless where the table is already there (the issuer creates it itself).
 */
export function createApiKeysMigration(schema: string): MigrationClass {
  return class ApiKeys1763700000130 implements MigrationInterface {
    name = 'ApiKeys1763700000130';

    async up(q: QueryRunner): Promise<void> {
      await q.query(
        `CREATE TABLE IF NOT EXISTS "${schema}"."api_keys" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, "key_hash" character(64) NOT NULL, "key_prefix" character varying(16) NOT NULL, "role" character varying(16) NOT NULL, "declarant_codes" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
      );
      await q.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS "UQ_api_keys_hash" ON "${schema}"."api_keys" ("key_hash")`,
      );
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE IF EXISTS "${schema}"."api_keys"`);
    }
  };
}

/**
 * Every migration this library needs in a service schema, in order. A service lists these after the
 * messaging migrations and before its own tables.
 */
export function apiKeyMigrations(schema: string): MigrationClass[] {
  return [createApiKeysMigration(schema)];
}
