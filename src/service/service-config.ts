import { Annotations, Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, IConstruct } from 'constructs';
import { aliasChecks, EdgeDomain, edgeDomainOf } from './aliases';
import { capacityChecks, warnOnExecuteCommand } from './capacity-checks';
import { CLOUDFRONT_REGION, validateWebAcl } from './cloudfront-web-acl';
import { BlueGreenSettings } from './deployment';
import { MAX_PRIORITY_BLOCK, MAX_ROUTED_CONTAINERS } from './routes';
import { EdgeMode, HealthCheckOptions, RoutedContainerOptions, SecureAlbFargateServiceProps } from './service-options';
import { sidecarChecks, TaskContainers } from './sidecars';
import { volumeChecks } from './volumes';
import { checkAll } from '../private/errors';
import { spotStrategies } from '../private/fargate';
import { backendParameterName, defaultAppName } from '../private/naming';
import {
  invalidProp, isToken, requireSynthValue, validateDnsLabel, validateDomainName, validateIntegerRange, validateNonEmpty, validatePath,
  validateSeconds, validateUnique,
} from '../private/validation';
import { libraryWarningId, warnOnCredentialNamedEnvironment, warnWeakenedDefault } from '../private/warnings';

/** The web service's own defaults, in one place (a `BackendPlatform` overrides some from its profile table). */
export const SERVICE_DEFAULTS = {
  cpu: 1024,
  memoryLimitMiB: 2048,
  minCapacity: 2,
  maxCapacity: 4,
  targetUtilizationPercent: 80,
  containerPort: 8080,
  healthCheckPath: '/health',
  healthCheckInterval: Duration.seconds(10),
  healthCheckTimeout: Duration.seconds(5),
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 3,
  healthCheckSuccessCodes: '200-399',
  deregistrationDelay: Duration.seconds(30),
  healthCheckGracePeriod: Duration.seconds(60),
} as const;

/** Blue/green defaults (docs/adr/0008). */
export const DEPLOYMENT_DEFAULTS = {
  bakeTime: Duration.minutes(5),
  smokeTestTimeout: Duration.seconds(10),
} as const;
/** The AWS::ECS::Service schema's maximum of `BakeTimeInMinutes`. */
export const MAX_BAKE_TIME_MINUTES = 1440;

/** Name of the main container; routed containers may not take it. */
export const MAIN_CONTAINER = 'app';
const MAX_RULE_CONDITION_VALUES = 5;
const LISTENER_RULE_QUOTAS = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html';
/** RFC 5280 limit on a certificate's common name, which ACM applies to the domain name. */
const MAX_CERTIFICATE_DOMAIN_LENGTH = 64;
/**
 * CloudFront's default quota of cache behaviours per distribution (25, https://docs.aws.amazon.com/general/latest/gr/cf_region.html;
 * the Developer Guide now lists 75), the default one excluded. Services added to a platform share the default behaviour.
 */
const MAX_CACHE_BEHAVIORS = 24;

/** Every setting of the service with its default applied: what the builders read. */
export interface ServiceConfig {
  readonly appName: string;
  readonly environmentName: string;
  /** The segment of the service's SSM paths: `backend` for a service with its own edge, its id for one sharing another's. */
  readonly workloadName: string;
  /** The load balancer's host name in the hosted zone; none without a zone. */
  readonly loadBalancerDomainName?: string;
  readonly imageTagParameterName: string;
  readonly edgeMode: EdgeMode;
  readonly cloudFront: boolean;
  readonly main: RoutedContainerOptions;
  readonly routed: RoutedContainerOptions[];
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];
  readonly healthCheckInterval: Duration;
  readonly healthCheckTimeout: Duration;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  readonly deregistrationDelay: Duration;
  /** Blue/green settings; none for a rolling deployment. */
  readonly blueGreen?: BlueGreenSettings;
  /** The custom domain of the edge the service is on (its own, or the one of the service it shares). */
  readonly domain: EdgeDomain;
  /** The service's aliases. */
  readonly aliases: string[];
  /** The host names every listener rule of the service matches: its aliases on a shared edge, none otherwise. */
  readonly hostNames: string[];
}

