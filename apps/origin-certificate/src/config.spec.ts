import { parseConfig } from '@cic/platform-config';
import {
  assertProductionSafe,
  LOCAL_KEY_ENCRYPTION_KEY,
  masterKeyOf,
  originEnv,
  publicBaseUrl,
} from './config';

const production = (env: Record<string, string>) =>
  parseConfig(originEnv, {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://db/cic',
    REDIS_URL: 'redis://cache:6379',
    KAFKA_BROKERS: 'kafka:9092',
    ...env,
  });

describe('origin-certificate configuration', () => {
  const key = 'a'.repeat(64);

  it('outside production: the local master key and verify links to the local port', () => {
    const sut = parseConfig(originEnv, { NODE_ENV: 'development' });
    expect(masterKeyOf(sut)).toEqual(Buffer.from(LOCAL_KEY_ENCRYPTION_KEY, 'base64'));
    expect(publicBaseUrl(sut)).toBe('http://127.0.0.1:3004');
    expect(() => assertProductionSafe(sut)).not.toThrow();
  });

  it('production requires a master key of its own and the public base URL', () => {
    expect(() => assertProductionSafe(production({ PUBLIC_BASE_URL: 'https://origin.example' }))).toThrow(
      /ORIGIN_KEY_ENCRYPTION_KEY is required/,
    );
    expect(() =>
      assertProductionSafe(
        production({
          ORIGIN_KEY_ENCRYPTION_KEY: LOCAL_KEY_ENCRYPTION_KEY,
          PUBLIC_BASE_URL: 'https://o.example',
        }),
      ),
    ).toThrow(/local default key is refused/);
    expect(() => assertProductionSafe(production({ ORIGIN_KEY_ENCRYPTION_KEY: key }))).toThrow(
      /PUBLIC_BASE_URL/,
    );
    const ok = production({ ORIGIN_KEY_ENCRYPTION_KEY: key, PUBLIC_BASE_URL: 'https://origin.example/' });
    expect(() => assertProductionSafe(ok)).not.toThrow();
    expect(masterKeyOf(ok)).toHaveLength(32);
    expect(publicBaseUrl(ok)).toBe('https://origin.example');
  });

  it('a malformed master key is named, its value never shown', () => {
    expect(() => production({ ORIGIN_KEY_ENCRYPTION_KEY: 'short-secret' })).toThrow(
      /ORIGIN_KEY_ENCRYPTION_KEY: must be 32 bytes/,
    );
    try {
      production({ ORIGIN_KEY_ENCRYPTION_KEY: 'short-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('short-secret');
    }
  });

  it('rule overrides need a valid shape', () => {
    expect(() => assertProductionSafe(parseConfig(originEnv, { ORIGIN_RULES: '{"maxItems": 0}' }))).toThrow(
      /ORIGIN_RULES: maxItems/,
    );
  });
});
