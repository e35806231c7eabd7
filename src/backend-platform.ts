import { Annotations, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CleanupJobScheduler } from './cleanup-job-scheduler';
import { IContainerConnection } from './container-connection';
import { EcrToEcsPipeline, GitHubSourceOptions } from './ecr-to-ecs-pipeline';
import { InfraMonitoring } from './infra-monitoring';
import { acknowledge } from './private/compliance';
import { isArm64, validateSpotArchitecture } from './private/fargate';
import { createRetainedKey } from './private/kms';
import { createLogGroup } from './private/log-group';
import { defaultAppName } from './private/naming';
import { createSharedSecret } from './private/secret';
import { invalidProp, validateDnsLabel, validateEmail, validatePath, validateUnique } from './private/validation';
import { libraryWarningId } from './private/warnings';
import { CacheEngine, PrivateCache } from './private-cache';
import { ExistingDatabaseAttributes, IDatabaseConnection, PrivateDatabase } from './private-database';
import { ScheduledApiCall, ScheduledApiCalls } from './scheduled-api-calls';
import { RoutedContainerOptions, SecureAlbFargateService } from './secure-alb-fargate-service';
import { ServiceImage } from './service-image';

/** Environment profile: safe production defaults, or cheap development ones. */
export enum EnvironmentProfile {
  /** Multi-AZ database, a NAT gateway per AZ, deletion protection, one-year log retention, 2..4 tasks. */
  PRODUCTION = 'production',
  /**
   * Single-AZ small database, one t4g.nano NAT instance instead of NAT gateways, destroyable load balancer,
   * one-month logs, 1..2 small tasks on Fargate Spot.
   */
  DEVELOPMENT = 'development',
}

/** Options of the platform's web service. */
export interface PlatformServiceOptions {
  /**
   * Task CPU units.
   * @default - 1024 in production, 512 in development
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB.
   * @default - 2048 in production, 1024 in development
   */
  readonly memoryLimitMiB?: number;
  /**
   * Port the main container listens on.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Health check path.
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /**
   * Plain environment variables (the database's are added).
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * Secrets as environment variables (the database's and the scheduler API key are added).
   * @default - none
   */
  readonly secrets?: { [key: string]: ecs.Secret };
  /**
   * Minimum number of tasks.
   * @default - 2 in production, 1 in development
   */
  readonly minCapacity?: number;
  /**
   * Maximum number of tasks.
   * @default - 4 in production, 2 in development
   */
  readonly maxCapacity?: number;
  /**
   * More containers reached through path-based routing.
   * @default - none
   */
  readonly routedContainers?: RoutedContainerOptions[];
  /**
   * Run every task on Fargate Spot (about 70 % cheaper; an interruption restarts a task). Spot runs X86_64 only.
   * @default - true in development with X86_64, false otherwise
   */
  readonly spot?: boolean;
  /**
   * CPU architecture of the image, for the service, the cleanup job and the migrations.
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Host name of the service URL through CloudFront (e.g. `api.example.com`), inside the hosted zone.
   * Needs `domainCertificate`.
   * @default - the distribution's `*.cloudfront.net` name
   */
  readonly domainName?: string;
  /**
   * Certificate covering `domainName`, issued in us-east-1.
   * @default - none
   */
  readonly domainCertificate?: acm.ICertificate;
  /**
   * ID of an AWS WAF web ACL (CLOUDFRONT scope, in us-east-1) to attach to the distribution.
   * @default - no web ACL
   */
  readonly webAclId?: string;
  /**
   * ID of the CloudFront origin-facing managed prefix list, for regions whose ID is not built in.
   * @default - the built-in ID of the stack's region
   */
  readonly cloudFrontPrefixListId?: string;
}

