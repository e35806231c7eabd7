import { Duration, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { IConstruct } from 'constructs';
import { WorkerServiceProps } from './worker-options';
import { checkAll } from '../private/errors';
import { spotStrategies } from '../private/fargate';
import { defaultAppName } from '../private/naming';
import {
  invalidProp, isToken, requireSynthValue, validateDnsLabel, validateIntegerRange, validateNonEmpty, validatePath, validateSeconds,
} from '../private/validation';
import { warnOnCredentialNamedEnvironment } from '../private/warnings';
import { hostNameChecks } from '../service/aliases';
import { capacityChecks, warnOnExecuteCommand } from '../service/capacity-checks';
import { SERVICE_DEFAULTS, targetHealthCheckChecks } from '../service/service-config';
import { ServiceImage } from '../service/service-image';
import { sidecarChecks } from '../service/sidecars';
import { volumeChecks } from '../service/volumes';

/** Name of the worker's container (and of its Service Connect port mapping). */
export const WORKER_CONTAINER = 'worker';

/** A worker's defaults, in one place (a `BackendPlatform` overrides size and Spot from its profile table). */
const WORKER_DEFAULTS = { cpu: 512, memoryLimitMiB: 1024, minCapacity: 1, maxCapacity: 4, messagesPerTask: 10 } as const;

/** Every setting of the worker with its default applied. */
export interface WorkerConfig {
  /** DNS label of the worker: its Service Connect name and its SSM path segment. */
  readonly name: string;
  readonly appName: string;
  readonly image: ServiceImage;
  readonly imageTagParameterName: string;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly messagesPerTask: number;
  readonly port?: number;
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];
  readonly serviceConnectNamespace?: string;
  /** The path patterns of the worker's rule on its internal load balancer (with `internalLoadBalancer`). */
  readonly loadBalancerPathPatterns: string[];
}

