import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EdgeWebAcl } from './cloudfront-web-acl';
import type { SecureAlbFargateService } from './secure-alb-fargate-service';
import { ServiceImage } from './service-image';
import { SidecarsOptions } from './sidecar-options';
import { VolumesOptions } from './volume-options';

/**
 * What runs in one container of a task: command, environment, secrets and health check path.
 * Shared by the main container and every routed container, standalone and through `BackendPlatform`.
 */
export interface ContainerOptions {
  /**
   * Health check path of the container's target group.
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /**
   * Command override.
   * @default - the image's command
   */
  readonly command?: string[];
  /**
   * Plain environment variables (never credentials: those go in `secrets`).
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * Secrets injected as environment variables.
   * @default - none
   */
  readonly secrets?: { [key: string]: ecs.Secret };
}

/**
 * The request the load balancer sends to check one container's targets and the answers that count as healthy
 * (Copilot's `http.healthcheck.port` and `success_codes`).
 */
export interface TargetHealthCheckOptions {
  /**
   * Port the load balancer sends health checks to, when the container answers them on another port than its traffic
   * (its tasks admit the load balancer on it too).
   * @default - the container's port
   */
  readonly healthCheckPort?: number;
  /**
   * HTTP codes of a healthy answer, from 200 to 499: a list (`'200,202'`), a range (`'200-299'`), or both (`'200,300-399'`).
   * @default '200-399'
   */
  readonly healthCheckSuccessCodes?: string;
}

/** A container of the service beside the main one, reached through its own path-based routing rule. */
export interface RoutedContainerOptions extends ContainerOptions, TargetHealthCheckOptions {
  /** Container name, unique in the task. */
  readonly name: string;
  /** Port the container listens on. */
  readonly containerPort: number;
  /** Path patterns routed to this container (e.g. `/api/*`); at most 5, or 4 behind a public ALB (its origin header takes one condition slot). */
  readonly pathPatterns: string[];
  /**
   * Image of the container.
   * @default - the service's image
   */
  readonly image?: ServiceImage;
}

/** Task size, CPU architecture, capacity provider and autoscaling of a Fargate service. */
export interface CapacityOptions {
  /**
   * Task CPU units (256, 512, 1024, 2048, 4096, 8192 or 16384).
   * @default 1024 (in a `BackendPlatform`: the profile's value)
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB, legal for the chosen `cpu`.
   * @default 2048 (in a `BackendPlatform`: the profile's value)
   */
  readonly memoryLimitMiB?: number;
  /**
   * CPU architecture of the task (in a `BackendPlatform` also of the cleanup job and the migrations, which reuse the image).
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Use Fargate Spot: `onDemandBaseCapacity` tasks always run on on-demand Fargate and the tasks beyond it are split
   * evenly between Fargate and Fargate Spot (with a base of 0, every task runs on Spot). X86_64 and ARM64 alike. A given
   * cluster defined in this app gets the FARGATE_SPOT capacity provider; an imported one must have it.
   * @default false (in a `BackendPlatform`: the profile's value)
   */
  readonly spot?: boolean;
  /**
   * With `spot`, how many tasks always run on on-demand Fargate (0 puts every task on Spot: fine for development,
   * where an interruption only restarts a task).
   * @default - minCapacity (in a `BackendPlatform`: 0)
   */
  readonly onDemandBaseCapacity?: number;
  /**
   * Minimum number of tasks.
   * @default 2 (in a `BackendPlatform`: the profile's value)
   */
  readonly minCapacity?: number;
  /**
   * Maximum number of tasks.
   * @default 4 (in a `BackendPlatform`: the profile's value)
   */
  readonly maxCapacity?: number;
  /**
   * Target average CPU utilization of the service, in percent (10-95); 0 turns CPU scaling off (a queue worker scales
   * on its backlog instead and refuses it).
   * @default 80
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Target average memory utilization of the service, in percent (10-95); 0 turns memory scaling off (a queue worker
   * scales on its backlog instead and refuses it).
   * @default 80 for a web service; an internal worker scales on memory only when it is set
   */
  readonly targetMemoryUtilizationPercent?: number;
  /**
   * Time after a scale-in before the utilization and request targets remove tasks again (a queue worker refuses it:
   * its backlog steps have a cooldown of their own).
   * @default Duration.seconds(300) (Application Auto Scaling's default for ECS)
   */
  readonly scaleInCooldown?: Duration;
  /**
   * Time after a scale-out before the scaling policies add tasks again (a queue worker refuses it).
   * @default Duration.seconds(300) for the utilization and request targets (Application Auto Scaling's default for
   * ECS); Duration.seconds(60) for the response-time steps
   */
  readonly scaleOutCooldown?: Duration;
}