/** Validates the props (all at synth, naming the prop), warns about weakened defaults, and applies the defaults once. */
export function resolveServiceConfig(scope: Construct, props: SecureAlbFargateServiceProps): ServiceConfig {
  const appName = props.appName ?? defaultAppName(scope);
  const workloadName = props.shareEdgeWith ? scope.node.id.toLowerCase().replace(/[^a-z0-9-]/g, '-') : 'backend';
  const domain = props.shareEdgeWith ? edgeDomainOf(props.shareEdgeWith) : edgeDomain(props);
  validateProps(scope, props, appName, workloadName, domain);
  warnOnWeakenedDefaults(scope, props);
  const aliases = props.aliases ?? [];
  const d = SERVICE_DEFAULTS;
  const minCapacity = props.minCapacity ?? d.minCapacity;
  const healthCheckInterval = props.healthCheckInterval ?? d.healthCheckInterval;
  return {
    appName,
    environmentName: props.environmentName,
    workloadName,
    loadBalancerDomainName: loadBalancerDomainName(props),
    imageTagParameterName: imageTagParameterName(props, appName, workloadName),
    edgeMode: edgeModeOf(props),
    cloudFront: cloudFrontOf(props),
    main: {
      name: MAIN_CONTAINER,
      containerPort: props.containerPort ?? d.containerPort,
      pathPatterns: props.pathPatterns ?? [],
      image: props.image,
      healthCheckPath: props.healthCheckPath,
      healthCheckPort: props.healthCheckPort,
      healthCheckSuccessCodes: props.healthCheckSuccessCodes,
      command: props.command,
      environment: props.environment,
      secrets: props.secrets,
    },
    routed: props.routedContainers ?? [],
    cpu: props.cpu ?? d.cpu,
    memoryLimitMiB: props.memoryLimitMiB ?? d.memoryLimitMiB,
    cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
    minCapacity,
    maxCapacity: props.maxCapacity ?? d.maxCapacity,
    capacityProviderStrategies: spotStrategies(props.spot, props.onDemandBaseCapacity, minCapacity),
    healthCheckInterval,
    healthCheckTimeout: props.healthCheckTimeout ?? defaultTimeout(healthCheckInterval),
    healthyThresholdCount: props.healthyThresholdCount ?? d.healthyThresholdCount,
    unhealthyThresholdCount: props.unhealthyThresholdCount ?? d.unhealthyThresholdCount,
    deregistrationDelay: props.deregistrationDelay ?? d.deregistrationDelay,
    blueGreen: blueGreenSettings(props),
    domain,
    aliases,
    hostNames: props.shareEdgeWith ? aliases : [],
  };
}

/** The custom domain of the edge a service creates. */
function edgeDomain(props: SecureAlbFargateServiceProps): EdgeDomain {
  return {
    domainName: props.domainName,
    hostedZone: props.hostedZone,
    userCertificate: props.domainCertificate !== undefined,
    cachedPathPatterns: props.cachedPathPatterns ?? [],
    cloudFront: cloudFrontOf(props),
    loadBalancerDomainName: loadBalancerDomainName(props),
  };
}

/** The ALB requires the timeout to be shorter than the interval: 5 seconds, or one second less than a shorter interval. */
function defaultTimeout(interval: Duration): Duration {
  const timeout = SERVICE_DEFAULTS.healthCheckTimeout;
  return interval.isUnresolved() ? timeout : Duration.seconds(Math.min(timeout.toSeconds(), interval.toSeconds() - 1));
}

/** The image's own tag parameter, below it a sharing service's (it often deploys the same image), or the workload's. */
function imageTagParameterName(props: SecureAlbFargateServiceProps, appName: string, workloadName: string): string {
  const custom = props.image.ecrOptions?.tagParameterName;
  if (custom !== undefined) return props.shareEdgeWith ? `${custom}/${workloadName}` : custom;
  return backendParameterName(appName, props.environmentName, 'ecr-imgTag', workloadName);
}

/** The blue/green settings with their defaults, when the service deploys blue/green. */
function blueGreenSettings(props: SecureAlbFargateServiceProps): BlueGreenSettings | undefined {
  const deployment = props.deployment;
  if (deployment?.strategy !== ecs.DeploymentStrategy.BLUE_GREEN) return undefined;
  const options = deployment.blueGreenOptions ?? {};
  return {
    bakeTime: options.bakeTime ?? DEPLOYMENT_DEFAULTS.bakeTime,
    smokeTestPath: options.smokeTestPath ?? props.healthCheckPath ?? SERVICE_DEFAULTS.healthCheckPath,
    smokeTestTimeout: options.smokeTestTimeout ?? DEPLOYMENT_DEFAULTS.smokeTestTimeout,
  };
}

