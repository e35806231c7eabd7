import { Annotations, CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvironmentProfile } from './environment-profile';
import { metricsWorkspaceOf, withMetricsWorkspace } from './metrics-workspace';
import { createPlatformVpc } from './network';
import {
  BackendPlatformProps, PlatformCleanupJobOptions, PlatformPipelineOptions, PlatformServiceOptions, PlatformStore, PlatformWebServiceOptions,
  PlatformScheduledJobOptions, PlatformStaticSiteOptions, PlatformWorkerOptions, StoreConnectionOptions,
} from './platform-options';
import { PlatformTopics } from './platform-topics';
import { ProfileDefaults, profileDefaults } from './profiles';
import { createPlatformRepository } from './repository';
import { TeardownPolicy } from './teardown';
import { WorkloadStack } from './workload-stack';
import { IContainerConnection } from '../data/container-connection';
import { DataBackups } from '../data/data-backups';
import { createDataBucket, DATA_BUCKET_VARIABLE, grantDataBucket, logDataBucketAccess } from '../data/data-bucket-resources';
import { IDatabaseConnection } from '../data/database-connection';
import { createFileSystem } from '../data/file-system';
import { PrivateCache } from '../data/private-cache';
import { PrivateDatabase } from '../data/private-database';
import { IDeliveryTarget } from '../delivery/delivery-target';
import { IDeployableJob, IDeployableService } from '../delivery/deployable-service';
import { EcrToEcsPipeline } from '../delivery/ecr-to-ecs-pipeline';
import { migrationChecks, migrationCommandOf } from '../delivery/migrations';
import { InfraMonitoring } from '../monitoring/infra-monitoring';
import { notify } from '../private/alarms';
import { buildReporting, addLateCheck, RefusableProps, reportProblemsAtSynth } from '../private/collected-problems';
import { checkAll, reportChildPropsAs } from '../private/errors';
import { createFargateCluster } from '../private/fargate';
import { createKey } from '../private/kms';
import { claimPhysicalName, defaultAppName, logicalPrefix, pascal } from '../private/naming';
import { checkPropTypes } from '../private/prop-types';
import {
  CLOUDFORMATION_QUOTAS, dynamicReferencesIn, LAMBDA_QUOTAS, MAX_DYNAMIC_REFERENCES_PER_STACK, MAX_LAMBDA_RESOURCE_POLICY_BYTES,
  MAX_RESOURCES_PER_STACK, maxRulesInvokingOneFunction,
} from '../private/quotas';
import { repositoryKey, sameRepository } from '../private/repositories';
import { createSharedSecret, ReaderGrantedSecret } from '../private/secret';
import { declareTeardown } from '../private/teardown';
import { invalidProp, isToken, requireSynthValue, validateDnsLabel, validateEmail, validatePath, validateProfile, validateTriggerTag, validateUnique } from '../private/validation';
import { libraryWarningId, warnWeakenedDefault } from '../private/warnings';
import { CleanupJobScheduler } from '../scheduled/cleanup-job-scheduler';
import { RuntimeGuardFunction, shareRuntimeGuardFunction } from '../scheduled/runtime-guard';
import { ScheduledApiCalls } from '../scheduled/scheduled-api-calls';
import { zoneNameOf } from '../service/aliases';
import { CloudFrontWebAcl, EdgeWebAcl } from '../service/cloudfront-web-acl';
import { createAccessLogsBucket } from '../service/edge';
import { RedeployFunction, shareRedeployFunction } from '../service/rotation-redeploy';
import { SecureAlbFargateService } from '../service/secure-alb-fargate-service';
import { MAIN_CONTAINER } from '../service/service-config';
import { ServiceImage } from '../service/service-image';
import { ContainerOptions, RoutedContainerOptions, WebServiceTaskOptions } from '../service/service-options';
import { PrometheusMetricsOptions } from '../service/sidecar-options';
import { VolumeOptions, VolumesOptions } from '../service/volume-options';
import { DEFAULT_VOLUME_OWNER } from '../service/volumes';
import { StaticSite } from '../site/static-site';
import { InternalLoadBalancer } from '../workers/internal-load-balancer';
import { WorkerService } from '../workers/worker-service';

/** Construct ID of the platform's file system: its logical ID is public contract (it holds data). */
const FILE_SYSTEM_ID = 'FileSystem';
/** Construct ID of the platform's internal load balancer: its logical ID is public contract (test/internal-load-balancer.test.ts pins it). */
const INTERNAL_LOAD_BALANCER_ID = 'InternalLoadBalancer';
/** Key of the scheduler API key among the secrets redeployed on change, beside the stores'. */
const SCHEDULER_KEY = 'SCHEDULER_API_KEY';
/** Construct ID of the access-log bucket of a platform without web service (the service's is `Service/AccessLogsBucket`). */
const ACCESS_LOGS_BUCKET_ID = 'AccessLogsBucket';

/** What a workload of the platform receives from the stores it names: connections, grants and the scheduler key. */
interface WorkloadConnections {
  readonly stores: IContainerConnection[];
  readonly environment: { [key: string]: string };
  readonly secrets: { [key: string]: ecs.Secret };
  /** Admits the workload to the stores' ports and grants it the data bucket. */
  admit(workload: ec2.IConnectable & { readonly taskDefinition: ecs.TaskDefinition }): void;
}

/**
 * The whole backend from one small props object: VPC, ECR repository, cluster, CloudFront-only Fargate service,
 * optional PostgreSQL, cleanup job and scheduled calls, monitoring over all of it, with production or
 * development profiles. Every child is exposed for escape hatches.
 */
export class BackendPlatform extends Construct implements IDeliveryTarget {
  /** The profile in force. */
  public readonly profile: EnvironmentProfile;
  /** What `cdk destroy` does to the platform's stateful resources. */
  public readonly teardown: TeardownPolicy;
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The backend image repository. */
  public readonly repository: ecr.IRepository;
  /** Key encrypting logs (and flow logs) of the platform. */
  public readonly encryptionKey: kms.Key;
  /** The web service, when the platform has one (not with `service: { enabled: false }`). */
  private readonly mainService?: SecureAlbFargateService;
  /** The ECS cluster of every workload: the web service's (`<platform>/Service/Cluster`), or the platform's own (`<platform>/Cluster`) without one. */
  public readonly cluster: ecs.ICluster;
  /**
   * Whether the platform has its web service: false with `service: { enabled: false }` (a platform of workers and
   * jobs only, docs/adr/0025).
   */
  public readonly hasWebService: boolean;
  /** The database this platform created, if any. */
  public readonly database?: PrivateDatabase;
  /** The AWS Backup plan of the database, if any. */
  public readonly backups?: DataBackups;
  /** The database connection in use (created or existing), if any. */
  public readonly databaseConnection?: IDatabaseConnection;
  /** The cache, if any. */
  public readonly cache?: PrivateCache;
  /** The data bucket, if any. */
  public readonly dataBucket?: s3.Bucket;
  /** The cleanup job, if any. */
  public readonly cleanupJob?: CleanupJobScheduler;
  /** The scheduled API calls, if any. */
  public readonly scheduledApiCalls?: ScheduledApiCalls;
  /** Dashboard and alarms. */
  public readonly monitoring: InfraMonitoring;
  private readonly defaults: ProfileDefaults;
  private readonly platformTopics: PlatformTopics;
  private readonly spot: boolean;
  private readonly cpuArchitecture?: ecs.CpuArchitecture;
  private readonly schedulerKey?: secretsmanager.ISecret;
  private readonly serviceOptions: PlatformServiceOptions;
  /** The platform's image (`image`, or the repository's): the web service's, and the default of workers and jobs. */
  private readonly platformImage: ServiceImage;
  private readonly appName: string;
  private readonly platformEnvironmentName: string;
  /** The tag the jobs of a platform without web service run at (`pipeline.tag`): no web service holds a tag parameter for them. */
  private readonly imageTag: string;
  private readonly hostedZone?: route53.IHostedZone;
  /** The web services (the platform's `service` first) and the workers others reach through Service Connect. */
  private readonly webServices: SecureAlbFargateService[] = [];
  private readonly internalWorkers: WorkerService[] = [];
  private readonly serviceConnectClients = new Set<SecureAlbFargateService>();
  /** The secret each store (and the scheduler key) injects into tasks, redeployed on change; empty when turned off. */
  private readonly redeployedSecrets: { [source: string]: secretsmanager.ISecret | undefined } = {};
  /** One deploy pipeline per ECR repository of the workloads' containers. */
  private readonly repositoryPipelines = new Map<unknown, EcrToEcsPipeline>();
  private pipelineOptions: PlatformPipelineOptions = {};
  /** The repository of the first container that receives the database: its pipeline runs the migrations. */
  private migrationRepository?: ecr.IRepository;
  /** `pipeline.migrationCommand`, when migrations run. */
  private migrationCommand?: string[];
  /** The function that redeploys the workloads after secret changes, once one reads a watched secret. */
  private redeployFunction?: RedeployFunction;
  private runtimeGuardFunction?: RuntimeGuardFunction;
  /** The owner of each volume directory of the platform's file system, and the prop that set it first. */
  private readonly volumeOwners = new Map<string, { readonly uid: number; readonly gid: number; readonly prop: string }>();
  /** Every service and worker, in the order added (a promotion deploys them), and the jobs that move with releases. */
  private readonly deployables: IDeployableService[] = [];
  private readonly releasedJobs: CleanupJobScheduler[] = [];
  /** The `add*` calls whose workloads live in the platform's stack (not `ownStack`). */
  private readonly inStackWorkloads: string[] = [];

