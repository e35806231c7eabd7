import { CfnTemplate, TemplateRule } from '../rule';

/**
 * Name properties CloudFormation passes to the service as the physical name, by resource type. A retained resource
 * (DeletionPolicy Retain) outlives its stack: a fixed name then makes the next create of the same stack (a retry
 * after a failed first create, a deploy after `cdk destroy`) fail with AlreadyExists.
 */
const NAME_PROPERTIES: { readonly [type: string]: string } = {
  'AWS::Backup::BackupVault': 'BackupVaultName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SSM::Parameter': 'Name',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::EFS::FileSystem': 'FileSystemName',
};

/** A name that differs for every new stack: it takes part of `AWS::StackId` (the stack's UUID). */
function isPerStackInstance(name: unknown): boolean {
  return JSON.stringify(name).includes('"AWS::StackId"');
}

export const retainedResourceHasNoFixedName: TemplateRule = {
  id: 'retained-resource-has-no-fixed-name',
  phase: 'destroy',
  rule: 'A resource retained on stack deletion keeps its physical name; creating the stack again with the same fixed name fails with AlreadyExists, '
    + 'unless the name is unique to the stack instance or the resource is retained only after a successful create (RetainExceptOnCreate covers the retry, not a redeploy).',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html',
  check(template: CfnTemplate): string[] {
    return Object.entries(template.Resources ?? {}).flatMap(([id, resource]) => {
      const nameProperty = NAME_PROPERTIES[resource.Type];
      if (!nameProperty || resource.DeletionPolicy !== 'Retain') return [];
      const name = resource.Properties?.[nameProperty];
      if (name === undefined || isPerStackInstance(name)) return [];
      // Log groups and SSM parameters of ours are never retained with a fixed name; anything else found here is a defect.
      return [`${id} (${resource.Type}) is retained on delete with the fixed ${nameProperty} ${JSON.stringify(name)}`];
    });
  },
  counterexample: {
    Resources: { Vault: { Type: 'AWS::Backup::BackupVault', DeletionPolicy: 'Retain', Properties: { BackupVaultName: 'BackendVault1234' } } },
  },
};
