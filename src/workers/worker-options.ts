import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { InternalLoadBalancer } from './internal-load-balancer';
import { ServiceImage } from '../service/service-image';
import { CapacityOptions, ContainerOptions, HealthCheckOptions, HealthCheckTimingOptions, WorkloadEnvironmentOptions } from '../service/service-options';
import { SidecarsOptions } from '../service/sidecar-options';
import { VolumesOptions } from '../service/volume-options';

/** How a worker's queue receives a topic's messages. */
export interface TopicSubscriptionOptions {
  /**
   * Only messages whose attributes match reach the queue: each key is a message attribute, each value the filter it
   * must pass (`sns.SubscriptionFilter.stringFilter({ allowlist: ['placed'] })`). At most 5 attributes and 150
   * combinations of values (SNS's filter policy constraints); a topic holds at most 200 filter policies by default.
   * @default - every message of the topic
   */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };
  /**
   * Deliver the message body as published, without SNS's JSON envelope (`Type`, `MessageId`, `Message`, ...);
   * message attributes then arrive as SQS message attributes.
   * @default false
   */
  readonly rawMessageDelivery?: boolean;
}

/** Queue mode of a worker: it consumes an SQS queue and scales on the backlog each running task has. */
export interface WorkerQueueOptions {
  /**
   * The queue to consume.
   * @default - a new queue, SQS-encrypted and TLS-only, with a dead-letter queue
   */
  readonly queue?: sqs.IQueue;
  /**
   * Messages waiting per running task that the scaling aims for (AWS's "backlog per task" rule for queue workers):
   * more add tasks, an empty queue removes them down to `minCapacity`.
   * @default 10
   */
  readonly messagesPerTask?: number;
  /**
   * How long a received message stays hidden from other tasks (the new queue's visibility timeout); longer than a
   * message takes to process.
   * @default Duration.minutes(5)
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives of a message before it moves to the dead-letter queue (the new queue's redrive policy).
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/**
 * How a worker in internal mode is reached through an internal load balancer (Copilot's Backend Service `http` block):
 * the paths its listener rule forwards to the worker's `port`, and its target group's health check, whose path is the
 * worker's `healthCheckPath` (docs/adr/0023).
 */
export interface WorkerLoadBalancingOptions extends HealthCheckOptions {
  /**
   * Path patterns the load balancer forwards to the worker (e.g. `/reports/*`), at most 5 (one rule's condition
   * values). The path reaches the worker as requested (no prefix is stripped).
   * @default - `/<id in lower case>` and `/<id in lower case>/*`
   */
  readonly pathPatterns?: string[];
  /**
   * Pins the priority of the worker's listener rule (1-50000); only needed when the priority derived from the worker's
   * construct path collides with another worker's on the same load balancer (synth says so).
   * @default - a priority derived from the worker's construct path, which adding or removing other workers never changes;
   * 50000 (evaluated last) for a worker whose `pathPatterns` include `/*`
   */
  readonly priority?: number;
  /**
   * Host names the worker answers at over HTTPS (Copilot's Backend Service `http.alias`), inside the load balancer's
   * hosted zone: each gets an A record to the load balancer and, unless the load balancer's certificate covers it, a
   * DNS-validated certificate; the worker's HTTPS rule matches them with its `pathPatterns` (5 condition values in all).
   * `internalLoadBalancerUrl` becomes `https://<first alias>/<path>`; plain HTTP at the load balancer's own name keeps
   * working. Needs a load balancer with HTTPS: a `BackendPlatform` with a `hostedZone` turns it on.
   * @default - no alias: HTTP at the load balancer's own DNS name only
   */
  readonly aliases?: string[];
}

/**
 * Every option of a worker that does not depend on where it runs: what its container runs, its capacity, and its
 * mode. A worker has a queue (queue mode), a port (internal mode: reachable by name from the platform's other
 * workloads through ECS Service Connect, never from the internet), or both.
 */
export interface WorkerServiceOptions extends ContainerOptions, CapacityOptions, HealthCheckTimingOptions, SidecarsOptions, VolumesOptions {
  /**
   * Command of a container health check, run in the worker's container; exit code 0 is healthy. One string runs in
   * a shell (`['curl -f http://localhost:8080/health || exit 1']`; the image must have the tool it calls), several
   * are run as given. ECS replaces a task that fails it `unhealthyThresholdCount` times in a row; the other health
   * check props need it.
   * @default - no container health check (nothing runs in the container but its command)
   */
  readonly healthCheckCommand?: string[];
  /**
   * Consume an SQS queue and scale on its backlog.
   * @default - no queue
   */
  readonly queue?: WorkerQueueOptions;
  /**
   * Port the worker listens on for the platform's other workloads (internal mode, through ECS Service Connect).
   * @default - no port
   */
  readonly port?: number;
  /**
   * Also reach the worker's `port` through an internal load balancer at `internalLoadBalancerUrl` (HTTP inside the
   * VPC, and HTTPS at its `aliases`, from the workloads it admits only), besides Service Connect: for callers that
   * expect a load balancer's URL.
   * Needs `port`; its target group checks `healthCheckPath`.
   * @default - Service Connect only
   */
  readonly internalLoadBalancer?: WorkerLoadBalancingOptions;
  /**
   * Image of the worker.
   * @default - in a `BackendPlatform`, the platform's image; standalone, required
   */
  readonly image?: ServiceImage;
  /**
   * Allow `aws ecs execute-command` into the container. Turning it on warns at synth.
   * @default false
   */
  readonly enableExecuteCommand?: boolean;
}

/** Props of `WorkerService`. */
export interface WorkerServiceProps extends WorkerServiceOptions, WorkloadEnvironmentOptions {
  /** Cluster the worker runs in; its VPC's private subnets with egress host the tasks. */
  readonly cluster: ecs.ICluster;
  /**
   * Cloud Map namespace of ECS Service Connect, for internal mode (`port`).
   * @default - the cluster's default namespace, created as `<environmentName>.<appName>.internal` if it has none
   */
  readonly serviceConnectNamespace?: string;
  /**
   * The internal load balancer a worker with `internalLoadBalancer` joins (several workers may share one).
   * @default - a new `InternalLoadBalancer` of the worker's own (a `BackendPlatform` gives its one)
   */
  readonly loadBalancer?: InternalLoadBalancer;
  /**
   * Topic that receives the worker's alarms (old messages, dead letters).
   * @default - alarms without actions (a `BackendPlatform` routes them to its monitoring topic)
   */
  readonly alarmTopic?: sns.ITopic;
}