  constructor(scope: Construct, id: string, props: BackendPlatformProps) {
    super(scope, id);
    // One error at synth for every problem of the platform, its children and its workloads (docs/adr/0017).
    reportProblemsAtSynth(this);
    const input = new RefusableProps(props, 'BackendPlatformProps');
    // From here on, the given props without those refused so far: each part is built from what is left, so the next
    // parts' problems are found in the same synth. Types first, so that no check nor child reads a wrong type.
    props = input.live;
    const reporting = <T>(build: () => T): T => buildReporting(this, build, input);
    reporting(() => checkPropTypes(this, 'BackendPlatformProps', input.value));
    reporting(() => validateProps(this, props));
    this.reportChildProblemsInOwnNames();
    this.profile = props.profile ?? EnvironmentProfile.PRODUCTION;
    const defaults = profileDefaults(this.profile);
    this.defaults = defaults;
    this.teardown = props.teardown ?? defaults.teardown;
    // Every stateful resource below the platform (the database's, the service's, the pipeline's) follows it.
    declareTeardown(this, this.teardown);
    if (this.profile === EnvironmentProfile.PRODUCTION && this.teardown === TeardownPolicy.DESTROY) {
      warnWeakenedDefault(this, 'teardown', this.teardown, 'cdk destroy deletes the production database without a final snapshot, and every secret, key, log group and bucket',
        'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment');
    }

    this.encryptionKey = this.createLogsKey();
    this.vpc = props.vpc ?? createPlatformVpc(this, defaults, this.encryptionKey);
    this.repository = props.repository ?? createPlatformRepository(this, props.pipeline?.tag ?? 'latest');
    this.database = reporting(() => (props.database ? new PrivateDatabase(this, 'Database', {
      ...props.database,
      vpc: this.vpc,
      profile: this.profile,
      instanceType: props.database.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, defaults.database.instanceSize),
      encryptionKey: defaults.sharedEncryptionKey ? this.encryptionKey : undefined,
    }) : undefined));
    this.backups = reporting(() => {
      const { enabled: backupsEnabled, ...backups } = props.backups ?? {};
      return this.database && (backupsEnabled ?? (props.backups !== undefined || defaults.backups))
        ? new DataBackups(this, 'Backups', { ...backups, databases: [this.database.instance] }) : undefined;
    });
    this.databaseConnection = this.database ?? reporting(() => (props.existingDatabase
      ? PrivateDatabase.fromExistingDatabase(this, 'ExistingDatabase', props.existingDatabase) : undefined));
    this.cache = reporting(() => (props.cache ? new PrivateCache(this, 'Cache', { ...props.cache, vpc: this.vpc, profile: this.profile }) : undefined));
    this.dataBucket = reporting(() => (props.dataBucket ? createDataBucket(this, 'DataBucket', props.dataBucket) : undefined));

