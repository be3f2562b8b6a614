// The identifier check is shared by every service (GB 32100-2015), so it lives in contracts.
export { checkUscc, usccCheckCharacter, type UsccProblem } from '@cic/contracts';
export * from './iso-codes';
export * from './field-errors';
export {
  hasControlCharacter,
  hasLoneSurrogate,
  REPLACEMENT_CHARACTER,
  toStorableString,
} from './unsafe-text';
export * from './input-guard';
export * from './declaration.validation';
export * from './clearance.rules';
export * from './late-decision.rules';
export * from './inspection-result.rules';
