// Runs the real green-channel api (and, unless asked not to, worker) in-process on an isolated schema,
// topic prefix, consumer group and BullMQ prefix, against the real Kafka, PostgreSQL and Redis.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  buildEvent,
  type DeclarationAccepted,
  type TopicDefinition,
  Topics,
  usccCheckCharacter,
} from '@cic/contracts';
import { hashKey } from '@cic/platform-auth';
import { parseConfig } from '@cic/platform-config';
import { KafkaTransport, type RawMessage } from '@cic/platform-messaging';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { runId, testInfra, waitFor } from '@cic/platform-testing';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createGreenChannelApi, createGreenChannelWorker } from '../app.factory';
import { type GreenChannelConfig, greenChannelEnv } from '../config';
import { createGreenChannelDataSource } from '../data-source';

export const uscc = (first17: string) => first17 + usccCheckCharacter(first17);

export interface GreenChannelHarness {
  config: GreenChannelConfig;
  /** The environment the in-process roles run with (for child processes of the same instance). */
  env: Record<string, string>;
  api: INestApplication;
  worker?: INestApplication;
  url: string;
  ds: DataSource;
  keys: { admin: string; operator: string; declarant: string };
  topic(t: TopicDefinition): string;
  startWorker(): Promise<INestApplication>;
  close(): Promise<void>;
}

export async function startGreenChannel(
  env: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<GreenChannelHarness> {
  const run = runId();
  const infra = testInfra();
  const fullEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.brokers.join(','),
    DB_SCHEMA: `it_gc_${run}`,
    KAFKA_GROUP_ID: `it-gc-${run}`,
    KAFKA_TOPIC_PREFIX: `it-${run}.`,
    QUEUE_PREFIX: `it-gc-${run}`,
    KAFKA_RETRY_INITIAL_MS: '50',
    KAFKA_MAX_ATTEMPTS: '3',
    CHECK_SWEEP_MS: '100',
    CHECK_BACKOFF_MS: '100',
    SELECTION_KEY: `it-selection-key-${run}`,
    ...env,
  };
  const config = parseConfig(greenChannelEnv, fullEnv);
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations(createGreenChannelDataSource(config, 'it-migrate'));
  const api = await createGreenChannelApi(config);
  await api.listen(0, '127.0.0.1');
  const transport = api.get(KafkaTransport);
  await waitFor('green-channel consumer in its group', () => transport.isConsuming());
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
  const workers: INestApplication[] = [];
  const startWorker = async () => {
    const w = await createGreenChannelWorker(config);
    workers.push(w);
    return w;
  };
  const worker = options.worker === false ? undefined : await startWorker();
  return {
    config,
    env: fullEnv,
    api,
    worker,
    url: await api.getUrl(),
    ds,
    keys,
    topic: (t) => `${config.KAFKA_TOPIC_PREFIX}${t.name}`,
    startWorker,
    async close() {
      for (const w of workers) await w.close();
      await api.close();
      const cleanup = await createGreenChannelDataSource(config, 'it-cleanup').initialize();
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
    declarant: { code: uscc('91330200MA2H4K7L3'), name: 'Ningbo Harbour Gearbox Co., Ltd.' },
    kind: 'EXPORT',
    inspectionOffice: '310000',
    portOfExit: 'CNNGB',
    destinationCountry: 'JP',
    departureDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    goods: [
      {
        lineNo: 1,
        hsCode: '8708409100',
        description: 'Gearboxes for passenger vehicles',
        quantity: { value: '120', unit: 'SET' },
        value: { amount: '48000.00', currency: 'USD' },
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

/** An enterprise row straight into the reference table (tests of lanes, not of the reference API). */
export async function putEnterprise(
  h: GreenChannelHarness,
  e: {
    code: string;
    tier: string;
    category: number;
    historySince?: string | null;
    zoneIds?: string[];
    exports?: string;
  },
): Promise<void> {
  await h.ds.query(
    `INSERT INTO "${h.config.DB_SCHEMA}"."enterprises"
       (code, name, tier, category, annual_exports_usd, certifications, zone_ids, history_since, updated_by)
     VALUES ($1, $2, $3, $4, $5, '[]', $6, $7, 'it')
     ON CONFLICT (code) DO UPDATE SET tier = EXCLUDED.tier, category = EXCLUDED.category,
       zone_ids = EXCLUDED.zone_ids, history_since = EXCLUDED.history_since`,
    [
      e.code,
      `Enterprise ${e.code}`,
      e.tier,
      e.category,
      e.exports ?? '5000000.00',
      e.zoneIds ?? [],
      e.historySince === undefined ? '2015-01-01' : e.historySince,
    ],
  );
}
