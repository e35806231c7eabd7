import * as path from 'path';
import { App, Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { givenStack } from './fixtures';
import {
  BackendPlatform, BackendPlatformProps, CleanupJobScheduler, CloudFrontWebAcl, DataBackups, DatabaseRestoreSource, EcrToEcsPipeline,
  EdgeMode, EdgeWebAcl,
  EnvironmentProfile, InfraMonitoring, LogDestination, PlatformStore, PrivateCache, PrivateDatabase, PromotionPipeline, ScheduledApiCalls,
  SecureAlbFargateService,
  ServiceDeployment, ServiceImage, SiteContent, StaticSite, WorkerService, WorkerServiceOptions,
} from '../src';

/**
 * A production platform in the fixture's VPC and zone. Its distribution is behind a web ACL, so the case warns about
 * nothing (weakened-defaults) and each case states only what it adds.
 */
function productionPlatform(given: ReturnType<typeof givenStack>, props: Omit<BackendPlatformProps, 'environmentName'>): BackendPlatform {
  return new BackendPlatform(given.stack, 'Backend', {
    environmentName: 'prod',
    vpc: given.vpc,
    hostedZone: given.zone,
    ...props,
    service: { webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/a1b2'), ...props.service },
  });
}

/** A standalone worker in a cluster of its own, running the fixture's repository in the prod environment. */
function standaloneWorker(app: App, id: string, props: WorkerServiceOptions) {
  const given = givenStack({}, app);
  const cluster = new ecs.Cluster(given.stack, 'Cluster', { vpc: given.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  new WorkerService(given.stack, id, { cluster, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository), ...props });
  return given;
}

/** Each case builds one construct (or the platform) alone in a fresh app. */
export const constructCases: Array<[string, (app: App) => ReturnType<typeof givenStack>]> = [
  ['SecureAlbFargateService', (app) => {
    const given = givenStack({}, app);
    new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository),
    });
    return given;
  }],
  ['SecureAlbFargateService with a custom domain', (app) => {
    const given = givenStack({}, app);
    const domainCertificate = acm.Certificate.fromCertificateArn(given.stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-0123-0123-0123-0123456789ab');
    new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc,
      hostedZone: given.zone,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(given.repository),
      domainName: 'api.example.com',
      domainCertificate,
    });
    return given;
  }],
  ['SecureAlbFargateService with a routed container behind CloudFront', (app) => {
    const given = givenStack({}, app);
    new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc,
      hostedZone: given.zone,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(given.repository),
      routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: ['/admin/*'], image: ServiceImage.fromEcrRepository(given.repository) }],
    });
    return given;
  }],
  ['SecureAlbFargateService (PUBLIC_ALB edge)', (app) => {
    const given = givenStack({}, app);
    new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository), edgeMode: EdgeMode.PUBLIC_ALB,
    });
    return given;
  }],
  ['SecureAlbFargateService without a hosted zone', (app) => {
    const given = givenStack({}, app);
    new SecureAlbFargateService(given.stack, 'Backend', { vpc: given.vpc, environmentName: 'dev', image: ServiceImage.fromEcrRepository(given.repository) });
    return given;
  }],
  ['SecureAlbFargateService in us-east-1 with a managed web ACL, its own domain certificate and cached paths', (app) => {
    const given = givenStack({ env: { region: 'us-east-1' } }, app);
    new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc,
      hostedZone: given.zone,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(given.repository),
      domainName: 'api.example.com',
      webAcl: EdgeWebAcl.managed(),
      cachedPathPatterns: ['/static/*'],
    });
    return given;
  }],
  ['SecureAlbFargateService with blue/green deployments', (app) => {
    const given = givenStack({}, app);
    new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc,
      hostedZone: given.zone,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(given.repository),
      deployment: ServiceDeployment.blueGreen(),
    });
    return given;
  }],
  ['SecureAlbFargateService with blue/green and a routed container, without a hosted zone', (app) => {
    const given = givenStack({}, app);
    new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc,
      environmentName: 'dev',
      image: ServiceImage.fromEcrRepository(given.repository),
      deployment: ServiceDeployment.blueGreen({ bakeTime: Duration.minutes(0) }),
      routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: ['/admin/*'], image: ServiceImage.fromEcrRepository(given.repository) }],
    });
    return given;
  }],
  ['SecureAlbFargateService with tuned health checks and scaling on requests and response time (blue/green: response time only)', (app) => {
    const given = givenStack({}, app);
    const healthChecks = {
      healthCheckPort: 8081,
      healthCheckSuccessCodes: '200,202',
      healthCheckInterval: Duration.seconds(30),
      healthCheckTimeout: Duration.seconds(10),
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 4,
      healthCheckGracePeriod: Duration.seconds(120),
      scaleOutResponseTime: Duration.seconds(1),
      targetCpuUtilizationPercent: 0,
      scaleInCooldown: Duration.minutes(10),
      scaleOutCooldown: Duration.seconds(30),
    };
    const image = ServiceImage.fromEcrRepository(given.repository);
    const rolling = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image, ...healthChecks, targetRequestsPerTaskPerMinute: 1000,
    });
    new SecureAlbFargateService(given.stack, 'Admin', {
      vpc: given.vpc,
      environmentName: 'prod',
      image,
      shareEdgeWith: rolling,
      pathPatterns: ['/admin/*'],
      ...healthChecks,
      deployment: ServiceDeployment.blueGreen(),
    });
    return given;
  }],
  ['CloudFrontWebAcl', (app) => {
    const given = givenStack({}, app);
    new CloudFrontWebAcl(given.stack, 'WebAcl');
    return given;
  }],
  ['WorkerService (queue mode)', (app) => standaloneWorker(app, 'Worker', { queue: {} })],
  ['WorkerService (internal mode)', (app) => standaloneWorker(app, 'Reports', { port: 8080 })],
  ['WorkerService (internal mode) behind an internal load balancer of its own', (app) => standaloneWorker(app, 'Reports', {
    port: 8080,
    healthCheckPath: '/ready',
    internalLoadBalancer: { pathPatterns: ['/reports/*'], healthCheckSuccessCodes: '200' },
  })],
  ['WorkerService (internal mode) with a container health check', (app) => standaloneWorker(app, 'Reports', {
    port: 8080,
    healthCheckCommand: ['curl -f http://localhost:8080/health || exit 1'],
    healthCheckInterval: Duration.seconds(15),
    unhealthyThresholdCount: 2,
    healthCheckGracePeriod: Duration.seconds(90),
    targetMemoryUtilizationPercent: 70,
  })],
  ['SecureAlbFargateService and WorkerService with sidecars and start dependencies, metrics and tracing (collector sidecar), the worker logging through FireLens', (app) => {
    const given = givenStack({}, app);
    const busybox = ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36'));
    const web = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc,
      hostedZone: given.zone,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(given.repository),
      sidecars: [
        { name: 'init', image: busybox, essential: false, command: ['sh', '-c', 'echo ready'] },
        { name: 'proxy', image: busybox, containerPorts: [9901], cpu: 128, memoryLimitMiB: 256, healthCheck: { command: ['true'] }, dependsOn: [{ containerName: 'init', condition: ecs.ContainerDependencyCondition.SUCCESS }] },
      ],
      mainContainerDependsOn: [{ containerName: 'proxy', condition: ecs.ContainerDependencyCondition.HEALTHY }],
      metrics: { port: 9464, workspaceArn: 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0123-0123-0123-0123456789ab' },
      tracing: true,
    });
    new WorkerService(given.stack, 'Worker', {
      cluster: web.cluster,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(given.repository),
      queue: {},
      sidecars: [{ name: 'agent', image: busybox, memoryReservationMiB: 64, dependsOn: [{ containerName: 'worker' }] }],
      logging: LogDestination.fireLens({ options: { Name: 'cloudwatch_logs', region: 'eu-west-1', log_group_name: 'worker-logs', auto_create_group: 'false' } }),
    });
    return given;
  }],
  ['SecureAlbFargateService and WorkerService redeployed when the database password rotates, monitored', (app) => {
    const given = givenStack({}, app);
    const db = new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc, rotation: true });
    const web = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository), secrets: db.containerSecrets,
    });
    const worker = new WorkerService(given.stack, 'Worker', {
      cluster: web.cluster, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository), queue: {}, secrets: db.containerSecrets,
    });
    web.redeployOnRotation(db.secret);
    worker.redeployOnRotation(db.secret);
    new InfraMonitoring(given.stack, 'Monitoring', { service: web.service, loadBalancer: web.loadBalancer, deployment: web });
    return given;
  }],
  ['PrivateDatabase (production)', (app) => {
    const given = givenStack({}, app);
    new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc });
    return given;
  }],
  ['PrivateDatabase (rotation)', (app) => {
    const given = givenStack({}, app);
    new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc, rotation: true });
    return given;
  }],
  ['PrivateDatabase (development)', (app) => {
    const given = givenStack({}, app);
    new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc, profile: EnvironmentProfile.DEVELOPMENT });
    return given;
  }],
  ['PrivateDatabase (restored from a snapshot)', (app) => {
    const given = givenStack({}, app);
    new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc, restoreFrom: DatabaseRestoreSource.fromSnapshot('before-migration') });
    return given;
  }],
  ['PrivateDatabase (restored to a point in time)', (app) => {
    const given = givenStack({}, app);
    new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc, restoreFrom: DatabaseRestoreSource.fromPointInTime({ sourceInstanceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2' }) });
    return given;
  }],
  ['PrivateCache (production)', (app) => {
    const given = givenStack({}, app);
    new PrivateCache(given.stack, 'Cache', { vpc: given.vpc });
    return given;
  }],
  ['PrivateCache (development)', (app) => {
    const given = givenStack({}, app);
    new PrivateCache(given.stack, 'Cache', { vpc: given.vpc, profile: EnvironmentProfile.DEVELOPMENT });
    return given;
  }],
  ['DataBackups', (app) => {
    const given = givenStack({}, app);
    const database = new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc });
    new DataBackups(given.stack, 'Backups', { databases: [database.instance] });
    return given;
  }],
  ['DataBackups (cross-region copy, vault lock, a bucket)', (app) => {
    const given = givenStack({}, app);
    const database = new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc });
    const bucket = s3.Bucket.fromBucketName(given.stack, 'Data', 'versioned-data-bucket');
    new DataBackups(given.stack, 'Backups', {
      databases: [database.instance],
      buckets: [bucket],
      copy: { destinationVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' },
      vaultLock: { minRetention: Duration.days(7), changeableFor: Duration.days(3) },
    });
    return given;
  }],
  ['EcrToEcsPipeline with the CI pipeline', (app) => {
    const given = givenStack({}, app);
    const service = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository),
    });
    new EcrToEcsPipeline(given.stack, 'Delivery', {
      service,
      manualApproval: true,
      migrationCommand: ['npm', 'run', 'migrate'],
      source: { connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0123abcd', owner: 'acme', repo: 'api' },
    });
    return given;
  }],
  ['EcrToEcsPipeline deploying a blue/green service and a worker from one push', (app) => {
    const given = givenStack({}, app);
    const image = ServiceImage.fromEcrRepository(given.repository);
    const service = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image, deployment: ServiceDeployment.blueGreen(),
    });
    const worker = new WorkerService(given.stack, 'Mailer', { cluster: service.cluster, environmentName: 'prod', image, queue: {} });
    new EcrToEcsPipeline(given.stack, 'Delivery', { service, additionalServices: [worker] });
    return given;
  }],
  ['PromotionPipeline: staging then production (approval, migration, tests) from one digest', (app) => {
    // An account-specific stack looks its zones up; the ones it would find, not cfn-lint's flagged dummy1a/dummy1b.
    app.node.setContext('availability-zones:account=111111111111:region=eu-west-1', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    const given = givenStack({ env: { account: '111111111111', region: 'eu-west-1' } }, app);
    const staging = new BackendPlatform(given.stack, 'Staging', {
      environmentName: 'staging', profile: EnvironmentProfile.DEVELOPMENT, hostedZone: given.zone, pipeline: { enabled: false },
    });
    const prod = new BackendPlatform(given.stack, 'Prod', {
      environmentName: 'prod',
      repository: staging.repository,
      hostedZone: given.zone,
      pipeline: { enabled: false },
      service: { webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/a1b2') },
    });
    new PromotionPipeline(given.stack, 'Promotion', {
      repository: staging.repository,
      environments: [
        { target: staging, smokeCheckPaths: ['/healthz'], testCommands: ['npm test'] },
        { target: prod, manualApproval: true, migrationCommand: ['npm', 'run', 'migrate'], testTaskCommand: ['npm', 'run', 'e2e'] },
      ],
      source: { connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0123abcd', owner: 'acme', repo: 'api' },
    });
    return given;
  }],
  ['CleanupJobScheduler', (app) => {
    const given = givenStack({}, app);
    const cluster = new ecs.Cluster(given.stack, 'Cluster', { vpc: given.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    new CleanupJobScheduler(given.stack, 'Cleanup', { cluster, image: ecs.ContainerImage.fromEcrRepository(given.repository), command: ['npx', 'tsx', 'cleanup-job.ts'] });
    return given;
  }],
  ['ScheduledApiCalls', (app) => {
    const given = givenStack({}, app);
    new ScheduledApiCalls(given.stack, 'Calls', {
      baseUrl: 'https://api.example.com',
      calls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
    });
    return given;
  }],
  ['InfraMonitoring', (app) => {
    const given = givenStack({}, app);
    const web = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository),
    });
    const db = new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc });
    new InfraMonitoring(given.stack, 'Monitoring', {
      service: web.service, loadBalancer: web.loadBalancer, targetGroups: [web.targetGroup], database: db.instance, alarmEmails: ['ops@example.com'],
    });
    return given;
  }],
  ['BackendPlatform with a data bucket, a worker and a second scheduled job', (app) => {
    const given = givenStack({}, app);
    const platform = productionPlatform(given, {
      database: {},
      dataBucket: {},
    });
    platform.addWorker('Agents', { queue: {}, stores: [PlatformStore.DATA_BUCKET, PlatformStore.DATABASE] });
    platform.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], taskType: 'REPORT' });
    return given;
  }],
  ['BackendPlatform with two more web services sharing its edge (one blue/green, one with a routed container) and an internal worker', (app) => {
    const given = givenStack({}, app);
    const platform = productionPlatform(given, {
      database: {},
      service: { deployment: ServiceDeployment.blueGreen() },
    });
    platform.addWorker('Pricing', { port: 8080, stores: [] });
    platform.addService('Admin', { pathPatterns: ['/admin/*'], deployment: ServiceDeployment.blueGreen() });
    platform.addService('Hooks', { pathPatterns: ['/hooks/*'], stores: [], routedContainers: [{ name: 'relay', containerPort: 9000, pathPatterns: ['/relay/*'] }] });
    return given;
  }],
  ['BackendPlatform whose web service and a worker in a stack of its own collect metrics into the platform\'s workspace, monitored', (app) => {
    const given = givenStack({}, app);
    const platform = productionPlatform(given, {
      service: { metrics: { port: 9464 }, tracing: true },
    });
    platform.addWorker('Mailer', { queue: {}, metrics: { port: 9464 }, ownStack: true });
    return given;
  }],
  ['BackendPlatform with two workers behind its internal load balancer (one in a stack of its own), a queue worker and a job', (app) => {
    const given = givenStack({}, app);
    const platform = productionPlatform(given, { cleanupJob: { command: ['node', 'cleanup.js'] } });
    platform.addWorker('Pricing', { port: 8080, internalLoadBalancer: {} });
    platform.addWorker('Search', { port: 9000, internalLoadBalancer: { pathPatterns: ['/search/*'] }, ownStack: true });
    platform.addWorker('Mailer', { queue: {} });
    return given;
  }],
  ['BackendPlatform with workers on HTTPS aliases of its internal load balancer (one in a stack of its own) and one on HTTP only', (app) => {
    const given = givenStack({}, app);
    const platform = productionPlatform(given, {});
    platform.addWorker('Pricing', { port: 8080, internalLoadBalancer: {} });
    platform.addWorker('Billing', { port: 8080, internalLoadBalancer: { pathPatterns: ['/*'], aliases: ['billing.example.com', 'pay.example.com'] } });
    platform.addWorker('Ledger', { port: 9000, internalLoadBalancer: { aliases: ['ledger.example.com'] }, ownStack: true });
    return given;
  }],
  ['BackendPlatform without web service (workers and jobs only): a database, a cache, a data bucket, a migrating pipeline, a queue worker, a worker behind the internal load balancer and a job', (app) => {
    const given = givenStack({}, app);
    const platform = new BackendPlatform(given.stack, 'Backend', {
      environmentName: 'prod',
      vpc: given.vpc,
      service: { enabled: false },
      database: {},
      cache: {},
      dataBucket: {},
      cleanupJob: { command: ['node', 'cleanup.js'] },
      pipeline: { migrationCommand: ['npm', 'run', 'migrate'] },
      alarmEmails: ['ops@example.com'],
    });
    platform.addWorker('Mailer', { queue: {} });
    platform.addWorker('Pricing', { port: 8080, internalLoadBalancer: {} });
    platform.addScheduledJob('Report', { command: ['node', 'report.js'], taskType: 'REPORT' });
    return given;
  }],
  ['BackendPlatform (development profile) with a worker behind its internal load balancer', (app) => {
    const given = givenStack({}, app);
    const platform = new BackendPlatform(given.stack, 'Backend', { environmentName: 'dev', vpc: given.vpc, hostedZone: given.zone, profile: EnvironmentProfile.DEVELOPMENT });
    platform.addWorker('Pricing', { port: 8080, internalLoadBalancer: {} });
    return given;
  }],
  ['BackendPlatform with a blue/green web service, an internal worker, a queue worker and a job in stacks of their own (ownStack)', (app) => {
    const given = givenStack({}, app);
    const platform = productionPlatform(given, {
      database: {},
      cache: {},
      dataBucket: {},
      service: { deployment: ServiceDeployment.blueGreen() },
    });
    platform.addWorker('Pricing', { port: 8080, ownStack: true });
    platform.addWorker('Mailer', { queue: {}, ownStack: true });
    platform.addService('Admin', { pathPatterns: ['/admin/*'], deployment: ServiceDeployment.blueGreen(), ownStack: true });
    platform.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], taskType: 'REPORT', ownStack: true });
    return given;
  }],
  ['BackendPlatform with topics: the web service and a job publish, queue workers subscribe with a filter (one in a stack of its own)', (app) => {
    const given = givenStack({}, app);
    const platform = productionPlatform(given, {
      service: { publishes: ['orders'] },
    });
    platform.addScheduledJob('Reminders', { command: ['node', 'reminders.js'], taskType: 'REMINDERS', publishes: ['orders', 'reminders'] });
    platform.addWorker('Fulfilment', {
      queue: {},
      subscriptions: [{ topic: 'orders', filterPolicy: { event: sns.SubscriptionFilter.stringFilter({ allowlist: ['placed'] }) }, rawMessageDelivery: true }],
    });
    platform.addWorker('Notifier', { queue: {}, ownStack: true, subscriptions: [{ topic: 'orders' }, { topic: 'reminders' }] });
    return given;
  }],
  ['SecureAlbFargateService sharing another one\'s edge (PUBLIC_ALB)', (app) => {
    const given = givenStack({}, app);
    const image = ServiceImage.fromEcrRepository(given.repository);
    const first = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image, edgeMode: EdgeMode.PUBLIC_ALB,
    });
    new SecureAlbFargateService(given.stack, 'Admin', { vpc: given.vpc, environmentName: 'prod', image, shareEdgeWith: first, pathPatterns: ['/admin/*'] });
    return given;
  }],
  ['BackendPlatform in us-east-1 with aliases and web services routed by host (one blue/green, one with paths too)', (app) => {
    const given = givenStack({ env: { region: 'us-east-1' } }, app);
    const platform = productionPlatform(given, {
      service: { domainName: 'api.example.com', aliases: ['www.example.com'] },
    });
    platform.addService('Admin', { aliases: ['admin.example.com'], deployment: ServiceDeployment.blueGreen() });
    platform.addService('Reports', { aliases: ['reports.example.com', 'stats.example.com'], pathPatterns: ['/v1/*'] });
    return given;
  }],
  ['SecureAlbFargateService and WorkerService with EFS volumes (file systems of their own, one volume read-only)', (app) => {
    const given = givenStack({}, app);
    const web = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc,
      hostedZone: given.zone,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(given.repository),
      volumes: [{ name: 'uploads', containerPath: '/var/uploads' }, { name: 'config', containerPath: '/etc/app', readOnly: true }],
    });
    new WorkerService(given.stack, 'Worker', {
      cluster: web.cluster, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository), queue: {}, volumes: [{ name: 'scratch', containerPath: '/scratch', uid: 2000, gid: 2000 }],
    });
    return given;
  }],
  ['BackendPlatform with EFS volumes on its service, an added web service and a worker in a stack of its own (production: in the backup plan)', (app) => {
    const given = givenStack({}, app);
    const platform = productionPlatform(given, {
      database: {},
      service: { volumes: [{ name: 'uploads', containerPath: '/var/uploads' }] },
    });
    platform.addService('Admin', { pathPatterns: ['/admin/*'], volumes: [{ name: 'uploads', containerPath: '/var/uploads', readOnly: true }] });
    platform.addWorker('Thumbnails', { queue: {}, ownStack: true, volumes: [{ name: 'uploads', containerPath: '/data' }] });
    return given;
  }],
  ['BackendPlatform (development) with an EFS volume on a worker', (app) => {
    const given = givenStack({}, app);
    const platform = new BackendPlatform(given.stack, 'Backend', { environmentName: 'dev', profile: EnvironmentProfile.DEVELOPMENT, vpc: given.vpc, hostedZone: given.zone });
    platform.addWorker('Jobs', { queue: {}, volumes: [{ name: 'scratch', containerPath: '/scratch' }] });
    return given;
  }],
  ['StaticSite', (app) => {
    const given = givenStack({}, app);
    new StaticSite(given.stack, 'Site');
    return given;
  }],
  ['StaticSite in us-east-1: uploaded content, single-page app, custom domain and a managed web ACL', (app) => {
    const given = givenStack({ env: { region: 'us-east-1' } }, app);
    new StaticSite(given.stack, 'Site', {
      hostedZone: given.zone,
      domainName: 'www.example.com',
      singlePageApp: true,
      webAcl: EdgeWebAcl.managed(),
      content: [SiteContent.fromDirectory(path.join(__dirname, 'site-content'), { exclude: ['*.map'] })],
    });
    return given;
  }],
  ['BackendPlatform with two static sites (one on a custom domain, with content)', (app) => {
    const given = givenStack({ env: { region: 'us-east-1' } }, app);
    const platform = productionPlatform(given, {});
    platform.addStaticSite('Docs', { domainName: 'docs.example.com', content: [SiteContent.fromDirectory(path.join(__dirname, 'site-content'))] });
    platform.addStaticSite('App', { singlePageApp: true });
    return given;
  }],
  ['BackendPlatform (development) with a static site', (app) => {
    const given = givenStack({}, app);
    const platform = new BackendPlatform(given.stack, 'Backend', { environmentName: 'dev', profile: EnvironmentProfile.DEVELOPMENT, vpc: given.vpc, hostedZone: given.zone });
    platform.addStaticSite('App', { singlePageApp: true });
    return given;
  }],
];
