import type { Agreement, OriginReason } from './origin.types';

// Certificate numbers, 16 characters (DOMAIN.md): type letter + 2-digit year + 9-digit registration
// (4-digit office + 5-digit enterprise number) + 4-digit serial: R 26 4403 00123 0001 is
// R264403001230001. The serial never repeats for an office and year: the service keeps that counter;
// this module only formats and checks.

/** E for China-ASEAN (Form E), R for RCEP (assumed). */
export const CERTIFICATE_TYPE_LETTERS: Readonly<Record<Agreement, string>> = Object.freeze({
  CHINA_ASEAN: 'E',
  RCEP: 'R',
});

export const MAX_CERTIFICATE_SERIAL = 9999;

export interface CertificateNumberParts {
  agreement: Agreement;
  /** Two digits: the issue year's last two ('26' for 2026); see certificateYear. */
  year: string;
  /** The issuing office, 4 digits. */
  office: string;
  /** The enterprise's registration number at that office, 5 digits. */
  enterprise: string;
  /** 1 to 9999. */
  serial: number;
}

export type CertificateNumberResult = { ok: true; number: string } | { ok: false; error: OriginReason };

/** The two-digit year of an ISO issue date ('2026-03-10' -> '26'). */
export function certificateYear(issueDate: string): string {
  const m = /^\d{2}(\d{2})-\d{2}-\d{2}$/.exec(issueDate);
  if (!m) throw new RangeError(`issueDate must be an ISO date YYYY-MM-DD, got ${JSON.stringify(issueDate)}`);
  return m[1];
}

const invalid = (field: string, rule: string, ruleZh: string, got: unknown): CertificateNumberResult => ({
  ok: false,
  error: {
    code: 'INVALID_CERTIFICATE_NUMBER_PART',
    message: `Certificate number: ${field} must be ${rule}, got ${JSON.stringify(got)}`,
    messageZh: `证书编号：${field}须为${ruleZh}，实际为${JSON.stringify(got)}`,
  },
});

/**
 * The 16-character number, or why it cannot be formed; a serial past 9999 means the office has run out
 * of numbers for the year (CERTIFICATE_SERIAL_EXHAUSTED).
 */
export function certificateNumber(parts: CertificateNumberParts): CertificateNumberResult {
  const letter = CERTIFICATE_TYPE_LETTERS[parts.agreement];
  if (!letter) return invalid('agreement', 'RCEP or CHINA_ASEAN', 'RCEP或CHINA_ASEAN', parts.agreement);
  if (typeof parts.year !== 'string' || !/^\d{2}$/.test(parts.year))
    return invalid('year', '2 digits', '2位数字', parts.year);
  if (typeof parts.office !== 'string' || !/^\d{4}$/.test(parts.office))
    return invalid('office', '4 digits', '4位数字', parts.office);
  if (typeof parts.enterprise !== 'string' || !/^\d{5}$/.test(parts.enterprise))
    return invalid('enterprise', '5 digits', '5位数字', parts.enterprise);
  if (!Number.isInteger(parts.serial) || parts.serial < 1)
    return invalid(
      'serial',
      `a whole number from 1 to ${MAX_CERTIFICATE_SERIAL}`,
      `1至${MAX_CERTIFICATE_SERIAL}的整数`,
      parts.serial,
    );
  if (parts.serial > MAX_CERTIFICATE_SERIAL)
    return {
      ok: false,
      error: {
        code: 'CERTIFICATE_SERIAL_EXHAUSTED',
        message: `Certificate number: serial ${parts.serial} exceeds ${MAX_CERTIFICATE_SERIAL}; office ${parts.office} has used every serial of year ${parts.year}`,
        messageZh: `证书编号：流水号${parts.serial}超过${MAX_CERTIFICATE_SERIAL}；签证机构${parts.office}本年度（${parts.year}）的流水号已用尽`,
      },
    };
  const serial = String(parts.serial).padStart(4, '0');
  return { ok: true, number: `${letter}${parts.year}${parts.office}${parts.enterprise}${serial}` };
}

/** The parts of a certificate number, or undefined when it is not one. */
export function parseCertificateNumber(value: unknown): CertificateNumberParts | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^([A-Z])(\d{2})(\d{4})(\d{5})(\d{4})$/.exec(value);
  if (!m) return undefined;
  const agreement = (Object.keys(CERTIFICATE_TYPE_LETTERS) as Agreement[]).find(
    (a) => CERTIFICATE_TYPE_LETTERS[a] === m[1],
  );
  const serial = Number(m[5]);
  if (!agreement || serial < 1) return undefined;
  return { agreement, year: m[2], office: m[3], enterprise: m[4], serial };
}
