export * from './service-image';
export * from './secure-alb-fargate-service';
export * from './private-database';
