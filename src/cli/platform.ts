import { AwsCli, AwsError } from './aws';
import { CliError } from './errors';
import { WORKLOAD_TAG } from '../private/workload-tag';

/** A resource of the platform stack or of one of its nested stacks. */
export interface StackResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
}

/** `awsvpcConfiguration` as ECS's RunTask takes it. */
export interface AwsVpcConfiguration {
  readonly subnets: string[];
  readonly securityGroups: string[];
  readonly assignPublicIp: string;
}

/** A service, worker or scheduled job of the platform, as deployed. */
export interface Workload {
  readonly name: string;
  readonly kind: 'service' | 'job';
  /** Cluster ARN (or name). */
  readonly cluster: string;
  /** The service's deployed task definition revision, or the job's family ARN (its newest ACTIVE revision runs). */
  readonly taskDefinition: string;
  readonly network?: AwsVpcConfiguration;
  /** How RunTask places the task: `--launch-type` or `--capacity-provider-strategy` arguments. */
  readonly placement: string[];
  /** `DescribeServices` of a service. */
  readonly service?: any;
  /** The schedule rule of a job. */
  readonly ruleName?: string;
  readonly stack: string;
  readonly logicalId: string;
}

/** The deployed platform: its root stack, the outputs and resources of it and every nested stack, its workloads. */
export interface Platform {
  readonly stackName: string;
  readonly resources: StackResource[];
  readonly workloads: Workload[];
  /** The root stack's outputs, read on first call. */
  outputs(): Promise<Record<string, string>>;
}

const NESTED_STACK = 'AWS::CloudFormation::Stack';
const GONE = /^DELETE_COMPLETE$|^DELETE_IN_PROGRESS$/;

/** Reads the stack (found by its outputs when not named), walks its nested stacks and finds the workloads. */
export async function loadPlatform(aws: AwsCli, stackName: string | undefined): Promise<Platform> {
  // Each call is an `aws` process: a named stack is read by its resources alone, its outputs only when needed.
  const found = stackName ? undefined : await findPlatformStack(aws);
  const root: string = found?.StackName ?? stackName;
  const resources = await walk(aws, root).catch(error => {
    if (error instanceof AwsError && /does not exist/.test(error.message)) return missingStack(aws, root).then(e => Promise.reject(e));
    throw error;
  });
  const workloads = await findWorkloads(aws, resources);
  let outputs: Promise<Record<string, string>> | undefined;
  const readOutputs = async () => {
    const stack = found ?? (await aws.call('cloudformation', 'describe-stacks', ['--stack-name', root])).Stacks[0];
    return Object.fromEntries((stack.Outputs ?? []).map((o: any) => [o.OutputKey, o.OutputValue]));
  };
  return { stackName: root, outputs: () => outputs ??= readOutputs(), resources, workloads };
}

/** The workload of that name, or an error listing the ones that exist. */
export function requireWorkload(platform: Platform, name: string | undefined, verb: string): Workload {
  const names = platform.workloads.map(w => w.name).join(', ') || 'none';
  if (!name) throw new CliError(`"${verb}" needs a workload: e.g. "cdk-backend-platform ${verb} ${platform.workloads[0]?.name ?? 'backend'}" (workloads in ${platform.stackName}: ${names})`);
  const workload = platform.workloads.find(w => w.name === name);
  if (!workload) throw new CliError(`no workload "${name}" in stack ${platform.stackName}: use one of ${names}`);
  return workload;
}

async function missingStack(aws: AwsCli, name: string): Promise<CliError> {
  const where = aws.target.region ?? aws.target.env.AWS_REGION ?? aws.target.env.AWS_DEFAULT_REGION ?? 'this region';
  const candidates = await platformStacks(aws).then(stacks => stacks.map(s => s.StackName), () => []);
  return new CliError(`stack "${name}" does not exist in ${where}: check --stack and --region${candidates.length ? ` (platform stacks here: ${candidates.join(', ')})` : ''}`);
}