/** Validates the props (all problems at once), warns about weakened defaults, and applies the defaults once. */
export function resolveWorkerConfig(scope: IConstruct, props: WorkerServiceProps): WorkerConfig {
  const appName = props.appName ?? defaultAppName(scope);
  const name = scope.node.id.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const d = WORKER_DEFAULTS;
  const minCapacity = props.minCapacity ?? d.minCapacity;
  checkAll([
    () => { if (!props.image) invalidProp(scope, 'image', props.image, 'give the worker\'s image, e.g. ServiceImage.fromEcrRepository(repository)'); },
    () => {
      if (!props.queue && props.port === undefined) {
        invalidProp(scope, 'queue', props.queue, 'a worker needs work: give queue (consume SQS messages), port (serve the platform\'s other workloads), or both');
      }
    },
    () => validateDnsLabel(scope, 'environmentName', props.environmentName),
    () => validateDnsLabel(scope, 'appName', appName),
    () => {
      if (props.minCapacity === 0 && !props.queue) invalidProp(scope, 'minCapacity', 0, 'only a queue worker can wait at 0 tasks (messages start it); give queue or a minimum of 1');
    },
    () => { if (props.environment?.QUEUE_URL !== undefined && props.queue) invalidProp(scope, 'environment.QUEUE_URL', props.environment.QUEUE_URL, 'the worker sets QUEUE_URL to its queue; use another name'); },
    () => validateDnsLabel(scope, 'id', name),
    ...capacityChecks(scope, props, d, 0),
    // A queue worker scales on its backlog per task, in steps with their own cooldown; a utilization target or cooldown would be silently ignored.
    ...(['targetCpuUtilizationPercent', 'targetMemoryUtilizationPercent', 'scaleInCooldown', 'scaleOutCooldown'] as const).map(prop => () => {
      if (props.queue && props[prop] !== undefined) invalidProp(scope, prop, shown(props[prop]), 'a queue worker scales on its backlog per task; set queue.messagesPerTask instead');
    }),
    () => validateIntegerRange(scope, 'port', props.port, 1, 65535),
    () => requireSynthValue(scope, 'port', props.port, 'aws-cdk-lib checks the Service Connect port at synth'),
    () => requireSynthValue(scope, 'queue.messagesPerTask', props.queue?.messagesPerTask, 'the scaling steps are computed from it'),
    () => validateIntegerRange(scope, 'queue.messagesPerTask', props.queue?.messagesPerTask, 1, 100000),
    () => validateIntegerRange(scope, 'queue.maxReceiveCount', props.queue?.maxReceiveCount, 1, 1000),
    () => { if (props.command !== undefined) validateNonEmpty(scope, 'command', props.command); },
    ...containerHealthCheckChecks(scope, props),
    ...loadBalancingChecks(scope, props),
    ...sidecarChecks(scope, props, {
      main: WORKER_CONTAINER,
      mainHealthCheck: props.healthCheckCommand !== undefined,
      mainPorts: props.port !== undefined ? [props.port] : [],
      others: [],
      cpu: props.cpu ?? d.cpu,
      memoryLimitMiB: props.memoryLimitMiB ?? d.memoryLimitMiB,
    }),
    ...volumeChecks(scope, props),
    () => validateSeconds(scope, 'queue.visibilityTimeout', props.queue?.visibilityTimeout, 0, 12 * 3600),
    () => {
      if (props.queue?.queue && (props.queue.visibilityTimeout || props.queue.maxReceiveCount)) {
        invalidProp(scope, 'queue.queue', props.queue.queue.node.path, 'visibilityTimeout and maxReceiveCount configure a new queue; set them on your queue instead');
      }
    },
  ]);
  warnOnCredentialNamedEnvironment(scope, 'environment', props.environment);
  warnOnExecuteCommand(scope, props.enableExecuteCommand);
  return {
    name,
    appName,
    image: props.image!,
    // A worker sharing an image with a custom tag parameter gets its own parameter below it.
    imageTagParameterName: props.image!.ecrOptions?.tagParameterName !== undefined
      ? `${props.image!.ecrOptions.tagParameterName}/${name}` : `/${appName}/${props.environmentName}/${name}/ecr-imgTag`,
    cpu: props.cpu ?? d.cpu,
    memoryLimitMiB: props.memoryLimitMiB ?? d.memoryLimitMiB,
    cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
    minCapacity,
    maxCapacity: props.maxCapacity ?? d.maxCapacity,
    messagesPerTask: props.queue?.messagesPerTask ?? d.messagesPerTask,
    port: props.port,
    capacityProviderStrategies: spotStrategies(props.spot, props.onDemandBaseCapacity, minCapacity),
    serviceConnectNamespace: props.port !== undefined ? serviceConnectNamespace(scope, props, appName) : undefined,
    loadBalancerPathPatterns: props.internalLoadBalancer?.pathPatterns ?? [`/${name}`, `/${name}/*`],
  };
}

/** The namespace a worker in internal mode registers in: given, the cluster's default one, or a new one on an app cluster. */
function serviceConnectNamespace(scope: IConstruct, props: WorkerServiceProps, appName: string): string | undefined {
  if (props.serviceConnectNamespace) return props.serviceConnectNamespace;
  const existing = props.cluster.defaultCloudMapNamespace;
  if (existing) return existing.namespaceName;
  if (!(props.cluster instanceof ecs.Cluster)) {
    throw invalidProp(scope, 'serviceConnectNamespace', undefined, 'an imported cluster has no namespace this library can add; name one');
  }
  const name = `${props.environmentName}.${appName}.internal`;
  props.cluster.addDefaultCloudMapNamespace({ name, useForServiceConnect: true, type: cloudmap.NamespaceType.HTTP });
  return name;
}

/**
 * A container health check runs only the command the user gives (ECS HealthCheck: interval 5-300 s, timeout
 * 2-120 s, retries 1-10); ECS takes a grace period up to 2147483647 s, which a worker uses only with the check.
 */