/**
 * Blue/green deployments: ECS takes a bake time of 0-1440 whole minutes (the AWS::ECS::Service schema); the smoke
 * test answers within a minute; only the VPC-origin edge has a test route that neither CloudFront nor the internet
 * reaches; a smoke-test path is one concrete path (no wildcard) on the test listener.
 */
function validateDeployment(scope: Construct, props: SecureAlbFargateServiceProps): void {
  const deployment = props.deployment;
  if (deployment?.strategy !== ecs.DeploymentStrategy.BLUE_GREEN) return;
  const options = deployment.blueGreenOptions ?? {};
  checkAll([
    () => {
      if (edgeModeOf(props) !== EdgeMode.VPC_ORIGIN) {
        invalidProp(scope, 'deployment', 'ServiceDeployment.blueGreen()', 'blue/green smoke-tests the new tasks on a test listener reachable only '
          + 'from inside the VPC, which an internet-facing load balancer cannot offer; keep the default edgeMode (EdgeMode.VPC_ORIGIN) or use ServiceDeployment.rolling()');
      }
    },
    () => validateWholeMinutes(scope, 'deployment.bakeTime', options.bakeTime, 0, MAX_BAKE_TIME_MINUTES),
    () => {
      const path = options.smokeTestPath;
      if (path === undefined || isToken(path)) return;
      validatePath(scope, 'deployment.smokeTestPath', path);
      if (path.includes('*')) invalidProp(scope, 'deployment.smokeTestPath', path, 'the smoke test requests one concrete path; drop the wildcard (e.g. "/health")');
    },
    () => validateSeconds(scope, 'deployment.smokeTestTimeout', options.smokeTestTimeout, 1, 60),
  ]);
}

function validateWholeMinutes(scope: Construct, prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) return;
  const minutes = value.toMilliseconds() / 60000;
  if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
    invalidProp(scope, prop, `${minutes} minutes`, `give whole minutes from ${min} to ${max} (e.g. Duration.minutes(${Math.min(Math.max(Math.round(minutes), min), max)}))`);
  }
}

/**
 * The mode of the edge the service shares, or VPC origin unless the user asks for a public ALB, or for no
 * CloudFront (which only a public ALB can serve).
 */
function edgeModeOf(props: SecureAlbFargateServiceProps): EdgeMode {
  if (props.shareEdgeWith) return props.shareEdgeWith.edgeMode;
  return props.edgeMode ?? (props.cloudFront === false ? EdgeMode.PUBLIC_ALB : EdgeMode.VPC_ORIGIN);
}

function cloudFrontOf(props: SecureAlbFargateServiceProps): boolean {
  return props.shareEdgeWith ? props.shareEdgeWith.distribution !== undefined : props.cloudFront ?? true;
}

/** The hosted zone's name as DNS records and certificates take it: Route 53's trailing dot dropped, lower case. */
function zoneNameOf(props: SecureAlbFargateServiceProps): string | undefined {
  const name = props.hostedZone?.zoneName;
  return name === undefined || isToken(name) ? name : name.replace(/\.$/, '').toLowerCase();
}

function loadBalancerDomainName(props: SecureAlbFargateServiceProps): string | undefined {
  const owner = props.shareEdgeWith;
  if (owner) return owner.certificate ? owner.loadBalancerDomainName : undefined;
  if (!props.hostedZone) return undefined;
  return props.loadBalancerDomainName ?? `${props.environmentName}-lb.${props.baseDomainName ?? zoneNameOf(props)}`;
}

/** The prop that decides the load balancer's host name, and its value, for errors. */
export function loadBalancerDomainNameProp(props: SecureAlbFargateServiceProps): { prop: string; value: string } {
  return props.loadBalancerDomainName !== undefined
    ? { prop: 'loadBalancerDomainName', value: props.loadBalancerDomainName }
    : { prop: 'environmentName', value: props.environmentName };
}