/** Root stacks with the outputs every `BackendPlatform` publishes (`<Platform>ServiceUrl`, `<Platform>RepositoryUri`). */
async function platformStacks(aws: AwsCli): Promise<any[]> {
  const result = await aws.call('cloudformation', 'describe-stacks');
  return (result.Stacks ?? []).filter((stack: any) => !stack.ParentId && !GONE.test(stack.StackStatus)
    && ['ServiceUrl', 'RepositoryUri'].every(suffix => (stack.Outputs ?? []).some((o: any) => o.OutputKey.endsWith(suffix))));
}

async function findPlatformStack(aws: AwsCli): Promise<any> {
  const stacks = await platformStacks(aws);
  if (stacks.length === 1) return stacks[0];
  if (stacks.length === 0) throw new CliError('no stack with a BackendPlatform here: pass --stack <name> (and --region if it lives elsewhere)');
  throw new CliError(`several platform stacks here (${stacks.map(s => s.StackName).join(', ')}): pass --stack <name>`);
}

/** Resources of the stack and, depth first, of every nested stack (workloads may live in stacks of their own). */
async function walk(aws: AwsCli, stack: string): Promise<StackResource[]> {
  const result = await aws.call('cloudformation', 'list-stack-resources', ['--stack-name', stack]);
  const own: StackResource[] = (result.StackResourceSummaries ?? [])
    .filter((r: any) => r.PhysicalResourceId && !GONE.test(r.ResourceStatus))
    .map((r: any) => ({ stack, logicalId: r.LogicalResourceId, type: r.ResourceType, physicalId: r.PhysicalResourceId }));
  const nested = await Promise.all(own.filter(r => r.type === NESTED_STACK).map(r => walk(aws, r.physicalId)));
  return [...own, ...nested.flat()];
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function tagValue(tags: any[] | undefined): string | undefined {
  const tag = (tags ?? []).find(t => (t.key ?? t.Key) === WORKLOAD_TAG);
  return tag?.value ?? tag?.Value;
}

/** `arn:aws:ecs:<region>:<account>:service/<cluster>/<name>` (the long ARN format; the short one has no cluster). */
function clusterOfServiceArn(arn: string): string | undefined {
  const parts = arn.split(':').pop()!.split('/');
  return parts.length === 3 ? parts[1] : undefined;
}

async function findWorkloads(aws: AwsCli, resources: StackResource[]): Promise<Workload[]> {
  const [services, jobs] = await Promise.all([findServices(aws, resources), findJobs(aws, resources)]);
  return [...services, ...jobs].sort((a, b) => a.name.localeCompare(b.name));
}

async function findServices(aws: AwsCli, resources: StackResource[]): Promise<Workload[]> {
  const serviceResources = resources.filter(r => r.type === 'AWS::ECS::Service');
  if (serviceResources.length === 0) return [];
  const clusters = resources.filter(r => r.type === 'AWS::ECS::Cluster');
  const byCluster = new Map<string, StackResource[]>();
  for (const resource of serviceResources) {
    const cluster = clusterOfServiceArn(resource.physicalId) ?? clusters[0]?.physicalId ?? 'default';
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), resource]);
  }
  const describe = async (cluster: string, part: StackResource[]): Promise<Array<{ service: any; resource?: StackResource }>> => {
    const result = await aws.call('ecs', 'describe-services', ['--cluster', cluster, '--include', 'TAGS', '--services', ...part.map(r => r.physicalId)]);
    return (result.services ?? []).map((service: any) => ({
      service,
      resource: part.find(r => r.physicalId === service.serviceArn || r.physicalId.endsWith(`/${service.serviceName}`)),
    }));
  };
  const described = await Promise.all([...byCluster].flatMap(([cluster, group]) => chunks(group, 10).map(part => describe(cluster, part))));
  // Stacks deployed before the tag existed: the web services' service-name parameters name them.
  const untagged = described.flat().some(({ service }) => tagValue(service.tags) === undefined);
  const parameterNames = untagged ? await serviceNameParameters(aws, resources) : new Map<string, string>();
  return described.flat().filter(({ service }) => service.status !== 'INACTIVE').map(({ service, resource }) => {
    const name = tagValue(service.tags) ?? parameterNames.get(service.serviceName) ?? resource?.logicalId.toLowerCase() ?? service.serviceName;
    const awsvpc = service.networkConfiguration?.awsvpcConfiguration;
    return {
      name,
      kind: 'service' as const,
      cluster: service.clusterArn,
      taskDefinition: service.taskDefinition,
      network: awsvpc ? { subnets: awsvpc.subnets ?? [], securityGroups: awsvpc.securityGroups ?? [], assignPublicIp: awsvpc.assignPublicIp ?? 'DISABLED' } : undefined,
      placement: servicePlacement(service),
      service,
      stack: resource?.stack ?? '',
      logicalId: resource?.logicalId ?? '',
    };
  });
}

