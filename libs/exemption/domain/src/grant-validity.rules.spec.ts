import {
  dueForExpiry,
  dueForRenewalReminder,
  grantDateStatus,
  grantValidUntil,
  type RenewalCandidate,
} from './grant-validity.rules';
import type { GrantState } from './grant.types';
import { DEFAULT_RULES } from './rules.config';
import { grant } from './testing/fixtures';

describe('grantValidUntil (validFrom + 3 years, last valid day, PRC Civil Code Art. 201-202)', () => {
  it.each([
    ['2026-03-10', '2029-03-10'],
    ['2028-02-29', '2031-02-28'],
    ['2028-02-28', '2031-02-28'],
    ['2028-03-01', '2031-03-01'],
    ['2025-02-28', '2028-02-28'],
    ['2026-12-31', '2029-12-31'],
  ])('granted from %s, valid until %s', (validFrom, expected) => {
    expect(grantValidUntil(validFrom, DEFAULT_RULES)).toBe(expected);
  });

  it('follows the configured validity', () =>
    expect(grantValidUntil('2028-02-29', { grantValidityYears: 4 })).toBe('2032-02-29'));

  it('refuses a malformed validFrom', () =>
    expect(() => grantValidUntil('2026-02-29', DEFAULT_RULES)).toThrow(/validFrom/));
});

describe('grantDateStatus (both bounds inclusive)', () => {
  const g = grant({ validFrom: '2026-03-10', validUntil: '2029-03-10' });
  it.each([
    ['2026-03-09', 'NOT_YET_VALID'],
    ['2026-03-10', 'IN_FORCE'],
    ['2026-03-11', 'IN_FORCE'],
    ['2029-03-09', 'IN_FORCE'],
    ['2029-03-10', 'IN_FORCE'],
    ['2029-03-11', 'EXPIRED'],
  ])('on %s: %s', (date, expected) => {
    expect(grantDateStatus(g, date)).toBe(expected);
  });

  it('a leap-day grant ends on 2031-02-28', () => {
    const leap = grant({ validFrom: '2028-02-29', validUntil: grantValidUntil('2028-02-29', DEFAULT_RULES) });
    expect(grantDateStatus(leap, '2031-02-28')).toBe('IN_FORCE');
    expect(grantDateStatus(leap, '2031-03-01')).toBe('EXPIRED');
  });
});

describe('dueForExpiry (daily job)', () => {
  const g = (status: GrantState) => grant({ status, validUntil: '2029-03-10' });
  it.each<[string, GrantState, boolean]>([
    ['2029-03-09', 'ACTIVE', false],
    ['2029-03-10', 'ACTIVE', false],
    ['2029-03-11', 'ACTIVE', true],
    ['2029-03-11', 'SUSPENDED', true],
    ['2029-03-11', 'REVOKED', false],
    ['2029-03-11', 'EXPIRED', false],
    ['2030-06-01', 'ACTIVE', true],
  ])('on %s a %s grant valid until 2029-03-10 is due: %s', (today, status, due) => {
    const sut = dueForExpiry([g(status)], today);
    expect(sut.map((d) => d.grantId)).toEqual(due ? [g(status).id] : []);
    if (due)
      expect(sut[0]).toMatchObject({
        from: status,
        validUntil: '2029-03-10',
        reason: { code: 'VALIDITY_ENDED' },
      });
  });

  it('is idempotent: once expired, the grant is no longer due', () => {
    const [due] = dueForExpiry([g('ACTIVE')], '2029-03-11');
    expect(dueForExpiry([{ ...g('ACTIVE'), status: 'EXPIRED' }], '2029-03-11')).toEqual([]);
    expect(dueForExpiry([g('ACTIVE')], '2029-03-11')).toEqual([due]);
  });

  it('leaves a grant with an unreadable validUntil alone', () =>
    expect(dueForExpiry([grant({ validUntil: '2029-02-30' })], '2030-01-01')).toEqual([]));

  it('refuses a malformed today', () => expect(() => dueForExpiry([], '2029/03/11')).toThrow(/today/));
});

describe('dueForRenewalReminder (3 months before validUntil)', () => {
  const candidate = (over: Partial<RenewalCandidate> = {}): RenewalCandidate => ({
    ...grant({ validUntil: '2029-03-10' }),
    renewalReminded: false,
    ...over,
  });
  it.each<[string, Partial<RenewalCandidate>, boolean]>([
    ['2028-12-09', {}, false],
    ['2028-12-10', {}, true],
    ['2028-12-11', {}, true],
    ['2029-03-10', {}, true],
    ['2029-03-11', {}, false],
    ['2028-12-10', { status: 'SUSPENDED' }, true],
    ['2028-12-10', { status: 'REVOKED' }, false],
    ['2028-12-10', { status: 'EXPIRED' }, false],
    ['2028-12-10', { renewalReminded: true }, false],
    // Month-end clamp: 2029-05-31 minus 3 months is 2029-02-28.
    ['2029-02-27', { validUntil: '2029-05-31' }, false],
    ['2029-02-28', { validUntil: '2029-05-31' }, true],
    // A leap-day grant valid until 2031-02-28 is reminded from 2030-11-28.
    ['2030-11-27', { validUntil: '2031-02-28' }, false],
    ['2030-11-28', { validUntil: '2031-02-28' }, true],
  ])('on %s, %j: due %s', (today, over, due) => {
    const sut = dueForRenewalReminder([candidate(over)], today, DEFAULT_RULES);
    expect(sut.length).toBe(due ? 1 : 0);
  });

  it('tells the reminder window and the days left, and answers the same twice', () => {
    const input = [candidate()];
    const sut = dueForRenewalReminder(input, '2028-12-10', DEFAULT_RULES);
    expect(sut).toEqual([
      {
        grantId: candidate().id,
        remindFrom: '2028-12-10',
        validUntil: '2029-03-10',
        daysLeft: 90,
        reason: expect.objectContaining({
          code: 'RENEWAL_DUE',
          message: expect.stringContaining('90 day(s) left'),
        }),
      },
    ]);
    expect(dueForRenewalReminder(input, '2028-12-10', DEFAULT_RULES)).toEqual(sut);
  });

  it('follows the configured reminder months', () => {
    expect(dueForRenewalReminder([candidate()], '2028-09-10', { renewalReminderMonths: 6 })).toHaveLength(1);
    expect(dueForRenewalReminder([candidate()], '2028-09-09', { renewalReminderMonths: 6 })).toHaveLength(0);
  });
});
