import { Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';

/**
 * The identity of an ECR repository: its ARN, or its name, when known at synth (so one repository imported twice,
 * e.g. `fromRepositoryName` in two places, is one repository); the object itself otherwise.
 */
export function repositoryKey(repository: ecr.IRepository): unknown {
  if (!Token.isUnresolved(repository.repositoryArn)) return repository.repositoryArn;
  if (!Token.isUnresolved(repository.repositoryName)) return `name:${repository.repositoryName}`;
  return repository;
}

/** Whether two repositories are the same one (see `repositoryKey`). */
export function sameRepository(a: ecr.IRepository | undefined, b: ecr.IRepository | undefined): boolean {
  return a !== undefined && b !== undefined && (a === b || repositoryKey(a) === repositoryKey(b));
}