/** Options of the platform's database; `{}` creates one with the profile's defaults. */
export interface PlatformDatabaseOptions {
  /**
   * Instance type.
   * @default - db.t4g.medium in production, db.t4g.micro in development
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Database name.
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * Initial storage in GiB.
   * @default 20
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Engine version.
   * @default rds.PostgresEngineVersion.VER_17
   */
  readonly engineVersion?: rds.PostgresEngineVersion;
  /**
   * Rotate the master password every 30 days. Tasks read it at start, so the application must reconnect with a
   * fresh read (or be redeployed) after a rotation.
   * @default false
   */
  readonly rotation?: boolean;
}

/** Options of the platform's cleanup job. */
export interface PlatformCleanupJobOptions {
  /** Command run by the job, e.g. `['npx', 'tsx', 'cleanup-job.ts']`. */
  readonly command: string[];
  /**
   * Schedule.
   * @default events.Schedule.rate(Duration.minutes(5))
   */
  readonly schedule?: events.Schedule;
  /**
   * Task CPU units.
   * @default 512
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;
}

/** Options of the platform's cache; `{}` creates one with the profile's defaults. */
export interface PlatformCacheOptions {
  /**
   * Engine.
   * @default CacheEngine.VALKEY
   */
  readonly engine?: CacheEngine;
  /**
   * Node type.
   * @default - 'cache.t4g.small' in production, 'cache.t4g.micro' in development
   */
  readonly cacheNodeType?: string;
  /**
   * Read replicas (with automatic failover when at least one).
   * @default - 1 in production, 0 in development
   */
  readonly replicas?: number;
}

/** Options of the platform's deploy pipeline. */
export interface PlatformPipelineOptions {
  /**
   * Create the deploy pipeline (needs an ECR image, the default).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Image tag whose pushes deploy; every other tag of the platform's repository is immutable.
   * @default 'latest'
   */
  readonly tag?: string;
  /**
   * Run migrations before each deploy.
   * @default - true when the platform has a database (created or existing)
   */
  readonly runMigrations?: boolean;
  /**
   * Migration command.
   * @default ['npm', 'run', 'migration:run']
   */
  readonly migrationCommand?: string[];
  /**
   * Wait for a manual approval before deploying.
   * @default false
   */
  readonly manualApproval?: boolean;
  /**
   * Build images from GitHub too (CI pipeline).
   * @default - no CI pipeline
   */
  readonly source?: GitHubSourceOptions;
}

/** Props of `BackendPlatform`. */
export interface BackendPlatformProps {
  /** Environment name (a DNS label such as `prod`); the ALB host is `<environmentName>-lb.<zone>`. */
  readonly environmentName: string;
  /** Public hosted zone of the backend's domain. */
  readonly hostedZone: route53.IHostedZone;
  /**
   * Profile that sets safe (production) or cheap (development) defaults.
   * @default EnvironmentProfile.PRODUCTION
   */
  readonly profile?: EnvironmentProfile;
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
   * @default - a new, scanned, retained repository
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
   * Use a database that exists outside the stack instead (seed 001).
   * @default - none
   */
  readonly existingDatabase?: ExistingDatabaseAttributes;
  /**
   * Create a private Valkey/Redis cache and inject `REDIS_HOST`, `REDIS_PORT`, `REDIS_TLS`, `REDIS_PASSWORD`.
   * @default - no cache
   */
  readonly cache?: PlatformCacheOptions;
  /**
   * Deploy pipeline options (ECR push -> migrate -> deploy).
   * @default - a pipeline on pushes of `latest`, with migrations when there is a database
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
   * E-mail addresses that receive alarms.
   * @default - none
   */
  readonly alarmEmails?: string[];
}

/**
 * The whole backend from one small props object: VPC, ECR repository, cluster, CloudFront-only Fargate service,
 * optional PostgreSQL, cleanup job and scheduled calls, monitoring over all of it, with production or
 * development profiles. Every child is exposed for escape hatches.
 */
export class BackendPlatform extends Construct {
  /** The profile in force. */
  public readonly profile: EnvironmentProfile;
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The backend image repository. */
  public readonly repository: ecr.IRepository;
  /** Key encrypting logs (and flow logs) of the platform. */
  public readonly encryptionKey: kms.Key;
  /** The web service. */
  public readonly service: SecureAlbFargateService;
  /** The database this platform created, if any. */
  public readonly database?: PrivateDatabase;
  /** The database connection in use (created or existing), if any. */
  public readonly databaseConnection?: IDatabaseConnection;
  /** The cache, if any. */
  public readonly cache?: PrivateCache;
  /** The deploy pipeline, unless disabled or the image is not from ECR. */
  public readonly pipeline?: EcrToEcsPipeline;
  /** The cleanup job, if any. */
  public readonly cleanupJob?: CleanupJobScheduler;
  /** The scheduled API calls, if any. */
  public readonly scheduledApiCalls?: ScheduledApiCalls;
  /** Dashboard and alarms. */
  public readonly monitoring: InfraMonitoring;

