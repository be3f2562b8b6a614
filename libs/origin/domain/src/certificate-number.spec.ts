import { OriginDecided } from '@cic/contracts';
import {
  certificateNumber as sut,
  certificateYear,
  type CertificateNumberParts,
  MAX_CERTIFICATE_SERIAL,
  parseCertificateNumber,
} from './certificate-number';

const parts = (overrides: Partial<CertificateNumberParts> = {}): CertificateNumberParts => ({
  agreement: 'RCEP',
  year: '26',
  office: '4403',
  enterprise: '00123',
  serial: 1,
  ...overrides,
});

describe('certificate numbers', () => {
  it.each`
    case                       | overrides                                                          | number
    ${'RCEP, first serial'}    | ${{}}                                                              | ${'R264403001230001'}
    ${'China-ASEAN (Form E)'}  | ${{ agreement: 'CHINA_ASEAN' }}                                    | ${'E264403001230001'}
    ${'the last serial, 9999'} | ${{ serial: 9999 }}                                                | ${'R264403001239999'}
    ${'zero-padded parts'}     | ${{ year: '30', office: '0001', enterprise: '00000', serial: 42 }} | ${'R300001000000042'}
  `('$case: $number', ({ overrides, number }) => {
    const result = sut(parts(overrides));
    expect(result).toEqual({ ok: true, number });
    if (result.ok) expect(result.number).toHaveLength(16);
  });

  it('matches the contract format', () => {
    const shape = OriginDecided.shape.certificate.unwrap().shape.number;
    const result = sut(parts({ serial: 9999 }));
    expect(result.ok && shape.safeParse(result.number).success).toBe(true);
  });

  it(`refuses a serial past ${MAX_CERTIFICATE_SERIAL}: the year's numbers ran out`, () => {
    const result = sut(parts({ serial: 10000 }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('CERTIFICATE_SERIAL_EXHAUSTED');
      expect(result.error.message).toContain('serial 10000 exceeds 9999');
    }
  });

  it.each`
    case                      | overrides
    ${'serial 0'}             | ${{ serial: 0 }}
    ${'a negative serial'}    | ${{ serial: -1 }}
    ${'a fractional serial'}  | ${{ serial: 1.5 }}
    ${'a 4-digit year'}       | ${{ year: '2026' }}
    ${'a 3-digit office'}     | ${{ office: '440' }}
    ${'a 5-digit office'}     | ${{ office: '44030' }}
    ${'a 4-digit enterprise'} | ${{ enterprise: '0123' }}
    ${'letters in a part'}    | ${{ enterprise: '00A23' }}
    ${'an unknown agreement'} | ${{ agreement: 'NAFTA' }}
  `('refuses $case', ({ overrides }) => {
    const result = sut(parts(overrides));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('INVALID_CERTIFICATE_NUMBER_PART');
  });

  it('takes the year from the issue date', () => {
    expect(certificateYear('2026-03-10')).toBe('26');
    expect(certificateYear('2100-01-01')).toBe('00');
    expect(() => certificateYear('26-03-10')).toThrow(RangeError);
  });

  it('parses what it formats, and nothing else', () => {
    expect(parseCertificateNumber('E264403001230042')).toEqual(
      parts({ agreement: 'CHINA_ASEAN', serial: 42 }),
    );
    for (const bad of ['X264403001230001', 'R26440300123000', 'R264403001230000', 'r264403001230001', 42])
      expect(parseCertificateNumber(bad)).toBeUndefined();
  });
});
