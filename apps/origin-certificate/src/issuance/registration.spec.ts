import { issuingOffice } from './registration';

describe('issuingOffice', () => {
  it.each([
    ['330200', '3302'],
    ['320000', '3200'],
    ['440300', '4403'],
  ])('%s -> %s (the first four digits)', (office, expected) => {
    expect(issuingOffice(office)).toBe(expected);
  });

  it('refuses what is not a 6-digit office', () => {
    expect(() => issuingOffice('3302')).toThrow(RangeError);
  });
});
