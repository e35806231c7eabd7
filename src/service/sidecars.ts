import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { addCollector, COLLECTOR, COLLECTOR_MEMORY_MIB, COLLECTOR_PORTS, collectorChecks, collectorPortCheck, hasCollector, WorkloadIdentity } from './collector';
import { FireLensOptions, LogDestination } from './log-destination';
import { ServiceImage } from './service-image';
import { ContainerStartDependency, SidecarOptions, SidecarsOptions } from './sidecar-options';
import type { ServiceTask } from './task';
import { pascal } from '../private/naming';
import { invalidProp, isToken, propName, requireSynthValue, validateIntegerRange, validateNonEmpty, validateSeconds } from '../private/validation';
import { warnOnCredentialNamedEnvironment } from '../private/warnings';

/** The containers of a task that sidecars are checked against. */
export interface TaskContainers {
  /** Name of the main container. */
  readonly main: string;
  /** Whether the main container has a container health check (for `HEALTHY`). */
  readonly mainHealthCheck: boolean;
  /** The other routed or library-added containers, by name, with their ports. */
  readonly others: ReadonlyArray<{ readonly name: string; readonly ports: readonly number[] }>;
  /** Ports of the main container. */
  readonly mainPorts: readonly number[];
  readonly cpu: number;
  readonly memoryLimitMiB: number;
}

/** ECS: a task definition holds at most 10 containers (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html). */
export const MAX_CONTAINERS_PER_TASK = 10;
const CONTAINER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const DEFAULT_CONDITION = ecs.ContainerDependencyCondition.START;
/**
 * AWS for Fluent Bit, pinned by its version tag (AWS never moves a version tag; `stable` and `latest` move), from
 * ECR Public (https://gallery.ecr.aws/aws-observability/aws-for-fluent-bit, releases at
 * https://github.com/aws/aws-for-fluent-bit/releases). ECS pulls it into the task; it runs as a container of its own.
 */
const FLUENT_BIT_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.14';
/** Name of the FireLens log router container (the name AWS's examples and Copilot give it). */
export const LOG_ROUTER = 'log_router';
const DEFAULT_ROUTER_MEMORY_MIB = 50;
const routerMemoryOf = (options: FireLensOptions) => options.routerMemoryReservationMiB ?? DEFAULT_ROUTER_MEMORY_MIB;

/**
 * The checks of a workload's sidecars, to run with its other checks: names, ports, sizes within the task, and the
 * dependency rules ECS applies at RegisterTaskDefinition or task start (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html).
 */
export function sidecarChecks(scope: IConstruct, props: SidecarsOptions, task: TaskContainers): Array<() => void> {
  const byName = new Map<string, SidecarOptions>((props.sidecars ?? []).filter(s => typeof s?.name === 'string').map(s => [s.name, s]));
  const fireLens = props.logging?.fireLensOptions;
  // The log router is one more sidecar for the task's names, count and memory.
  const sidecars = props.sidecars ?? [];
  const collector = hasCollector(props);
  const added = [...(fireLens ? [{ name: LOG_ROUTER, ports: [] }] : []), ...(collector ? [{ name: COLLECTOR, ports: COLLECTOR_PORTS }] : [])];
  const containers: TaskContainers = { ...task, others: [...task.others, ...added] };
  const routerMemory = fireLens
    ? [{ name: LOG_ROUTER, image: ServiceImage.placeholder(), memoryReservationMiB: routerMemoryOf(fireLens) }]
    : [];
  const collectorMemory = collector ? [{ name: COLLECTOR, image: ServiceImage.placeholder(), memoryReservationMiB: COLLECTOR_MEMORY_MIB }] : [];
  return [
    ...collectorChecks(scope, props),
    () => collectorPortCheck(scope, props, task.mainPorts),
    () => { if (fireLens) validateFireLens(scope, fireLens); },
    ...sidecars.map((sidecar, i) => () => validateSidecar(scope, `sidecars[${i}]`, sidecar)),
    () => validateNames(scope, sidecars, containers),
    () => validatePorts(scope, sidecars, containers),
    () => validateShares(scope, [...sidecars, ...routerMemory, ...collectorMemory], containers),
    ...sidecars.map((sidecar, i) => () => validateDependencies(scope, `sidecars[${i}].dependsOn`, sidecar.dependsOn, byName, task, sidecar.name)),
    () => validateDependencies(scope, 'mainContainerDependsOn', props.mainContainerDependsOn, byName, task, task.main),
    () => validateNoCycle(scope, props, task.main),
    () => sidecars.forEach((sidecar, i) => warnOnCredentialNamedEnvironment(scope, `sidecars[${i}].environment`, sidecar.environment)),
  ];
}