function warnOnWeakenedDefaults(scope: Construct, props: SecureAlbFargateServiceProps): void {
  warnOnCredentialNamedEnvironment(scope, 'environment', props.environment);
  (props.routedContainers ?? []).forEach((routed, i) => warnOnCredentialNamedEnvironment(scope, `routedContainers[${i}].environment`, routed.environment));
  if (props.deletionProtection === false) {
    warnWeakenedDefault(scope, 'deletionProtection', false, 'a stack update or removal can delete the load balancer', 'keep the default (true) outside throw-away environments');
  }
  if (!props.hostedZone && !props.shareEdgeWith && edgeModeOf(props) === EdgeMode.VPC_ORIGIN) {
    Annotations.of(scope).addWarningV2(libraryWarningId('hostedZone'), 'no hostedZone: CloudFront reaches the internal load balancer over plain HTTP '
      + 'inside AWS\'s network, as no certificate can be issued for its amazonaws.com name; give a hostedZone to encrypt origin traffic');
  }
  if (props.cloudFront === false) {
    warnWeakenedDefault(scope, 'cloudFront', false, 'the load balancer no longer requires the origin-verify header, so any CloudFront distribution can reach it',
      'keep the default (true), or front it with your own distribution and AWS WAF');
  }
  warnOnExecuteCommand(scope, props.enableExecuteCommand);
}

function validateProps(scope: Construct, props: SecureAlbFargateServiceProps, appName: string, workloadName: string, domain: EdgeDomain): void {
  const hostName = loadBalancerDomainName(props);
  const host = loadBalancerDomainNameProp(props);
  checkAll([
    () => validateDnsLabel(scope, 'environmentName', props.environmentName),
    () => validateDnsLabel(scope, 'appName', appName),
    () => { if (props.shareEdgeWith) validateSharedEdge(scope, props, workloadName); },
    () => validatePriorityBlock(scope, props),
    () => { if (props.baseDomainName !== undefined) validateDomainName(scope, 'baseDomainName', props.baseDomainName); },
    () => {
      if (hostName !== undefined && !isToken(hostName) && hostName.length > MAX_CERTIFICATE_DOMAIN_LENGTH) {
        invalidProp(scope, host.prop, host.value, `the load balancer host name ${hostName} has `
          + `${hostName.length} characters and ACM certificates take at most ${MAX_CERTIFICATE_DOMAIN_LENGTH}; `
          + (host.prop === 'environmentName' ? 'shorten environmentName or set a shorter baseDomainName or loadBalancerDomainName' : 'shorten it'));
      }
    },
    ...capacityChecks(scope, props, SERVICE_DEFAULTS, 1),
    () => validateIntegerRange(scope, 'containerPort', props.containerPort, 1, 65535),
    ...targetHealthCheckChecks(scope, props),
    ...requestScalingChecks(scope, props),
    () => { if (props.healthCheckPath !== undefined) validatePath(scope, 'healthCheckPath', props.healthCheckPath); },
    () => { if (props.command !== undefined) validateNonEmpty(scope, 'command', props.command); },
    () => validateEdgeMode(scope, props),
    () => validateCustomDomain(scope, props),
    () => validateLoadBalancerDomainName(scope, props),
    () => validateWebAcl(scope, 'webAcl', props.webAcl),
    () => { if (props.webAcl && props.webAclId !== undefined) invalidProp(scope, 'webAclId', props.webAclId, 'give the web ACL once, in webAcl (webAclId is deprecated)'); },
    () => validateCachedPathPatterns(scope, props),
    ...aliasChecks(scope, props.aliases, domain, props.shareEdgeWith !== undefined),
    () => validateRoutedContainers(scope, props, edgeModeOf(props) === EdgeMode.PUBLIC_ALB && cloudFrontOf(props)),
    () => requireSynthValue(scope, 'healthCheckInterval', props.healthCheckInterval, 'aws-cdk-lib checks the target group health check at synth'),
    () => requireSynthValue(scope, 'healthCheckTimeout', props.healthCheckTimeout, 'aws-cdk-lib checks the target group health check at synth'),
    // The target group's limit: deregistration delay 0-3600 s.
    () => validateSeconds(scope, 'deregistrationDelay', props.deregistrationDelay, 0, 3600),
    () => requireSynthValue(scope, 'deregistrationDelay', props.deregistrationDelay, 'the target group attribute is written as text at synth'),
    () => validateDeployment(scope, props),
    ...sidecarChecks(scope, props, taskContainersOf(props)),
    ...volumeChecks(scope, props),
  ]);
}