    reportChildPropsAs(this, 'Topics', prop => prop);
    this.platformTopics = new PlatformTopics(this, 'Topics', defaults.sharedEncryptionKey ? this.encryptionKey : undefined);
    const schedulerKey = props.scheduledApiCalls?.length ? this.createSchedulerApiKey() : undefined;
    // Fargate Spot runs X86_64 and ARM64 (Graviton) Linux tasks alike.
    const spot = props.service?.spot ?? defaults.service.spot;
    this.spot = spot;
    this.cpuArchitecture = props.service?.cpuArchitecture;
    this.platformImage = props.image ?? ServiceImage.fromEcrRepository(this.repository);
    this.appName = props.appName ?? defaultAppName(this);
    this.platformEnvironmentName = props.environmentName;
    this.imageTag = props.pipeline?.tag ?? 'latest';
    this.hasWebService = props.service?.enabled !== false;
    if (this.hasWebService) {
      this.mainService = reporting(() => this.createService(props, defaults, schedulerKey, spot));
      this.webServices.push(this.mainService);
      this.cluster = this.mainService.cluster;
    } else {
      // Without a web service the cluster is the platform's, with the settings the service's cluster would have.
      this.cluster = createFargateCluster(this, this.vpc, props.containerInsights ?? defaults.containerInsights);
    }
    if (this.dataBucket) logDataBucketAccess(this.dataBucket, this.accessLogsBucket());
    this.schedulerKey = schedulerKey;
    this.serviceOptions = props.service ?? {};
    this.hostedZone = props.hostedZone;
    if (props.redeployOnSecretRotation ?? true) {
      this.redeployedSecrets = {
        [PlatformStore.DATABASE]: this.database?.secret ?? props.existingDatabase?.secret,
        [PlatformStore.CACHE]: this.cache?.authToken,
        [SCHEDULER_KEY]: schedulerKey,
      };
      shareRedeployFunction(this.cluster, this, () => this.sharedRedeployFunction());
    }
    shareRuntimeGuardFunction(this.cluster, this, () => this.sharedRuntimeGuardFunction());
    // Before monitoring takes the service's deployment alarms: the redeploy's error alarm is one of them.
    if (this.mainService) this.redeployOnSecretChange(this.mainService, props.service?.stores, true, props.service?.connectedContainers);
    this.cleanupJob = reporting(() => (props.cleanupJob ? this.createJob(this, 'CleanupJob', 'cleanupJob', props.cleanupJob) : undefined));
    this.scheduledApiCalls = reporting(() => (schedulerKey && props.scheduledApiCalls && this.mainService ? new ScheduledApiCalls(this, 'ScheduledApiCalls', {
      baseUrl: this.mainService.serviceUrl, calls: props.scheduledApiCalls, apiKeySecret: schedulerKey,
    }) : undefined));
    reporting(() => this.createPipelines(props));
    if (this.cleanupJob) this.moveWithReleases(this.cleanupJob);
    this.monitoring = reporting(() => new InfraMonitoring(this, 'Monitoring', {
      service: this.mainService?.service,
      loadBalancer: this.mainService?.loadBalancer,
      targetGroups: this.mainService ? Object.values(this.mainService.targetGroups) : undefined,
      database: this.database?.instance,
      cache: this.cache,
      cleanupJobs: this.cleanupJob ? [this.cleanupJob] : undefined,
      scheduledApiCalls: this.scheduledApiCalls ? [this.scheduledApiCalls] : undefined,
      pipeline: this.pipeline,
      deployment: this.mainService,
      alarmEmails: props.alarmEmails,
    }));
    for (const shared of [this.redeployFunction, this.runtimeGuardFunction]) if (shared) notify(shared.errorsAlarm, this.monitoring.alarmTopic);
    const workspace = this.metricsWorkspace;
    if (workspace) this.monitoring.monitorMetricsWorkspace({ workspaceId: workspace.attrWorkspaceId });
    this.pipelines.filter(pipeline => pipeline !== this.pipeline).forEach(pipeline => this.monitoring.monitorPipeline(pipeline));
    reporting(() => this.createOutputs());
    this.warnOnUnsubscribedAlarms();
    this.refuseOverfullStack();
    if (!this.mainService) this.refuseIgnoredWithoutWebService();
  }

  /**
   * The web service: its ALB, edge, task and scaling. A platform without one (`service: { enabled: false }`, see
   * `hasWebService`) throws when it is read: use the workers and jobs `addWorker` and `addScheduledJob` return.
   */
  public get service(): SecureAlbFargateService {
    if (!this.mainService) {
      throw new Error(`${this.node.path} has no web service (service: { enabled: false }): read platform.service only when platform.hasWebService is true, `
        + 'or use the workers and jobs that addWorker and addScheduledJob return');
    }
    return this.mainService;
  }

  /** The environment's name (`environmentName`). */
  public get environmentName(): string {
    return this.platformEnvironmentName;
  }

  /** The web service's public URL: where a promotion's smoke checks go; undefined without a web service. */
  public get serviceUrl(): string | undefined {
    return this.mainService?.serviceUrl;
  }

  /**
   * The deploy pipeline of the platform image's repository, unless disabled or the image is not from ECR; without a web
   * service, created with the first worker that runs the platform's image.
   */
  public get pipeline(): EcrToEcsPipeline | undefined {
    const repository = this.platformImage.repository;
    return repository && this.repositoryPipelines.get(repositoryKey(repository));
  }

  /** The bucket of the platform's access logs: the web service's, or without one the platform's own, created on first use. */
  private accessLogsBucket(): s3.IBucket {
    if (this.mainService) return this.mainService.accessLogsBucket;
    return (this.node.tryFindChild(ACCESS_LOGS_BUCKET_ID) as s3.IBucket | undefined) ?? createAccessLogsBucket(this);
  }

  /**
   * Without a web service the pipeline of the platform image comes with the first worker that runs that image: the
   * options only it uses (the build, migrations, approval) are refused at synth when no worker does; so are the zone
   * without a static site and the jobs' `service.environment` and `service.secrets` without a job.
   */
  private refuseIgnoredWithoutWebService(): void {
    addLateCheck(this, () => {
      const options = this.pipelineOptions;
      if (options.enabled === false || this.pipeline) return;
      const { source, migrationCommand, runMigrations, manualApproval } = options;
      const used = { source, migrationCommand, runMigrations, manualApproval };
      checkAll(Object.entries(used).filter(([, value]) => value !== undefined).map(([name, value]) => () => {
        invalidProp(this, `pipeline.${name}`, name === 'source' ? 'GitHubSourceOptions' : value, 'the platform has no web service (service.enabled is false) and no worker '
          + 'runs the platform\'s image, so no pipeline of that image exists to use it; add a worker with the platform\'s image (addWorker(\'Worker\', { queue: {} })), or drop the option');
      }));
    });
    // Used without a web service by static sites (the zone) and scheduled jobs (their variables) only.
    addLateCheck(this, () => checkAll([
      () => {
        if (this.hostedZone && !this.node.children.some(child => child instanceof StaticSite)) {
          invalidProp(this, 'hostedZone', this.hostedZone.zoneName, 'the platform has no web service (service.enabled is false) and no static site, the only '
            + 'parts that use the zone without one; drop hostedZone, or add a static site on it (addStaticSite)');
        }
      },
      ...(['environment', 'secrets'] as const).map(name => () => {
        if (this.serviceOptions[name] !== undefined && this.releasedJobs.length === 0) {
          invalidProp(this, `service.${name}`, Object.keys(this.serviceOptions[name]!).join(', '), 'without a web service only the scheduled jobs receive it, '
            + `and the platform has none; give the workers their own ${name} (addWorker(id, { ${name} })), or drop it`);
        }
      }),
    ]));
  }

  /** The web service first, then every service and worker added: what a `PromotionPipeline` rolls out. */
  public get deliveryServices(): IDeployableService[] {
    return [...this.deployables];
  }

  /** The scheduled jobs (the cleanup job first): a `PromotionPipeline` moves them with each release. */
  public get deliveryJobs(): IDeployableJob[] {
    return [...this.releasedJobs];
  }

  /** The platform's SNS topics, by the names workloads publish to (`publishes`), once a workload names them. */
  public get topics(): { [name: string]: sns.ITopic } {
    return this.platformTopics.topics;
  }

  /** Every deploy pipeline: one per ECR repository that the workloads' containers run (`pipeline` is the web service image's). */
  public get pipelines(): EcrToEcsPipeline[] {
    return [...this.repositoryPipelines.values()];
  }

  /**
   * The internal load balancer of the workers added with `internalLoadBalancer`, one per platform, created with the
   * first of them; it admits every workload of the platform (docs/adr/0023). None until a worker asks for it.
   */
  public get internalLoadBalancer(): InternalLoadBalancer | undefined {
    return this.node.tryFindChild(INTERNAL_LOAD_BALANCER_ID) as InternalLoadBalancer | undefined;
  }

  /**
   * The platform's internal load balancer, created on first use with the profile's deletion protection, admitting every
   * workload so far; with HTTPS in the platform's zone from the first worker that has aliases (`https`) on.
   */
  private internalLoadBalancerOf(https: boolean): InternalLoadBalancer {
    const lb = this.internalLoadBalancer ?? this.createInternalLoadBalancer();
    // Without a zone the worker's aliases are refused by name: they need HTTPS.
    if (https && this.hostedZone) {
      const zoneName = zoneNameOf(this.hostedZone);
      // Copilot's `<env>.<app>.internal`, in the zone: unique per app environment, as the platform's other names are.
      const domainName = zoneName === undefined || isToken(zoneName) ? undefined : `internal.${this.environmentName}.${this.appName}.${zoneName}`;
      lb._enableHttps({ hostedZone: this.hostedZone, domainName }, 'hostedZone', 'environmentName');
    }
    return lb;
  }

  private createInternalLoadBalancer(): InternalLoadBalancer {
    const deletionProtection = this.serviceDeletionProtection(this.defaults);
    const lb = new InternalLoadBalancer(this, INTERNAL_LOAD_BALANCER_ID, {
      vpc: this.vpc, accessLogsBucket: this.accessLogsBucket(), deletionProtection,
    });
    // Destroyable is what the development profile is for: no warning about it on every synth.
    if (!deletionProtection) Annotations.of(lb).acknowledgeWarning(libraryWarningId('deletionProtection'), 'development profile');
    this.deployables.forEach(workload => lb.allowFrom(workload.serviceSecurityGroup));
    this.releasedJobs.forEach(job => lb.allowFrom(job));
    return lb;
  }

  /** The file system holding the workloads' `volumes`; none until a workload has one. */
  public get fileSystem(): efs.FileSystem | undefined {
    return this.node.tryFindChild(FILE_SYSTEM_ID) as efs.FileSystem | undefined;
  }

  /**
   * The file system a workload's volumes live on: its own `fileSystem`, or the platform's, one per platform, created
   * with the first volume under the platform (so its logical ID is the same whichever workload asked first). Its key
   * follows the profile (the shared key in development, one of its own in production), it follows the teardown
   * policy, and the platform's AWS Backup plan covers it (EFS automatic backups without a plan).
   */
  private volumesOf<T extends VolumesOptions>(prop: string, options: T): efs.IFileSystem | undefined {
    if (options.fileSystem || !options.volumes?.length) return options.fileSystem;
    options.volumes.forEach((volume, i) => this.checkVolumeOwner(`${prop}.volumes[${i}]`, volume));
    const existing = this.fileSystem;
    if (existing) return existing;
    const encryptionKey = this.defaults.sharedEncryptionKey ? this.encryptionKey : createKey(this, `${FILE_SYSTEM_ID}Key`, 'EFS file system of the backend volumes');
    const fileSystem = createFileSystem(this, FILE_SYSTEM_ID, { vpc: this.vpc, encryptionKey, automaticBackups: !this.backups });
    this.backups?.addFileSystem(fileSystem);
    return fileSystem;
  }

  /**
   * Volumes of one name share the directory /<name> of the platform's file system. EFS creates it owned by the user of
   * the first access point that mounts it and never changes its owner, so a second owner could not write to it.
   */
  private checkVolumeOwner(prop: string, volume: VolumeOptions): void {
    if (typeof volume.name !== 'string' || isToken(volume.name) || isToken(volume.uid) || isToken(volume.gid)) return;
    const owner = { uid: volume.uid ?? DEFAULT_VOLUME_OWNER, gid: volume.gid ?? DEFAULT_VOLUME_OWNER };
    const first = this.volumeOwners.get(volume.name);
    if (!first) {
      this.volumeOwners.set(volume.name, { ...owner, prop });
    } else if (first.uid !== owner.uid || first.gid !== owner.gid) {
      invalidProp(this, prop, `uid ${owner.uid}, gid ${owner.gid}`, `${first.prop} mounts /${volume.name} as uid ${first.uid}, gid ${first.gid}, and EFS keeps `
        + 'the owner the directory was created with: give the same uid and gid, or another name');
    }
  }

  /** The Amazon Managed Service for Prometheus workspace the workloads' collectors write to; none until a workload sets `metrics`. */
  public get metricsWorkspace(): aps.CfnWorkspace | undefined {
    return metricsWorkspaceOf(this);
  }

  /**
   * Adds a worker: a service with no load balancer that consumes a queue (`queue`) or serves the platform's other
   * workloads by name through ECS Service Connect (`port`). It runs in the platform's cluster with the platform's
   * image (unless `image` is given), the profile's Spot choice and log retention, the database and cache connections,
   * and its alarms page the monitoring topic. With a port, the web service may call it at `http://<id in lower case>:<port>`.
   */
  public addWorker(id: string, options: PlatformWorkerOptions): WorkerService {
    const input = this.workloadInput('addWorker', id, options, 'PlatformWorkerOptions', 'e.g. { queue: {} } or { port: 8080 }');
    options = input.live;
    const { worker, admit } = buildReporting(this, () => {
      const { stores: storeNames, publishes, subscriptions, ownStack, ...workerOptions } = options;
      const { stores, admit: admitTo } = this.connectionsOf(`addWorker('${id}')`, options);
      const spot = options.spot ?? this.spot;
      return {
        admit: admitTo,
        worker: new WorkerService(this.workloadScope(`addWorker('${id}')`, id, 'Worker', ownStack), id, {
          ...workerOptions,
          cluster: this.cluster,
          environmentName: this.environmentName,
          appName: this.appName,
          image: options.image ?? this.platformImage,
          cpuArchitecture: options.cpuArchitecture ?? this.cpuArchitecture,
          spot,
          onDemandBaseCapacity: options.onDemandBaseCapacity ?? (spot ? 0 : undefined),
          environment: Object.assign({}, ...stores.map(store => store.containerEnvironment), options.environment),
          secrets: Object.assign({}, ...stores.map(store => store.containerSecrets), options.secrets),
          logRetention: this.defaults.logRetention,
          logEncryptionKey: this.encryptionKey,
          alarmTopic: this.monitoring.alarmTopic,
          metrics: this.metricsOf(`addWorker('${id}')`, options.metrics),
          fileSystem: this.volumesOf(`addWorker('${id}')`, options),
          loadBalancer: options.internalLoadBalancer && options.port !== undefined
            ? this.internalLoadBalancerOf((options.internalLoadBalancer.aliases ?? []).length > 0) : undefined,
        }),
      };
    }, input);
    buildReporting(this, () => {
      admit(worker);
      this.platformTopics.subscribe(`addWorker('${id}').subscriptions`, worker, options.subscriptions);
      if (worker.serviceConnectNamespace) {
        this.internalWorkers.push(worker);
        this.webServices.forEach(service => this.reach(service, worker));
      }
      this.redeployOnSecretChange(worker, options.stores, false);
      this.monitoring.monitorWorker(worker);
      this.deployWorkload(worker);
    });
    return worker;
  }

  /**
   * Adds a web service on the platform's load balancer and distribution: requests to its `pathPatterns` (and its
   * routed containers' paths) reach it, every other path the platform's `service`. It runs in the platform's cluster
   * with the platform's image (unless `image` is given), the profile's size, capacity, Spot choice and log retention,
   * its stores' connections (all by default) and the scheduler key; it reaches the platform's internal workers, rolls
   * out with the pipeline of its image's repository, and gets a dashboard row and alarms that roll its deployments
   * back. A path another service routes is refused.
   */
  public addService(id: string, options: PlatformWebServiceOptions): SecureAlbFargateService {
    const input = this.workloadInput('addService', id, options, 'PlatformWebServiceOptions', 'e.g. { pathPatterns: [\'/admin/*\'] }');
    const { service, connections } = buildReporting(this, () => {
      if (!this.mainService) {
        invalidProp(this, `addService('${id}')`, 'PlatformWebServiceOptions', 'the platform has no web service (service.enabled is false), whose load balancer '
          + 'and distribution an added service shares; enable the web service (drop service.enabled), or add a worker that other workloads reach '
          + `(addWorker('${id}', { port: 8080, internalLoadBalancer: {} }))`);
      }
      const { stores, publishes, connectedContainers, image, ownStack, ...serviceOptions } = input.value;
      const connected = this.connectionsOf(`addService('${id}')`, input.value, this.schedulerKey);
      return {
        connections: connected,
        service: new SecureAlbFargateService(this.workloadScope(`addService('${id}')`, id, 'Web service', ownStack), id, {
          ...this.webServiceProps(`addService('${id}')`, serviceOptions, connected, connectedContainers),
          shareEdgeWith: this.mainService!,
          cluster: this.cluster,
          vpc: this.vpc,
          environmentName: this.platformEnvironmentName,
          appName: this.appName,
          image: image ?? this.platformImage,
        }),
      };
    }, input);
    buildReporting(this, () => {
      connections.admit(service);
      this.webServices.push(service);
      this.internalWorkers.forEach(worker => this.reach(service, worker));
      // Before monitoring takes the service's deployment alarms: the redeploy's error alarm is one of them.
      this.redeployOnSecretChange(service, input.value.stores, true, input.value.connectedContainers);
      this.monitoring.monitorWebService(service);
      this.deployWorkload(service);
    });
    return service;
  }

  /**
   * Adds a static site (docs/adr/0024): a private bucket served by its own CloudFront distribution, its `domainName`
   * in the platform's hosted zone, its logs in the platform's access-log bucket, the web ACL of the platform's service
   * unless it names one, and the platform's teardown (retained in production). Outputs `<platform><id>Url` and
   * `<platform><id>BucketName` name the site and the bucket to upload to.
   */
  public addStaticSite(id: string, options: PlatformStaticSiteOptions = {}): StaticSite {
    const input = this.workloadInput('addStaticSite', id, options, 'PlatformStaticSiteOptions', 'e.g. { content: [SiteContent.fromDirectory(\'./dist\')] }');
    // The zone is the platform's: a problem with it is the platform's prop.
    reportChildPropsAs(this, id, prop => (prop.split(/[.[]/)[0] === 'hostedZone' ? prop : `addStaticSite('${id}').${prop}`));
    const site = buildReporting(this, () => new StaticSite(this, id, {
      ...input.value,
      hostedZone: this.hostedZone,
      accessLogsBucket: this.accessLogsBucket(),
      webAcl: input.value.webAcl ?? this.serviceWebAcl(),
    }), input);
    this.refuseTakenSiteDomain(id, site);
    buildReporting(this, () => {
      this.monitoring.monitorStaticSite(site);
      this.output(`${id}Url`, site.url, `URL of the static site ${id}`);
      this.output(`${id}BucketName`, site.bucket.bucketName, `Bucket of the static site ${id}: aws s3 sync <dir> s3://<name>`);
    });
    return site;
  }

  /**
   * A site's domain is an alternate domain name no other distribution of the platform has: CloudFront gives a name to
   * one distribution only (CNAMEAlreadyExists). Checked at synth, so services and sites added later count.
   */
  private refuseTakenSiteDomain(id: string, site: StaticSite): void {
    addLateCheck(this, () => {
      const own = site.distribution.node.defaultChild as cloudfront.CfnDistribution;
      const namesOf = (cfn: cloudfront.CfnDistribution): unknown[] => Stack.of(cfn).resolve(cfn.distributionConfig)?.aliases ?? [];
      const [domainName] = namesOf(own);
      if (typeof domainName !== 'string') return;
      const taken = this.node.findAll().find(c => c instanceof cloudfront.CfnDistribution && c !== own && namesOf(c).includes(domainName));
      if (taken) {
        invalidProp(this, `addStaticSite('${id}').domainName`, domainName, `the distribution ${taken.node.scope!.node.path} already answers at it, and CloudFront `
          + 'gives a name to one distribution only; pick another name for the site, or drop it there');
      }
    });
  }

  /** The web ACL of the platform's service, as an ARN a site's distribution can take, if it has one. */
  private serviceWebAcl(): EdgeWebAcl | undefined {
    if (!this.mainService) return undefined;
    const managed = this.mainService.node.tryFindChild('WebAcl');
    if (managed instanceof CloudFrontWebAcl) return EdgeWebAcl.fromArn(managed.webAclArn);
    const given = this.serviceOptions.webAcl?.webAclArn ?? this.serviceOptions.webAclId;
    return given === undefined ? undefined : EdgeWebAcl.fromArn(given);
  }

  /** A web service calls an internal worker by name: Service Connect as a client, and the worker's port open to it. */
  private reach(service: SecureAlbFargateService, worker: WorkerService): void {
    worker.allowFrom(service);
    if (this.serviceConnectClients.has(service)) return;
    service.service.enableServiceConnect({ namespace: worker.serviceConnectNamespace });
    this.serviceConnectClients.add(service);
  }

  /**
   * Adds a scheduled job: a Fargate task on a schedule, running the service's image with the service's environment
   * and secrets, its stores' connections (all by default), `TASK_TYPE` set to `taskType`, the profile's Spot choice
   * and log retention; its alarms page the monitoring topic, and the pipeline of the service image moves it with each
   * release. The `cleanupJob` prop is one such job.
   */
  public addScheduledJob(id: string, options: PlatformScheduledJobOptions): CleanupJobScheduler {
    const input = this.workloadInput('addScheduledJob', id, options, 'PlatformScheduledJobOptions', 'e.g. { command: [\'node\', \'report.js\'], taskType: \'REPORT\' }');
    const job = buildReporting(this, () => {
      const { ownStack, ...jobOptions } = input.value;
      return this.createJob(this.workloadScope(`addScheduledJob('${id}')`, id, 'Scheduled job', ownStack), id, `addScheduledJob('${id}')`, jobOptions);
    }, input);
    buildReporting(this, () => {
      this.monitoring.monitorScheduledJob(job);
      this.moveWithReleases(job);
    });
    return job;
  }

  /** A job runs the service's image: the pipeline of that image's repository registers its revisions with each release. */
  private moveWithReleases(job: CleanupJobScheduler): void {
    this.releasedJobs.push(job);
    this.internalLoadBalancer?.allowFrom(job);
    if (job.imageRepository) this.repositoryPipelines.get(repositoryKey(job.imageRepository))?.addScheduledJob(job);
  }

  /**
   * The id and options of a workload added by a method, checked (options against their struct's types) before any
   * child exists; its problems named after the call. An unusable id or options object throws every problem so far.
   */
  private workloadInput<T extends object>(method: string, id: string, options: T, struct: string, example: string): RefusableProps<T> {
    const input = new RefusableProps(options, struct, `${method}('${id}').`);
    buildReporting(this, () => checkAll([
      () => { if (typeof id !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(id)) invalidProp(this, `${method} id`, id, 'use letters and digits, starting with a letter (e.g. "Mailer")'); },
      () => { if (typeof id === 'string' && this.node.tryFindChild(id)) invalidProp(this, `${method} id`, id, 'the platform already has a part or workload with that id; pick another'); },
      () => {
        if (typeof options !== 'object' || options === null) invalidProp(this, `${method}('${id}') options`, options, `give the options, ${example}`);
        checkPropTypes(this, struct, input.value, `${method}('${id}').`);
      },
    ]), input);
    reportChildPropsAs(this, id, prop => `${method}('${id}').${prop}`);
    return input;
  }

  /** Where an added workload's resources live: the platform's stack, or a nested stack of its own (`ownStack`, docs/adr/0015). */
  private workloadScope(call: string, id: string, kind: string, ownStack: boolean | undefined): Construct {
    if (ownStack === true) return new WorkloadStack(this, id, kind);
    // Once, also when a first attempt at the workload was refused.
    if (!this.inStackWorkloads.includes(call)) this.inStackWorkloads.push(call);
    return this;
  }

  /**
   * CloudFormation's quotas per template (500 resources, 60 dynamic references), refused at synth naming the workloads
   * that could have stacks of their own, before aws-cdk-lib's generic error or a failed deploy; every crossed quota in
   * one error. Counted at synth, so resources added after construction count.
   */
  private refuseOverfullStack(): void {
    addLateCheck(this, () => {
      const stack = Stack.of(this);
      const last = this.inStackWorkloads[this.inStackWorkloads.length - 1];
      if (!last) return;
      const fix = `give new workloads stacks of their own with ownStack: true (each then adds one resource here, and none of its dynamic references): ${this.inStackWorkloads.join(', ')} are in this stack (docs/adr/0015)`;
      checkAll([
        () => {
          const resources = stack.node.findAll().filter(c => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
          if (resources > MAX_RESOURCES_PER_STACK) {
            invalidProp(this, `${last}.ownStack`, undefined, `the stack ${stack.node.path} would hold ${resources} resources, over CloudFormation's `
              + `${MAX_RESOURCES_PER_STACK} per template (${CLOUDFORMATION_QUOTAS}); ${fix}`);
          }
        },
        () => this.refuseTooManyDynamicReferences(stack, last, fix),
      ]);
    });
  }

  /**
   * CloudFormation's 60 dynamic references per template: each ECR image of a task (its tag parameter), each secret
   * CloudFormation reads (database credentials, cache token, API key) and, behind a public ALB, the origin-verify header
   * of the distribution and of each listener rule. A workload in a stack of its own counts in its template, which one
   * workload cannot fill (at most 10 containers per task definition, so about 20 references).
   */
  private refuseTooManyDynamicReferences(stack: Stack, last: string, fix: string): void {
    const references = dynamicReferencesIn(stack);
    if (references > MAX_DYNAMIC_REFERENCES_PER_STACK) {
      invalidProp(this, `${last}.ownStack`, undefined, `the stack ${stack.node.path} would hold ${references} dynamic references ({{resolve:...}}), over `
        + `CloudFormation's ${MAX_DYNAMIC_REFERENCES_PER_STACK} per template (${CLOUDFORMATION_QUOTAS}); ${fix}`);
    }
  }

  /** A scheduled job with the service's image and configuration, its own stores and its own additions. */
  private createJob(scope: Construct, id: string, prop: string, options: PlatformCleanupJobOptions): CleanupJobScheduler {
    const { stores, publishes, ...job } = options;
    const connections = this.connectionsOf(prop, options, this.schedulerKey);
    const scheduled = new CleanupJobScheduler(scope, id, {
      ...job,
      cluster: this.cluster,
      // Without a web service no tag parameter holds the released tag: the job runs the pipeline's tag.
      image: this.mainService ? this.mainService.containerImage : this.platformImage.containerImage(this.imageTag),
      imageRepository: this.platformImage.repository,
      spot: this.spot,
      cpuArchitecture: this.cpuArchitecture,
      environment: { ...this.serviceOptions.environment, ...connections.environment, ...job.environment },
      secrets: { ...this.serviceOptions.secrets, ...connections.secrets, ...job.secrets },
      logRetention: this.defaults.logRetention,
      logEncryptionKey: this.encryptionKey,
    });
    connections.admit(scheduled);
    return scheduled;
  }

  /**
   * Redeploys a workload whenever a secret its tasks read at start, from the stores it names (all by default) and the
   * scheduler key, gets a new value (docs/adr/0010). A task whose containers receive no connection
   * (`connectedContainers: []`) reads none of them. Scheduled jobs read secrets at each run and need none.
   */
  private redeployOnSecretChange(
    workload: SecureAlbFargateService | WorkerService, stores: PlatformStore[] | undefined, readsSchedulerKey: boolean,
    connectedContainers?: string[],
  ): void {
    if (connectedContainers?.length === 0) return;
    const sources: string[] = [...(stores ?? Object.values(PlatformStore)), ...(readsSchedulerKey ? [SCHEDULER_KEY] : [])];
    sources.map(source => this.redeployedSecrets[source]).forEach(secret => secret && workload.redeployOnRotation(secret));
  }

  /**
   * The one function that redeploys every workload of the platform after a secret change, each workload's rule naming
   * its service (docs/adr/0016); created on first use, its alarm paging the topic. Each rule adds a statement to the
   * function's resource-based policy, which Lambda bounds: more rules are refused at synth.
   */
  private sharedRedeployFunction(): RedeployFunction {
    if (this.redeployFunction) return this.redeployFunction;
    this.redeployFunction = new RedeployFunction(new Construct(this, 'RotationRedeploy'), {
      cluster: this.cluster, logRetention: this.defaults.logRetention, logEncryptionKey: this.encryptionKey,
    });
    this.routeSharedFunction(this.redeployFunction, 'redeployOnSecretRotation', 'rotation redeploy function',
      'put some workloads in another platform, or set redeployOnSecretRotation: false and redeploy after rotations yourself');
    return this.redeployFunction;
  }

  /** The one function that stops the overdue runs of every job of the platform, each job's rule naming its family (docs/adr/0016). */
  private sharedRuntimeGuardFunction(): RuntimeGuardFunction {
    if (this.runtimeGuardFunction) return this.runtimeGuardFunction;
    this.runtimeGuardFunction = new RuntimeGuardFunction(new Construct(this, 'RuntimeGuard'), {
      cluster: this.cluster, logRetention: this.defaults.logRetention, logEncryptionKey: this.encryptionKey,
    });
    this.routeSharedFunction(this.runtimeGuardFunction, 'maxRuntime', 'runtime guard function',
      'put some jobs in another platform, or set maxRuntime: Duration.seconds(0) on some and stop their overdue runs yourself');
    return this.runtimeGuardFunction;
  }

  /**
   * A shared function's alarm pages the topic; its rules (one statement each in its resource-based policy, which Lambda
   * bounds) are counted at synth and refused past the quota.
   */
  private routeSharedFunction(
    shared: { readonly errorsAlarm: cloudwatch.Alarm; readonly invokers: events.Rule[] }, prop: string, what: string, fix: string,
  ): void {
    // Created before the monitoring (by the platform's service or cleanup job) or after it (by an added workload).
    if (this.monitoring) notify(shared.errorsAlarm, this.monitoring.alarmTopic);
    this.node.addValidation({
      validate: () => {
        const max = maxRulesInvokingOneFunction();
        if (shared.invokers.length > max) {
          invalidProp(this, prop, undefined, `${shared.invokers.length} rules of the platform's workloads would invoke its ${what}, over the ${max} `
            + `whose permissions fit Lambda's ${MAX_LAMBDA_RESOURCE_POLICY_BYTES / 1024} KB resource-based policy (${LAMBDA_QUOTAS}); ${fix}`);
        }
        return [];
      },
    });
  }

  /** A child's bad prop is reported at the platform's path, in the platform's prop names (`service.cpu`, not `cpu`). */
  private reportChildProblemsInOwnNames(): void {
    const under = (prefix: string, fromPlatform: { [childProp: string]: string } = {}) => (prop: string) => {
      const root = prop.split(/[.[]/)[0];
      return root in fromPlatform ? `${fromPlatform[root]}${prop.slice(root.length)}` : `${prefix}.${prop}`;
    };
    const shared = { vpc: 'vpc', profile: 'profile', environmentName: 'environmentName', appName: 'appName', hostedZone: 'hostedZone', image: 'image' };
    reportChildPropsAs(this, 'Service', under('service', shared));
    reportChildPropsAs(this, 'Database', under('database', shared));
    reportChildPropsAs(this, 'ExistingDatabase', under('existingDatabase'));
    reportChildPropsAs(this, 'Cache', under('cache', shared));
    reportChildPropsAs(this, 'Backups', under('backups'));
    reportChildPropsAs(this, 'CleanupJob', under('cleanupJob', { spot: 'service.spot', cpuArchitecture: 'service.cpuArchitecture', vpc: 'vpc' }));
    reportChildPropsAs(this, 'ScheduledApiCalls', under('scheduledApiCalls', { calls: 'scheduledApiCalls' }));
    reportChildPropsAs(this, 'Pipeline', under('pipeline', { service: 'service' }));
    reportChildPropsAs(this, 'Monitoring', under('monitoring', { alarmEmails: 'alarmEmails' }));
  }

  /**
   * The stores a workload names (every store of the platform by default), refused by name when the platform lacks
   * one or one is named twice, with their connections, the topics it publishes to and the scheduler key.
   */
  private connectionsOf(call: string, options: StoreConnectionOptions, schedulerKey?: secretsmanager.ISecret): WorkloadConnections {
    const prop = `${call}.stores`;
    const names = options.stores;
    const publisher = this.platformTopics.publisher(`${call}.publishes`, options.publishes);
    const available: { [store: string]: IContainerConnection | undefined } = {
      [PlatformStore.DATABASE]: this.databaseConnection,
      [PlatformStore.CACHE]: this.cache,
    };
    const bucket = this.dataBucket;
    if (bucket) {
      available[PlatformStore.DATA_BUCKET] = {
        containerEnvironment: { [DATA_BUCKET_VARIABLE]: bucket.bucketName },
        containerSecrets: {},
        allowFrom: () => {},
      };
    }
    const missing: { [store: string]: string } = {
      [PlatformStore.DATABASE]: 'the platform has no database; add database or existingDatabase',
      [PlatformStore.CACHE]: 'the platform has no cache; add cache',
      [PlatformStore.DATA_BUCKET]: 'the platform has no data bucket; add dataBucket',
    };
    checkAll([
      () => validateUnique(this, prop, names ?? []),
      ...(names ?? []).map((name, i) => () => { if (!available[name]) invalidProp(this, `${prop}[${i}]`, name, `${missing[name]}, or drop it from ${prop}`); }),
    ]);
    const selected = names ?? Object.keys(available);
    const stores = [...selected.map(name => available[name]), publisher].filter((c): c is IContainerConnection => c !== undefined);
    return {
      stores,
      admit: workload => {
        stores.forEach(store => store.allowFrom(workload));
        publisher?.grantPublish(workload.taskDefinition.taskRole);
        if (bucket && selected.includes(PlatformStore.DATA_BUCKET)) grantDataBucket(bucket, workload.taskDefinition.taskRole);
      },
      environment: Object.assign({}, ...stores.map(store => store.containerEnvironment)),
      secrets: Object.assign({}, ...stores.map(store => store.containerSecrets),
        schedulerKey ? { SCHEDULER_API_KEY: new ReaderGrantedSecret(schedulerKey) } : {}),
    };
  }

  /** The web service with the profile's size, capacity, Spot and deletion protection, unless the user set them. */
  private createService(
    props: BackendPlatformProps, defaults: ProfileDefaults, schedulerKey: secretsmanager.ISecret | undefined, spot: boolean,
  ): SecureAlbFargateService {
    const { stores, publishes, connectedContainers, ...options } = props.service ?? {};
    const connections = this.connectionsOf('service', props.service ?? {}, schedulerKey);
    const service = new SecureAlbFargateService(this, 'Service', {
      ...this.webServiceProps('service', { ...options, spot }, connections, connectedContainers),
      vpc: this.vpc,
      hostedZone: props.hostedZone,
      environmentName: this.platformEnvironmentName,
      appName: this.appName,
      image: this.platformImage,
      deletionProtection: options.deletionProtection ?? this.serviceDeletionProtection(defaults),
      containerInsights: props.containerInsights ?? defaults.containerInsights,
    });
    if (!this.serviceDeletionProtection(defaults)) {
      // Destroyable is what the development profile is for: no warning about it on every synth.
      Annotations.of(service).acknowledgeWarning(libraryWarningId('deletionProtection'), 'development profile');
    }
    if (defaults.service.warnWithoutWebAcl && service.distribution && !options.webAcl && options.webAclId === undefined) {
      Annotations.of(this).addWarningV2(libraryWarningId('webAcl'), 'service.webAcl is not set: the production distribution has no AWS WAF web ACL '
        + '(managed rule groups, per-IP rate limit); give service.webAcl: EdgeWebAcl.fromArn(acl.webAclArn) of a CloudFrontWebAcl in a us-east-1 stack, '
        + 'or EdgeWebAcl.managed() when this stack is in us-east-1');
    }
    connections.admit(service);
    return service;
  }

  /**
   * A web service's props with the profile's size, capacity, Spot and log settings unless set, and the stores'
   * connections in the environment and secrets of its connected containers.
   */
  private webServiceProps<T extends WebServiceTaskOptions>(
    prop: string, options: T, connections: WorkloadConnections, connectedContainers?: string[],
  ) {
    const defaults = this.defaults.service;
    const connected = this.connectedContainersOf(prop, options.routedContainers ?? [], connectedContainers);
    const connect = <C extends ContainerOptions>(name: string, container: C): C => (connected.includes(name) ? {
      ...container,
      environment: Object.assign({}, container.environment, connections.environment),
      secrets: Object.assign({}, container.secrets, connections.secrets),
    } : container);
    const spot = options.spot ?? this.spot;
    return {
      ...options,
      ...connect(MAIN_CONTAINER, { environment: options.environment, secrets: options.secrets }),
      routedContainers: options.routedContainers?.map(routed => connect(routed.name, routed)),
      cpu: options.cpu ?? defaults.cpu,
      memoryLimitMiB: options.memoryLimitMiB ?? defaults.memoryLimitMiB,
      minCapacity: options.minCapacity ?? defaults.minCapacity,
      maxCapacity: options.maxCapacity ?? defaults.maxCapacity,
      cpuArchitecture: options.cpuArchitecture ?? this.cpuArchitecture,
      spot,
      onDemandBaseCapacity: options.onDemandBaseCapacity ?? (spot ? 0 : undefined),
      logRetention: this.defaults.logRetention,
      logEncryptionKey: this.encryptionKey,
      metrics: this.metricsOf(prop, options.metrics),
      fileSystem: this.volumesOf(prop, options),
    };
  }

  /**
   * A workload's metrics, writing to the platform's workspace unless they name one; the workspace gets its dashboard
   * row and alarm when it is created after the monitoring (by an added workload), else once the monitoring exists.
   */
  private metricsOf(prop: string, metrics: PrometheusMetricsOptions | undefined): PrometheusMetricsOptions | undefined {
    return withMetricsWorkspace(this, prop, metrics, workspace => {
      if (this.monitoring) this.monitoring.monitorMetricsWorkspace({ workspaceId: workspace.attrWorkspaceId });
    });
  }

  /** The containers that receive the stores' connections, each one a container of the task. */
  private connectedContainersOf(prop: string, routed: RoutedContainerOptions[], names: string[] | undefined): string[] {
    if (names === undefined) return [MAIN_CONTAINER];
    const containers = [MAIN_CONTAINER, ...routed.map(r => r.name)];
    checkAll([
      () => validateUnique(this, `${prop}.connectedContainers`, names),
      ...names.map((name, i) => () => {
        if (!containers.includes(name)) {
          invalidProp(this, `${prop}.connectedContainers[${i}]`, name, `the task has no container of that name; use one of ${containers.map(c => JSON.stringify(c)).join(', ')} (app is the main container)`);
        }
      }),
    ]);
    return names;
  }

  /** The profile's choice, except that a platform whose teardown deletes everything must not block its own deletion. */
  private serviceDeletionProtection(defaults: ProfileDefaults): boolean {
    return defaults.service.deletionProtection && this.teardown !== TeardownPolicy.DESTROY;
  }

  /**
   * The web service's pipelines: one per ECR repository its containers run; the one of its main image is `pipeline`.
   * Migrations (only with `pipeline.migrationCommand`) run once, in the pipeline of the first container that receives
   * the database (`service.connectedContainers`).
   */
  private createPipelines(props: BackendPlatformProps): void {
    this.pipelineOptions = props.pipeline ?? {};
    const migrating = props.service?.connectedContainers?.[0] ?? MAIN_CONTAINER;
    const { enabled, runMigrations, migrationCommand } = this.pipelineOptions;
    this.migrationCommand = enabled === false ? undefined : migrationCommandOf(this, 'pipeline.', this.pipelineOptions);
    if (!this.mainService) {
      // Migrations run in the pipeline of the platform image, as a one-off task of the first worker that runs it.
      // (A pipeline with an image not from ECR is refused by validateProps.)
      this.migrationRepository = this.platformImage.repository;
      return;
    }
    this.migrationRepository = this.mainService.ecrContainers.find(container => container.containerName === migrating)?.repository;
    if (this.migrationCommand && !this.migrationRepository) {
      invalidProp(this, migrationCommand ? 'pipeline.migrationCommand' : 'pipeline.runMigrations', migrationCommand ?? runMigrations,
        `migrations run in the container that receives the database ("${migrating}"), whose image is not from ECR, so no pipeline can run them; `
        + 'give that container ServiceImage.fromEcrRepository, or drop the option');
    }
    this.deployWorkload(this.mainService);
  }

  /**
   * Registers a workload with the pipeline of each ECR repository its containers run, creating the pipeline of a
   * repository that has none yet: a push of one repository rolls out its containers in every workload, and only those.
   */
  private deployWorkload(workload: IDeployableService): void {
    this.deployables.push(workload);
    this.internalLoadBalancer?.allowFrom(workload.serviceSecurityGroup);
    const { enabled, source, runMigrations, migrationCommand, migrationTimeout, ...shared } = this.pipelineOptions;
    if (enabled === false) return;
    const repositories = new Map(workload.ecrContainers.map(container => [repositoryKey(container.repository), container]));
    for (const { repository, containerName } of repositories.values()) {
      const existing = this.repositoryPipelines.get(repositoryKey(repository));
      if (existing) {
        existing.addService(workload);
        continue;
      }
      // The platform image's pipeline: the web service's, or without one the first worker's that runs that image.
      const main = (!this.mainService || workload === this.mainService) && sameRepository(repository, this.platformImage.repository);
      const migrations = sameRepository(repository, this.migrationRepository);
      const pipeline = new EcrToEcsPipeline(this, main ? 'Pipeline' : `${workload.node.id}${pascal(containerName)}Pipeline`, {
        ...shared,
        service: workload,
        repository,
        // The CI build pushes the platform image; migrations run in one pipeline only.
        source: main ? source : undefined,
        migrationCommand: migrations ? this.migrationCommand : undefined,
        migrationTimeout: migrations ? migrationTimeout : undefined,
        logRetention: this.defaults.logRetention,
        logEncryptionKey: this.encryptionKey,
        encryptionKey: this.defaults.sharedEncryptionKey ? this.encryptionKey : undefined,
      });
      this.repositoryPipelines.set(repositoryKey(repository), pipeline);
      // Without a web service the jobs (the cleanup job too) may come before the pipeline of their image.
      if (!this.mainService) {
        this.releasedJobs.filter(job => sameRepository(job.imageRepository, repository)).forEach(job => pipeline.addScheduledJob(job));
      }
      // Pipelines created with the platform are monitored once the monitoring exists.
      if (this.monitoring) this.monitoring.monitorPipeline(pipeline);
    }
  }

  /** Customer-managed key for the platform's log groups; CloudWatch Logs of this account and region may use it. */
  private createLogsKey(): kms.Key {
    const key = createKey(this, 'LogsKey', 'Backend platform log groups');
    const stack = Stack.of(this);
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    return key;
  }

  private createSchedulerApiKey(): secretsmanager.Secret {
    return createSharedSecret(this, 'SchedulerApiKey',
      'API key of scheduled backend calls; injected into the service as SCHEDULER_API_KEY',
      'Shared by EventBridge and the service, which reads it at task start; rotate by updating the secret and redeploying.');
  }

  /**
   * Outputs named after the platform (`BackendServiceUrl`, `BackendRepositoryUri`) rather than CDK's hashed IDs, so
   * `cdk deploy` prints names a user can read and look up; the platform's path in its stack keeps two platforms apart.
   */
  private createOutputs(): void {
    const output = this.output.bind(this);
    if (this.mainService) output('ServiceUrl', this.mainService.serviceUrl, 'Public URL of the backend');
    output('RepositoryUri', this.repository.repositoryUri, 'Push backend images here');
    if (this.database) output('DatabaseEndpoint', this.database.instance.dbInstanceEndpointAddress, 'PostgreSQL host (private)');
  }

  /** A stack output named after the platform (`Backend<name>`), unique in its stack. */
  private output(name: string, value: string, description: string): void {
    const stack = Stack.of(this);
    const logicalId = `${logicalPrefix(this)}${name}`;
    claimPhysicalName(this, 'stack output', stack.node.path, logicalId, 'id', this.node.id);
    new CfnOutput(this, name, { value, description }).overrideLogicalId(logicalId);
  }

  /**
   * Warns when the platform's alarms reach a topic nobody subscribes to. Checked at synth, so a subscription added
   * after construction (`platform.monitoring.alarmTopic.addSubscription`) counts. The warning sits on the topic:
   * aws-cdk-lib honours a later warning's acknowledgement only from an ancestor (the platform, the stack).
   */
  private warnOnUnsubscribedAlarms(): void {
    this.node.addValidation({
      validate: () => {
        const stack = Stack.of(this);
        const topic = stack.resolve(this.monitoring.alarmTopic.topicArn);
        const found = stack.node.findAll();
        const same = (value: unknown) => JSON.stringify(stack.resolve(value)) === JSON.stringify(topic);
        const subscribed = found.some(c => c instanceof sns.CfnSubscription && same(c.topicArn));
        const alarms = found.filter(c => c instanceof cloudwatch.CfnAlarm && (stack.resolve(c.alarmActions) ?? []).some(same)).length;
        if (!subscribed && alarms > 0) {
          Annotations.of(this.monitoring.alarmTopic).addWarningV2(libraryWarningId('unsubscribedAlarms'),
            `the platform's ${alarms} alarms reach this SNS topic (platform.monitoring.alarmTopic), which nobody subscribes to, so no one is told `
            + 'when they fire; give alarmEmails (e.g. alarmEmails: [\'ops@example.com\']) or subscribe to the topic '
            + '(e.g. platform.monitoring.alarmTopic.addSubscription(new subscriptions.EmailSubscription(...)))');
        }
        return [];
      },
    });
  }
}

/** Checks in the platform's own prop names, before children would report theirs. */
function validateProps(scope: Construct, props: BackendPlatformProps): void {
  const calls = props.scheduledApiCalls ?? [];
  checkAll([
    () => validateDnsLabel(scope, 'environmentName', props.environmentName),
    () => validateProfile(scope, props.profile),
    () => (props.alarmEmails ?? []).forEach((email, i) => validateEmail(scope, `alarmEmails[${i}]`, email)),
    () => validateUnique(scope, 'alarmEmails', props.alarmEmails ?? []),
    () => validateTriggerTag(scope, 'pipeline.tag', props.pipeline?.tag),
    () => {
      if (!props.repository) requireSynthValue(scope, 'pipeline.tag', props.pipeline?.tag, 'the new repository keeps that one tag mutable, a rule ECR needs as text');
    },
    () => validateUnique(scope, 'scheduledApiCalls[].id', calls.map(call => call.id)),
    () => calls.forEach((call, i) => validatePath(scope, `scheduledApiCalls[${i}].path`, call.path)),
    ...migrationChecks(scope, 'pipeline.', props.pipeline ?? {}),
    () => {
      const pipeline = props.pipeline;
      const ignored = pipeline && (pipeline.source || pipeline.migrationCommand || pipeline.runMigrations !== undefined || pipeline.manualApproval);
      if (pipeline?.enabled === false && ignored) {
        invalidProp(scope, 'pipeline.enabled', false, 'the other pipeline options would be ignored; drop them or enable the pipeline');
      }
    },
    () => {
      if (props.pipeline && props.pipeline.enabled !== false && props.image && !props.image.repository) {
        invalidProp(scope, 'pipeline', 'PlatformPipelineOptions', 'the pipeline deploys ECR images; use ServiceImage.fromEcrRepository or set pipeline.enabled to false');
      }
    },
    () => {
      const teardown = props.teardown ?? profileDefaults(props.profile ?? EnvironmentProfile.PRODUCTION).teardown;
      if (props.service?.deletionProtection === true && teardown === TeardownPolicy.DESTROY) {
        invalidProp(scope, 'service.deletionProtection', true, 'the teardown policy DESTROY deletes the load balancer with the stack, which deletion protection would block; drop service.deletionProtection or use teardown TeardownPolicy.RETAIN');
      }
    },
    ...withoutWebServiceChecks(scope, props),
    () => {
      if (props.backups && props.backups.enabled !== false && !props.database) {
        invalidProp(scope, 'backups', 'PlatformBackupOptions', 'the plan backs up the database the platform creates; add database, or back up an existing database in its own stack');
      }
    },
    () => {
      if (props.database && props.existingDatabase) {
        invalidProp(scope, 'existingDatabase', 'ExistingDatabaseAttributes', 'give either database (create one) or existingDatabase (adopt one), not both');
      }
    },
  ]);
}

/** The `service` options that still apply without a web service: the platform's defaults and the jobs' environment. */
const NO_WEB_OPTIONS = ['enabled', 'spot', 'cpuArchitecture', 'environment', 'secrets'];

/** Without a web service (`service.enabled: false`), what needs one is refused by name (docs/adr/0025). */
function withoutWebServiceChecks(scope: Construct, props: BackendPlatformProps): Array<() => void> {
  if (props.service?.enabled !== false) return [];
  const fix = 'drop it, or enable the web service (drop service.enabled: false)';
  return [
    ...Object.entries(props.service).filter(([name, value]) => value !== undefined && !NO_WEB_OPTIONS.includes(name)).map(([name, value]) => () => {
      invalidProp(scope, `service.${name}`, value, `the platform has no web service (service.enabled is false), so this web-service option would be ignored; ${fix}`);
    }),
    () => {
      if (props.scheduledApiCalls?.length) {
        invalidProp(scope, 'scheduledApiCalls', props.scheduledApiCalls, `the calls go to the web service's URL, and the platform has none (service.enabled is false); ${fix}, `
          + 'or run the work as a scheduled job (addScheduledJob)');
      }
    },
  ];
}
