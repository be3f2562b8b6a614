// The reference, history and approval controllers over real HTTP (Nest + express, the platform's HTTP
// setup, a stub key store) against a fresh PostgreSQL schema: roles, media types, body limits, problems.
import { randomBytes } from 'node:crypto';
import { usccCheckCharacter } from '@cic/contracts';
import { ApiKeyAuthenticator, type Principal } from '@cic/platform-auth';
import { configureHttp } from '@cic/platform-http';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { approvalControllers, approvalProviders } from '../approval';
import { GREEN_CHANNEL_CONFIG } from '../config';
import { createGreenChannelDataSource } from '../data-source';
import { historyControllers, historyProviders } from '../history';
import { referenceControllers, referenceProviders } from '.';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cic_test';
const DB_SCHEMA = `gc_ref_${randomBytes(4).toString('hex')}`;
const MAX_IMPORT_BYTES = 64 * 1024;

const KEYS: Record<string, Principal> = {
  admin: { keyId: 'k1', name: 'admin-key', role: 'admin', declarantCodes: [] },
  operator: { keyId: 'k2', name: 'operator-key', role: 'operator', declarantCodes: [] },
  declarant: { keyId: 'k3', name: 'declarant-key', role: 'declarant', declarantCodes: [] },
};

const uscc = (n: number) => {
  const first17 = `9133020000${String(n).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
};

describe('green-channel reference HTTP', () => {
  let db: DataSource;
  let app: INestApplication;
  let base: string;

  const call = async (
    method: string,
    path: string,
    opts: { key?: string; body?: string | Uint8Array; type?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
        ...(opts.type ? { 'content-type': opts.type } : {}),
        ...opts.headers,
      },
      body: opts.body,
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      etag: res.headers.get('etag'),
      body: text ? JSON.parse(text) : undefined,
    };
  };

  beforeAll(async () => {
    await ensureDatabase(DATABASE_URL);
    db = createGreenChannelDataSource({ DATABASE_URL, DB_SCHEMA }, 'test');
    await db.initialize();
    await runMigrations(db);
    const moduleRef = await Test.createTestingModule({
      controllers: [...referenceControllers, ...historyControllers, ...approvalControllers],
      providers: [
        ...referenceProviders,
        ...historyProviders,
        ...approvalProviders,
        { provide: DataSource, useValue: db },
        {
          provide: GREEN_CHANNEL_CONFIG,
          useValue: { DB_SCHEMA, OFFICE_TIME_ZONE: 'Asia/Shanghai', MAX_IMPORT_BYTES },
        },
        { provide: ApiKeyAuthenticator, useValue: { authenticate: async (key: string) => KEYS[key] } },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    configureHttp(app, 1024 * 1024);
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    if (db?.isInitialized) {
      await db.query(`DROP SCHEMA IF EXISTS "${DB_SCHEMA}" CASCADE`);
      await db.destroy();
    }
  });

  it('imports CSV (read from the stream) and JSON (already parsed), admin only', async () => {
    const csv = 'id,name,level,industry\r\nNB-AUTO,Ningbo auto parts,PROVINCIAL,auto parts\r\n';
    expect(
      await call('POST', '/v1/reference/import?kind=zones', { key: 'operator', type: 'text/csv', body: csv }),
    ).toMatchObject({
      status: 403,
    });
    expect(
      await call('POST', '/v1/reference/import?kind=zones', {
        key: 'admin',
        type: 'text/csv; charset=utf-8',
        body: csv,
      }),
    ).toMatchObject({
      status: 200,
      body: { kind: 'zones', created: 1 },
    });
    const json = JSON.stringify([
      { id: 'NB-AUTO', name: 'Ningbo auto parts', level: 'PROVINCIAL', industry: 'auto parts' },
    ]);
    expect(
      await call('POST', '/v1/reference/import?kind=zones', {
        key: 'admin',
        type: 'application/json',
        body: json,
      }),
    ).toMatchObject({
      status: 200,
      body: { unchanged: 1 },
    });
  });

  it('answers problems for other media types, oversize bodies, bad kinds and bad rows', async () => {
    expect(
      await call('POST', '/v1/reference/import?kind=zones', { key: 'admin', type: 'text/plain', body: 'x' }),
    ).toMatchObject({
      status: 415,
      type: expect.stringContaining('application/problem+json'),
    });
    const big = 'id,name,level,industry\n' + 'Z,n,NATIONAL,i\n'.repeat(MAX_IMPORT_BYTES / 10);
    expect(
      await call('POST', '/v1/reference/import?kind=zones', { key: 'admin', type: 'text/csv', body: big }),
    ).toMatchObject({
      status: 413,
      body: { code: 'BODY_TOO_LARGE' },
    });
    expect(
      await call('POST', '/v1/reference/import?kind=planets', { key: 'admin', type: 'text/csv', body: 'a' }),
    ).toMatchObject({
      status: 400,
      body: { errors: [expect.objectContaining({ pointer: '/kind' })] },
    });
    const bad = await call('POST', '/v1/reference/import?kind=zones', {
      key: 'admin',
      type: 'text/csv',
      body: 'id,name,level,industry\nA,x,NATIONAL,y\nB,x,GLOBAL,y\n',
    });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        code: 'IMPORT_INVALID',
        errors: [expect.objectContaining({ pointer: '/rows/2/level', line: 3 })],
      },
    });
    expect(
      await call('POST', '/v1/reference/import?kind=zones', {
        key: 'admin',
        type: 'text/csv',
        body: new Uint8Array([0x69, 0x64, 0xff, 0xfe]),
      }),
    ).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ENCODING' },
    });
  });

  it('keeps declarant keys out and validates bodies and paths without a 500', async () => {
    expect((await call('GET', '/v1/enterprises', { key: 'declarant' })).status).toBe(403);
    expect((await call('GET', '/v1/enterprises', {})).status).toBe(401);
    expect((await call('GET', '/v1/enterprises?limit=abc', { key: 'operator' })).status).toBe(400);
    expect((await call('GET', '/v1/enterprises/NOT-A-CODE', { key: 'operator' })).status).toBe(400);
    expect((await call('GET', `/v1/enterprises/${uscc(1)}`, { key: 'operator' })).status).toBe(404);
    const code = uscc(2);
    const wrong = await call('PUT', `/v1/enterprises/${code}`, {
      key: 'admin',
      type: 'application/json',
      body: JSON.stringify({
        name: 'A\u0000',
        tier: 'REGULAR',
        category: '1',
        annualExportsUsd: 5,
        zoneIds: ['NOWHERE'],
      }),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/annualExportsUsd',
      '/category',
      '/name',
    ]);
    const body = JSON.stringify({
      name: 'A',
      tier: 'REGULAR',
      category: 1,
      annualExportsUsd: '5',
      zoneIds: ['NB-AUTO'],
    });
    const created = await call('PUT', `/v1/enterprises/${code}`, {
      key: 'admin',
      type: 'application/json',
      body,
    });
    expect(created).toMatchObject({
      status: 201,
      etag: '"1"',
      body: { version: 1, annualExportsUsd: '5.00' },
    });
    expect(
      (await call('PUT', `/v1/enterprises/${code}`, { key: 'operator', type: 'application/json', body }))
        .status,
    ).toBe(403);
    const stale = await call('PUT', `/v1/enterprises/${code}`, {
      key: 'admin',
      type: 'application/json',
      body: body.replace('"A"', '"B"'),
      headers: { 'if-match': '"7"' },
    });
    expect(stale).toMatchObject({ status: 409, body: { code: 'VERSION_CONFLICT' } });
    expect(
      (await call('GET', `/v1/enterprises/${code}/versions`, { key: 'operator' })).body.items,
    ).toHaveLength(1);
    expect(
      (await call('GET', `/v1/enterprises/${code}/green-channel`, { key: 'operator' })).body,
    ).toMatchObject({ status: 'NONE' });
    const event = await call('POST', `/v1/enterprises/${code}/events`, {
      key: 'operator',
      type: 'application/json',
      body: JSON.stringify({ kind: 'QUALITY_CLAIM', occurredOn: '2999-01-01' }),
    });
    expect(event).toMatchObject({
      status: 400,
      body: { errors: [expect.objectContaining({ pointer: '/occurredOn', code: 'IN_THE_FUTURE' })] },
    });
    const approve = await call('POST', `/v1/enterprises/${code}/green-channel/approve`, { key: 'admin' });
    expect(approve).toMatchObject({ status: 409, body: { code: 'NOT_QUALIFIED' } });
    expect((await call('DELETE', '/v1/zones/NB-AUTO', { key: 'admin' })).body).toMatchObject({
      code: 'ZONE_IN_USE',
    });
  });
});
