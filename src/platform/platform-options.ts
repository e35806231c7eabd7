import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { EnvironmentProfile } from './environment-profile';
import { TeardownPolicy } from './teardown';
import { DataBackupOptions } from '../data/data-backups';
import { DataBucketOptions } from '../data/data-bucket';
import { ExistingDatabaseAttributes } from '../data/database-connection';
import { CacheOptions } from '../data/private-cache';
import { DatabaseOptions } from '../data/private-database';
import { DeliveryOptions } from '../delivery/delivery-options';
import { ScheduledTaskOptions } from '../scheduled/cleanup-job-scheduler';
import { ScheduledApiCall } from '../scheduled/scheduled-api-calls';
import { ServiceImage } from '../service/service-image';
import { WebServiceOptions, WebServiceTaskOptions } from '../service/service-options';
import { StaticSiteOptions } from '../site/static-site-options';
import { TopicSubscriptionOptions, WorkerServiceOptions } from '../workers/worker-options';

/** A data store of the platform that a workload can connect to. */
export enum PlatformStore {
  /** The database (`database` or `existingDatabase`): `DB_*` environment and secrets, its port opened. */
  DATABASE = 'DATABASE',
  /** The cache (`cache`): `REDIS_*` environment and secret, its port opened. */
  CACHE = 'CACHE',
  /** The data bucket (`dataBucket`): `DATA_BUCKET` (its name) in the environment, read and write on the task role. */
  DATA_BUCKET = 'DATA_BUCKET',
}

/** A subscription of a worker of the platform to one of the platform's topics. */
export interface PlatformTopicSubscription extends TopicSubscriptionOptions {
  /** Name of the platform topic (one that a workload `publishes`). */
  readonly topic: string;
}

/** Which of the platform's SNS topics a workload publishes to (docs/adr/0020). */
export interface TopicPublishingOptions {
  /**
   * Names of the platform's SNS topics this workload publishes to (e.g. `['orders']`): the platform creates each topic
   * once (KMS-encrypted, TLS-only), grants the workload `sns:Publish` on these topics only, and puts each ARN in its
   * environment as `<NAME>_TOPIC_ARN` (`orders` and `ordersTopic` give `ORDERS_TOPIC_ARN`). Workers receive a topic's
   * messages with `subscriptions`.
   * @default - publishes to no topic
   */
  readonly publishes?: string[];
}

/** Which of the platform's stores a workload connects to, and the topics it publishes to. */
export interface StoreConnectionOptions extends TopicPublishingOptions {
  /**
   * The platform's stores this workload connects to: it gets exactly their security-group rules, environment and
   * secrets. A store the platform does not have is refused at synth.
   * @default - every store the platform has
   */
  readonly stores?: PlatformStore[];
}

/** Which of the platform's stores a web service connects to, and which of its containers receive them. */
export interface WebStoreConnectionOptions extends StoreConnectionOptions {
  /**
   * Containers of the task that receive the stores' connections (environment and secrets), by name: `app` is the
   * main container, the others are `routedContainers` names (e.g. `['backend']` when only the API talks to the database).
   * @default ['app']
   */
  readonly connectedContainers?: string[];
}

/** Where a workload added to the platform (`addService`, `addWorker`, `addScheduledJob`) keeps its resources. */
export interface WorkloadPlacementOptions {
  /**
   * Keep the workload's resources in a nested stack of its own under the platform's stack (docs/adr/0015): the
   * platform's stack grows by one resource per workload instead of about 30, so a platform holds 30 workloads and
   * more, and a change to one workload changes only its own template. Turning it on for a workload that is already
   * deployed creates its SSM parameters, listener rules and Service Connect name anew in the new stack before the old
   * ones are deleted, which AWS refuses: give a new workload its own stack, or move one under a new id.
   * @default false
   */
  readonly ownStack?: boolean;
}

/**
 * Options of the platform's web service: every option of `SecureAlbFargateService` that does not depend on where
 * it runs. The profile decides size, capacity, Spot and deletion protection unless set here. The connections of
 * `stores` and the scheduler key are added to the environment and secrets of `connectedContainers`.
 */