/** The containers a web service's sidecars join: the main one (no container health check) and the routed ones, with their ports. */
function taskContainersOf(props: SecureAlbFargateServiceProps): TaskContainers {
  const portsOf = (c: { containerPort?: number; healthCheckPort?: number }) =>
    [c.containerPort ?? SERVICE_DEFAULTS.containerPort, ...(c.healthCheckPort !== undefined ? [c.healthCheckPort] : [])];
  return {
    main: MAIN_CONTAINER,
    mainHealthCheck: false,
    mainPorts: portsOf(props),
    others: (props.routedContainers ?? []).map(routed => ({ name: routed.name, ports: portsOf(routed) })),
    cpu: props.cpu ?? SERVICE_DEFAULTS.cpu,
    memoryLimitMiB: props.memoryLimitMiB ?? SERVICE_DEFAULTS.memoryLimitMiB,
  };
}

function validateRoutedContainers(scope: Construct, props: SecureAlbFargateServiceProps, originHeader: boolean): void {
  const routed = props.routedContainers ?? [];
  validateUnique(scope, 'routedContainers[].name', [MAIN_CONTAINER, ...routed.map(r => r.name)]);
  if (routed.length > MAX_ROUTED_CONTAINERS) {
    invalidProp(scope, 'routedContainers', `${routed.length} containers`, `an ECS task definition holds at most 10 containers, the main one included; keep at most ${MAX_ROUTED_CONTAINERS} routed containers or split them over added services`);
  }
  // The origin-verify header of a public ALB, and the host names of a service routed by host, take condition values.
  const hosts = props.shareEdgeWith && Array.isArray(props.aliases) ? props.aliases.length : 0;
  const maxPaths = MAX_RULE_CONDITION_VALUES - (originHeader ? 1 : 0) - hosts;
  if (hosts > 0 && maxPaths < 0) {
    invalidProp(scope, 'aliases', props.aliases, `an ALB rule takes at most ${MAX_RULE_CONDITION_VALUES} condition values (${LISTENER_RULE_QUOTAS})`
      + `${originHeader ? ', one of them the origin-verify header here' : ''}, and every rule of this service matches all its aliases; keep at most ${hosts + maxPaths} aliases, or split the service`);
  }
  const validatePaths = (prop: string, patterns: string[]) => {
    if (isToken(patterns)) return;
    if (patterns.length > Math.max(maxPaths, 0)) {
      const withHosts = hosts > 0 ? ` beside its ${hosts} aliases (${MAX_RULE_CONDITION_VALUES} condition values per rule)` : '';
      invalidProp(scope, prop, patterns, `an ALB rule takes at most ${Math.max(maxPaths, 0)} path patterns here${withHosts}; split them over two routed containers or use wider patterns`);
    }
    patterns.forEach((p, j) => validatePath(scope, `${prop}[${j}]`, p));
  };
  if (props.pathPatterns !== undefined) {
    validateNonEmpty(scope, 'pathPatterns', props.pathPatterns);
    validatePaths('pathPatterns', props.pathPatterns);
  }
  routed.forEach((r, i) => {
    const prop = `routedContainers[${i}]`;
    validateDnsLabel(scope, `${prop}.name`, r.name);
    validateIntegerRange(scope, `${prop}.containerPort`, r.containerPort, 1, 65535);
    validateNonEmpty(scope, `${prop}.pathPatterns`, r.pathPatterns);
    validatePaths(`${prop}.pathPatterns`, r.pathPatterns);
    if (r.healthCheckPath !== undefined) validatePath(scope, `${prop}.healthCheckPath`, r.healthCheckPath);
    validateIntegerRange(scope, `${prop}.healthCheckPort`, r.healthCheckPort, 1, 65535);
    validateSuccessCodes(scope, `${prop}.healthCheckSuccessCodes`, r.healthCheckSuccessCodes);
  });
}

/** A pinned block of listener rule priorities: a whole number of 1 to 49, on a service that shares another one's edge. */
function validatePriorityBlock(scope: Construct, props: SecureAlbFargateServiceProps): void {
  if (props.priorityBlock === undefined) return;
  if (!props.shareEdgeWith) {
    invalidProp(scope, 'priorityBlock', props.priorityBlock, 'only a service sharing another one\'s edge takes a priority block (the edge\'s own service keeps priorities 100 and up and 50000); drop it');
  }
  validateIntegerRange(scope, 'priorityBlock', props.priorityBlock, 1, MAX_PRIORITY_BLOCK);
}

