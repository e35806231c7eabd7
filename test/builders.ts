import { Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { givenStack } from './fixtures';
import {
  BackendPlatform, BackendPlatformProps, CleanupJobScheduler, CleanupJobSchedulerProps, CloudFrontWebAcl, CloudFrontWebAclProps,
  DataBackups, DataBackupsProps, EcrToEcsPipeline, EcrToEcsPipelineProps, InfraMonitoring, InfraMonitoringProps, PrivateCache, PrivateCacheProps,
  IDeliveryTarget, PrivateDatabase, PrivateDatabaseProps, PromotionPipeline, PromotionPipelineProps,
  ScheduledApiCalls, ScheduledApiCallsProps,
  InternalLoadBalancer, InternalLoadBalancerProps, SecureAlbFargateService, SecureAlbFargateServiceProps, ServiceImage, StaticSite, StaticSiteProps,
  WorkerService, WorkerServiceProps,
} from '../src';

/**
 * One-line builders of each construct in a fresh stack with valid required props; tests vary the rest.
 * `vpcOf` swaps the fixture VPC for one the test shapes.
 */
type VpcOf = (stack: Stack) => ec2.IVpc;
export const reset = events.Schedule.cron({ minute: '0', hour: '8' });

export function web(props: Partial<SecureAlbFargateServiceProps>, vpcOf?: VpcOf) {
  const { stack, vpc, zone, repository } = givenStack();
  return new SecureAlbFargateService(stack, 'Web', { vpc: vpcOf?.(stack) ?? vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), ...props });
}
export function database(props: Partial<PrivateDatabaseProps>, vpcOf?: VpcOf) {
  const { stack, vpc } = givenStack();
  return new PrivateDatabase(stack, 'Db', { vpc: vpcOf?.(stack) ?? vpc, ...props });
}
export function backups(props: Partial<DataBackupsProps>, vpcOf?: VpcOf) {
  const { stack, vpc } = givenStack();
  const db = new PrivateDatabase(stack, 'Db', { vpc: vpcOf?.(stack) ?? vpc });
  return new DataBackups(stack, 'Backups', { databases: [db.instance], ...props });
}
export function cache(props: Partial<PrivateCacheProps>, vpcOf?: VpcOf) {
  const { stack, vpc } = givenStack();
  return new PrivateCache(stack, 'Cache', { vpc: vpcOf?.(stack) ?? vpc, ...props });
}
export function job(props: Partial<CleanupJobSchedulerProps>, vpcOf?: VpcOf) {
  const { stack, vpc } = givenStack();
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: vpcOf?.(stack) ?? vpc });
  return new CleanupJobScheduler(stack, 'Job', { cluster, image: ecs.ContainerImage.fromRegistry('app'), command: ['node', 'cleanup.js'], ...props });
}
export function calls(props: Partial<ScheduledApiCallsProps>) {
  const { stack } = givenStack();
  return new ScheduledApiCalls(stack, 'Calls', { baseUrl: 'https://api.example.com', calls: [{ id: 'ResetQueue', schedule: reset, path: '/reset' }], ...props });
}
export function monitoring(props: Partial<InfraMonitoringProps>) {
  const { stack } = givenStack();
  return new InfraMonitoring(stack, 'Monitoring', props);
}
export function pipeline(props: Partial<EcrToEcsPipelineProps>) {
  const service = web({});
  return new EcrToEcsPipeline(Stack.of(service), 'Delivery', { service, ...props });
}
/** A promotion to one environment, a plain construct listing one standalone web service (no platform to build). */
export function promotion(props: Partial<PromotionPipelineProps>) {
  const service = web({});
  const stack = Stack.of(service);
  const target: IDeliveryTarget = Object.assign(new Construct(stack, 'Staging'), {
    environmentName: 'staging', deliveryServices: [service], deliveryJobs: [], serviceUrl: 'https://api.example.com',
  });
  return new PromotionPipeline(stack, 'Promotion', { repository: service.ecrContainers[0].repository, environments: [{ target }], ...props });
}
export function platform(props: Partial<BackendPlatformProps>) {
  const { stack, zone } = givenStack();
  return new BackendPlatform(stack, 'Platform', { environmentName: 'prod', hostedZone: zone, ...props });
}
export function worker(props: Partial<WorkerServiceProps>, vpcOf?: VpcOf) {
  const { stack, vpc, repository } = givenStack();
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: vpcOf?.(stack) ?? vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  return new WorkerService(stack, 'Worker', { cluster, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), queue: {}, ...props });
}
export function internalLoadBalancer(props: Partial<InternalLoadBalancerProps>, vpcOf?: VpcOf) {
  const { stack, vpc } = givenStack();
  return new InternalLoadBalancer(stack, 'InternalLoadBalancer', { vpc: vpcOf?.(stack) ?? vpc, ...props });
}

export function staticSite(props: Partial<StaticSiteProps>) {
  const { stack, zone } = givenStack({ env: { region: 'us-east-1' } });
  return new StaticSite(stack, 'Site', { hostedZone: zone, ...props });
}
export function webAcl(props: CloudFrontWebAclProps) {
  const { stack } = givenStack({ env: { region: 'us-east-1', account: '123456789012' } });
  return new CloudFrontWebAcl(stack, 'WebAcl', props);
}

/**
 * Builds, then synthesizes the app of what was built: a platform reports every problem of its props, children and
 * workloads in one error at synth (docs/adr/0017), a construct used on its own when it is created.
 */
export function synthesized(build: () => unknown): () => unknown {
  return () => {
    const built = build();
    if (Construct.isConstruct(built)) Stage.of(built)?.synth({ force: true });
    return built;
  };
}
