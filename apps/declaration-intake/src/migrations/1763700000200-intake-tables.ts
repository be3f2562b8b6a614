import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema of the DataSource running the migration (DB_SCHEMA). */
function schemaOf(q: QueryRunner): string {
  return (q.connection.options as { schema?: string }).schema ?? 'intake';
}

export class IntakeTables1763700000200 implements MigrationInterface {
  name = 'IntakeTables1763700000200';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(
      `CREATE TABLE "${s}"."api_keys" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, "key_hash" character(64) NOT NULL, "key_prefix" character varying(16) NOT NULL, "role" character varying(16) NOT NULL, "declarant_codes" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_api_keys_hash" ON "${s}"."api_keys" ("key_hash") `);
    await q.query(
      `CREATE TABLE "${s}"."declaration_documents" ("id" BIGSERIAL NOT NULL, "declaration_id" uuid NOT NULL, "kind" character varying(32) NOT NULL, "number" character varying(64) NOT NULL, "sha256" character(64) NOT NULL, "uri" text, CONSTRAINT "PK_declaration_documents" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "${s}"."declaration_lines" ("declaration_id" uuid NOT NULL, "line_no" smallint NOT NULL, "hs_code" character(10) NOT NULL, "description" character varying(500) NOT NULL, "quantity_value" numeric(24,6) NOT NULL, "quantity_unit" character varying(10) NOT NULL, "value_amount" numeric(24,6) NOT NULL, "value_currency" character(3) NOT NULL, "origin_country" character(2) NOT NULL, "manufacturer_code" character varying(18), "dangerous_goods" character varying(6), "bulk" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_87d2fa04e5f05d7a46c4a58e2cd" PRIMARY KEY ("declaration_id", "line_no"))`,
    );
    await q.query(
      `CREATE TABLE "${s}"."declarations" ("id" uuid NOT NULL, "declarant_code" character varying(18) NOT NULL, "local_ref" character varying(64) NOT NULL, "payload_hash" character(64) NOT NULL, "status" character varying(24) NOT NULL, "channel" character varying(8) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE, "revision" integer NOT NULL DEFAULT '0', "direct_release" boolean, "paperless" boolean NOT NULL DEFAULT true, "departure_date" date, "payload" jsonb NOT NULL, "green_channel" jsonb, "exemption" jsonb, "rejection" jsonb, "reasons" jsonb NOT NULL, CONSTRAINT "PK_5130900b6f081acc9852743532e" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IX_declarations_declarant_received" ON "${s}"."declarations" ("declarant_code", "received_at") `,
    );
    await q.query(
      `CREATE INDEX "IX_declarations_status_received" ON "${s}"."declarations" ("status", "received_at") `,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_declarations_declarant_local_ref" ON "${s}"."declarations" ("declarant_code", "local_ref") WHERE "status" <> 'REJECTED'`,
    );
    await q.query(
      `CREATE TABLE "${s}"."declaration_timeline" ("id" BIGSERIAL NOT NULL, "declaration_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "kind" character varying(40) NOT NULL, "summary" text NOT NULL, "detail" jsonb, CONSTRAINT "PK_declaration_timeline" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IX_declaration_timeline_declaration_at" ON "${s}"."declaration_timeline" ("declaration_id", "at") `,
    );
    await q.query(
      `ALTER TABLE "${s}"."declaration_documents" ADD CONSTRAINT "FK_declaration_documents_declaration" FOREIGN KEY ("declaration_id") REFERENCES "${s}"."declarations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "${s}"."declaration_lines" ADD CONSTRAINT "FK_declaration_lines_declaration" FOREIGN KEY ("declaration_id") REFERENCES "${s}"."declarations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(
      `ALTER TABLE "${s}"."declaration_lines" DROP CONSTRAINT "FK_declaration_lines_declaration"`,
    );
    await q.query(
      `ALTER TABLE "${s}"."declaration_documents" DROP CONSTRAINT "FK_declaration_documents_declaration"`,
    );
    await q.query(`DROP INDEX "${s}"."IX_declaration_timeline_declaration_at"`);
    await q.query(`DROP TABLE "${s}"."declaration_timeline"`);
    await q.query(`DROP INDEX "${s}"."UQ_declarations_declarant_local_ref"`);
    await q.query(`DROP INDEX "${s}"."IX_declarations_status_received"`);
    await q.query(`DROP INDEX "${s}"."IX_declarations_declarant_received"`);
    await q.query(`DROP TABLE "${s}"."declarations"`);
    await q.query(`DROP TABLE "${s}"."declaration_lines"`);
    await q.query(`DROP TABLE "${s}"."declaration_documents"`);
    await q.query(`DROP INDEX "${s}"."UQ_api_keys_hash"`);
    await q.query(`DROP TABLE "${s}"."api_keys"`);
  }
}
