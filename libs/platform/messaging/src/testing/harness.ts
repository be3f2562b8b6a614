// An application wired exactly like a service (observability, persistence, messaging, an
// @EventPattern controller), used by the messaging integration tests in-process and as a child process.
import { type CloudEvent, defineTopic } from '@cic/contracts';
import { ObservabilityModule } from '@cic/platform-observability';
import {
  createSchemaMigration,
  createServiceDataSource,
  ensureDatabase,
  PersistenceModule,
  runMigrations,
} from '@cic/platform-persistence';
import { Controller, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';
import type { KafkaBatchContext, KafkaEventContext } from '../event-context';
import { messagingMigrations } from '../messaging.migration';
import { MessagingModule, startKafkaTransport } from '../messaging.module';
import { OnEvent } from '../on-event.decorator';
import type { MessagingOptions } from '../messaging.options';

export interface HarnessConfig {
  run: string;
  databaseUrl: string;
  brokers: string[];
  maxAttempts?: number;
  relay?: boolean;
  /** Child-process mode: SIGKILL itself right after the transaction handling this `n` commits. */
  crashAfterCommitOf?: number;
  /** Benchmark: handle without any database work (no inbox, no row, direct publish). */
  noDatabase?: boolean;
  /** MessagingOptions.handlerTimeoutMs (default 30 s). */
  handlerTimeoutMs?: number;
  /** MessagingOptions.sessionTimeoutMs (default 30 s). */
  sessionTimeoutMs?: number;
  /** MessagingOptions.maxMessageBytes (default 1 MiB). */
  maxMessageBytes?: number;
  /** Overrides of the retry policy (default maxAttempts 3, initialMs 50, maxMs 200). */
  retry?: Partial<MessagingOptions['retry']>;
  /** MessagingOptions.relay.batchSize (default 500). */
  relayBatchSize?: number;
  /** ObservabilityModule readinessGraceMs (default 20 s). */
  readinessGraceMs?: number;
  /** How long the 'slow' behaviour takes per message (default 700 ms). */
  slowMs?: number;
  /**
   * A batch handler (`@OnEvent(input, { batch: true })`) instead: each call records the partitions and
   * numbers it was given in `batch_calls`, handles 'ok' and 'fail-always' like the plain one.
   */
  batch?: boolean;
  /** MessagingOptions.partitionsConcurrency (default 3). */
  partitionsConcurrency?: number;
}

export const ItData = z.object({
  n: z.number().int(),
  /**
   * 'hang': never resolves (inside its transaction) until a `fixes` row for n exists;
   * 'slow': takes HarnessConfig.slowMs, then succeeds.
   */
  behaviour: z.enum(['ok', 'fail-always', 'fail-until-fixed', 'hang', 'slow']).default('ok'),
});
export type ItData = z.infer<typeof ItData>;

export function harnessNames(run: string) {
  return {
    schema: `it_msg_${run}`,
    groupId: `it-msg-${run}`,
    input: defineTopic({
      name: `it.messaging.${run}.input.v1`,
      summary: 'integration test input',
      key: 'test key',
      producer: 'customs-system',
      consumers: ['declaration-intake'],
      data: ItData,
    }),
    echo: defineTopic({
      name: `it.messaging.${run}.echo.v1`,
      summary: 'integration test output',
      key: 'test key',
      producer: 'declaration-intake',
      consumers: [],
      data: z.object({ n: z.number().int() }),
    }),
  };
}

function harnessMigration(schema: string): new () => MigrationInterface {
  return class HarnessTables1763700009999 implements MigrationInterface {
    name = 'HarnessTables1763700009999';
    async up(q: QueryRunner): Promise<void> {
      await q.query(
        `CREATE TABLE "${schema}"."handled" (id bigserial PRIMARY KEY, event_id uuid NOT NULL, n int NOT NULL, msg_key text, handled_at timestamptz NOT NULL DEFAULT now())`,
      );
      await q.query(`CREATE TABLE "${schema}"."fixes" (n int PRIMARY KEY)`);
      await q.query(
        `CREATE TABLE "${schema}"."batch_calls" (id bigserial PRIMARY KEY, partitions int[] NOT NULL, ns int[] NOT NULL)`,
      );
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(
        `DROP TABLE "${schema}"."handled"; DROP TABLE "${schema}"."fixes"; DROP TABLE "${schema}"."batch_calls"`,
      );
    }
  };
}

export function harnessDataSource(cfg: HarnessConfig) {
  const { schema } = harnessNames(cfg.run);
  return createServiceDataSource({
    url: cfg.databaseUrl,
    schema,
    applicationName: `it-messaging-${cfg.run}`,
    entities: [],
    migrations: [createSchemaMigration(schema), ...messagingMigrations(schema), harnessMigration(schema)],
  });
}

export async function prepareHarnessSchema(cfg: HarnessConfig): Promise<void> {
  await ensureDatabase(cfg.databaseUrl);
  await runMigrations(harnessDataSource(cfg));
}

export let crashArmed = false;

export async function createHarnessApp(cfg: HarnessConfig): Promise<INestApplication> {
  const names = harnessNames(cfg.run);
  const { schema, input, echo } = names;

  @Controller()
  class ItController {
    @OnEvent(input.name, cfg.noDatabase ? { inbox: false } : {})
    async onInput(
      @Payload() event: CloudEvent<string, ItData>,
      @Ctx() ctx: KafkaEventContext,
    ): Promise<void> {
      const d = event.data;
      if (cfg.noDatabase) {
        await ctx.publishDirect(echo, { subject: event.subject, data: { n: d.n } });
        return;
      }
      if (d.behaviour === 'fail-always') throw new Error(`refusing n=${d.n} as asked`);
      if (d.behaviour === 'fail-until-fixed') {
        const rows: unknown[] = await ctx.manager.query(`SELECT 1 FROM "${schema}"."fixes" WHERE n = $1`, [
          d.n,
        ]);
        if (rows.length === 0) throw new Error(`n=${d.n} is not fixed yet`);
      }
      if (d.behaviour === 'hang') {
        const rows: unknown[] = await ctx.manager.query(`SELECT 1 FROM "${schema}"."fixes" WHERE n = $1`, [
          d.n,
        ]);
        if (rows.length === 0) await new Promise<never>(() => undefined);
      }
      if (d.behaviour === 'slow') await new Promise((r) => setTimeout(r, cfg.slowMs ?? 700));
      await ctx.manager.query(
        `INSERT INTO "${schema}"."handled" (event_id, n, msg_key) VALUES ($1, $2, $3)`,
        [event.id, d.n, ctx.info.key],
      );
      await ctx.publish(echo, { subject: event.subject, data: { n: d.n } });
      if (cfg.crashAfterCommitOf === d.n) crashArmed = true;
    }
  }

  @Controller()
  class ItBatchController {
    @OnEvent(input.name, { batch: true })
    async onInputs(
      @Payload() events: Array<CloudEvent<string, ItData>>,
      @Ctx() ctx: KafkaBatchContext,
    ): Promise<void> {
      const poison = events.find((e) => e.data.behaviour === 'fail-always');
      if (poison) throw new Error(`refusing n=${poison.data.n} as asked`);
      await ctx.manager.query(
        `INSERT INTO "${schema}"."batch_calls" (partitions, ns) VALUES ($1::int[], $2::int[])`,
        [[...new Set(ctx.infos.map((i) => i.partition))].sort(), events.map((e) => e.data.n)],
      );
      await ctx.manager.query(
        `INSERT INTO "${schema}"."handled" (event_id, n, msg_key)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[])`,
        [events.map((e) => e.id), events.map((e) => e.data.n), ctx.infos.map((i) => i.key)],
      );
      await ctx.publishMany(
        events.map((e) => ctx.prepare(echo, { subject: e.subject, data: { n: e.data.n } })),
      );
    }
  }

  const options: MessagingOptions = {
    service: 'it-messaging',
    brokers: cfg.brokers,
    groupId: names.groupId,
    schema,
    databaseUrl: cfg.databaseUrl,
    consumes: [input],
    produces: [echo],
    partitions: 3,
    replicationFactor: 1,
    retry: { maxAttempts: cfg.maxAttempts ?? 3, initialMs: 50, maxMs: 200, ...cfg.retry },
    partitionsConcurrency: cfg.partitionsConcurrency ?? 3,
    relay: { enabled: cfg.relay ?? true, pollMs: 200, batchSize: cfg.relayBatchSize },
    handlerTimeoutMs: cfg.handlerTimeoutMs,
    sessionTimeoutMs: cfg.sessionTimeoutMs,
    maxMessageBytes: cfg.maxMessageBytes,
  };

  @Module({
    imports: [
      ObservabilityModule.forRoot({
        service: 'it-messaging',
        logLevel: 'warn',
        readinessGraceMs: cfg.readinessGraceMs,
      }),
      PersistenceModule.forRoot(harnessDataSource(cfg)),
      MessagingModule.forRoot(options),
    ],
    controllers: [cfg.batch ? ItBatchController : ItController],
  })
  class ItModule {}

  const app = await NestFactory.create(ItModule, { logger: ['error', 'warn', 'log'], abortOnError: false });
  const transport = await startKafkaTransport(app);
  if (cfg.crashAfterCommitOf !== undefined) {
    transport.on('handled', () => {
      // The handler's transaction has committed; the offset has not been committed yet.
      if (crashArmed) process.kill(process.pid, 'SIGKILL');
    });
  }
  return app;
}