/** Scaling of a web service on its load balancer's traffic (Copilot's `count.requests` and `count.response_time`). */
export interface RequestScalingOptions {
  /**
   * Requests per minute each task should serve: a target-tracking policy on the main container's target group
   * (`ALBRequestCountPerTarget`). ECS does not support it with blue/green deployments, which refuse it.
   * @default - no request-count scaling
   */
  readonly targetRequestsPerTaskPerMinute?: number;
  /**
   * Average response time of the main container's targets above which tasks are added: one task above it, three above
   * twice it (step scaling; a response time never removes tasks, the other dimensions scale in).
   * @default - no response-time scaling
   */
  readonly scaleOutResponseTime?: Duration;
}

/** Where the load balancer sits and how CloudFront reaches it (docs/adr/0004). */
export enum EdgeMode {
  /**
   * An internal ALB in private subnets, reached only through a CloudFront VPC origin: nothing on the internet can
   * address it, and it has no public IPv4 address. TLS to the origin on the `loadBalancerDomainName` certificate
   * when there is a hosted zone; plain HTTP inside AWS's network otherwise (a synth warning says so).
   */
  VPC_ORIGIN = 'VPC_ORIGIN',
  /**
   * An internet-facing ALB whose security group admits only CloudFront's origin-facing prefix list, and whose rules
   * require a secret origin-verify header (seed 000's design). Needs a hosted zone for its certificate.
   */
  PUBLIC_ALB = 'PUBLIC_ALB',
}

/** How requests reach the service: CloudFront, a custom domain, a web ACL, and the load balancer's own protection. */
export interface EdgeOptions {
  /**
   * Where the load balancer sits: internal behind a CloudFront VPC origin, or internet-facing behind CloudFront
   * with a secret origin header.
   * @default EdgeMode.VPC_ORIGIN (EdgeMode.PUBLIC_ALB when `cloudFront` is false)
   */
  readonly edgeMode?: EdgeMode;
  /**
   * Put a CloudFront distribution in front of the load balancer. Turning it off (public ALB only) warns at synth.
   * @default true
   */
  readonly cloudFront?: boolean;
  /**
   * Host name users reach the service at through CloudFront (e.g. `api.example.com`); it becomes the service URL.
   * With a hosted zone, A/AAAA aliases to the distribution are created in it; without one, point your DNS at the
   * distribution yourself.
   * @default - the distribution's `*.cloudfront.net` name
   */
  readonly domainName?: string;
  /**
   * Certificate covering `domainName`, issued in us-east-1 as CloudFront requires (e.g. an `acm.Certificate` of a
   * us-east-1 stack, referenced with `crossRegionReferences: true`).
   * @default - a certificate DNS-validated in the hosted zone, issued in this stack when it is in us-east-1, otherwise in a companion us-east-1 stack `<stack ID>CloudFrontCertificates` (this stack needs an explicit region)
   */
  readonly domainCertificate?: acm.ICertificate;
  /**
   * AWS WAF web ACL of the distribution: `EdgeWebAcl.fromArn(acl.webAclArn)` for a `CloudFrontWebAcl` of your
   * us-east-1 stack (or any CLOUDFRONT-scope web ACL), or `EdgeWebAcl.managed()` to create one here when this
   * stack is in us-east-1. A production `BackendPlatform` without one warns at synth.
   * @default - no web ACL
   */
  readonly webAcl?: EdgeWebAcl;
  /**
   * ARN of an AWS WAF web ACL (CLOUDFRONT scope, in us-east-1) to attach to the distribution.
   * @default - no web ACL
   * @deprecated use `webAcl: EdgeWebAcl.fromArn(arn)`
   */
  readonly webAclId?: string;
  /**
   * Path patterns CloudFront caches (e.g. `/static/*`), honouring the origin's `Cache-Control`; only `GET`, `HEAD`
   * and `OPTIONS` pass on them, and no viewer cookie or header reaches the origin. Everything else is never cached.
   * @default - nothing is cached
   */
  readonly cachedPathPatterns?: string[];
  /**
   * ID of the CloudFront origin-facing managed prefix list in this region.
   * @default - the built-in ID of the stack's region (a deploy-time map for environment-agnostic stacks)
   */
  readonly cloudFrontPrefixListId?: string;
  /**
   * Host name of the load balancer (its certificate and alias record), inside the hosted zone. Two apps that share a
   * hosted zone and an environment name need different ones (two in one app are refused at synth).
   * @default - `<environmentName>-lb.<baseDomainName>` with a hosted zone; the ALB's own DNS name without one
   */
  readonly loadBalancerDomainName?: string;
  /**
   * Protect the load balancer against deletion. Turning it off warns at synth.
   * @default true (in a `BackendPlatform`: true in production, false in development)
   */
  readonly deletionProtection?: boolean;
}

