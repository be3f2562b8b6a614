export * from './database';
export * from './data-source';
export * from './schema.migration';
export * from './migrate';
export * from './persistence.module';
export * from './prepared';
export * from './json-texts';
