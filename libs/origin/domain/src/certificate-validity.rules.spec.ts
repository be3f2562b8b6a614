import { certificateValidUntil as sut, isCertificateExpired } from './certificate-validity.rules';
import { toOfficeDate } from './iso-date';

describe('certificate validity (one calendar year, last day inclusive)', () => {
  it.each`
    issued          | validUntil
    ${'2026-03-10'} | ${'2027-03-10'}
    ${'2026-12-31'} | ${'2027-12-31'}
    ${'2028-02-29'} | ${'2029-02-28'}
    ${'2027-02-28'} | ${'2028-02-28'}
    ${'2027-03-01'} | ${'2028-03-01'}
  `('issued $issued: valid through $validUntil', ({ issued, validUntil }) => {
    expect(sut(issued)).toBe(validUntil);
  });

  it('counts several years from 29 February to the last day of February', () => {
    expect(sut('2028-02-29', 4)).toBe('2032-02-29');
    expect(sut('2028-02-29', 2)).toBe('2030-02-28');
  });

  it.each`
    asOf            | expired
    ${'2029-02-28'} | ${false}
    ${'2029-03-01'} | ${true}
    ${'2028-02-29'} | ${false}
  `('a certificate issued 2028-02-29 has expired on $asOf: $expired', ({ asOf, expired }) => {
    expect(isCertificateExpired(sut('2028-02-29'), asOf)).toBe(expired);
  });

  it('refuses malformed dates', () => {
    expect(() => sut('2027-02-29')).toThrow(RangeError);
    expect(() => sut('2026-03-10T00:00:00Z')).toThrow(RangeError);
    expect(() => sut('2026-03-10', 0)).toThrow(RangeError);
  });

  it('takes the issue date at the office, in Shanghai', () => {
    expect(toOfficeDate(new Date('2026-03-09T16:00:00Z'))).toBe('2026-03-10');
    expect(toOfficeDate(new Date('2026-03-09T15:59:59Z'))).toBe('2026-03-09');
  });
});
