import { parseConfig } from '@cic/platform-config';
import { intakeEnv } from './config';

describe('intake configuration', () => {
  it('defaults to a 30 s decision timeout and the intake schema', () => {
    const sut = parseConfig(intakeEnv, {});
    expect(sut).toMatchObject({
      DECISION_TIMEOUT_MS: 30000,
      DB_SCHEMA: 'intake',
      KAFKA_GROUP_ID: 'declaration-intake',
      KAFKA_TOPIC_PREFIX: '',
    });
  });

  it('names a bad variable', () => {
    expect(() => parseConfig(intakeEnv, { DECISION_TIMEOUT_MS: 'soon' })).toThrow(/DECISION_TIMEOUT_MS/);
  });
});

describe('intake configuration in production', () => {
  it('requires the database and broker addresses but no Redis, and turns docs off', () => {
    expect(() => parseConfig(intakeEnv, { NODE_ENV: 'production' })).toThrow(
      /DATABASE_URL is required; KAFKA_BROKERS is required/,
    );
    const sut = parseConfig(intakeEnv, {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/cic',
      KAFKA_BROKERS: 'k1:9092',
    });
    expect(sut).toMatchObject({
      DOCS_ENABLED: false,
      KAFKA_REPLICATION_FACTOR: 3,
      KAFKA_MIN_INSYNC_REPLICAS: 2,
    });
    expect(sut.REDIS_URL).toBeUndefined();
  });
});
