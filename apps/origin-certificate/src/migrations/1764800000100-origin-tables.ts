import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema of the DataSource running the migration (DB_SCHEMA). */
function schemaOf(q: QueryRunner): string {
  return (q.connection.options as { schema?: string }).schema ?? 'origin';
}

/**
 * Origin-certificate's own data: applications with their assessment (from accepted declarations or the
 * API), the registration numbers of enterprises, one serial counter per office and year, the signing keys
 * (private halves encrypted), the signed certificates with their status, and their PDFs.
 */
export class OriginTables1764800000100 implements MigrationInterface {
  name = 'OriginTables1764800000100';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    // One row per request, issued or refused. A declaration is decided once (its id is the replay guard);
    // an API application once per exporter and reference (the applicant's idempotency key).
    await q.query(`CREATE TABLE "${s}"."applications" (
      "id" uuid PRIMARY KEY,
      "source" character varying(12) NOT NULL CHECK ("source" IN ('DECLARATION', 'API')),
      "declaration_id" uuid,
      "reference" character varying(64),
      "exporter_code" character varying(18) NOT NULL,
      "request_hash" character(64) NOT NULL,
      "outcome" character varying(8) NOT NULL CHECK ("outcome" IN ('ISSUED', 'REFUSED')),
      "ruleset_version" character varying(200) NOT NULL,
      "decision" jsonb NOT NULL,
      "input" jsonb NOT NULL,
      "event_id" uuid,
      "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "submitted_by" character varying(100) NOT NULL,
      CHECK (("source" = 'DECLARATION') = ("declaration_id" IS NOT NULL)),
      CHECK (("source" = 'API') = ("reference" IS NOT NULL)))`);
    await q.query(
      `CREATE UNIQUE INDEX "applications_declaration_uq" ON "${s}"."applications" ("declaration_id") WHERE "declaration_id" IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "applications_reference_uq" ON "${s}"."applications" ("exporter_code", "reference") WHERE "reference" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "applications_exporter_idx" ON "${s}"."applications" ("exporter_code", "decided_at" DESC)`,
    );

    // The 5-digit enterprise number of the certificate number, assigned on an enterprise's first issue
    // and kept for good (one numbering for every office of this service).
    await q.query(`CREATE SEQUENCE "${s}"."enterprise_no_seq" MINVALUE 1 MAXVALUE 99999 NO CYCLE`);
    await q.query(`CREATE TABLE "${s}"."enterprises" (
      "enterprise_code" character varying(18) PRIMARY KEY,
      "enterprise_no" integer NOT NULL CHECK ("enterprise_no" BETWEEN 1 AND 99999),
      "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "enterprises_no_uq" UNIQUE ("enterprise_no"))`);

    // The last serial used per office and year, advanced with INSERT ... ON CONFLICT DO UPDATE ... RETURNING
    // inside the issuing transaction: the row lock orders concurrent issuers, so a serial never repeats.
    await q.query(`CREATE TABLE "${s}"."office_serials" (
      "office" character(4) NOT NULL CHECK ("office" ~ '^[0-9]{4}$'),
      "year" integer NOT NULL CHECK ("year" BETWEEN 2000 AND 2999),
      "last_serial" integer NOT NULL CHECK ("last_serial" BETWEEN 0 AND 9999),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      PRIMARY KEY ("office", "year"))`);

    // Ed25519 keys: the public half as a JWK, the private half (PKCS#8) encrypted with AES-256-GCM under
    // ORIGIN_KEY_ENCRYPTION_KEY. Exactly one key is active (not retired); retired keys stay published.
    await q.query(`CREATE TABLE "${s}"."signing_keys" (
      "kid" character varying(64) PRIMARY KEY,
      "public_jwk" jsonb NOT NULL,
      "private_key_enc" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "retired_at" TIMESTAMP WITH TIME ZONE,
      "created_by" character varying(100) NOT NULL)`);
    await q.query(
      `CREATE UNIQUE INDEX "signing_keys_one_active_uq" ON "${s}"."signing_keys" ((true)) WHERE "retired_at" IS NULL`,
    );

    // The certificates as signed: `content` is the certificate JSON, `signature` the Ed25519 signature of
    // its RFC 8785 canonical form by key `kid`. Status VALID, REVOKED or REPLACED (EXPIRED is computed
    // from valid_until); a replacement points back with `replaces`.
    await q.query(`CREATE TABLE "${s}"."certificates" (
      "number" character(16) PRIMARY KEY CHECK ("number" ~ '^[A-Z][0-9]{15}$'),
      "application_id" uuid NOT NULL REFERENCES "${s}"."applications" ("id"),
      "declaration_id" uuid,
      "agreement" character varying(16) NOT NULL,
      "exporter_code" character varying(18) NOT NULL,
      "office" character(4) NOT NULL,
      "year" integer NOT NULL,
      "serial" integer NOT NULL CHECK ("serial" BETWEEN 1 AND 9999),
      "content" jsonb NOT NULL,
      "kid" character varying(64) NOT NULL REFERENCES "${s}"."signing_keys" ("kid"),
      "signature" text NOT NULL,
      "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "valid_until" date NOT NULL,
      "status" character varying(8) NOT NULL DEFAULT 'VALID' CHECK ("status" IN ('VALID', 'REVOKED', 'REPLACED')),
      "status_reason" character varying(500),
      "status_changed_at" TIMESTAMP WITH TIME ZONE,
      "status_changed_by" character varying(100),
      "replaces" character(16) REFERENCES "${s}"."certificates" ("number"),
      "replaced_by" character(16) REFERENCES "${s}"."certificates" ("number"),
      CONSTRAINT "certificates_serial_uq" UNIQUE ("office", "year", "serial"))`);
    await q.query(
      `CREATE INDEX "certificates_declaration_idx" ON "${s}"."certificates" ("declaration_id") WHERE "declaration_id" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "certificates_application_idx" ON "${s}"."certificates" ("application_id")`);
    await q.query(
      `CREATE INDEX "certificates_exporter_idx" ON "${s}"."certificates" ("exporter_code", "issued_at" DESC)`,
    );

    // One PDF per certificate, rendered by the worker: PENDING rows are enqueued on BullMQ (job id from the
    // number), the bytes land here (or in PDF_DIRECTORY, then `file_name`).
    await q.query(`CREATE TABLE "${s}"."certificate_pdfs" (
      "number" character(16) PRIMARY KEY REFERENCES "${s}"."certificates" ("number"),
      "status" character varying(8) NOT NULL DEFAULT 'PENDING' CHECK ("status" IN ('PENDING', 'DONE')),
      "enqueued_at" TIMESTAMP WITH TIME ZONE,
      "pdf" bytea,
      "file_name" character varying(100),
      "bytes" integer,
      "sha256" character(64),
      "rendered_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE INDEX "certificate_pdfs_pending_idx" ON "${s}"."certificate_pdfs" ("enqueued_at" NULLS FIRST) WHERE "status" = 'PENDING'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    for (const t of [
      'certificate_pdfs',
      'certificates',
      'signing_keys',
      'office_serials',
      'enterprises',
      'applications',
    ])
      await q.query(`DROP TABLE "${s}"."${t}"`);
    await q.query(`DROP SEQUENCE "${s}"."enterprise_no_seq"`);
  }
}
