export * from './uscc';
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
