import { Annotations, CfnOutput, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EnvironmentProfile } from './environment-profile';
import { createPlatformVpc } from './network';
import { BackendPlatformProps } from './platform-options';
import { ProfileDefaults, profileDefaults } from './profiles';
import { createPlatformRepository } from './repository';
import { IContainerConnection } from '../data/container-connection';
import { IDatabaseConnection } from '../data/database-connection';
import { PrivateCache } from '../data/private-cache';
import { PrivateDatabase } from '../data/private-database';
import { EcrToEcsPipeline } from '../delivery/ecr-to-ecs-pipeline';
import { InfraMonitoring } from '../monitoring/infra-monitoring';
import { checkAll, reportChildPropsAs } from '../private/errors';
import { createRetainedKey } from '../private/kms';
import { defaultAppName } from '../private/naming';
import { checkPropTypes } from '../private/prop-types';
import { createSharedSecret } from '../private/secret';
import { invalidProp, requireSynthValue, validateDnsLabel, validateEmail, validatePath, validateProfile, validateTriggerTag, validateUnique } from '../private/validation';
import { libraryWarningId } from '../private/warnings';
import { CleanupJobScheduler } from '../scheduled/cleanup-job-scheduler';
import { ScheduledApiCalls } from '../scheduled/scheduled-api-calls';
import { SecureAlbFargateService } from '../service/secure-alb-fargate-service';
import { ServiceImage } from '../service/service-image';
import { WorkerServiceOptions } from '../workers/worker-options';
import { WorkerService } from '../workers/worker-service';

/** Environment and secrets every workload of the platform receives: the stores' connections and the scheduler key. */
interface WorkloadConnections {
  readonly stores: IContainerConnection[];
  readonly environment: { [key: string]: string };
  readonly secrets: { [key: string]: ecs.Secret };
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
  private readonly defaults: ProfileDefaults;
  private readonly spot: boolean;
  private readonly cpuArchitecture?: ecs.CpuArchitecture;
  private serviceConnectClient = false;

  constructor(scope: Construct, id: string, props: BackendPlatformProps) {
    super(scope, id);
    checkPropTypes(this, 'BackendPlatformProps', props);
    validateProps(this, props);
    this.reportChildProblemsInOwnNames();
    this.profile = props.profile ?? EnvironmentProfile.PRODUCTION;
    const defaults = profileDefaults(this.profile);
    this.defaults = defaults;

    this.encryptionKey = this.createLogsKey();
    this.vpc = props.vpc ?? createPlatformVpc(this, defaults, this.encryptionKey);
    this.repository = props.repository ?? createPlatformRepository(this, props.pipeline?.tag ?? 'latest');
    if (props.database) {
      this.database = new PrivateDatabase(this, 'Database', {
        ...props.database,
        vpc: this.vpc,
        profile: this.profile,
        instanceType: props.database.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, defaults.database.instanceSize),
        encryptionKey: defaults.sharedEncryptionKey ? this.encryptionKey : undefined,
      });
    }
    this.databaseConnection = this.database
      ?? (props.existingDatabase ? PrivateDatabase.fromExistingDatabase(this, 'ExistingDatabase', props.existingDatabase) : undefined);
    if (props.cache) this.cache = new PrivateCache(this, 'Cache', { ...props.cache, vpc: this.vpc, profile: this.profile });

