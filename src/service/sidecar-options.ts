import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { LogDestination } from './log-destination';
import { ServiceImage } from './service-image';

/** A container that must reach a state before another one starts (ECS `dependsOn`, Copilot's `depends_on`). */
export interface ContainerStartDependency {
  /** Name of the container waited for: a sidecar's name, or the main container's (`app` for a web service, `worker` for a worker). */
  readonly containerName: string;
  /**
   * What the container must have done: `START` started, `HEALTHY` passed its health check (it needs one),
   * `COMPLETE` exited, `SUCCESS` exited with 0 (these two only on a sidecar with `essential: false`).
   * @default ecs.ContainerDependencyCondition.START
   */
  readonly condition?: ecs.ContainerDependencyCondition;
}

/** A health check run in a sidecar: its command, and how often and how patiently it runs. */
export interface SidecarHealthCheck {
  /**
   * Command run in the container; exit code 0 is healthy. One string runs in a shell (`['curl -f http://localhost:2020/ || exit 1']`;
   * the image must have the tool it calls), several are run as given.
   */
  readonly command: string[];
  /**
   * Time between two checks (5-300 seconds).
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
  /**
   * Time without an answer that fails a check (2-120 seconds).
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive failed checks before the container is unhealthy (1-10).
   * @default 3
   */
  readonly retries?: number;
  /**
   * Time after the container starts during which failed checks do not count (0-300 seconds).
   * @default - none
   */
  readonly startPeriod?: Duration;
}

/**
 * A container of the task that no load balancer routes to (Copilot's `sidecars`): a proxy, an agent, a log or
 * metrics collector, or a start-up script. Its ports are reachable only by the task's other containers (on
 * `localhost`); the task's security group opens none of them.
 */
export interface SidecarOptions {
  /** Container name, unique in the task: letters, digits, hyphens and underscores (at most 255). */
  readonly name: string;
  /** Image of the sidecar: `ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/...'))`, or an ECR repository your pipeline pushes to. */
  readonly image: ServiceImage;
  /**
   * Whether the task stops when this container stops. A container others wait for with `COMPLETE` or `SUCCESS`
   * (a start-up script) must not be essential.
   * @default true
   */
  readonly essential?: boolean;
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
  /**
   * Ports the sidecar listens on, for the task's other containers (`localhost:<port>`); unique in the task.
   * @default - none
   */
  readonly containerPorts?: number[];
  /**
   * CPU units reserved for the sidecar out of the task's; all sidecars together leave some to the main container.
   * @default - no reservation: the containers share the task's CPU
   */
  readonly cpu?: number;
  /**
   * Memory in MiB above which the sidecar is stopped (its hard limit); all sidecars together leave some of the task's memory to the main container.
   * @default - no limit of its own: the task's memory is the limit every container shares
   */
  readonly memoryLimitMiB?: number;
  /**
   * Memory in MiB reserved for the sidecar (its soft limit), at most `memoryLimitMiB`.
   * @default - no reservation
   */
  readonly memoryReservationMiB?: number;
  /**
   * Container health check: needed for other containers to wait for it with `HEALTHY`.
   * @default - no health check
   */
  readonly healthCheck?: SidecarHealthCheck;
  /**
   * Containers that must reach a state before this one starts.
   * @default - starts with the others
   */
  readonly dependsOn?: ContainerStartDependency[];
}

/** The Prometheus endpoint of a workload's main container, scraped by its collector sidecar. */
export interface PrometheusMetricsOptions {
  /** Port of the main container that serves the metrics. */
  readonly port: number;
  /**
   * Path of the metrics endpoint.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * Time between two scrapes (10-300 seconds).
   * @default Duration.seconds(60)
   */
  readonly scrapeInterval?: Duration;
  /**
   * ARN of the Amazon Managed Service for Prometheus workspace the collector writes to (`aps:RemoteWrite` on it only).
   * @default - in a `BackendPlatform`, the platform's workspace (created with the first workload that asks); standalone, required
   */
  readonly workspaceArn?: string;
}

/** The sidecars of a workload's task, what its main container waits for, and where its containers log. */
export interface SidecarsOptions {
  /**
   * Containers of the task beside the main one that no load balancer routes to. Adding, changing or removing one
   * registers a new task definition revision and rolls the service's tasks like an image change.
   * @default - none
   */
  readonly sidecars?: SidecarOptions[];
  /**
   * Containers the main container waits for before it starts (e.g. a sidecar `HEALTHY`, or a migration script `SUCCESS`).
   * @default - the main container starts with the others
   */
  readonly mainContainerDependsOn?: ContainerStartDependency[];
  /**
   * Where the task's containers log: `LogDestination.cloudWatchLogs()`, or `LogDestination.fireLens({ options })`,
   * which adds a Fluent Bit log router sidecar (`log_router`, its own logs in CloudWatch). The containers' log groups
   * stay either way, so logs written before a switch remain.
   * @default LogDestination.cloudWatchLogs()
   */
  readonly logging?: LogDestination;
  /**
   * Scrape the main container's Prometheus endpoint with an AWS Distro for OpenTelemetry collector sidecar
   * (`otel_collector`, pinned image from ECR Public) that remote-writes with SigV4 to Amazon Managed Service for Prometheus.
   * @default - no metrics collection
   */
  readonly metrics?: PrometheusMetricsOptions;
  /**
   * Send the main container's OpenTelemetry traces to AWS X-Ray through the collector sidecar (Copilot's
   * `observability.tracing: awsxray`): the main container gets `OTEL_EXPORTER_OTLP_ENDPOINT` (the sidecar),
   * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`; the application needs an OpenTelemetry SDK.
   * @default false
   */
  readonly tracing?: boolean;
}
