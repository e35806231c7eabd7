import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { BackendPlatform, BackendPlatformProps, EnvironmentProfile } from '../src';

/** Resource types that hold data or cost money while they exist, whatever their deletion policy. */
export const STATEFUL_TYPES = [
  'AWS::RDS::DBInstance', 'AWS::ElastiCache::ReplicationGroup', 'AWS::ECR::Repository', 'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue', 'AWS::SSM::Parameter',
  'AWS::Backup::BackupVault', 'AWS::APS::Workspace', 'AWS::EFS::FileSystem',
];

/** Resources CloudFormation cannot delete while their deletion protection is on: the stack ends in DELETE_FAILED. */
export function deletionProtected(resource: any): boolean {
  if (resource.Type === 'AWS::RDS::DBInstance') return resource.Properties?.DeletionProtection === true;
  if (resource.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
    return (resource.Properties?.LoadBalancerAttributes ?? []).some((a: any) => a.Key === 'deletion_protection.enabled' && a.Value === 'true');
  }
  return false;
}

/** What CloudFormation does to one resource when the stack is deleted, in the README's words. */
export function onStackDeletion(resource: any): string {
  const policy = resource.DeletionPolicy ?? 'Delete';
  if (deletionProtected(resource) && policy !== 'Retain' && policy !== 'RetainExceptOnCreate') {
    return `refused (deletion protection): \`cdk destroy\` ends in DELETE_FAILED${policy === 'Snapshot' ? '; once lifted, deleted, final snapshot kept' : ''}`;
  }
  if (policy === 'Retain' || policy === 'RetainExceptOnCreate') return 'kept';
  if (policy === 'Snapshot') return 'deleted, final snapshot kept';
  switch (resource.Type) {
    case 'AWS::KMS::Key': return `deleted after ${resource.Properties?.PendingWindowInDays ?? 30} days (not billed meanwhile)`;
    case 'AWS::ECR::Repository': return resource.Properties?.EmptyOnDelete ? 'emptied, deleted' : 'deleted (fails if it holds images)';
    case 'AWS::S3::Bucket': return (resource.Properties?.Tags ?? []).some((t: any) => t.Key === 'aws-cdk:auto-delete-objects')
      ? 'emptied, deleted' : 'deleted (fails if it holds objects)';
    case 'AWS::SecretsManager::Secret': return 'deleted at once (CloudFormation skips the recovery window)';
    case 'AWS::RDS::DBInstance': return 'deleted, no snapshot';
    case 'AWS::ElastiCache::ReplicationGroup': return 'deleted, no snapshot';
    default: return 'deleted';
  }
}

/** True when the deletion leaves something that is billed (a kept resource or a snapshot). */
export function leavesBilled(resource: any): boolean {
  return ['Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(resource.DeletionPolicy) || deletionProtected(resource);
}

/** The headline platform with a cache and a queue worker collecting metrics onto an EFS volume, so every kind of stateful resource is present. */
export function teardownStack(profile: EnvironmentProfile, overrides: Partial<BackendPlatformProps> = {}): Stack {
  const stack = new Stack(new App(), `Teardown${profile}`);
  const platform = new BackendPlatform(stack, 'Backend', {
    environmentName: 'prod',
    profile,
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' }),
    database: {},
    cache: {},
    cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
    scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
    alarmEmails: ['ops@example.com'],
    ...overrides,
  });
  platform.addWorker('Mailer', { queue: {}, metrics: { port: 9464 }, volumes: [{ name: 'attachments', containerPath: '/var/attachments' }] });
  return stack;
}

/** Stateful resources of a stack by construct path below the platform, with what deleting the stack does to each. */
export function teardownOutcomes(stack: Stack): Map<string, { type: string; outcome: string; billed: boolean }> {
  const template = Template.fromStack(stack).toJSON();
  const outcomes = new Map<string, { type: string; outcome: string; billed: boolean }>();
  for (const resource of stack.node.findAll().filter(CfnResource.isCfnResource)) {
    // The load balancer holds no data, but its deletion protection decides whether `cdk destroy` completes.
    if (!STATEFUL_TYPES.includes(resource.cfnResourceType) && resource.cfnResourceType !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') continue;
    const synthesized = template.Resources[stack.resolve(resource.logicalId)];
    const path = resource.node.path.split('/').slice(2).join('/').replace(/\/(Resource|Default)$/, '');
    outcomes.set(path, { type: resource.cfnResourceType, outcome: onStackDeletion(synthesized), billed: leavesBilled(synthesized) });
  }
  return outcomes;
}
