// Pure rules of the origin-certificate service (DOMAIN.md "Preferential certificate of origin"): no I/O,
// no clock of their own (the issue date is passed in), exact decimal arithmetic (decimal.js), and the
// RFC 8785 canonical JSON a certificate is signed in.
export * from './origin.types';
export * from './origin-rule';
export * from './agreement.rules';
export * from './psr.table';
export * from './rules.config';
export * from './line.types';
export { assessLine, DEFAULT_PSR_TABLE, type PsrTable } from './line.rules';
export { isOriginatingMaterial } from './materials';
export { evaluateRvc, type RvcEvaluation, type RvcInput } from './rvc.rules';
export { evaluateTariffShift, type DeMinimisResult, type TariffShiftEvaluation } from './tariff-shift.rules';
export * from './certificate-request.rules';
export * from './certificate-number';
export * from './certificate-validity.rules';
export * from './canonical-json';
export { isIsoDate, toOfficeDate } from './iso-date';
