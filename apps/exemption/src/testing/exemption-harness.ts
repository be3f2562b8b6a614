// Runs the real exemption api (and, unless asked not to, worker) in-process on an isolated schema, topic
// prefix, consumer group and BullMQ prefix, against the real Kafka, PostgreSQL and Redis.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  buildEvent,
  type CloudEvent,
  type DeclarationAccepted,
  type InspectionResultRecorded,
  type TopicDefinition,
  Topics,
  usccCheckCharacter,
} from '@cic/contracts';
import { hashKey } from '@cic/platform-auth';
import { parseConfig } from '@cic/platform-config';
import { KafkaTransport, type RawMessage } from '@cic/platform-messaging';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { runId, testInfra, waitFor } from '@cic/platform-testing';
import { redisOptions } from '@cic/platform-queue';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { createExemptionApi, createExemptionWorker } from '../app.factory';
import { type ExemptionConfig, exemptionEnv } from '../config';
import { createExemptionDataSource } from '../data-source';
import { MAINTENANCE_QUEUE } from '../jobs/maintenance.queue';

export const uscc = (first17: string) => first17 + usccCheckCharacter(first17);

export interface ExemptionHarness {
  config: ExemptionConfig;
  env: Record<string, string>;
  api: INestApplication;
  workers: INestApplication[];
  url: string;
  ds: DataSource;
  keys: { admin: string; operator: string; declarant: string };
  topic(t: TopicDefinition): string;
  startWorker(): Promise<INestApplication>;
  /** An HTTP call with a role's key (or none); the body parsed. */
  call(
    method: string,
    path: string,
    opts?: { key?: keyof ExemptionHarness['keys'] | null; body?: unknown },
    // The tests read arbitrary JSON answers field by field.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startExemption(
  env: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<ExemptionHarness> {
  const run = runId();
  const infra = testInfra();
  const fullEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.brokers.join(','),
    DB_SCHEMA: `it_ex_${run}`,
    KAFKA_GROUP_ID: `it-ex-${run}`,
    KAFKA_TOPIC_PREFIX: `it-${run}.`,
    QUEUE_PREFIX: `it-ex-${run}`,
    KAFKA_RETRY_INITIAL_MS: '50',
    KAFKA_MAX_ATTEMPTS: '3',
    ...env,
  };
  const config = parseConfig(exemptionEnv, fullEnv);
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations(createExemptionDataSource(config, 'it-migrate'));
  const api = await createExemptionApi(config);
  await api.listen(0, '127.0.0.1');
  const transport = api.get(KafkaTransport);
  await waitFor('exemption consumer in its group', () => transport.isConsuming());
  const ds = api.get(DataSource);
  const key = async (role: string, declarantCodes: string[] = []) => {
    const k = `it_${role}_${randomBytes(24).toString('base64url')}`;
    await ds.query(
      `INSERT INTO "${config.DB_SCHEMA}"."api_keys" (id, name, key_hash, key_prefix, role, declarant_codes)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [randomUUID(), `it-${role}`, hashKey(k), k.slice(0, 12), role, declarantCodes],
    );
    return k;
  };
  const keys = {
    admin: await key('admin'),
    operator: await key('operator'),
    declarant: await key('declarant', [uscc('91330200MA2H4K7L3')]),
  };
  const url = await api.getUrl();
  const workers: INestApplication[] = [];
  const startWorker = async () => {
    const w = await createExemptionWorker(config);
    workers.push(w);
    return w;
  };
  if (options.worker !== false) await startWorker();
  return {
    config,
    env: fullEnv,
    api,
    workers,
    url,
    ds,
    keys,
    topic: (t) => `${config.KAFKA_TOPIC_PREFIX}${t.name}`,
    startWorker,
    async call(method, path, opts = {}) {
      const role = opts.key === undefined ? 'admin' : opts.key;
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(role ? { authorization: `Bearer ${keys[role]}` } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body:
          opts.body === undefined
            ? undefined
            : typeof opts.body === 'string'
              ? opts.body
              : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      for (const w of workers) await w.close();
      // The job scheduler of this run would stay in Redis: remove the run's queue with it.
      if (workers.length) {
        const queue = new Queue(MAINTENANCE_QUEUE, {
          connection: redisOptions(config.REDIS_URL, 'it-cleanup'),
          prefix: config.QUEUE_PREFIX,
        });
        await queue.obliterate({ force: true });
        await queue.close();
      }
      await api.close();
      const cleanup = await createExemptionDataSource(config, 'it-cleanup').initialize();
      await cleanup.query(`DROP SCHEMA IF EXISTS "${config.DB_SCHEMA}" CASCADE`);
      await cleanup.destroy();
    },
  };
}

/** An accepted declaration as intake publishes it. */
export function accepted(over: Partial<DeclarationAccepted> = {}): DeclarationAccepted {
  return {
    declarationId: randomUUID(),
    receivedAt: new Date().toISOString(),
    paperless: true,
    localRef: `IT-${randomBytes(4).toString('hex')}`,
    declarant: { code: uscc('91320500MA1W8E2K0'), name: 'Suzhou Lakeside Microelectronics Co., Ltd.' },
    kind: 'EXPORT',
    inspectionOffice: '320000',
    portOfExit: 'CNSHA',
    destinationCountry: 'JP',
    departureDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    goods: [
      {
        lineNo: 1,
        hsCode: '8542310000',
        description: 'Processors and controllers, integrated circuits',
        quantity: { value: '10000', unit: 'PCS' },
        value: { amount: '210000.00', currency: 'USD' },
        originCountry: 'CN',
      },
    ],
    documents: [
      { kind: 'INVOICE', number: 'INV-1', sha256: 'a'.repeat(64) },
      { kind: 'PACKING_LIST', number: 'PL-1', sha256: 'b'.repeat(64) },
    ],
    ...over,
  };
}

export function acceptedMessage(d: DeclarationAccepted, eventId?: string): RawMessage {
  return {
    key: d.declarationId,
    value: JSON.stringify(
      buildEvent(Topics.DeclarationAcceptedV1.name, {
        subject: d.declarationId,
        source: 'urn:cic:it:intake',
        data: d,
        id: eventId,
      }),
    ),
  };
}

export function resultMessage(r: InspectionResultRecorded, eventId?: string): RawMessage {
  return {
    key: r.declarationId,
    value: JSON.stringify(
      buildEvent(Topics.InspectionResultRecordedV1.name, {
        subject: r.declarationId,
        source: 'urn:cic:it:intake',
        data: r,
        id: eventId,
      }),
    ),
  };
}

export const parseEvents = <T>(messages: Array<{ value: string | null }>): Array<CloudEvent<string, T>> =>
  messages.map((m) => JSON.parse(m.value!) as CloudEvent<string, T>);
