import { DEFAULT_RULES } from '@cic/exemption-domain';
import { parseConfig } from '@cic/platform-config';
import { assertProductionSafe, exemptionEnv, rulesOf } from './config';
import { catchUpJobId } from './jobs/maintenance.queue';

const base = { NODE_ENV: 'test' };

describe('exemption configuration', () => {
  it('defaults to port 3103 for the worker, schema exemption and a daily cron at five past midnight', () => {
    const sut = parseConfig(exemptionEnv, base);
    expect(sut).toMatchObject({
      WORKER_PORT: 3103,
      DB_SCHEMA: 'exemption',
      KAFKA_GROUP_ID: 'exemption',
      MAINTENANCE_CRON: '5 0 * * *',
      OFFICE_TIME_ZONE: 'Asia/Shanghai',
    });
    expect(rulesOf(sut)).toBe(DEFAULT_RULES);
  });

  it('applies rule overrides with a version of their own, and names what is wrong otherwise', () => {
    const sut = rulesOf({ EXEMPTION_RULES: '{"renewalReminderMonths": 4}' });
    expect(sut.renewalReminderMonths).toBe(4);
    expect(sut.version).toMatch(/^exemption\/2026\.1\+[0-9a-f]{12}$/);
    expect(() => rulesOf({ EXEMPTION_RULES: '{nope' })).toThrow('EXEMPTION_RULES must be a JSON object');
    expect(() => rulesOf({ EXEMPTION_RULES: '{"grantValidityYears": 0}' })).toThrow(
      /EXEMPTION_RULES: grantValidityYears must be a whole number/,
    );
  });

  it('refuses the test-only maintenance interval in production', () => {
    const prod = parseConfig(exemptionEnv, {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/cic',
      REDIS_URL: 'redis://r:6379',
      KAFKA_BROKERS: 'k:9092',
      MAINTENANCE_EVERY_MS: '1000',
    });
    expect(() => assertProductionSafe(prod)).toThrow('MAINTENANCE_EVERY_MS is for tests only');
  });

  it('gives one catch-up job id per office day, without the ":" BullMQ refuses', () => {
    expect(catchUpJobId('2026-03-10')).toBe('grant-maintenance.catch-up.2026-03-10');
    expect(catchUpJobId('2026-03-10')).not.toContain(':');
  });
});