  constructor(scope: Construct, id: string, props: BackendPlatformProps) {
    super(scope, id);
    validateProps(this, props);
    this.profile = props.profile ?? EnvironmentProfile.PRODUCTION;
    const production = this.profile === EnvironmentProfile.PRODUCTION;
    const appName = props.appName ?? defaultAppName(this);
    const logRetention = production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH;

    this.encryptionKey = this.createLogsKey();
    this.vpc = props.vpc ?? this.createVpc(production, logRetention);
    this.repository = props.repository ?? this.createRepository(props.pipeline?.tag ?? 'latest');

    if (props.database) {
      this.database = new PrivateDatabase(this, 'Database', {
        vpc: this.vpc,
        production,
        instanceType: props.database.instanceType
          ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, production ? ec2.InstanceSize.MEDIUM : ec2.InstanceSize.MICRO),
        databaseName: props.database.databaseName,
        allocatedStorageGiB: props.database.allocatedStorageGiB,
        engineVersion: props.database.engineVersion,
        rotation: props.database.rotation,
        // Development shares the platform key (one key, 1 USD/month); production keeps a key per data store.
        encryptionKey: production ? undefined : this.encryptionKey,
      });
    }
    this.databaseConnection = this.database
      ?? (props.existingDatabase ? PrivateDatabase.fromExistingDatabase(this, 'ExistingDatabase', props.existingDatabase) : undefined);
    if (props.cache) {
      this.cache = new PrivateCache(this, 'Cache', { vpc: this.vpc, production, ...props.cache });
    }
    const stores: IContainerConnection[] = [this.databaseConnection, this.cache].filter((c): c is IContainerConnection => c !== undefined);

    const schedulerKey = props.scheduledApiCalls?.length ? this.createSchedulerApiKey() : undefined;
    const options = props.service ?? {};
    const spot = options.spot ?? (!production && !isArm64(options.cpuArchitecture));
    const environment = Object.assign({}, options.environment, ...stores.map(store => store.containerEnvironment));
    const secrets = Object.assign({}, options.secrets, ...stores.map(store => store.containerSecrets),
      schedulerKey ? { SCHEDULER_API_KEY: ecs.Secret.fromSecretsManager(schedulerKey) } : {});
    this.service = new SecureAlbFargateService(this, 'Service', {
      vpc: this.vpc,
      hostedZone: props.hostedZone,
      environmentName: props.environmentName,
      appName,
      image: props.image ?? ServiceImage.fromEcrRepository(this.repository),
      cpu: options.cpu ?? (production ? 1024 : 512),
      memoryLimitMiB: options.memoryLimitMiB ?? (production ? 2048 : 1024),
      containerPort: options.containerPort,
      healthCheckPath: options.healthCheckPath,
      environment,
      secrets,
      routedContainers: options.routedContainers,
      minCapacity: options.minCapacity ?? (production ? 2 : 1),
      maxCapacity: options.maxCapacity ?? (production ? 4 : 2),
      spot,
      onDemandBaseCapacity: spot ? 0 : undefined,
      cpuArchitecture: options.cpuArchitecture,
      webAclId: options.webAclId,
      domainName: options.domainName,
      domainCertificate: options.domainCertificate,
      cloudFrontPrefixListId: options.cloudFrontPrefixListId,
      logRetention,
      logEncryptionKey: this.encryptionKey,
      deletionProtection: production,
    });
    if (!production) {
      // Destroyable is what the development profile is for: no warning about it on every synth.
      Annotations.of(this.service).acknowledgeWarning(libraryWarningId('deletionProtection'), 'development profile');
    }
    stores.forEach(store => store.allowFrom(this.service));

