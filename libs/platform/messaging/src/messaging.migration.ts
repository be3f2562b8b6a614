import type { MigrationInterface, QueryRunner } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/** Inbox and outbox tables of a service schema (the first messaging migration). */
export function createMessagingMigration(schema: string): MigrationClass {
  return class MessagingTables1763700000100 implements MigrationInterface {
    name = 'MessagingTables1763700000100';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE "${schema}"."outbox" (
        "id" bigserial NOT NULL,
        "event_id" uuid NOT NULL,
        "topic" varchar(249) NOT NULL,
        "message_key" varchar(512) NOT NULL,
        "payload" jsonb NOT NULL,
        "headers" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "published_at" timestamptz NULL,
        CONSTRAINT "PK_outbox" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_outbox_event_id" UNIQUE ("event_id"))`);
      await q.query(
        `CREATE INDEX "IX_outbox_unpublished" ON "${schema}"."outbox" ("id") WHERE "published_at" IS NULL`,
      );
      await q.query(
        `CREATE INDEX "IX_outbox_published_at" ON "${schema}"."outbox" ("published_at") WHERE "published_at" IS NOT NULL`,
      );
      await q.query(`CREATE TABLE "${schema}"."inbox" (
        "consumer_group" varchar(249) NOT NULL,
        "event_id" uuid NOT NULL,
        "topic" varchar(249) NOT NULL,
        "kafka_partition" integer NOT NULL,
        "kafka_offset" bigint NOT NULL,
        "handled_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_inbox" PRIMARY KEY ("consumer_group", "event_id"))`);
      await q.query(`CREATE INDEX "IX_inbox_handled_at" ON "${schema}"."inbox" ("handled_at")`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE "${schema}"."inbox"`);
      await q.query(`DROP TABLE "${schema}"."outbox"`);
    }
  };
}

/**
 * Parked outbox rows: an event the broker refuses for good (too large, invalid) is kept with its error
 * and skipped, so the rows behind it flow on. The pending index excludes parked rows.
 */
export function createOutboxParkingMigration(schema: string): MigrationClass {
  return class OutboxParking1763700000110 implements MigrationInterface {
    name = 'OutboxParking1763700000110';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE "${schema}"."outbox" ADD "parked_at" timestamptz NULL`);
      await q.query(`ALTER TABLE "${schema}"."outbox" ADD "park_error" text NULL`);
      await q.query(`DROP INDEX "${schema}"."IX_outbox_unpublished"`);
      await q.query(
        `CREATE INDEX "IX_outbox_unpublished" ON "${schema}"."outbox" ("id") WHERE "published_at" IS NULL AND "parked_at" IS NULL`,
      );
      await q.query(
        `CREATE INDEX "IX_outbox_parked" ON "${schema}"."outbox" ("parked_at") WHERE "parked_at" IS NOT NULL`,
      );
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX "${schema}"."IX_outbox_parked"`);
      await q.query(`DROP INDEX "${schema}"."IX_outbox_unpublished"`);
      await q.query(
        `CREATE INDEX "IX_outbox_unpublished" ON "${schema}"."outbox" ("id") WHERE "published_at" IS NULL`,
      );
      await q.query(`ALTER TABLE "${schema}"."outbox" DROP COLUMN "park_error"`);
      await q.query(`ALTER TABLE "${schema}"."outbox" DROP COLUMN "parked_at"`);
    }
  };
}

/**
 * Every migration the messaging library needs in a service schema, in order. A service lists these
 * after its schema migration and before its own tables.
 */
export function messagingMigrations(schema: string): MigrationClass[] {
  return [createMessagingMigration(schema), createOutboxParkingMigration(schema)];
}
