/**
 * Tag key every workload's resources carry, its value the workload's name (`backend`, a worker's or job's lower-case
 * id): the command-line tool finds a workload's ECS service or task definition by it. No imports, so the tool can
 * read it without loading aws-cdk-lib.
 */
export const WORKLOAD_TAG = 'cdk-backend-platform:workload';