/** Fluent Bit needs the output plugin's name; ECS refuses empty option values. */
function validateFireLens(scope: IConstruct, options: { options: { [key: string]: string }; routerMemoryReservationMiB?: number }): void {
  if (isToken(options.options)) return;
  if (typeof options.options?.Name !== 'string' || options.options.Name === '') {
    invalidProp(scope, 'logging.options.Name', options.options?.Name, 'name the Fluent Bit output plugin, e.g. { Name: "kinesis_firehose", region: "eu-west-1", delivery_stream: "logs" }');
  }
  for (const [key, value] of Object.entries(options.options)) {
    if (value === '') invalidProp(scope, `logging.options.${key}`, value, 'ECS refuses an empty option value; give one or drop the option');
  }
  validateIntegerRange(scope, 'logging.routerMemoryReservationMiB', options.routerMemoryReservationMiB, 6, 122880);
}

function validateSidecar(scope: IConstruct, prop: string, sidecar: SidecarOptions): void {
  if (!isToken(sidecar.name) && !CONTAINER_NAME.test(sidecar.name)) {
    invalidProp(scope, `${prop}.name`, sidecar.name, 'use 1-255 letters, digits, hyphens or underscores (e.g. "envoy")');
  }
  if (sidecar.command !== undefined) validateNonEmpty(scope, `${prop}.command`, sidecar.command);
  (sidecar.containerPorts ?? []).forEach((port, j) => validateIntegerRange(scope, `${prop}.containerPorts[${j}]`, port, 1, 65535));
  validateIntegerRange(scope, `${prop}.cpu`, sidecar.cpu, 0, 16384);
  // Docker reserves at least 6 MiB for a container (ContainerDefinition.memory).
  validateIntegerRange(scope, `${prop}.memoryLimitMiB`, sidecar.memoryLimitMiB, 6, 122880);
  validateIntegerRange(scope, `${prop}.memoryReservationMiB`, sidecar.memoryReservationMiB, 6, 122880);
  const [limit, reservation] = [sidecar.memoryLimitMiB, sidecar.memoryReservationMiB];
  if (limit !== undefined && reservation !== undefined && !isToken(limit) && !isToken(reservation) && reservation > limit) {
    invalidProp(scope, `${prop}.memoryReservationMiB`, reservation, `ECS requires the reservation to be at most the limit (${propName(scope, `${prop}.memoryLimitMiB`)} ${limit}); lower it or raise the limit`);
  }
  const check = sidecar.healthCheck;
  if (check) {
    requireSynthValue(scope, `${prop}.healthCheck.command`, check.command, 'aws-cdk-lib prefixes the command (CMD-SHELL) at synth');
    validateNonEmpty(scope, `${prop}.healthCheck.command`, check.command);
    validateSeconds(scope, `${prop}.healthCheck.interval`, check.interval, 5, 300);
    validateSeconds(scope, `${prop}.healthCheck.timeout`, check.timeout, 2, 120);
    validateIntegerRange(scope, `${prop}.healthCheck.retries`, check.retries, 1, 10);
    validateSeconds(scope, `${prop}.healthCheck.startPeriod`, check.startPeriod, 0, 300);
  }
}

/** Names are unique in the task, and so are the log groups' construct IDs derived from them (`my-proxy` and `my_proxy` would share one). */
function validateNames(scope: IConstruct, sidecars: SidecarOptions[], task: TaskContainers): void {
  const taken = new Map<string, string>([task.main, ...task.others.map(o => o.name)].map(name => [pascal(name), name]));
  sidecars.forEach((sidecar, i) => {
    if (isToken(sidecar.name)) return;
    const clash = taken.get(pascal(sidecar.name));
    if (clash !== undefined) {
      const what = clash === task.main ? 'the main container\'s name' : `the name of another container ("${clash}")`;
      invalidProp(scope, `sidecars[${i}].name`, sidecar.name, `it is ${clash === sidecar.name ? what : `too close to ${what}: their log groups would share one ID`}; rename the sidecar`);
    }
    taken.set(pascal(sidecar.name), sidecar.name);
  });
  const total = 1 + task.others.length + sidecars.length;
  if (total > MAX_CONTAINERS_PER_TASK) {
    invalidProp(scope, 'sidecars', `${sidecars.length} sidecars`, `the task would hold ${total} containers and ECS takes at most ${MAX_CONTAINERS_PER_TASK} per task definition; remove ${total - MAX_CONTAINERS_PER_TASK}`);
  }
}

