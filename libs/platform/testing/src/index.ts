export * from './wait-for';
export * from './test-env';
export * from './child-service';
export * from './private-kafka';
export * from './private-redis';
export * from './postgres-role';
export * from './answers-while-away';
export * from './hostile-run';