/**
 * How often a health check runs, how long it waits, how many failures make a task unhealthy, and how long ECS
 * ignores them after a task starts: shared by the web service's target groups and a worker's container health check.
 */
export interface HealthCheckTimingOptions {
  /**
   * Time between two health checks of a task (5-300 seconds).
   * @default Duration.seconds(10) for a target group (a web service's, a worker's `internalLoadBalancer`); Duration.seconds(30) for a worker's container health check
   */
  readonly healthCheckInterval?: Duration;
  /**
   * Time without an answer that fails a health check (2-120 seconds; on a target group shorter than the interval).
   * @default Duration.seconds(5) (one second less than a shorter interval)
   */
  readonly healthCheckTimeout?: Duration;
  /**
   * Consecutive failed checks before a task counts as unhealthy (2-10 on a target group, a worker's `internalLoadBalancer` included; 1-10 for a worker's container health check).
   * @default 3
   */
  readonly unhealthyThresholdCount?: number;
  /**
   * Time ECS ignores failing health checks after a task starts.
   * @default Duration.seconds(60) for a web service and a worker behind an internal load balancer; none for other workers
   */
  readonly healthCheckGracePeriod?: Duration;
}

/** Target health checks of a web service and rollout timing; the port and success codes are the main container's. */
export interface HealthCheckOptions extends HealthCheckTimingOptions, TargetHealthCheckOptions {
  /**
   * Consecutive successful checks before a task counts as healthy (2-10).
   * @default 2
   */
  readonly healthyThresholdCount?: number;
  /**
   * Time the ALB keeps draining a deregistering task.
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
}

/** How a blue/green deployment verifies the new tasks and how long it keeps the old ones ready (docs/adr/0008). */
export interface BlueGreenOptions {
  /**
   * Time the old tasks stay ready after production traffic moved to the new ones; an alarm during it rolls back in
   * seconds. At most 1440 minutes, in whole minutes. A deploy pipeline waits at most 60 minutes for the deployment.
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
  /**
   * Path the smoke test requests from the new tasks through the test listener before production traffic moves;
   * any answer but 2xx fails the deployment.
   * @default - the main container's health check path
   */
  readonly smokeTestPath?: string;
  /**
   * How long the smoke test waits for the answer before it fails the deployment (1-60 seconds).
   * @default Duration.seconds(10)
   */
  readonly smokeTestTimeout?: Duration;
}

/**
 * How the service rolls out a new task definition: `rolling()` replaces tasks in place behind the circuit breaker;
 * `blueGreen()` starts the new tasks beside the old, smoke-tests them on a test listener only the test function can
 * reach, moves production traffic at once, and keeps the old tasks ready during a bake time in which the deployment
 * alarms roll back in seconds. Blue/green needs the default edge (`EdgeMode.VPC_ORIGIN`).
 */
export class ServiceDeployment {
  /** Rolling update with the deployment circuit breaker and rollback (the default). */
  public static rolling(): ServiceDeployment {
    return new ServiceDeployment(ecs.DeploymentStrategy.ROLLING);
  }

  /** ECS native blue/green with a smoke test before the production traffic shift and a bake time after it. */
  public static blueGreen(options: BlueGreenOptions = {}): ServiceDeployment {
    return new ServiceDeployment(ecs.DeploymentStrategy.BLUE_GREEN, options);
  }

  /** The ECS deployment strategy. */
  public readonly strategy: ecs.DeploymentStrategy;
  /** The blue/green settings, for `BLUE_GREEN`. */
  public readonly blueGreenOptions?: BlueGreenOptions;

