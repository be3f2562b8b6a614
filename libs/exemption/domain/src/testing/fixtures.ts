import { usccCheckCharacter } from '@cic/contracts';
import type { Grant } from '../grant.types';

/** The fixed clock of the tests: the office's local date. */
export const ASOF = '2026-03-10';

const code = (first17: string) => first17 + usccCheckCharacter(first17);
/** The declarant (and, unless a line names another, the manufacturer). */
export const DECLARANT = code('91330206MA2H7XYK1');
/** A manufacturer that supplies the declarant. */
export const MANUFACTURER = code('91310115MA1K4ABCD');
export const OTHER_ENTERPRISE = code('91440300MA5F00001');

/** A deterministic uuid per number, so grant ids sort as their numbers do. */
export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** An ACTIVE grant of the declarant for heading 8471, in force 2025-01-01..2028-01-01. */
export const grant = (over: Partial<Grant> = {}): Grant => ({
  id: uuid(1),
  enterpriseCode: DECLARANT,
  productScope: ['8471'],
  validFrom: '2025-01-01',
  validUntil: '2028-01-01',
  status: 'ACTIVE',
  approvalReference: 'MY-2025-0001',
  ...over,
});