function containerHealthCheckChecks(scope: IConstruct, props: WorkerServiceProps): Array<() => void> {
  const timing = ['healthCheckInterval', 'healthCheckTimeout', 'unhealthyThresholdCount', 'healthCheckGracePeriod'] as const;
  return [
    () => requireSynthValue(scope, 'healthCheckCommand', props.healthCheckCommand, 'aws-cdk-lib prefixes the command (CMD-SHELL) at synth'),
    () => { if (props.healthCheckCommand !== undefined && !Token.isUnresolved(props.healthCheckCommand)) validateNonEmpty(scope, 'healthCheckCommand', props.healthCheckCommand); },
    ...timing.map(prop => () => {
      if (props[prop] !== undefined && props.healthCheckCommand === undefined) {
        invalidProp(scope, prop, shown(props[prop]), props.internalLoadBalancer
          ? `these time a command run in the worker's container; the load balancer's check takes internalLoadBalancer.${prop}, or give healthCheckCommand`
          : 'a worker has no load balancer: its health check is a command run in its container; give healthCheckCommand or drop it');
      }
    }),
    () => validateSeconds(scope, 'healthCheckInterval', props.healthCheckInterval, 5, 300),
    () => validateSeconds(scope, 'healthCheckTimeout', props.healthCheckTimeout, 2, 120),
    () => {
      const interval = props.healthCheckInterval ?? Duration.seconds(30);
      const timeout = props.healthCheckTimeout ?? Duration.seconds(5);
      if (interval.isUnresolved() || timeout.isUnresolved() || timeout.toMilliseconds() <= interval.toMilliseconds()) return;
      invalidProp(scope, 'healthCheckTimeout', timeout.toHumanString(), `a check cannot wait longer than the interval between checks (${interval.toHumanString()}); lower healthCheckTimeout or raise healthCheckInterval`);
    },
    () => validateIntegerRange(scope, 'unhealthyThresholdCount', props.unhealthyThresholdCount, 1, 10),
    () => validateSeconds(scope, 'healthCheckGracePeriod', props.healthCheckGracePeriod, 0, 2147483647),
  ];
}

/** An ALB rule takes at most 5 condition values, paths and host names together (Elastic Load Balancing's quotas for a listener rule). */
const MAX_RULE_PATHS = 5;

/**
 * An internal load balancer forwards to the worker's port, with a target group's health check (the web service's
 * limits) on `healthCheckPath`; one grace period for the service, set once.
 */
function loadBalancingChecks(scope: IConstruct, props: WorkerServiceProps): Array<() => void> {
  const lb = props.internalLoadBalancer;
  if (lb === undefined) {
    return [
      () => { if (props.loadBalancer) invalidProp(scope, 'loadBalancer', props.loadBalancer.node.path, 'a worker joins a load balancer with internalLoadBalancer: {} (and a port); give it or drop loadBalancer'); },
      // Only a target group checks a path: without one the prop would be ignored.
      () => {
        if (props.healthCheckPath !== undefined) {
          invalidProp(scope, 'healthCheckPath', props.healthCheckPath, 'a worker has a target group to check it only with internalLoadBalancer: {} (and a port); '
            + 'give that, or healthCheckCommand for a container health check, or drop healthCheckPath');
        }
      },
    ];
  }
  const patterns = lb.pathPatterns;
  return [
    () => {
      if (props.port === undefined) invalidProp(scope, 'internalLoadBalancer', lb, 'a load balancer forwards requests to the worker\'s port; give port (e.g. 8080) or drop internalLoadBalancer');
    },
    () => {
      if (patterns === undefined || isToken(patterns)) return;
      validateNonEmpty(scope, 'internalLoadBalancer.pathPatterns', patterns);
      if (patterns.length > MAX_RULE_PATHS) {
        invalidProp(scope, 'internalLoadBalancer.pathPatterns', patterns, `an ALB rule takes at most ${MAX_RULE_PATHS} path patterns; use wider patterns (e.g. "/reports/*")`);
      }
      patterns.forEach((pattern, i) => validatePath(scope, `internalLoadBalancer.pathPatterns[${i}]`, pattern));
    },
    () => validateIntegerRange(scope, 'internalLoadBalancer.priority', lb.priority, 1, 50000),
    () => requireSynthValue(scope, 'internalLoadBalancer.priority', lb.priority, 'collisions between workers are found at synth'),
    ...targetHealthCheckChecks(scope, lb, 'internalLoadBalancer.'),
    () => requireSynthValue(scope, 'internalLoadBalancer.healthCheckInterval', lb.healthCheckInterval, 'aws-cdk-lib checks the target group health check at synth'),
    () => requireSynthValue(scope, 'internalLoadBalancer.healthCheckTimeout', lb.healthCheckTimeout, 'aws-cdk-lib checks the target group health check at synth'),
    () => validateSeconds(scope, 'internalLoadBalancer.deregistrationDelay', lb.deregistrationDelay, 0, 3600),
    () => requireSynthValue(scope, 'internalLoadBalancer.deregistrationDelay', lb.deregistrationDelay, 'the target group attribute is written as text at synth'),
    () => { if (props.healthCheckPath !== undefined) validatePath(scope, 'healthCheckPath', props.healthCheckPath); },
    () => {
      if (lb.healthCheckGracePeriod !== undefined && props.healthCheckGracePeriod !== undefined) {
        invalidProp(scope, 'internalLoadBalancer.healthCheckGracePeriod', shown(lb.healthCheckGracePeriod), 'ECS has one grace period per service, which healthCheckGracePeriod already sets; give it once');
      }
    },
    () => {
      if (lb.healthCheckPort !== undefined && lb.healthCheckPort === props.port) {
        invalidProp(scope, 'internalLoadBalancer.healthCheckPort', lb.healthCheckPort, 'that is the worker\'s port, which the load balancer checks by default; drop it');
      }
    },
    ...aliasesChecks(scope, props),
  ];
}

