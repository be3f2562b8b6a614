// Runs the real origin-certificate api (and, unless asked not to, worker) in-process on an isolated
// schema, topic prefix, consumer group and BullMQ prefix, against the real Kafka, PostgreSQL and Redis.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  buildEvent,
  type CloudEvent,
  type DeclarationAccepted,
  type OriginCertificateRequest,
  type TopicDefinition,
  Topics,
  usccCheckCharacter,
} from '@cic/contracts';
import { hashKey } from '@cic/platform-auth';
import { parseConfig } from '@cic/platform-config';
import { KafkaTransport, type RawMessage } from '@cic/platform-messaging';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { redisOptions } from '@cic/platform-queue';
import { runId, testInfra, waitFor } from '@cic/platform-testing';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { createOriginApi, createOriginWorker } from '../app.factory';
import { type OriginConfig, originEnv } from '../config';
import { createOriginDataSource } from '../data-source';
import { PDF_QUEUE } from '../jobs/pdf-queue';

export const uscc = (first17: string) => first17 + usccCheckCharacter(first17);

export const GEARBOX = uscc('91330200MA2H4K7L3');
export const SOCKS = uscc('91330782MA28K9PX1');

type Role = 'admin' | 'operator' | 'declarant';

export interface OriginHarness {
  config: OriginConfig;
  env: Record<string, string>;
  api: INestApplication;
  /** Further api instances on the same schema (startApi). */
  apis: INestApplication[];
  workers: INestApplication[];
  url: string;
  ds: DataSource;
  keys: Record<Role, string>;
  topic(t: TopicDefinition): string;
  startApi(): Promise<{ app: INestApplication; url: string }>;
  startWorker(): Promise<INestApplication>;
  /** An HTTP call with a role's key (or none); the body parsed when JSON. */
  call(
    method: string,
    path: string,
    opts?: { key?: Role | null; body?: unknown; base?: string },
    // The tests read arbitrary JSON answers field by field.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any; headers: Headers; bytes: Buffer }>;
  close(): Promise<void>;
}

export async function startOrigin(
  env: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<OriginHarness> {
  const run = runId();
  const infra = testInfra();
  const fullEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.brokers.join(','),
    DB_SCHEMA: `it_or_${run}`,
    KAFKA_GROUP_ID: `it-or-${run}`,
    KAFKA_TOPIC_PREFIX: `it-${run}.`,
    QUEUE_PREFIX: `it-or-${run}`,
    KAFKA_RETRY_INITIAL_MS: '50',
    KAFKA_MAX_ATTEMPTS: '3',
    PDF_SWEEP_MS: '200',
    PUBLIC_BASE_URL: 'https://origin.example.test',
    ...env,
  };
  const config = parseConfig(originEnv, fullEnv);
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations(createOriginDataSource(config, 'it-migrate'));
  const api = await createOriginApi(config);
  await api.listen(0, '127.0.0.1');
  const transport = api.get(KafkaTransport);
  await waitFor('origin consumer in its group', () => transport.isConsuming());
  const ds = api.get(DataSource);
  const key = async (role: Role, declarantCodes: string[] = []) => {
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
    declarant: await key('declarant', [GEARBOX]),
  };
  const url = await api.getUrl();
  const apis: INestApplication[] = [];
  const workers: INestApplication[] = [];
  const startWorker = async () => {
    const w = await createOriginWorker(config);
    workers.push(w);
    return w;
  };
  const startApi = async () => {
    const app = await createOriginApi(config);
    await app.listen(0, '127.0.0.1');
    apis.push(app);
    return { app, url: await app.getUrl() };
  };
  if (options.worker !== false) await startWorker();
  return {
    config,
    env: fullEnv,
    api,
    apis,
    workers,
    url,
    ds,
    keys,
    topic: (t) => `${config.KAFKA_TOPIC_PREFIX}${t.name}`,
    startApi,
    startWorker,
    async call(method, path, opts = {}) {
      const role = opts.key === undefined ? 'admin' : opts.key;
      const res = await fetch(`${opts.base ?? url}${path}`, {
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
      const bytes = Buffer.from(await res.arrayBuffer());
      const json = (res.headers.get('content-type') ?? '').includes('json');
      return {
        status: res.status,
        body: json && bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined,
        headers: res.headers,
        bytes,
      };
    },
    async close() {
      for (const w of workers) await w.close();
      if (workers.length) {
        const queue = new Queue(PDF_QUEUE, {
          connection: redisOptions(config.REDIS_URL, 'it-cleanup'),
          prefix: config.QUEUE_PREFIX,
        });
        await queue.obliterate({ force: true });
        await queue.close();
      }
      for (const a of apis) await a.close();
      await api.close();
      const cleanup = await createOriginDataSource(config, 'it-cleanup').initialize();
      await cleanup.query(`DROP SCHEMA IF EXISTS "${config.DB_SCHEMA}" CASCADE`);
      await cleanup.destroy();
    },
  };
}

/** Gearboxes (8708) to Japan under RCEP: 45% non-originating materials, the rest Chinese: RVC 55 passes. */
export function gearboxRequest(over: Partial<OriginCertificateRequest> = {}): OriginCertificateRequest {
  return {
    agreement: 'RCEP',
    importingCountry: 'JP',
    consignee: { name: 'Nagoya Drivetrain K.K.', address: '1-1 Meieki, Nakamura-ku, Nagoya' },
    lines: [
      {
        lineNo: 1,
        fob: { amount: '100000.00', currency: 'USD' },
        criterion: 'PSR',
        materials: [
          // Bearings from Germany (non-party) and castings of undetermined origin: 45% of FOB.
          { hsCode: '848210', originCountry: 'DE', value: { amount: '30000.00', currency: 'USD' } },
          { hsCode: '732599', value: { amount: '15000.00', currency: 'USD' } },
          { hsCode: '722830', originCountry: 'CN', value: { amount: '20000.00', currency: 'USD' } },
        ],
      },
    ],
    flags: { issuedRetroactively: false, thirdPartyInvoicing: false, backToBack: false, exhibition: false },
    ...over,
  };
}

/** An accepted declaration as intake publishes it, with a gearbox line and an origin request. */
export function accepted(over: Partial<DeclarationAccepted> = {}): DeclarationAccepted {
  return {
    declarationId: randomUUID(),
    receivedAt: new Date().toISOString(),
    paperless: true,
    localRef: `IT-${randomBytes(4).toString('hex')}`,
    declarant: { code: GEARBOX, name: 'Ningbo Harbour Gearworks Co., Ltd.' },
    kind: 'EXPORT',
    inspectionOffice: '330200',
    portOfExit: 'CNNGB',
    destinationCountry: 'JP',
    departureDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    goods: [
      {
        lineNo: 1,
        hsCode: '8708409100',
        description: 'Gearboxes for passenger cars',
        quantity: { value: '400', unit: 'PCS' },
        value: { amount: '100000.00', currency: 'USD' },
        originCountry: 'CN',
      },
    ],
    documents: [
      { kind: 'INVOICE', number: 'INV-GB-1', sha256: 'a'.repeat(64) },
      { kind: 'PACKING_LIST', number: 'PL-GB-1', sha256: 'b'.repeat(64) },
    ],
    originCertificate: gearboxRequest(),
    ...over,
  };
}

/** The body of POST /v1/certificates/applications for the same gearboxes. */
export function applicationBody(reference: string, over: Record<string, unknown> = {}) {
  const d = accepted();
  return {
    reference,
    exporter: d.declarant,
    inspectionOffice: d.inspectionOffice,
    portOfExit: d.portOfExit,
    destinationCountry: d.destinationCountry,
    departureDate: d.departureDate,
    invoiceNumber: 'INV-GB-2026-0001',
    goods: d.goods,
    originCertificate: d.originCertificate,
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

export const parseEvents = <T>(messages: Array<{ value: string | null }>): Array<CloudEvent<string, T>> =>
  messages.map((m) => JSON.parse(m.value!) as CloudEvent<string, T>);
