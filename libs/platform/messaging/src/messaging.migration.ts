import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Inbox and outbox tables of a service schema; add it to the service's migrations list. */
export function createMessagingMigration(schema: string): new () => MigrationInterface {
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
