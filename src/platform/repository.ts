import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { acknowledge } from '../private/compliance';

/** The platform's image repository: every tag is immutable except the one whose pushes trigger the pipeline. */
export function createPlatformRepository(scope: Construct, triggerTag: string): ecr.Repository {
  const repository = new ecr.Repository(scope, 'Repository', {
    imageScanOnPush: true,
    encryption: ecr.RepositoryEncryption.KMS,
    imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
    imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard(triggerTag)],
    lifecycleRules: [{ description: 'Keep the 30 newest images', maxImageCount: 30 }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(repository, [{
    id: 'ecr_private_tag_immutability_enabled_check',
    reason: `All tags are immutable except the pipeline trigger tag "${triggerTag}"; what is deployed is pinned by digest and recorded as an immutable sha256- tag.`,
  }]);
  return repository;
}