/** A worker's aliases: host names of the load balancer's zone, on a load balancer with HTTPS, fitting one rule with the paths. */
function aliasesChecks(scope: IConstruct, props: WorkerServiceProps): Array<() => void> {
  const aliases = props.internalLoadBalancer?.aliases;
  if (aliases === undefined) return [];
  const https = props.loadBalancer?._https;
  const prop = 'internalLoadBalancer.aliases';
  if (Array.isArray(aliases) && aliases.length === 0) return [() => validateNonEmpty(scope, prop, aliases)];
  return [
    ...hostNameChecks(scope, prop, aliases, https?.hostedZone, props.loadBalancer?.domainName, 'each alias gets a DNS record, a certificate and a rule condition'),
    () => {
      if (!https) {
        invalidProp(scope, prop, aliases, 'an alias is served over HTTPS, and the load balancer has no HTTPS listener; in a BackendPlatform give the platform a hostedZone, '
          + 'standalone give loadBalancer: new InternalLoadBalancer(scope, id, { vpc, https: { hostedZone } }); or drop aliases');
      }
    },
    () => {
      const paths = props.internalLoadBalancer?.pathPatterns?.length ?? 2;
      if (Array.isArray(aliases) && aliases.length + paths > MAX_RULE_PATHS) {
        invalidProp(scope, prop, aliases, `the worker's HTTPS rule would match ${aliases.length} host names and ${paths} path patterns, over the ${MAX_RULE_PATHS} condition values `
          + 'an ALB rule takes (Elastic Load Balancing\'s quotas for a listener rule); drop aliases, or route fewer path patterns (pathPatterns: [\'/*\'] is one)');
      }
    },
  ];
}

/** The target group health check of a load-balanced worker: the web service's defaults (docs/adr/0023). */
export const WORKER_TARGET_DEFAULTS = {
  healthCheckPath: SERVICE_DEFAULTS.healthCheckPath,
  healthCheckSuccessCodes: SERVICE_DEFAULTS.healthCheckSuccessCodes,
  healthCheckInterval: SERVICE_DEFAULTS.healthCheckInterval,
  healthyThresholdCount: SERVICE_DEFAULTS.healthyThresholdCount,
  unhealthyThresholdCount: SERVICE_DEFAULTS.unhealthyThresholdCount,
  deregistrationDelay: SERVICE_DEFAULTS.deregistrationDelay,
  healthCheckGracePeriod: SERVICE_DEFAULTS.healthCheckGracePeriod,
} as const;

/** A value as an error shows it: a literal Duration in words, anything else as given. */
function shown(value: unknown): unknown {
  return value instanceof Duration && !value.isUnresolved() ? value.toHumanString() : value;
}
