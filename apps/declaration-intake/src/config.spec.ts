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
