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

/**
 * When a repository defined in this app keeps `tag` immutable, the tags it lets move (for the error), else undefined:
 * ECR accepts the first push of an immutable tag and refuses every later one (ImageTagAlreadyExistsException), so a
 * pipeline triggered by it deploys once. Imported repositories and deploy-time values are not known, so not judged.
 */
export function mutableTagsIfImmutable(repository: ecr.IRepository, tag: string): string[] | undefined {
  if (!(repository instanceof ecr.Repository) || Token.isUnresolved(tag)) return undefined;
  const resource = repository.node.defaultChild as ecr.CfnRepository;
  const mutability = resource.imageTagMutability;
  if (mutability !== 'IMMUTABLE' && mutability !== 'IMMUTABLE_WITH_EXCLUSION') return undefined;
  const filters = (Array.isArray(resource.imageTagMutabilityExclusionFilters) ? resource.imageTagMutabilityExclusionFilters : [])
    .map(filter => (filter as ecr.CfnRepository.ImageTagMutabilityExclusionFilterProperty).imageTagMutabilityExclusionFilterValue);
  if (filters.some(pattern => Token.isUnresolved(pattern))) return undefined;
  const matches = (pattern: string) => new RegExp(`^${pattern.split('*').map(part => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`).test(tag);
  return filters.some(matches) ? undefined : filters;
}
