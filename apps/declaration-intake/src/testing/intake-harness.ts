// Runs the real api and worker roles in-process on an isolated schema, topic prefix, consumer group and
// queue prefix, against the real Kafka, PostgreSQL and Redis.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEvent, type InspectionDeclaration, type TopicDefinition, Topics } from '@cic/contracts';
import { usccCheckCharacter } from '@cic/intake-domain';
import { parseConfig } from '@cic/platform-config';
import { KafkaTransport, type RawMessage } from '@cic/platform-messaging';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { runId, testInfra, waitFor } from '@cic/platform-testing';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createIntakeApi, createIntakeWorker } from '../app.factory';
import { ApiKeysService } from '../auth/api-keys.service';
import { type IntakeConfig, intakeEnv } from '../config';
import { createIntakeDataSource } from '../data-source';

export const DECLARANT_A = '91330200MA2H4K7L3P';
export const DECLARANT_B = '91110000100000000' + usccCheckCharacter('91110000100000000');

const fixture = JSON.parse(
  readFileSync(
    join(__dirname, '../../../../libs/contracts/fixtures/customs.declaration.submitted.v1/v1-initial.json'),
    'utf8',
  ),
).data as InspectionDeclaration;

export function declaration(
  localRef: string,
  over: Partial<InspectionDeclaration> = {},
): InspectionDeclaration {
  return { ...structuredClone(fixture), localRef, ...over };
}

export interface IntakeHarness {
  config: IntakeConfig;
  api: INestApplication;
  worker: INestApplication;
  url: string;
  ds: DataSource;
  keys: { admin: string; operator: string; declarantA: string; declarantB: string };
  topic(t: TopicDefinition): string;
  close(): Promise<void>;
}

export async function startIntake(env: Record<string, string> = {}): Promise<IntakeHarness> {
  const run = runId();
  const infra = testInfra();
  const config = parseConfig(intakeEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.brokers.join(','),
    DB_SCHEMA: `it_intake_${run}`,
    KAFKA_GROUP_ID: `it-intake-${run}`,
    KAFKA_TOPIC_PREFIX: `it-${run}.`,
    KAFKA_RETRY_INITIAL_MS: '50',
    KAFKA_MAX_ATTEMPTS: '3',
    ...env,
  });
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations(createIntakeDataSource(config, 'it-migrate'));
  const api = await createIntakeApi(config);
  await api.listen(0, '127.0.0.1');
  const worker = await createIntakeWorker(config);
  const transport = api.get(KafkaTransport);
  await waitFor('intake consumer in its group', () => transport.isConsuming());
  const keysService = api.get(ApiKeysService);
  const keys = {
    admin: (await keysService.create({ name: 'it-admin', role: 'admin' })).key,
    operator: (await keysService.create({ name: 'it-operator', role: 'operator' })).key,
    declarantA: (await keysService.create({ name: 'it-a', role: 'declarant', declarantCodes: [DECLARANT_A] }))
      .key,
    declarantB: (await keysService.create({ name: 'it-b', role: 'declarant', declarantCodes: [DECLARANT_B] }))
      .key,
  };
  const ds = api.get(DataSource);
  return {
    config,
    api,
    worker,
    url: await api.getUrl(),
    ds,
    keys,
    topic: (t) => `${config.KAFKA_TOPIC_PREFIX}${t.name}`,
    async close() {
      await worker.close();
      await api.close();
      const cleanup = await createIntakeDataSource(config, 'it-cleanup').initialize();
      await cleanup.query(`DROP SCHEMA IF EXISTS "${config.DB_SCHEMA}" CASCADE`);
      await cleanup.destroy();
    },
  };
}

/** A declaration submitted on the Kafka door, keyed `<declarant>:<localRef>` as customs systems do. */
export function submittedMessage(localRef: string, over: Partial<InspectionDeclaration> = {}): RawMessage {
  const key = `${DECLARANT_A}:${localRef}`;
  const event = buildEvent(Topics.DeclarationSubmittedV1.name, {
    subject: key,
    source: 'urn:cic:it:customs',
    data: declaration(localRef, over),
  });
  return { key, value: JSON.stringify(event) };
}

/** A green-channel or exemption decision for a declaration, as the deciding service would publish it. */
export function decision(
  kind: 'green' | 'exemption',
  declarationId: string,
  over: Record<string, unknown> = {},
): RawMessage {
  const base = { declarationId, decidedAt: new Date().toISOString(), rulesetVersion: 'it/1', reasons: [] };
  const topic = kind === 'green' ? Topics.GreenChannelDecidedV1 : Topics.ExemptionDecidedV1;
  const data =
    kind === 'green'
      ? {
          ...base,
          lane: 'GREEN',
          hardStop: false,
          randomlySelected: false,
          greenChannelApproved: false,
          enterpriseCategory: 2,
          checks: [],
          ...over,
        }
      : {
          ...base,
          exempt: false,
          lines: [
            { lineNo: 1, exempt: false, reason: 'NO_ACTIVE_GRANT' },
            { lineNo: 2, exempt: false, reason: 'NO_ACTIVE_GRANT' },
          ],
          ...over,
        };
  return {
    key: declarationId,
    value: JSON.stringify(buildEvent(topic.name, { subject: declarationId, source: 'urn:cic:it', data })),
  };
}