/** The props of an edge belong to the service that owns it; a service sharing it brings its paths and the same VPC. */
const EDGE_PROPS = [
  'edgeMode', 'cloudFront', 'domainName', 'domainCertificate', 'webAcl', 'webAclId', 'cachedPathPatterns', 'cloudFrontPrefixListId',
  'loadBalancerDomainName', 'deletionProtection', 'hostedZone', 'baseDomainName', 'accessLogsBucket',
] as const;

/** One VPC, even when looked up or imported twice: the same object, or the same ID known at synth. */
function sameVpc(a: ec2.IVpc | undefined, b: ec2.IVpc | undefined): boolean {
  if (a === b) return true;
  const id = (vpc: ec2.IVpc | undefined) => (vpc?.vpcId === undefined || isToken(vpc.vpcId) ? undefined : vpc.vpcId);
  return id(a) !== undefined && id(a) === id(b);
}

function validateSharedEdge(scope: Construct, props: SecureAlbFargateServiceProps, workloadName: string): void {
  const owner = props.shareEdgeWith!;
  checkAll([
    ...EDGE_PROPS.map(prop => () => {
      if (props[prop] !== undefined) {
        invalidProp(scope, prop, props[prop], `the edge belongs to ${owner.node.path}, whose load balancer and distribution this service shares; set it there or drop it`);
      }
    }),
    () => {
      if (props.pathPatterns === undefined && !(Array.isArray(props.aliases) && props.aliases.length > 0)) {
        invalidProp(scope, 'pathPatterns', undefined, `a service sharing ${owner.node.path}'s edge answers only its own paths or host names (the other service answers the rest); `
          + 'give them, e.g. pathPatterns: [\'/admin/*\'] or aliases: [\'admin.example.com\']');
      }
    },
    () => {
      if (!sameVpc(props.vpc, owner.loadBalancer.vpc)) {
        invalidProp(scope, 'vpc', props.vpc?.node?.path, `the load balancer of ${owner.node.path} forwards only to targets in its own VPC; run this service in that VPC`);
      }
    },
    () => validateDnsLabel(scope, 'id', workloadName),
  ]);
}

/** A load balancer host name the user sets is a domain name inside the hosted zone, where its records go. */
function validateLoadBalancerDomainName(scope: Construct, props: SecureAlbFargateServiceProps): void {
  const name = props.loadBalancerDomainName;
  if (!props.hostedZone) {
    if (name !== undefined) invalidProp(scope, 'loadBalancerDomainName', name, 'the load balancer\'s host name needs a hostedZone for its certificate and alias record; give hostedZone or drop it');
    if (props.baseDomainName !== undefined) invalidProp(scope, 'baseDomainName', props.baseDomainName, 'it names the load balancer in the hostedZone; give hostedZone or drop it');
    return;
  }
  if (name === undefined || isToken(name)) return;
  validateDomainName(scope, 'loadBalancerDomainName', name);
  const zoneName = zoneNameOf(props);
  if (zoneName !== undefined && !isToken(zoneName) && !name.endsWith(`.${zoneName}`)) {
    invalidProp(scope, 'loadBalancerDomainName', name, `it must be inside the hosted zone ${zoneName}, where its certificate validation and alias records go`);
  }
}

