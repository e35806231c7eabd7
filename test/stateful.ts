import { ResourceImpact } from '@aws-cdk/cloudformation-diff';

/** Resource types that hold data, or whose replacement users see (a new address, a new certificate, a new name). */
export const STATEFUL = [
  'AWS::RDS::DBInstance', 'AWS::SecretsManager::Secret', 'AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket',
  'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::CertificateManager::Certificate', 'AWS::EC2::VPC', 'AWS::EC2::Subnet',
  'AWS::KMS::Key', 'AWS::ElastiCache::ReplicationGroup', 'AWS::SQS::Queue', 'AWS::SSM::Parameter', 'AWS::Backup::BackupVault',
  'AWS::APS::Workspace',
  'AWS::EFS::FileSystem',
];

/** What `cdk diff` says of a change that loses or moves a resource. */
export const UNSAFE = [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE, ResourceImpact.WILL_DESTROY, ResourceImpact.WILL_ORPHAN];
