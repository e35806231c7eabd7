export * from './service-image';
export * from './secure-alb-fargate-service';
export * from './private-database';
export * from './cleanup-job-scheduler';
export * from './scheduled-api-calls';
export * from './infra-monitoring';
export * from './backend-platform';
