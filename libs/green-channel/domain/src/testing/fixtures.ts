import { usccCheckCharacter } from '@cic/contracts';
import type { EnterpriseProfile, EnterpriseRecord } from '../enterprise.types';

/** The fixed clock of the tests: the office's local date. */
export const ASOF = '2026-03-10';

const FIRST17 = '91310115MA1K4ABCD';
export const ENTERPRISE_CODE = FIRST17 + usccCheckCharacter(FIRST17);

/** An enterprise that meets every criterion on ASOF. */
export const profile = (over: Partial<EnterpriseProfile> = {}): EnterpriseProfile => ({
  code: ENTERPRISE_CODE,
  name: 'Ningbo Precision Fasteners Co., Ltd.',
  tier: 'REGULAR',
  category: 2,
  annualExportsUsd: '1250000.00',
  certifications: [
    { standard: 'ISO9001', number: 'CQC-9001-17', validFrom: '2024-01-01', validUntil: '2029-12-31' },
  ],
  zones: [],
  historySince: '2019-05-20',
  ...over,
});

export const record = (over: Partial<EnterpriseRecord> = {}): EnterpriseRecord => ({
  qualityClaims: [],
  nonCompliantDeclarations: [],
  penalties: [],
  foreignNotifications: [],
  ...over,
});
