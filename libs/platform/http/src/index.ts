export * from './problem';
export * from './problem.filter';
export * from './http-setup';
export * from './openapi';
export * from './validation';
export * from './fields';
