import { deletionProtected } from '../../teardown-report';
import { resourcesOfType, TemplateRule } from '../rule';

const deletedOnStackDeletion = (policy: string | undefined) => policy === undefined || policy === 'Delete';

export const deletedBucketIsEmptied: TemplateRule = {
  id: 'deleted-bucket-is-emptied-first',
  phase: 'destroy',
  rule: 'CloudFormation cannot delete a bucket that holds objects (DELETE_FAILED, BucketNotEmpty); a bucket deleted with its stack is emptied first.',
  source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html',
  check(template) {
    return resourcesOfType(template, 'AWS::S3::Bucket')
      .filter(([, bucket]) => deletedOnStackDeletion(bucket.DeletionPolicy))
      .filter(([, bucket]) => !(bucket.Properties?.Tags ?? []).some((tag: any) => tag.Key === 'aws-cdk:auto-delete-objects' && tag.Value === 'true'))
      .map(([id]) => `${id} is deleted with the stack but nothing empties it`);
  },
  counterexample: { Resources: { Logs: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Delete', Properties: {} } } },
};

export const deletedRepositoryIsEmptied: TemplateRule = {
  id: 'deleted-repository-is-emptied-first',
  phase: 'destroy',
  rule: 'CloudFormation cannot delete an ECR repository that holds images unless EmptyOnDelete is true.',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecr-repository.html',
  check(template) {
    return resourcesOfType(template, 'AWS::ECR::Repository')
      .filter(([, repository]) => deletedOnStackDeletion(repository.DeletionPolicy) && repository.Properties?.EmptyOnDelete !== true)
      .map(([id]) => `${id} is deleted with the stack without EmptyOnDelete: the deletion fails once it holds an image`);
  },
  counterexample: { Resources: { Repository: { Type: 'AWS::ECR::Repository', Properties: {} } } },
};

export const deletionProtectionAgreesWithTeardown: TemplateRule = {
  id: 'deletion-protection-agrees-with-teardown',
  phase: 'destroy',
  rule: 'A resource with deletion protection on cannot be deleted: a template that deletes it with the stack (DeletionPolicy Delete) '
    + 'ends every `cdk destroy` in DELETE_FAILED; protection goes with a policy that keeps something (Snapshot or Retain).',
  source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html',
  check(template) {
    return Object.entries(template.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'AWS::RDS::DBInstance' && deletionProtected(resource) && deletedOnStackDeletion(resource.DeletionPolicy))
      .map(([id]) => `${id} has deletion protection but the stack deletes it without a snapshot`);
  },
  counterexample: { Resources: { Database: { Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Delete', Properties: { DeletionProtection: true } } } },
};
