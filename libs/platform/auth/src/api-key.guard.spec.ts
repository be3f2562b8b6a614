import type { ExecutionContext } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator, DEMO_KEY_PREFIX, hashKey, KEY_CACHE_MS } from './api-key.authenticator';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { type Principal, type Role, ROLES } from './principal';

function keyRecord(key: string, over: Partial<ApiKeyEntity> = {}): ApiKeyEntity {
  return Object.assign(new ApiKeyEntity(), {
    id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    name: 'broker',
    keyHash: hashKey(key),
    keyPrefix: key.slice(0, 12),
    role: 'operator',
    declarantCodes: [],
    createdAt: new Date('2026-11-02T08:00:00Z'),
    revokedAt: null,
    ...over,
  });
}

/** A DataSource whose api_keys table holds `rows` (only what the authenticator uses). */
function tableOf(rows: ApiKeyEntity[]) {
  const findOne = jest.fn(
    async ({ where }: { where: { keyHash: string } }) =>
      rows.find((r) => r.keyHash === where.keyHash && r.revokedAt === null) ?? null,
  );
  const ds = { options: { entities: [ApiKeyEntity] }, getRepository: () => ({ findOne }) };
  return { ds: ds as unknown as DataSource, findOne };
}

function requestWith(authorization: string | undefined, roles?: Role[]) {
  const req: { headers: Record<string, string>; principal?: Principal } = {
    headers: authorization === undefined ? {} : { authorization },
  };
  class Handlers {
    handle(): void {}
  }
  if (roles) Reflect.defineMetadata(ROLES, roles, Handlers.prototype.handle);
  const context = {
    switchToHttp: () => ({ getRequest: () => req }),
    getHandler: () => Handlers.prototype.handle,
    getClass: () => Handlers,
  } as unknown as ExecutionContext;
  return { req, context };
}

async function problem(work: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpException);
    const body = (error as HttpException).getResponse() as { status: number; code: string };
    return { status: body.status, code: body.code };
  }
  throw new Error('expected a problem');
}

describe('ApiKeyGuard', () => {
  const key = 'cic_ope_known-key-0123456789';
  const demoKey = 'cic_adm_demo-key-0123456789';
  const rows = [
    keyRecord(key),
    keyRecord(demoKey, { id: 'demo', name: `${DEMO_KEY_PREFIX}admin`, role: 'admin' }),
  ];

  function sutFor(nodeEnv = 'development') {
    return new ApiKeyGuard(new ApiKeyAuthenticator(tableOf(rows).ds, { nodeEnv }), new Reflector());
  }

  it('answers 401 without an Authorization header', async () => {
    const { context } = requestWith(undefined);
    expect(await problem(sutFor().canActivate(context))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('answers 401 for a header that is not a bearer key', async () => {
    const { context } = requestWith(`Basic ${Buffer.from('a:b').toString('base64')}`);
    expect(await problem(sutFor().canActivate(context))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('answers 401 for an unknown key', async () => {
    const { context } = requestWith('Bearer cic_ope_nobody-knows-this');
    expect(await problem(sutFor().canActivate(context))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('answers 403 when the role is not allowed on the handler', async () => {
    const { context } = requestWith(`Bearer ${key}`, ['admin']);
    expect(await problem(sutFor().canActivate(context))).toEqual({ status: 403, code: 'FORBIDDEN' });
  });

  it('lets a known key with an allowed role through and sets the principal', async () => {
    const { req, context } = requestWith(`bearer ${key}`, ['operator', 'admin']);
    await expect(sutFor().canActivate(context)).resolves.toBe(true);
    expect(req.principal).toEqual({
      keyId: rows[0].id,
      name: 'broker',
      role: 'operator',
      declarantCodes: [],
    });
  });

  it('refuses a demo key in production and honours it elsewhere', async () => {
    const { context } = requestWith(`Bearer ${demoKey}`, ['admin']);
    expect(await problem(sutFor('production').canActivate(context))).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    await expect(sutFor('development').canActivate(requestWith(`Bearer ${demoKey}`).context)).resolves.toBe(
      true,
    );
  });
});

describe('ApiKeyAuthenticator', () => {
  const key = 'cic_ope_cached-key-0123456789';
  afterEach(() => jest.useRealTimers());

  it('looks a key up once per KEY_CACHE_MS, so a revocation elsewhere counts within it', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-02T08:00:00Z') });
    const rows = [keyRecord(key)];
    const { ds, findOne } = tableOf(rows);
    const sut = new ApiKeyAuthenticator(ds, { nodeEnv: 'production' });
    expect(await sut.authenticate(key)).toBeDefined();
    rows[0].revokedAt = new Date(); // the replica learns of the revocation
    expect(await sut.authenticate(key)).toBeDefined();
    expect(findOne).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(KEY_CACHE_MS + 1);
    expect(await sut.authenticate(key)).toBeUndefined();
  });

  it('forgets a key at once when told', async () => {
    const rows = [keyRecord(key)];
    const sut = new ApiKeyAuthenticator(tableOf(rows).ds, { nodeEnv: 'production' });
    expect(await sut.authenticate(key)).toBeDefined();
    rows[0].revokedAt = new Date();
    sut.forget(hashKey(key));
    expect(await sut.authenticate(key)).toBeUndefined();
  });

  it('keeps its cache bounded under a flood of unknown keys', async () => {
    const rows = [keyRecord(key)];
    const sut = new ApiKeyAuthenticator(tableOf(rows).ds, { nodeEnv: 'production' });
    for (let i = 0; i < 10_050; i++) await sut.authenticate(`made-up-${i}`);
    expect((sut as unknown as { cache: Map<string, unknown> }).cache.size).toBeLessThanOrEqual(10_000);
    expect(await sut.authenticate(key)).toBeDefined();
  });

  it('refuses to start on a DataSource without the api_keys entity', () => {
    const ds = { options: { entities: [] } } as unknown as DataSource;
    expect(() => new ApiKeyAuthenticator(ds, { nodeEnv: 'test' })).toThrow(/authEntities/);
  });
});