    const schedulerKey = props.scheduledApiCalls?.length ? this.createSchedulerApiKey() : undefined;
    const connections = this.workloadConnections(props, schedulerKey);
    // Fargate Spot runs X86_64 and ARM64 (Graviton) Linux tasks alike.
    const spot = props.service?.spot ?? defaults.service.spot;
    this.spot = spot;
    this.cpuArchitecture = props.service?.cpuArchitecture;
    this.service = this.createService(props, defaults, connections, spot);
    if (props.cleanupJob) {
      this.cleanupJob = new CleanupJobScheduler(this, 'CleanupJob', {
        ...props.cleanupJob,
        cluster: this.service.cluster,
        image: this.service.containerImage,
        spot,
        cpuArchitecture: props.service?.cpuArchitecture,
        environment: { ...connections.environment, ...props.cleanupJob.environment },
        secrets: { ...connections.secrets, ...props.cleanupJob.secrets },
        logRetention: defaults.logRetention,
        logEncryptionKey: this.encryptionKey,
      });
      connections.stores.forEach(store => store.allowFrom(this.cleanupJob!));
    }
    if (schedulerKey) {
      this.scheduledApiCalls = new ScheduledApiCalls(this, 'ScheduledApiCalls', {
        baseUrl: this.service.serviceUrl, calls: props.scheduledApiCalls!, apiKeySecret: schedulerKey,
      });
    }
    this.pipeline = this.createPipeline(props, defaults);
    this.monitoring = new InfraMonitoring(this, 'Monitoring', {
      service: this.service.service,
      loadBalancer: this.service.loadBalancer,
      targetGroups: Object.values(this.service.targetGroups),
      database: this.database?.instance,
      cache: this.cache,
      cleanupJobs: this.cleanupJob ? [this.cleanupJob] : undefined,
      scheduledApiCalls: this.scheduledApiCalls ? [this.scheduledApiCalls] : undefined,
      pipeline: this.pipeline,
      additionalAlarms: this.service.deploymentAlarms,
      alarmEmails: props.alarmEmails,
    });
    this.createOutputs();
  }

  /**
   * Adds a worker: a service with no load balancer that consumes a queue (`queue`) or serves the platform's other
   * workloads by name through ECS Service Connect (`port`). It runs in the platform's cluster with the platform's
   * image (unless `image` is given), the profile's Spot choice and log retention, the database and cache connections,
   * and its alarms page the monitoring topic. With a port, the web service may call it at `http://<id in lower case>:<port>`.
   */
  public addWorker(id: string, options: WorkerServiceOptions): WorkerService {
    checkAll([
      () => { if (typeof id !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(id)) invalidProp(this, 'addWorker id', id, 'use letters and digits, starting with a letter (e.g. "Mailer")'); },
      () => { if (typeof id === 'string' && this.node.tryFindChild(id)) invalidProp(this, 'addWorker id', id, 'the platform already has a part or worker with that id; pick another'); },
      () => { if (typeof options !== 'object' || options === null) invalidProp(this, `addWorker('${id}') options`, options, 'give the worker\'s options, e.g. { queue: {} } or { port: 8080 }'); },
    ]);
    reportChildPropsAs(this, id, prop => `addWorker('${id}').${prop}`);
    const stores = [this.databaseConnection, this.cache].filter((c): c is IContainerConnection => c !== undefined);
    const spot = options.spot ?? this.spot;
    const worker = new WorkerService(this, id, {
      ...options,
      cluster: this.service.cluster,
      environmentName: this.service.environmentName,
      appName: this.service.appName,
      image: options.image ?? this.service.image,
      cpuArchitecture: options.cpuArchitecture ?? this.cpuArchitecture,
      spot,
      onDemandBaseCapacity: options.onDemandBaseCapacity ?? (spot ? 0 : undefined),
      environment: Object.assign({}, ...stores.map(store => store.containerEnvironment), options.environment),
      secrets: Object.assign({}, ...stores.map(store => store.containerSecrets), options.secrets),
      logRetention: this.defaults.logRetention,
      logEncryptionKey: this.encryptionKey,
      alarmTopic: this.monitoring.alarmTopic,
    });
    stores.forEach(store => store.allowFrom(worker));
    if (worker.serviceConnectNamespace) {
      worker.allowFrom(this.service);
      if (!this.serviceConnectClient) this.service.service.enableServiceConnect({ namespace: worker.serviceConnectNamespace });
      this.serviceConnectClient = true;
    }
    return worker;
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
    reportChildPropsAs(this, 'CleanupJob', under('cleanupJob', { spot: 'service.spot', cpuArchitecture: 'service.cpuArchitecture', vpc: 'vpc' }));
    reportChildPropsAs(this, 'ScheduledApiCalls', under('scheduledApiCalls', { calls: 'scheduledApiCalls' }));
    reportChildPropsAs(this, 'Pipeline', under('pipeline', { service: 'service' }));
    reportChildPropsAs(this, 'Monitoring', under('monitoring', { alarmEmails: 'alarmEmails' }));
  }

  private workloadConnections(props: BackendPlatformProps, schedulerKey: secretsmanager.ISecret | undefined): WorkloadConnections {
    const stores = [this.databaseConnection, this.cache].filter((c): c is IContainerConnection => c !== undefined);
    return {
      stores,
      environment: Object.assign({}, props.service?.environment, ...stores.map(store => store.containerEnvironment)),
      secrets: Object.assign({}, props.service?.secrets, ...stores.map(store => store.containerSecrets),
        schedulerKey ? { SCHEDULER_API_KEY: ecs.Secret.fromSecretsManager(schedulerKey) } : {}),
    };
  }

  /** The web service with the profile's size, capacity, Spot and deletion protection, unless the user set them. */
  private createService(
    props: BackendPlatformProps, defaults: ProfileDefaults, connections: WorkloadConnections, spot: boolean,
  ): SecureAlbFargateService {
    const options = props.service ?? {};
    const service = new SecureAlbFargateService(this, 'Service', {
      ...options,
      vpc: this.vpc,
      hostedZone: props.hostedZone,
      environmentName: props.environmentName,
      appName: props.appName ?? defaultAppName(this),
      image: props.image ?? ServiceImage.fromEcrRepository(this.repository),
      cpu: options.cpu ?? defaults.service.cpu,
      memoryLimitMiB: options.memoryLimitMiB ?? defaults.service.memoryLimitMiB,
      environment: connections.environment,
      secrets: connections.secrets,
      minCapacity: options.minCapacity ?? defaults.service.minCapacity,
      maxCapacity: options.maxCapacity ?? defaults.service.maxCapacity,
      spot,
      onDemandBaseCapacity: options.onDemandBaseCapacity ?? (spot ? 0 : undefined),
      logRetention: defaults.logRetention,
      logEncryptionKey: this.encryptionKey,
      deletionProtection: options.deletionProtection ?? defaults.service.deletionProtection,
    });
    if (!defaults.service.deletionProtection) {
      // Destroyable is what the development profile is for: no warning about it on every synth.
      Annotations.of(service).acknowledgeWarning(libraryWarningId('deletionProtection'), 'development profile');
    }
    if (defaults.service.warnWithoutWebAcl && service.distribution && !options.webAcl && options.webAclId === undefined) {
      Annotations.of(this).addWarningV2(libraryWarningId('webAcl'), 'service.webAcl is not set: the production distribution has no AWS WAF web ACL '
        + '(managed rule groups, per-IP rate limit); give service.webAcl: EdgeWebAcl.fromArn(acl.webAclArn) of a CloudFrontWebAcl in a us-east-1 stack, '
        + 'or EdgeWebAcl.managed() when this stack is in us-east-1');
    }
    connections.stores.forEach(store => store.allowFrom(service));
    return service;
  }

  private createPipeline(props: BackendPlatformProps, defaults: ProfileDefaults): EcrToEcsPipeline | undefined {
    const { enabled, ...delivery } = props.pipeline ?? {};
    if (enabled === false || !this.service.image.repository) return undefined;
    return new EcrToEcsPipeline(this, 'Pipeline', {
      ...delivery,
      service: this.service,
      runMigrations: delivery.runMigrations ?? this.databaseConnection !== undefined,
      logRetention: defaults.logRetention,
      logEncryptionKey: this.encryptionKey,
      encryptionKey: defaults.sharedEncryptionKey ? this.encryptionKey : undefined,
    });
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
    () => {
      if (props.pipeline?.enabled === false && (props.pipeline.source || props.pipeline.migrationCommand || props.pipeline.manualApproval)) {
        invalidProp(scope, 'pipeline.enabled', false, 'the other pipeline options would be ignored; drop them or enable the pipeline');
      }
    },
    () => {
      if (props.pipeline && props.pipeline.enabled !== false && props.image && !props.image.repository) {
        invalidProp(scope, 'pipeline', 'PlatformPipelineOptions', 'the pipeline deploys ECR images; use ServiceImage.fromEcrRepository or set pipeline.enabled to false');
      }
    },
    () => {
      if (props.database && props.existingDatabase) {
        invalidProp(scope, 'existingDatabase', 'ExistingDatabaseAttributes', 'give either database (create one) or existingDatabase (adopt one), not both');
      }
    },
  ]);
}