/** The custom domain is CloudFront's, lives in the hosted zone if there is one, and has a us-east-1 certificate. */
function validateCustomDomain(scope: Construct, props: SecureAlbFargateServiceProps): void {
  const { domainName, domainCertificate, hostedZone } = props;
  if (domainName === undefined) {
    if (domainCertificate) invalidProp(scope, 'domainCertificate', 'ICertificate', 'it only serves domainName; set domainName or drop domainCertificate');
    return;
  }
  const stackRegion = Stack.of(scope).region;
  if (!domainCertificate && !hostedZone) {
    invalidProp(scope, 'domainName', domainName, `CloudFront needs a certificate for it, issued in ${CLOUDFRONT_REGION}; give the hostedZone `
      + 'that holds the domain (the service issues a DNS-validated one) or set domainCertificate');
  } else if (!domainCertificate && stackRegion !== CLOUDFRONT_REGION) {
    // Outside us-east-1 the certificate goes to a companion us-east-1 stack, which needs this stack's region and a zone ID it can use.
    if (isToken(stackRegion)) {
      invalidProp(scope, 'domainName', domainName, `CloudFront needs its certificate issued in ${CLOUDFRONT_REGION}, and this stack has no region to tell `
        + 'whether it is there; give the stack its region (env: { region: \'eu-west-1\' }), and the service issues the certificate in a '
        + `companion ${CLOUDFRONT_REGION} stack, or set domainCertificate`);
    } else if (isToken(hostedZone!.hostedZoneId)) {
      invalidProp(scope, 'hostedZone', 'a zone created in this app', `the domain's certificate is validated from a companion ${CLOUDFRONT_REGION} stack, `
        + 'which needs the zone\'s ID as text; import the zone with route53.HostedZone.fromHostedZoneAttributes, or set domainCertificate');
    }
  }
  if (props.cloudFront === false) invalidProp(scope, 'domainName', domainName, 'the domain is served by CloudFront; drop domainName or keep cloudFront on');
  if (isToken(domainName)) return;
  validateDomainName(scope, 'domainName', domainName);
  const zoneName = zoneNameOf(props);
  if (zoneName !== undefined && !isToken(zoneName) && domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
    invalidProp(scope, 'domainName', domainName, `it must be inside the hosted zone ${zoneName}, where its alias record goes`);
  }
  if (domainName === loadBalancerDomainName(props)) {
    invalidProp(scope, 'domainName', domainName, 'that is the load balancer\'s own host name; pick another name for the service URL');
  }
  if (!domainCertificate) return;
  const certificateRegion = isToken(domainCertificate.certificateArn)
    ? (domainCertificate instanceof acm.Certificate ? Stack.of(domainCertificate).region : undefined)
    : Arn.split(domainCertificate.certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region;
  if (certificateRegion && !isToken(certificateRegion) && certificateRegion !== CLOUDFRONT_REGION) {
    invalidProp(scope, 'domainCertificate', certificateRegion, `CloudFront only takes certificates issued in ${CLOUDFRONT_REGION}; issue it there`);
  }
}

/** A public ALB serves HTTPS on its own certificate, so it needs the hosted zone; a VPC origin needs CloudFront. */
function validateEdgeMode(scope: Construct, props: SecureAlbFargateServiceProps): void {
  if (props.shareEdgeWith) return;
  const mode = edgeModeOf(props);
  if (mode === EdgeMode.PUBLIC_ALB && !props.hostedZone) {
    invalidProp(scope, 'hostedZone', undefined, 'a public load balancer serves HTTPS on a certificate for its host name in the hosted zone; '
      + 'give hostedZone, or use edgeMode EdgeMode.VPC_ORIGIN, which needs no domain');
  }
  if (mode === EdgeMode.VPC_ORIGIN && props.cloudFront === false) {
    invalidProp(scope, 'cloudFront', false, 'an internal load balancer is reached only through CloudFront; keep cloudFront on, or use edgeMode EdgeMode.PUBLIC_ALB');
  }
}

/** CloudFront behaviours take distinct path patterns, up to its quota per distribution. */
function validateCachedPathPatterns(scope: Construct, props: SecureAlbFargateServiceProps): void {
  const patterns = props.cachedPathPatterns ?? [];
  if (props.cloudFront === false && patterns.length > 0) {
    invalidProp(scope, 'cachedPathPatterns', patterns, 'CloudFront does the caching; keep cloudFront on or drop cachedPathPatterns');
  }
  validateUnique(scope, 'cachedPathPatterns', patterns);
  patterns.forEach((pattern, i) => validatePath(scope, `cachedPathPatterns[${i}]`, pattern));
  if (patterns.length > MAX_CACHE_BEHAVIORS) {
    invalidProp(scope, 'cachedPathPatterns', patterns, `a distribution takes at most ${MAX_CACHE_BEHAVIORS} cache behaviours; use wider patterns`);
  }
}

const TARGET_GROUP_API = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html';

/**
 * The target group's health check limits (ELBv2 CreateTargetGroup): interval 5-300 s, timeout 2-120 s and shorter
 * than the interval, thresholds 2-10, success codes of 200-499; ECS takes a grace period up to 2147483647 s.
 */
export function targetHealthCheckChecks(scope: IConstruct, props: HealthCheckOptions, prefix = ''): Array<() => void> {
  const at = (prop: string) => `${prefix}${prop}`;
  return [
    () => validateSeconds(scope, at('healthCheckInterval'), props.healthCheckInterval, 5, 300),
    () => validateSeconds(scope, at('healthCheckTimeout'), props.healthCheckTimeout, 2, 120),
    () => {
      const interval = props.healthCheckInterval ?? SERVICE_DEFAULTS.healthCheckInterval;
      const timeout = props.healthCheckTimeout;
      if (timeout === undefined || timeout.isUnresolved() || interval.isUnresolved()) return;
      if (timeout.toMilliseconds() >= interval.toMilliseconds()) {
        invalidProp(scope, at('healthCheckTimeout'), timeout.toHumanString(), `a target group's health check timeout must be shorter than its interval (${interval.toHumanString()}) `
          + `(${TARGET_GROUP_API}); lower ${at('healthCheckTimeout')} or raise ${at('healthCheckInterval')}`);
      }
    },
    () => validateIntegerRange(scope, at('healthyThresholdCount'), props.healthyThresholdCount, 2, 10),
    () => validateIntegerRange(scope, at('unhealthyThresholdCount'), props.unhealthyThresholdCount, 2, 10),
    () => validateIntegerRange(scope, at('healthCheckPort'), props.healthCheckPort, 1, 65535),
    () => validateSuccessCodes(scope, at('healthCheckSuccessCodes'), props.healthCheckSuccessCodes),
    () => validateSeconds(scope, at('healthCheckGracePeriod'), props.healthCheckGracePeriod, 0, 2147483647),
  ];
}

/** One HTTP code or a range, as an ALB matcher takes them, comma-separated. */
const SUCCESS_CODE_ITEM = /^(\d{3})(?:-(\d{3}))?$/;

/** An ALB matcher: codes from 200 to 499, listed (`200,202`) or as ranges (`200-299`) whose start is below their end. */
function validateSuccessCodes(scope: IConstruct, prop: string, codes: string | undefined): void {
  if (codes === undefined || isToken(codes)) return;
  const items = codes.split(',');
  const valid = items.every(item => {
    const match = SUCCESS_CODE_ITEM.exec(item);
    if (!match) return false;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    return low >= 200 && high <= 499 && low <= high;
  });
  if (!valid) {
    invalidProp(scope, prop, codes, 'an Application Load Balancer takes HTTP codes from 200 to 499, listed ("200,202") or as ranges ("200-299"), without spaces');
  }
}

/**
 * Request-count scaling tracks one target group, and ECS supports it only for rolling deployments; response-time
 * steps are computed from the threshold, so it is known at synth.
 */
function requestScalingChecks(scope: Construct, props: SecureAlbFargateServiceProps): Array<() => void> {
  return [
    () => validateIntegerRange(scope, 'targetRequestsPerTaskPerMinute', props.targetRequestsPerTaskPerMinute, 1, 1000000),
    () => {
      if (props.targetRequestsPerTaskPerMinute !== undefined && props.deployment?.strategy === ecs.DeploymentStrategy.BLUE_GREEN) {
        invalidProp(scope, 'targetRequestsPerTaskPerMinute', props.targetRequestsPerTaskPerMinute, 'ECS does not support ALBRequestCountPerTarget target tracking with blue/green '
          + 'deployments (its target group changes at each deployment: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html); '
          + 'scale on scaleOutResponseTime or CPU instead, or deploy with ServiceDeployment.rolling()');
      }
    },
    () => requireSynthValue(scope, 'scaleOutResponseTime', props.scaleOutResponseTime, 'the scaling steps are computed from it'),
    () => {
      const threshold = props.scaleOutResponseTime;
      if (threshold === undefined || threshold.isUnresolved()) return;
      const ms = threshold.toMilliseconds();
      if (!Number.isInteger(ms) || ms < 1 || ms > 3600000) {
        invalidProp(scope, 'scaleOutResponseTime', threshold.toHumanString(), 'give a response time from 1 millisecond to 1 hour (e.g. Duration.millis(500))');
      }
    },
  ];
}
