import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IMonitoredCache, IMonitoredDeployment, IMonitoredPipeline, IMonitoredScheduledWork } from './monitored';

/** Alarm thresholds; every one has a production-grade default. */
export interface MonitoringThresholds {
  /**
   * Service average CPU, percent.
   * @default 90
   */
  readonly serviceCpuPercent?: number;
  /**
   * Service average memory, percent.
   * @default 90
   */
  readonly serviceMemoryPercent?: number;
  /**
   * ALB-generated 5xx responses, percent of requests.
   * @default 5
   */
  readonly loadBalancer5xxPercent?: number;
  /**
   * Target-generated 5xx responses, percent of requests.
   * @default 5
   */
  readonly target5xxPercent?: number;
  /**
   * p99 target response time.
   * @default Duration.seconds(2)
   */
  readonly p99Latency?: Duration;
  /**
   * Database CPU, percent.
   * @default 80
   */
  readonly databaseCpuPercent?: number;
  /**
   * Database free storage, GiB.
   * @default 5
   */
  readonly databaseFreeStorageGiB?: number;
  /**
   * Database connections.
   * @default 200
   */
  readonly databaseConnections?: number;
  /**
   * Cache engine CPU on the busiest node, percent.
   * @default 90
   */
  readonly cacheCpuPercent?: number;
  /**
   * Cache memory used on the fullest node, percent.
   * @default 90
   */
  readonly cacheMemoryPercent?: number;
}

/** Props of `InfraMonitoring`. */
export interface InfraMonitoringProps {
  /**
   * Dashboard name.
   * @default - generated
   */
  readonly dashboardName?: string;
  /**
   * The Fargate service: CPU, memory and running-task alarms.
   * @default - no service section
   */
  readonly service?: ecs.FargateService;
  /**
   * The service's load balancer: 5xx-rate, latency and unhealthy-host alarms.
   * @default - no load balancer section
   */
  readonly loadBalancer?: elbv2.ApplicationLoadBalancer;
  /**
   * Target groups whose hosts are watched for health (e.g. `Object.values(service.targetGroups)`); an
   * unhealthy-host alarm each.
   * @default - no unhealthy-host alarm
   */
  readonly targetGroups?: elbv2.ApplicationTargetGroup[];
  /**
   * Roll the service's deployments back when the 5xx or latency alarm fires during a rollout. Turning it off warns at synth.
   * @default true
   */
  readonly deploymentAlarms?: boolean;
  /**
   * The web service's deployments (e.g. the `SecureAlbFargateService`): a Deployments section with requests per
   * target group (blue/green traffic shifting between primary and alternate), the smoke-test and rotation-redeploy
   * functions' runs and errors, and the deployment alarms, which are routed to the topic.
   * @default - no deployments section
   */
  readonly deployment?: IMonitoredDeployment;
  /**
   * The database: CPU, free storage and connection alarms.
   * @default - no database section
   */
  readonly database?: rds.IDatabaseInstance;
  /**
   * The cache: CPU, memory, connections and evictions; CPU and memory alarms.
   * @default - no cache section
   */
  readonly cache?: IMonitoredCache;
  /**
   * Cleanup jobs: runs, failed launches, dead letters; their alarms are routed to the topic.
   * @default - none
   */
  readonly cleanupJobs?: IMonitoredScheduledWork[];
  /**
   * Scheduled API calls: invocations and failures per call, dead letters; their alarms are routed to the topic.
   * @default - none
   */
  readonly scheduledApiCalls?: IMonitoredScheduledWork[];
  /**
   * The deploy pipeline: migration runs and failures; failed executions and its alarms go to the topic.
   * @default - no pipeline section
   */
  readonly pipeline?: IMonitoredPipeline;
  /**
   * Other alarms to show and route to the topic.
   * @default - none
   */
  readonly additionalAlarms?: cloudwatch.Alarm[];
  /**
   * Topic that receives every alarm's ALARM and OK notifications.
   * @default - a new KMS-encrypted topic
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * E-mail addresses subscribed to the topic.
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * Alarm thresholds.
   * @default - see `MonitoringThresholds`
   */
  readonly thresholds?: MonitoringThresholds;
}

/** Which Amazon Managed Service for Prometheus workspace `InfraMonitoring.monitorMetricsWorkspace` watches, and when it pages. */
export interface MetricsWorkspaceMonitoringOptions {
  /** ID of the workspace (`ws-...`), e.g. `platform.metricsWorkspace.attrWorkspaceId`. */
  readonly workspaceId: string;
  /**
   * Samples the workspace may discard (rejected by its limits or as out of order) in five minutes before the alarm pages.
   * @default 0 - any discarded sample pages: it is a gap in the application's metrics
   */
  readonly discardedSamplesThreshold?: number;
}