    if (props.cleanupJob) {
      this.cleanupJob = new CleanupJobScheduler(this, 'CleanupJob', {
        cluster: this.service.cluster,
        image: this.service.containerImage,
        command: props.cleanupJob.command,
        schedule: props.cleanupJob.schedule,
        cpu: props.cleanupJob.cpu,
        memoryLimitMiB: props.cleanupJob.memoryLimitMiB,
        spot,
        cpuArchitecture: options.cpuArchitecture,
        environment,
        secrets,
        logRetention,
        logEncryptionKey: this.encryptionKey,
      });
      stores.forEach(store => store.allowFrom(this.cleanupJob!));
    }
    if (schedulerKey) {
      this.scheduledApiCalls = new ScheduledApiCalls(this, 'ScheduledApiCalls', {
        baseUrl: this.service.serviceUrl,
        calls: props.scheduledApiCalls!,
        apiKeySecret: schedulerKey,
      });
    }

    if ((props.pipeline?.enabled ?? true) && this.service.image.repository) {
      this.pipeline = new EcrToEcsPipeline(this, 'Pipeline', {
        service: this.service,
        tag: props.pipeline?.tag,
        runMigrations: props.pipeline?.runMigrations ?? this.databaseConnection !== undefined,
        migrationCommand: props.pipeline?.migrationCommand,
        manualApproval: props.pipeline?.manualApproval,
        source: props.pipeline?.source,
        logRetention,
        logEncryptionKey: this.encryptionKey,
        encryptionKey: production ? undefined : this.encryptionKey,
      });
    }

    this.monitoring = new InfraMonitoring(this, 'Monitoring', {
      service: this.service.service,
      loadBalancer: this.service.loadBalancer,
      targetGroups: Object.values(this.service.targetGroups),
      database: this.database?.instance,
      cache: this.cache,
      cleanupJobs: this.cleanupJob ? [this.cleanupJob] : undefined,
      scheduledApiCalls: this.scheduledApiCalls ? [this.scheduledApiCalls] : undefined,
      pipeline: this.pipeline,
      alarmEmails: props.alarmEmails,
    });
    this.createOutputs();
  }

  /** Customer-managed key for the platform's log groups; CloudWatch Logs of this account and region may use it. */
  private createLogsKey(): kms.Key {
    const key = createRetainedKey(this, 'LogsKey', 'Backend platform log groups');
    const stack = Stack.of(this);
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    return key;
  }