/** The task's containers share one network namespace (awsvpc): two cannot listen on one port. */
function validatePorts(scope: IConstruct, sidecars: SidecarOptions[], task: TaskContainers): void {
  const owners = new Map<number, string>();
  task.mainPorts.forEach(port => owners.set(port, task.main));
  task.others.forEach(other => other.ports.forEach(port => owners.set(port, other.name)));
  sidecars.forEach((sidecar, i) => (sidecar.containerPorts ?? []).forEach((port, j) => {
    if (isToken(port)) return;
    const owner = owners.get(port);
    if (owner !== undefined) {
      invalidProp(scope, `sidecars[${i}].containerPorts[${j}]`, port, `container "${owner}" already listens on it and the task's containers share one network; pick another port`);
    }
    owners.set(port, sidecar.name);
  }));
}

/**
 * The sidecars' CPU and memory fit in the task with some left for the main container: ECS requires the containers'
 * reservations to be lower than the task's (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
 */
function validateShares(scope: IConstruct, sidecars: SidecarOptions[], task: TaskContainers): void {
  const sum = (values: Array<number | undefined>) => (values.some(v => isToken(v)) ? undefined : values.reduce<number>((a, v) => a + (v ?? 0), 0));
  const cpu = sum(sidecars.map(s => s.cpu));
  const memory = sum(sidecars.map(s => (s.memoryLimitMiB !== undefined || s.memoryReservationMiB !== undefined
    ? Math.max(s.memoryLimitMiB ?? 0, s.memoryReservationMiB ?? 0) : undefined)));
  if (cpu !== undefined && !isToken(task.cpu) && cpu >= task.cpu) {
    invalidProp(scope, 'sidecars[].cpu', cpu, `the sidecars reserve ${cpu} of the task's ${task.cpu} CPU units and leave none to the main container; lower their cpu or raise ${propName(scope, 'cpu')}`);
  }
  if (memory !== undefined && !isToken(task.memoryLimitMiB) && memory >= task.memoryLimitMiB) {
    invalidProp(scope, 'sidecars[].memoryLimitMiB', memory, `the sidecars take ${memory} of the task's ${task.memoryLimitMiB} MiB and leave none to the main container; lower their memory or raise ${propName(scope, 'memoryLimitMiB')}`);
  }
}

function validateDependencies(
  scope: IConstruct, prop: string, dependencies: ContainerStartDependency[] | undefined, sidecars: Map<string, SidecarOptions>,
  task: TaskContainers, dependent: string,
): void {
  (dependencies ?? []).forEach((dependency, i) => {
    const at = `${prop}[${i}]`;
    const name = dependency.containerName;
    const condition = dependency.condition ?? DEFAULT_CONDITION;
    const names = [task.main, ...sidecars.keys()];
    if (name === dependent) invalidProp(scope, `${at}.containerName`, name, 'a container cannot wait for itself; name another one');
    const sidecar = sidecars.get(name);
    if (!sidecar && name !== task.main) {
      invalidProp(scope, `${at}.containerName`, name, `the task has no such sidecar or main container; use one of ${names.map(n => JSON.stringify(n)).join(', ')}`);
    }
    const healthCheck = sidecar ? sidecar.healthCheck !== undefined : task.mainHealthCheck;
    if (condition === ecs.ContainerDependencyCondition.HEALTHY && !healthCheck) {
      invalidProp(scope, `${at}.condition`, condition, `ECS can only wait for "${name}" to be HEALTHY if it has a container health check; give it one${sidecar ? ' (healthCheck)' : ''} or wait for START`);
    }
    const essential = sidecar ? sidecar.essential !== false : true;
    if ((condition === ecs.ContainerDependencyCondition.COMPLETE || condition === ecs.ContainerDependencyCondition.SUCCESS) && essential) {
      invalidProp(scope, `${at}.condition`, condition, `ECS refuses ${condition} on an essential container ("${name}" stopping would stop the task); `
        + (sidecar ? 'give that sidecar essential: false' : 'the main container is always essential; wait for START or HEALTHY'));
    }
  });
}

