// Pure rules of the exemption service (DOMAIN.md "Enterprises", "Inspection exemption"): no I/O, no
// clock of their own; dates are the office's local ISO dates (OFFICE_TIME_ZONE), passed in.
export * from './rules.config';
export * from './grant.types';
export * from './grant-status.rules';
export * from './grant-validity.rules';
export * from './exemptibility.rules';
export * from './application.types';
export * from './application.rules';
export { normalizeStandard } from './certificate.rules';
export * from './decision.rules';
export * from './suspension.rules';
export {
  coveringPrefix,
  describeChapter,
  hsChapter,
  isHsCode,
  isHsPrefix,
  prefixCovers,
  scopesOverlap,
} from './hs-code';
export {
  isIsoDate,
  minusMonths,
  minusYears,
  plusDays,
  plusMonths,
  plusYears,
  toOfficeDate,
} from './iso-date';