  private createVpc(production: boolean, retention: logs.RetentionDays): ec2.Vpc {
    const flowLogGroup = createLogGroup(this, 'FlowLogs', retention, this.encryptionKey);
    // Development egress goes through one t4g.nano NAT instance (about 4 USD/month instead of 37 for a NAT gateway).
    const natInstance = production ? undefined : ec2.NatProvider.instanceV2({
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
      defaultAllowedTraffic: ec2.NatTrafficDirection.NONE,
    });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: production ? 2 : 1,
      natGatewayProvider: natInstance,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL } },
    });
    if (natInstance) this.hardenNatInstance(vpc, natInstance);
    return vpc;
  }

  /** Only the VPC may send through the NAT instance; its disk is encrypted and its metadata needs IMDSv2 tokens. */
  private hardenNatInstance(vpc: ec2.Vpc, nat: ec2.NatInstanceProviderV2): void {
    nat.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.allTraffic(), 'Egress of the VPC through the NAT instance');
    nat.connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.allTcp(), 'NAT to the internet (TCP)');
    nat.connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.allUdp(), 'NAT to the internet (UDP)');
    for (const instance of nat.gatewayInstances) {
      const cfn = instance.instance;
      cfn.blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 8 } }];
      cfn.monitoring = true;
      cfn.metadataOptions = { httpTokens: 'required', httpEndpoint: 'enabled' };
      const why = 'The development profile\'s NAT instance replaces a NAT gateway to save about 33 USD a month; it is disposable.';
      acknowledge(instance, [
        { id: 'AwsSolutions-EC29', reason: why },
        { id: 'ec2_instance_no_public_ip_check', reason: 'A NAT instance needs a public IP to forward the VPC\'s egress.' },
        { id: 'AwsSolutions-EC23', reason: 'Inbound is open only to the VPC CIDR, which the NAT forwards.' },
        { id: 'ec2_instance_nitro_encryption_in_transit_check', reason: 'The NAT only forwards egress the applications already encrypt (TLS); no instance-to-instance traffic.' },
      ], { recursive: true });
    }
  }

  /** Every tag is immutable except the one whose pushes trigger the pipeline (seed 001 pushes `latest`). */
  private createRepository(triggerTag: string): ecr.Repository {
    const repository = new ecr.Repository(this, 'Repository', {
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard(triggerTag)],
      lifecycleRules: [{ description: 'Keep the 30 newest images', maxImageCount: 30 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(repository, [{
      id: 'ecr_private_tag_immutability_enabled_check',
      reason: `All tags are immutable except the pipeline trigger tag "${triggerTag}"; what is deployed is pinned by digest and recorded as an immutable sha256- tag.`,
    }]);
    return repository;
  }

  private createSchedulerApiKey(): secretsmanager.Secret {
    return createSharedSecret(this, 'SchedulerApiKey',
      'API key of scheduled backend calls; injected into the service as SCHEDULER_API_KEY',
      'Shared by EventBridge and the service, which reads it at task start; rotate by updating the secret and redeploying.');
  }

  private createOutputs(): void {
    new CfnOutput(this, 'ServiceUrl', { value: this.service.serviceUrl, description: 'Public URL of the backend' });
    new CfnOutput(this, 'RepositoryUri', { value: this.repository.repositoryUri, description: 'Push backend images here' });
    if (this.database) {
      new CfnOutput(this, 'DatabaseEndpoint', { value: this.database.instance.dbInstanceEndpointAddress, description: 'PostgreSQL host (private)' });
    }
  }
}

/** Checks in the platform's own prop names, before children would report theirs. */
function validateProps(scope: Construct, props: BackendPlatformProps): void {
  validateDnsLabel(scope, 'environmentName', props.environmentName);
  validateSpotArchitecture(scope, 'service.spot', props.service?.spot, props.service?.cpuArchitecture);
  (props.alarmEmails ?? []).forEach((email, i) => validateEmail(scope, `alarmEmails[${i}]`, email));
  const calls = props.scheduledApiCalls ?? [];
  validateUnique(scope, 'scheduledApiCalls[].id', calls.map(call => call.id));
  calls.forEach((call, i) => validatePath(scope, `scheduledApiCalls[${i}].path`, call.path));
  if (props.pipeline?.enabled === false && (props.pipeline.source || props.pipeline.migrationCommand || props.pipeline.manualApproval)) {
    invalidProp(scope, 'pipeline.enabled', false, 'the other pipeline options would be ignored; drop them or enable the pipeline');
  }
  if (props.pipeline && props.pipeline.enabled !== false && props.image && !props.image.repository) {
    invalidProp(scope, 'pipeline', 'PlatformPipelineOptions', 'the pipeline deploys ECR images; use ServiceImage.fromEcrRepository or set pipeline.enabled to false');
  }
  if (props.database && props.existingDatabase) {
    invalidProp(scope, 'existingDatabase', 'ExistingDatabaseAttributes', 'give either database (create one) or existingDatabase (adopt one), not both');
  }
}
