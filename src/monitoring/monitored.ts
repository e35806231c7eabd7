import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';

/** What `InfraMonitoring` watches of a cache: its nodes (`PrivateCache` implements it). */
export interface IMonitoredCache {
  /** IDs of the cache's nodes (CacheClusterId dimension values). */
  readonly nodeIds: string[];
}

/**
 * What `InfraMonitoring` watches of scheduled work: its schedule rules, its alarms and its dead-letter queue
 * (`CleanupJobScheduler` and `ScheduledApiCalls` implement it).
 */
export interface IMonitoredScheduledWork extends IConstruct {
  /** The EventBridge rules, by the name shown on the dashboard. */
  readonly scheduleRules: { [name: string]: events.Rule };
  /** Alarms of the work; monitoring routes them to its topic. */
  readonly alarms: cloudwatch.Alarm[];
  /** Where failed deliveries land. */
  readonly deadLetterQueue: sqs.Queue;
}

/** What `InfraMonitoring` watches of a deploy pipeline (`EcrToEcsPipeline` implements it). */
export interface IMonitoredPipeline {
  /** The deploy pipeline. */
  readonly pipeline: codepipeline.Pipeline;
  /** The migration project, when migrations run. */
  readonly migrationProject?: codebuild.PipelineProject;
  /** Alarms of the pipeline; monitoring routes them to its topic. */
  readonly alarms: cloudwatch.Alarm[];
  /** Publish failed executions to a topic. */
  notifyOnFailure(topic: sns.ITopic): void;
}

/** What `InfraMonitoring` watches of a service without a load balancer (`WorkerService` implements it). */
export interface IMonitoredWorker extends IConstruct {
  /** The worker's Fargate service. */
  readonly service: ecs.FargateService;
  /** The queue it consumes, in queue mode. */
  readonly queue?: sqs.IQueue;
  /** Where messages land after their last failed receive, in queue mode. */
  readonly deadLetterQueue?: sqs.Queue;
  /** The worker's own alarms, shown on its dashboard row. */
  readonly alarms: cloudwatch.Alarm[];
}

/**
 * What `InfraMonitoring` shows of a web service's deployments: its strategy, the target groups traffic shifts
 * between, the functions that run deployments and its deployment alarms (`SecureAlbFargateService` implements it).
 */
export interface IMonitoredDeployment {
  /** ROLLING or BLUE_GREEN. */
  readonly deploymentStrategy: ecs.DeploymentStrategy;
  /** Target group of each routed container, by container name (production traffic before the first blue/green shift). */
  readonly targetGroups: { [containerName: string]: elbv2.ApplicationTargetGroup };
  /** Alternate target group of each routed container under blue/green, by container name; empty for rolling. */
  readonly alternateTargetGroups: { [containerName: string]: elbv2.ApplicationTargetGroup };
  /** Blue/green's smoke-test lifecycle hook, if any. */
  readonly smokeTestFunction?: lambda.IFunction;
  /** The function that redeploys the service after a secret it reads changed, if any. */
  readonly rotationRedeployFunction?: lambda.IFunction;
  /** Alarms of the deployment machinery; monitoring routes them to its topic. */
  readonly deploymentAlarms: cloudwatch.Alarm[];
}

/** What `InfraMonitoring` watches of one more web service behind a load balancer (`SecureAlbFargateService` implements it). */
export interface IMonitoredWebService extends IConstruct, IMonitoredDeployment {
  /** The service's Fargate service; its deployments roll back on its 5xx and latency alarms. */
  readonly service: ecs.FargateService;
}

/** What the monitoring watches of a static site: its distribution. */
export interface IMonitoredStaticSite extends IConstruct {
  /** The site's CloudFront distribution. */
  readonly distribution: cloudfront.IDistribution;
}