/** RunTask placement of a one-off task like the service's: its capacity provider strategy (Fargate Spot) or launch type. */
export function servicePlacement(service: any): string[] {
  return service.capacityProviderStrategy?.length
    ? ['--capacity-provider-strategy', JSON.stringify(service.capacityProviderStrategy)]
    : ['--launch-type', service.launchType ?? 'FARGATE'];
}

/** Service name -> workload, from the `/<app>/<env>/<workload>/service-name` parameters the stacks create. */
async function serviceNameParameters(aws: AwsCli, resources: StackResource[]): Promise<Map<string, string>> {
  const names = resources.filter(r => r.type === 'AWS::SSM::Parameter' && r.physicalId.endsWith('/service-name')).map(r => r.physicalId);
  const found = new Map<string, string>();
  for (const part of chunks(names, 10)) {
    const result = await aws.call('ssm', 'get-parameters', ['--names', ...part]);
    for (const parameter of result.Parameters ?? []) found.set(parameter.Value, parameter.Name.split('/').slice(-2)[0]);
  }
  return found;
}

/** Schedule rules with an ECS target: the scheduled jobs, named by their task definition's tag. */
async function findJobs(aws: AwsCli, resources: StackResource[]): Promise<Workload[]> {
  const rules = resources.filter(r => r.type === 'AWS::Events::Rule');
  const jobs = await Promise.all(rules.map(async rule => {
    const ruleName = rule.physicalId.split('|').pop()!;
    const targets = (await aws.call('events', 'list-targets-by-rule', ['--rule', ruleName])).Targets ?? [];
    const target = targets.find((t: any) => t.EcsParameters);
    if (!target) return undefined;
    const ecs = target.EcsParameters;
    const described = await aws.call('ecs', 'describe-task-definition', ['--task-definition', ecs.TaskDefinitionArn, '--include', 'TAGS']);
    const awsvpc = ecs.NetworkConfiguration?.awsvpcConfiguration;
    const workload: Workload = {
      name: tagValue(described.tags) ?? rule.logicalId.toLowerCase(),
      kind: 'job',
      cluster: target.Arn,
      taskDefinition: ecs.TaskDefinitionArn,
      network: awsvpc ? { subnets: awsvpc.Subnets ?? [], securityGroups: awsvpc.SecurityGroups ?? [], assignPublicIp: awsvpc.AssignPublicIp ?? 'DISABLED' } : undefined,
      placement: ecs.CapacityProviderStrategy?.length
        ? ['--capacity-provider-strategy', JSON.stringify(ecs.CapacityProviderStrategy.map((s: any) => ({ capacityProvider: s.capacityProvider ?? s.CapacityProvider, weight: s.weight ?? s.Weight ?? 1 })))]
        : ['--launch-type', ecs.LaunchType ?? 'FARGATE'],
      ruleName,
      stack: rule.stack,
      logicalId: rule.logicalId,
    };
    return workload;
  }));
  return jobs.filter((job): job is Workload => job !== undefined);
}