export interface PlatformServiceOptions extends WebServiceOptions, WebStoreConnectionOptions {
  /**
   * Create the platform's web service (its load balancer, distribution and web ACL). Without it (docs/adr/0025) the
   * platform runs only workers (`addWorker`, internal ones behind `internalLoadBalancer` too) and scheduled jobs in a
   * cluster of its own, with its stores, pipeline and monitoring: `platform.hasWebService` is false and reading
   * `platform.service` throws, and what needs a
   * web service (`scheduledApiCalls`, `addService`, the edge options under `service`) is refused at synth. Of the other
   * `service` options only `spot`, `cpuArchitecture` (the platform's defaults) and `environment` and `secrets` (those
   * of the scheduled jobs) apply then.
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * Options of a further web service of the platform (`addService`): its containers, capacity, health checks and
 * rollout; the edge is the platform's. `pathPatterns` is needed: the platform's `service` answers every other path.
 */
export interface PlatformWebServiceOptions extends WebServiceTaskOptions, WebStoreConnectionOptions, WorkloadPlacementOptions {
  /**
   * Image of the main container.
   * @default - the platform's image
   */
  readonly image?: ServiceImage;
}

/** Options of a worker of the platform (`addWorker`). */
export interface PlatformWorkerOptions extends WorkerServiceOptions, StoreConnectionOptions, WorkloadPlacementOptions {
  /**
   * The platform's topics whose messages reach the worker's queue (it needs `queue`), each with an optional filter
   * policy: the queue's policy admits SNS from these topics only. A topic no workload `publishes` is refused at synth.
   * @default - no subscription
   */
  readonly subscriptions?: PlatformTopicSubscription[];
}

/** Options of the platform's database; `{}` creates one with the profile's defaults. */
export interface PlatformDatabaseOptions extends DatabaseOptions {}

/**
 * Options of the platform's AWS Backup plan for its database: daily recovery points kept 35 days and monthly ones
 * kept 12 months unless set here, in a retained vault with its own key.
 */
export interface PlatformBackupOptions extends DataBackupOptions {
  /**
   * Create the backup plan.
   * @default - true when `backups` is given or in the production profile; false otherwise (the development profile)
   */
  readonly enabled?: boolean;
}

/** Options of the platform's cleanup job, which runs the service's image with the service's connections. */
export interface PlatformCleanupJobOptions extends ScheduledTaskOptions, StoreConnectionOptions {}

/** Options of a scheduled job added to the platform (`addScheduledJob`): the cleanup job's, and where it lives. */
export interface PlatformScheduledJobOptions extends PlatformCleanupJobOptions, WorkloadPlacementOptions {}

/** Options of the platform's data bucket; `{}` creates one with the defaults. */
export interface PlatformDataBucketOptions extends DataBucketOptions {}

/** Options of the platform's cache; `{}` creates one with the profile's defaults. */
export interface PlatformCacheOptions extends CacheOptions {}

/** Options of the platform's deploy pipeline. */
export interface PlatformPipelineOptions extends DeliveryOptions {
  /**
   * Create the deploy pipelines: one per ECR repository the workloads' containers run, each rolling out only its
   * repository's containers (needs an ECR image, the default). The other options apply to each; `source` builds the
   * platform image only, and migrations (with `migrationCommand`) run in the pipeline of the first container that
   * receives the database.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Props of `BackendPlatform`. */
export interface BackendPlatformProps {
  /** Environment name (a DNS label such as `prod`); part of SSM paths and of the ALB host `<environmentName>-lb.<zone>`. */
  readonly environmentName: string;
  /**
   * Public hosted zone of the backend's domain: the load balancer gets a certificate and host name in it (TLS from
   * CloudFront to the origin), and `service.domainName` its alias records. Needed by `EdgeMode.PUBLIC_ALB`.
   * @default - no domain: the service answers at its distribution's `*.cloudfront.net` name
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * Profile that sets safe (production) or cheap (development) defaults.
   * @default EnvironmentProfile.PRODUCTION
   */
  readonly profile?: EnvironmentProfile;
  /**
   * What `cdk destroy` does to the platform's stateful resources (database, cache, repository, buckets, secrets,
   * keys, log groups, queues): RETAIN keeps them (the database and cache as final snapshots); DESTROY deletes them,
   * emptying the repository and buckets first, so nothing billed is left. The README lists both, resource by resource.
   * @default - the profile's: TeardownPolicy.RETAIN in production, TeardownPolicy.DESTROY in development
   */
  readonly teardown?: TeardownPolicy;
  /**
   * Application name used in SSM paths.
   * @default - the stack name, lower-cased
   */
  readonly appName?: string;
  /**
   * Existing VPC with public, private (with egress) and isolated subnets.
   * @default - a new VPC over 2 AZs with flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * ECR repository of the backend image.
   * @default - a new, scanned repository that follows `teardown`
   */
  readonly repository?: ecr.IRepository;
  /**
   * Image of the service.
   * @default - ServiceImage.fromEcrRepository(repository)
   */
  readonly image?: ServiceImage;
  /**
   * Web service options.
   * @default - the profile's defaults
   */
  readonly service?: PlatformServiceOptions;
  /**
   * Create a private PostgreSQL database and inject its connection into the service and jobs.
   * @default - no database
   */
  readonly database?: PlatformDatabaseOptions;
  /**
   * AWS Backup plan for the database (needs `database`): see `DataBackups`.
   * @default - the profile's: the default plan in production, none in development
   */
  readonly backups?: PlatformBackupOptions;
  /**
   * Use a database that exists outside the stack instead (its connection details in SSM / Secrets Manager).
   * @default - none
   */
  readonly existingDatabase?: ExistingDatabaseAttributes;
  /**
   * Create a private Valkey/Redis cache and inject `REDIS_HOST`, `REDIS_PORT`, `REDIS_TLS`, `REDIS_PASSWORD`.
   * @default - no cache
   */
  readonly cache?: PlatformCacheOptions;
  /**
   * Create a private data bucket (encrypted, TLS-only, versioned, access-logged, objects moving to Standard-IA as they
   * age) and give its name as `DATA_BUCKET` and read/write access to the workloads that connect to it.
   * @default - no data bucket
   */
  readonly dataBucket?: PlatformDataBucketOptions;
  /**
   * Deploy pipeline options (ECR push -> [migrate] -> deploy).
   * @default - a pipeline on pushes of `latest`, without migrations (give `pipeline.migrationCommand` to run them)
   */
  readonly pipeline?: PlatformPipelineOptions;
  /**
   * Run a scheduled cleanup job with the service's image.
   * @default - no cleanup job
   */
  readonly cleanupJob?: PlatformCleanupJobOptions;
  /**
   * Backend endpoints called on schedules, through the service URL.
   * @default - none
   */
  readonly scheduledApiCalls?: ScheduledApiCall[];
  /**
   * Redeploy the web service and each worker when a secret their tasks read at start gets a new value: the database
   * credentials (after a rotation or by hand), the cache auth token, the scheduler API key. Scheduled jobs need none.
   * @default true
   */
  readonly redeployOnSecretRotation?: boolean;
  /**
   * E-mail addresses that receive alarms.
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * Container Insights of the platform's cluster. `ENHANCED` adds per-task and per-container metrics (each
   * sidecar's CPU and memory, restarts) for a CloudWatch charge per observation (docs/adr/0018); changing it updates
   * the cluster in place.
   * @default - the profile's: ecs.ContainerInsights.ENHANCED in production, ecs.ContainerInsights.ENABLED in development
   */
  readonly containerInsights?: ecs.ContainerInsights;
}

/**
 * Options of a static site of the platform (`addStaticSite`): its domain goes in the platform's hosted zone, its
 * logs to the platform's access-log bucket, and it takes the web ACL of the platform's service unless it names one.
 */
export interface PlatformStaticSiteOptions extends StaticSiteOptions {}
