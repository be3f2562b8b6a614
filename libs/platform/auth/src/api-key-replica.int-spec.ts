// One key on every service: a key-changed event from the issuer is replicated into another service's
// own schema by ApiKeyReplicaController, authenticates there, stops authenticating once revoked, and a
// service that starts later reads every key from the beginning of the compacted topic.
import { randomUUID } from 'node:crypto';
import { buildEvent, type ApiKeyChanged, Topics } from '@cic/contracts';
import { configureHttp } from '@cic/platform-http';
import {
  type HandledEvent,
  KafkaProbe,
  KafkaTransport,
  MessagingModule,
  messagingMigrations,
  type MessagingOptions,
  startKafkaTransport,
} from '@cic/platform-messaging';
import { ObservabilityModule } from '@cic/platform-observability';
import {
  createSchemaMigration,
  createServiceDataSource,
  ensureDatabase,
  PersistenceModule,
  pendingSchemaChanges,
  runMigrations,
} from '@cic/platform-persistence';
import { runId, testInfra, waitFor } from '@cic/platform-testing';
import { Controller, Get, type INestApplication, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { hashKey, KEY_CACHE_MS } from './api-key.authenticator';
import { authEntities } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { apiKeyMigrations } from './api-key.migration';
import { ApiKeyReplicaController } from './api-key-replica.controller';
import { PlatformAuthModule } from './platform-auth.module';
import { CurrentPrincipal, type Principal, Roles } from './principal';

const infra = testInfra();
const run = runId();
const prefix = `it-auth-${run}.`;
const topic = `${prefix}${Topics.ApiKeyChangedV1.name}`;

function dataSourceOf(schema: string): DataSource {
  return createServiceDataSource({
    url: infra.databaseUrl,
    schema,
    applicationName: `it-auth-${run}`,
    entities: authEntities,
    migrations: [createSchemaMigration(schema), ...messagingMigrations(schema), ...apiKeyMigrations(schema)],
  });
}

@Controller('whoami')
@UseGuards(ApiKeyGuard)
class WhoAmIController {
  @Get()
  @Roles('operator', 'admin')
  who(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}

/** A service other than the issuer, wired as green-channel, exemption and origin-certificate are. */
async function startService(name: string, topicPrefix = prefix): Promise<INestApplication> {
  const schema = `it_auth_${run}_${name}`;
  await ensureDatabase(infra.databaseUrl);
  await runMigrations(dataSourceOf(schema));
  const options: MessagingOptions = {
    service: `it-auth-${name}`,
    brokers: infra.brokers,
    groupId: `it-auth-${run}-${name}`,
    schema,
    databaseUrl: infra.databaseUrl,
    consumes: [Topics.ApiKeyChangedV1],
    produces: [],
    partitions: 3,
    replicationFactor: 1,
    retry: { maxAttempts: 3, initialMs: 50, maxMs: 200 },
    partitionsConcurrency: 3,
    relay: { enabled: false },
    topicPrefix,
  };
  @Module({
    imports: [
      ObservabilityModule.forRoot({ service: `it-auth-${name}`, logLevel: 'warn' }),
      PersistenceModule.forRoot(dataSourceOf(schema)),
      MessagingModule.forRoot(options),
      PlatformAuthModule.forRoot({ nodeEnv: 'test' }),
    ],
    controllers: [ApiKeyReplicaController, WhoAmIController],
  })
  class ServiceModule {}
  const app = await NestFactory.create(ServiceModule, {
    logger: ['error', 'warn'],
    bodyParser: false,
    abortOnError: false,
  });
  configureHttp(app, 1024 * 1024);
  try {
    await startKafkaTransport(app);
  } catch (error) {
    await app.close();
    throw error;
  }
  await app.listen(0, '127.0.0.1');
  await waitFor(`${name} consumer in its group`, () => app.get(KafkaTransport).isConsuming());
  return app;
}

async function dropSchema(name: string): Promise<void> {
  const ds = await dataSourceOf(`it_auth_${run}_${name}`).initialize();
  await ds.query(`DROP SCHEMA IF EXISTS "it_auth_${run}_${name}" CASCADE`);
  await ds.destroy();
}

function keyState(key: string, over: Partial<ApiKeyChanged> = {}): ApiKeyChanged {
  return {
    keyId: randomUUID(),
    name: `it-${key.slice(-6)}`,
    keyHash: hashKey(key),
    keyPrefix: key.slice(0, 12),
    role: 'operator',
    declarantCodes: [],
    createdAt: new Date().toISOString(),
    revokedAt: null,
    ...over,
  };
}

function eventOf(data: ApiKeyChanged, id?: string) {
  const event = buildEvent(Topics.ApiKeyChangedV1.name, {
    subject: data.keyId,
    source: 'urn:cic:declaration-intake',
    data,
    id,
  });
  return { event, message: { key: data.keyId, value: JSON.stringify(event) } };
}

async function whoami(app: INestApplication, key: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${await app.getUrl()}/whoami`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

async function replicaRows(app: INestApplication): Promise<Array<Record<string, unknown>>> {
  const ds = app.get(DataSource);
  const schema = (ds.options as { schema: string }).schema;
  return ds.query(
    `SELECT id, name, key_hash, role, declarant_codes, created_at, revoked_at FROM "${schema}".api_keys ORDER BY id`,
  );
}

describe('API keys replicated from platform.api-key.changed.v1', () => {
  const probe = new KafkaProbe(infra.brokers, `it-auth-probe-${run}`);
  const operatorKey = `cic_ope_${run}-operator-key`;
  const declarantKey = `cic_dec_${run}-declarant-key`;
  const operator = keyState(operatorKey);
  const declarant = keyState(declarantKey, { role: 'declarant', declarantCodes: ['91330200MA2H4K7L3P'] });
  let app: INestApplication;
  const handled: Array<HandledEvent & { at: number }> = [];

  beforeAll(async () => {
    await probe.connect();
    app = await startService('first');
    app.get(KafkaTransport).on('handled', (e) => handled.push({ ...e, at: Date.now() }));
  });
  afterAll(async () => {
    await app?.close();
    await probe.disconnect();
    for (const name of ['first', 'later', 'wrong']) await dropSchema(name).catch(() => undefined);
  });

  it('creates the topic compacted, and the replica table matches the entity', async () => {
    expect(await probe.topicConfig(topic, ['cleanup.policy'])).toEqual({ 'cleanup.policy': 'compact' });
    const ds = dataSourceOf(`it_auth_${run}_first`);
    expect(await pendingSchemaChanges(ds)).toEqual([]);
    // Harmless where the table already exists (as in the issuer's schema).
    await ds.initialize();
    try {
      const runner = ds.createQueryRunner();
      const [Migration] = apiKeyMigrations(`it_auth_${run}_first`);
      await new Migration().up(runner);
      await runner.release();
    } finally {
      await ds.destroy();
    }
  });

  it('accepts a key once its created event arrives, with its role', async () => {
    expect((await whoami(app, operatorKey)).status).toBe(401);
    await probe.produce(topic, [eventOf(operator).message, eventOf(declarant).message]);
    const ok = await waitFor(
      'the operator key to authenticate',
      async () => {
        const r = await whoami(app, operatorKey);
        return r.status === 200 && r;
      },
      { timeoutMs: 30000 + KEY_CACHE_MS },
    );
    expect(ok.body).toEqual({
      keyId: operator.keyId,
      name: operator.name,
      role: 'operator',
      declarantCodes: [],
    });
    const forbidden = await whoami(app, declarantKey);
    expect(forbidden).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
  });

  it('refuses the key within the cache time once its revoked event arrives; replays change nothing', async () => {
    const revokedAt = new Date().toISOString();
    const revoke = eventOf({ ...operator, revokedAt });
    await probe.produce(topic, [revoke.message]);
    await waitFor(
      'the revoked key to be refused',
      async () => (await whoami(app, operatorKey)).status === 401,
      {
        timeoutMs: 20000,
      },
    );
    const refusedAt = Date.now();
    const revokeHandled = handled.find((h) => h.eventId === revoke.event.id);
    expect(revokeHandled?.outcome).toBe('handled');
    expect(refusedAt - revokeHandled!.at).toBeLessThanOrEqual(KEY_CACHE_MS);
    const afterRevoke = await replicaRows(app);
    expect(afterRevoke.find((r) => r['id'] === operator.keyId)?.['revoked_at']).toEqual(new Date(revokedAt));
    // The event itself again (inbox: a duplicate), and the created state replayed (a new event id).
    await probe.produce(topic, [revoke.message, eventOf(operator).message]);
    await waitFor(
      'both replays handled',
      () =>
        handled.filter((h) => h.eventId === revoke.event.id && h.outcome === 'duplicate').length >= 1 &&
        handled.filter((h) => h.outcome === 'handled').length >= 4,
    );
    expect(await replicaRows(app)).toEqual(afterRevoke);
    const refused = await whoami(app, operatorKey);
    expect(refused).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('gives a service that starts later every key, revoked ones revoked', async () => {
    const later = await startService('later');
    try {
      await waitFor('the later service to accept the declarant key', async () => {
        const res = await fetch(`${await later.getUrl()}/whoami`, {
          headers: { authorization: `Bearer ${declarantKey}` },
        });
        return res.status === 403; // known (authenticated), but not an operator
      });
      expect((await whoami(later, operatorKey)).status).toBe(401);
      const rows = await replicaRows(later);
      expect(rows.map((r) => [r['id'], r['revoked_at'] !== null])).toEqual(
        [
          [operator.keyId, true],
          [declarant.keyId, false],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    } finally {
      await later.close();
    }
  });

  it('refuses to start on an existing key topic that is not compacted', async () => {
    const wrongPrefix = `it-auth-${run}-wrong.`;
    await probe.createTopics([`${wrongPrefix}${Topics.ApiKeyChangedV1.name}`], 3, {
      'cleanup.policy': 'delete',
    });
    await expect(startService('wrong', wrongPrefix)).rejects.toThrow(/cleanup\.policy=delete.*compact/);
  });
});