/** ECS starts no container of a task whose dependencies form a cycle. */
function validateNoCycle(scope: IConstruct, props: SidecarsOptions, main: string): void {
  const edges = new Map<string, string[]>((props.sidecars ?? []).map(s => [s.name, (s.dependsOn ?? []).map(d => d.containerName)]));
  edges.set(main, (props.mainContainerDependsOn ?? []).map(d => d.containerName));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    for (const next of edges.get(name) ?? []) {
      const cycle = visit(next, [...path, name]);
      if (cycle) return cycle;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of edges.keys()) {
    const cycle = visit(name, []);
    if (cycle) invalidProp(scope, 'sidecars[].dependsOn', cycle.join(' -> '), 'these containers wait for each other, so ECS starts none of them; drop one of the dependencies');
  }
}

/** Adds the sidecars to the task, then every container's start dependencies (a sidecar may wait for one declared after it). */
export function addSidecars(
  scope: Construct, task: ServiceTask, props: SidecarsOptions, main: ecs.ContainerDefinition, workload: WorkloadIdentity,
): void {
  addLogRouter(task, props.logging);
  addCollector(scope, task, props, main, workload);
  const sidecars = props.sidecars ?? [];
  const containers = new Map<string, ecs.ContainerDefinition>([[main.containerName, main]]);
  for (const sidecar of sidecars) {
    const check = sidecar.healthCheck;
    containers.set(sidecar.name, task.addContainer({
      name: sidecar.name,
      image: sidecar.image,
      command: sidecar.command,
      environment: sidecar.environment,
      secrets: sidecar.secrets,
      healthCheck: check
        ? { command: check.command, interval: check.interval, timeout: check.timeout, retries: check.retries, startPeriod: check.startPeriod }
        : undefined,
      definition: {
        essential: sidecar.essential ?? true,
        cpu: sidecar.cpu,
        memoryLimitMiB: sidecar.memoryLimitMiB,
        memoryReservationMiB: sidecar.memoryReservationMiB,
        portMappings: sidecar.containerPorts?.map(containerPort => ({ containerPort })),
      },
    }));
  }
  const depend = (dependent: ecs.ContainerDefinition, dependencies: ContainerStartDependency[] | undefined) => {
    for (const dependency of dependencies ?? []) {
      const container = containers.get(dependency.containerName)!;
      dependent.addContainerDependencies({ container, condition: dependency.condition ?? DEFAULT_CONDITION });
    }
  };
  sidecars.forEach(sidecar => depend(containers.get(sidecar.name)!, sidecar.dependsOn));
  depend(main, props.mainContainerDependsOn);
}

/**
 * With FireLens, the task's log router: AWS for Fluent Bit (pinned) in a container of its own, essential (a task
 * whose router stopped would lose its logs), logging to CloudWatch itself. ECS starts it before the other containers.
 */
function addLogRouter(task: ServiceTask, logging: LogDestination | undefined): void {
  const fireLens = logging?.fireLensOptions;
  if (!fireLens) return;
  task.addContainer({
    name: LOG_ROUTER,
    image: fireLens.routerImage ?? ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry(FLUENT_BIT_IMAGE)),
    firelensConfig: { type: ecs.FirelensLogRouterType.FLUENTBIT },
    definition: { essential: true, memoryReservationMiB: routerMemoryOf(fireLens) },
  });
}

/** A container's log driver: its log group (the router's always), or FireLens to the destination's output. */
export function logDriverFor(logging: LogDestination | undefined, containerName: string, logGroup: logs.ILogGroup): ecs.LogDriver {
  const fireLens = logging?.fireLensOptions;
  if (!fireLens || containerName === LOG_ROUTER) return ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: containerName });
  return ecs.LogDrivers.firelens({ options: fireLens.options, secretOptions: fireLens.secretOptions });
}
