export * from './uscc';
export * from './iso-codes';
export * from './field-errors';
export * from './declaration.validation';
export * from './clearance.rules';
export * from './inspection-result.rules';
