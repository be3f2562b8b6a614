export * from './redis';
export * from './queue.module';
export * from './polling-loop';
export * from './dispatch';
