import { z } from 'zod';
import { ConfigError, parseConfig, platformEnv, redactConfig, secret } from './index';

describe('parseConfig', () => {
  const schema = z.object({
    API_KEY: secret(z.string().min(20)),
    PORT: z.coerce.number().int().min(1),
    MODE: z.enum(['a', 'b']).default('a'),
  });

  it('returns a typed object with defaults applied', () => {
    const sut = parseConfig(schema, { API_KEY: 'x'.repeat(20), PORT: '8080', MODE: '' });
    expect(sut).toEqual({ API_KEY: 'x'.repeat(20), PORT: 8080, MODE: 'a' });
  });

  it('names every missing or bad variable and never prints a secret', () => {
    let error: unknown;
    try {
      parseConfig(schema, { API_KEY: 'short-secret-value', MODE: 'c' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContain('PORT is required');
    expect(problems.some((p) => p.startsWith('API_KEY:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('MODE:'))).toBe(true);
    expect((error as Error).message).not.toContain('short-secret-value');
  });

  it('redacts secrets for logging', () => {
    const config = parseConfig(schema, { API_KEY: 'y'.repeat(24), PORT: '1' });
    expect(redactConfig(schema, config)).toEqual({ API_KEY: '***', PORT: 1, MODE: 'a' });
  });
});

describe('platformEnv', () => {
  it('defaults to the local stack', () => {
    const sut = parseConfig(platformEnv, {});
    expect(sut.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(sut.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/cic');
    expect(redactConfig(platformEnv, sut)['DATABASE_URL']).toBe('***');
  });

  it('splits and checks the broker list', () => {
    expect(parseConfig(platformEnv, { KAFKA_BROKERS: 'k1:9092, k2:9092' }).KAFKA_BROKERS).toEqual([
      'k1:9092',
      'k2:9092',
    ]);
    expect(() => parseConfig(platformEnv, { KAFKA_BROKERS: 'k1' })).toThrow(/KAFKA_BROKERS/);
  });
});

describe('production mode', () => {
  it('guesses no address: each missing one is named', () => {
    let error: unknown;
    try {
      parseConfig(platformEnv, { NODE_ENV: 'production' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'DATABASE_URL is required',
      'REDIS_URL is required',
      'KAFKA_BROKERS is required',
    ]);
  });

  it('replicates topics 3 times with min.insync.replicas 2 and serves no docs unless asked', () => {
    const sut = parseConfig(platformEnv, {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/cic',
      REDIS_URL: 'redis://cache:6379',
      KAFKA_BROKERS: 'k1:9092,k2:9092,k3:9092',
    });
    expect(sut).toMatchObject({
      KAFKA_REPLICATION_FACTOR: 3,
      KAFKA_MIN_INSYNC_REPLICAS: 2,
      KAFKA_PARTITIONS: 12,
      DOCS_ENABLED: false,
    });
  });

  it('keeps the local overrides outside production', () => {
    expect(parseConfig(platformEnv, {})).toMatchObject({
      KAFKA_REPLICATION_FACTOR: 1,
      KAFKA_MIN_INSYNC_REPLICAS: 1,
      KAFKA_PARTITIONS: 3,
      DOCS_ENABLED: true,
    });
  });
});
