import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { acknowledge } from '../private/compliance';
import { destroysData } from '../private/teardown';

/**
 * The platform's image repository: every tag is immutable except the one whose pushes trigger the pipeline.
 * Retained on delete, or emptied and deleted when the teardown policy destroys data.
 */
export function createPlatformRepository(scope: Construct, triggerTag: string): ecr.Repository {
  const destroy = destroysData(scope);
  const repository = new ecr.Repository(scope, 'Repository', {
    imageScanOnPush: true,
    encryption: ecr.RepositoryEncryption.KMS,
    imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
    imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard(triggerTag)],
    // ECR never lets a lower-priority rule expire an image a higher one matched: recorded releases (what runs and
    // what a rollback goes back to) are only ever trimmed to the newest 30, whatever else is pushed meanwhile.
    lifecycleRules: [
      { rulePriority: 1, description: 'Keep the 30 newest deployed releases (sha256- tags the pipeline records)', tagPrefixList: ['sha256-'], maxImageCount: 30 },
      { rulePriority: 2, description: 'Expire images no tag names after 14 days', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(14) },
      { rulePriority: 3, description: 'Keep the 100 newest of the other tagged images (CI builds)', tagStatus: ecr.TagStatus.ANY, maxImageCount: 100 },
    ],
    removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    ...(destroy ? { emptyOnDelete: true } : {}),
  });
  acknowledge(repository, [{
    id: 'ecr_private_tag_immutability_enabled_check',
    reason: `All tags are immutable except the pipeline trigger tag "${triggerTag}"; what is deployed is pinned by digest and recorded as an immutable sha256- tag.`,
  }]);
  return repository;
}
