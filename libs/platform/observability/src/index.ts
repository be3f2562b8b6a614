export * from './trace-context';
export * from './logging';
export * from './metrics';
export * from './health';
export * from './observability.module';