  private constructor(strategy: ecs.DeploymentStrategy, blueGreenOptions?: BlueGreenOptions) {
    this.strategy = strategy;
    this.blueGreenOptions = blueGreenOptions;
  }
}

/**
 * A load-balanced web service's containers, capacity, health checks and rollout: everything but its edge. A service
 * that shares another one's load balancer and distribution (`shareEdgeWith`, `BackendPlatform.addService`) takes
 * only these.
 */
export interface WebServiceTaskOptions
  extends ContainerOptions, CapacityOptions, RequestScalingOptions, HealthCheckOptions, SidecarsOptions, VolumesOptions {
  /**
   * Port the main container listens on.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Path patterns the main container answers (e.g. `/admin/*`), at most 5 (4 behind a public ALB). Needed by a
   * service that shares another one's edge, whose own main container answers the paths no rule takes.
   * @default - every path that no other rule of the listener takes
   */
  readonly pathPatterns?: string[];
  /**
   * More host names the service answers at through CloudFront (Copilot's `http.alias` list), each a name in the
   * hosted zone: each becomes an alternate domain name of the distribution, a name on its certificate (which a change
   * of names replaces) and A/AAAA aliases in the zone. They need the edge's `domainName`. On the service that owns
   * the edge they answer like `domainName`. On a service that shares it (`shareEdgeWith`, `BackendPlatform.addService`)
   * every listener rule of the service matches these hosts, combined with its paths, so `pathPatterns` may be left
   * out; the distribution then forwards the viewer's Host header to the load balancer. At most 5 values per rule:
   * aliases and a container's path patterns together (4 behind a public ALB); a rule without a host condition (another
   * service's paths, the owner's routed containers) answers its paths on every host.
   * @default - none: the service answers at the edge's domain
   */
  readonly aliases?: string[];
  /**
   * More containers in the task, each reached through path-based routing rules.
   * @default - none
   */
  readonly routedContainers?: RoutedContainerOptions[];
  /**
   * Allow `aws ecs execute-command` into the containers. Turning it on warns at synth.
   * @default false
   */
  readonly enableExecuteCommand?: boolean;
  /**
   * How new task definitions roll out: `ServiceDeployment.rolling()` or `ServiceDeployment.blueGreen({ ... })`.
   * @default ServiceDeployment.rolling()
   */
  readonly deployment?: ServiceDeployment;
  /**
   * Pins the listener rule priorities of a service that shares another one's edge to block k (1-49): 1000 k and up
   * for its routed containers, 1000 k + 500 for its main container, test listener port 8443 + k (8080 + k without a
   * certificate). Pin a service deployed before blocks were derived to its position among the added services (the
   * first added one is 1) so upgrading changes none of its rules, or pin a service whose derived block collides.
   * @default - a block derived from the service's construct path, which adding, removing or renaming other services never changes
   */
  readonly priorityBlock?: number;
}

/**
 * Every option of a load-balanced web service that does not depend on where it runs: its containers, capacity,
 * edge and health checks. `SecureAlbFargateServiceProps` and the platform's `service` both extend it, so whatever
 * the standalone construct takes can be set through `BackendPlatform` too.
 */
export interface WebServiceOptions extends WebServiceTaskOptions, EdgeOptions {}

/** Where a workload's names and logs go: its environment and app names, and its log groups' retention and key. */
export interface WorkloadEnvironmentOptions {
  /** Environment name, a DNS label such as `prod`: part of the workload's SSM paths (and of the web service's load balancer host). */
  readonly environmentName: string;
  /**
   * Application name used in the workload's SSM paths `/<appName>/<environmentName>/...`.
   * @default - the stack name, lower-cased
   */
  readonly appName?: string;
  /**
   * Retention of the workload's log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key that encrypts the workload's log groups; its key policy must allow the CloudWatch Logs service.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** Props of `SecureAlbFargateService`. */
export interface SecureAlbFargateServiceProps extends WebServiceOptions, WorkloadEnvironmentOptions {
  /** VPC of the tasks (private subnets with egress) and the load balancer (the same, or public subnets for `EdgeMode.PUBLIC_ALB`). */
  readonly vpc: ec2.IVpc;
  /**
   * Hosted zone of the load balancer's host name (its certificate, so CloudFront reaches it over TLS) and of
   * `domainName`'s alias records. Needed by `EdgeMode.PUBLIC_ALB`.
   * @default - no DNS records: the service is reached at the distribution's `*.cloudfront.net` name
   */
  readonly hostedZone?: route53.IHostedZone;
  /** Image of the main container. */
  readonly image: ServiceImage;
  /**
   * Base domain of the load balancer host name.
   * @default - the hosted zone's name
   */
  readonly baseDomainName?: string;
  /**
   * ECS cluster to run in.
   * @default - a new cluster with Container Insights in `vpc`
   */
  readonly cluster?: ecs.ICluster;
  /**
   * Container Insights of the cluster the service creates (without `cluster`): `ENHANCED` adds per-task and
   * per-container metrics (each sidecar's CPU and memory) at a higher CloudWatch cost (docs/adr/0018), `DISABLED` none.
   * Changing it updates the cluster in place.
   * @default ecs.ContainerInsights.ENABLED (in a `BackendPlatform`: the profile's value)
   */
  readonly containerInsights?: ecs.ContainerInsights;
  /**
   * Bucket that receives ALB and CloudFront access logs (under `alb/` and `cloudfront/`).
   * @default - a new encrypted, TLS-only, retained bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Answer on the load balancer, listener and distribution of this other service instead of creating an edge:
   * requests to the main container's `pathPatterns` (needed) and the routed containers' paths reach this service,
   * every other path the other one. The edge props (`edgeMode`, `domainName`, `webAcl`, `hostedZone`, ...) belong to
   * the other service and are refused here; the service runs in its cluster unless `cluster` is given, and publishes
   * its SSM parameters under `/<appName>/<environmentName>/<id in lower case>/`.
   * @default - the service creates its own edge
   */
  readonly shareEdgeWith?: SecureAlbFargateService;
}
