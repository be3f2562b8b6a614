// Pure rules of the green-channel service (DOMAIN.md "Enterprises", "Green channel", "Lane per
// declaration"): no I/O, no clock of their own; dates are the office's local ISO dates, passed in.
export * from './enterprise.types';
export * from './rules.config';
export * from './approval.rules';
export * from './approval-status.rules';
export * from './random-selection.rules';
export * from './risk-alert.index';
export * from './lab-history.rules';
export * from './lane.types';
export { decideLane } from './lane.rules';
export { isIsoDate, minusMonths, minusYears } from './iso-date';
export { compareDecimals } from './decimal';
