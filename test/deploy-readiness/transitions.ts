import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CfnTemplate } from './rule';
import { BackendPlatform, BackendPlatformProps, DatabaseRestoreSource, EdgeMode, EnvironmentProfile, LogDestination, PromotionPipeline, ServiceDeployment, ServiceImage } from '../../src';

/** A platform as a user writes it at one point of its life: props, and the workloads added after construction. */
export interface PlatformState {
  readonly props: Partial<BackendPlatformProps>;
  readonly withZone?: boolean;
  /** The stack's region (a custom domain needs one; in us-east-1 its certificate is in the stack). */
  readonly region?: string;
  readonly extend?: (platform: BackendPlatform) => void;
}

/** One change a user makes over a platform's life: the deployed state and the state deployed over it. */
export interface Transition {
  readonly name: string;
  readonly before: PlatformState;
  readonly after: PlatformState;
  /** Logical IDs of stateful resources the change is about replacing or removing (the edge's load balancer, a restored database, a removed pipeline's artifacts). */
  readonly replaces?: RegExp;
}

const BASE: BackendPlatformProps = {
  environmentName: 'prod',
  database: {},
  cleanupJob: { command: ['node', 'cleanup.js'] },
  scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
  alarmEmails: ['ops@example.com'],
};
const blueGreen = { service: { deployment: ServiceDeployment.blueGreen() } };
/** The platform as a promotion's environment (its own pipeline off), with the promotion in its stack; `smoke` adds a test stage. */
const promoted = { pipeline: { enabled: false } };
function promotion(smoke: boolean) {
  return (platform: BackendPlatform) => {
    new PromotionPipeline(Stack.of(platform), 'Promotion', {
      repository: platform.repository,
      environments: [{ target: platform, manualApproval: true, ...(smoke ? { smokeCheckPaths: ['/healthz'], migrationCommand: ['npm', 'run', 'migrate'] } : {}) }],
    });
  };
}
const dev = { profile: EnvironmentProfile.DEVELOPMENT };
/** A custom domain in us-east-1 (its CloudFront certificate in the stack), with the given aliases of the platform's service. */
function domain(aliases?: string[], extend?: (platform: BackendPlatform) => void): PlatformState {
  return { props: { service: { domainName: 'api.example.com', aliases } }, withZone: true, region: 'us-east-1', extend };
}
const adminHost = (platform: BackendPlatform) => { platform.addService('Admin', { aliases: ['admin.example.com'] }); };
/** Changing a certificate's names replaces it: CloudFormation issues the new one, moves the distribution to it, then deletes the old one. */
const domainCertificate = /^BackendServiceDomainCertificate[0-9A-F]{8}$/;

const agent = { name: 'agent', image: ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36')) };
const withSidecar = { service: { sidecars: [agent] } };
const fireLens = { service: { logging: LogDestination.fireLens({ options: { Name: 'http', Host: 'logs.example.com', Port: '443', tls: 'On' } }) } };
const telemetry = { service: { metrics: { port: 9464 }, tracing: true } };
const telemetryWorker = (platform: BackendPlatform) => void platform.addWorker('Jobs', { queue: {}, metrics: { port: 9464 }, tracing: true });
const serviceMetrics = { service: { metrics: { port: 9464 } } };
const workerMetrics = (platform: BackendPlatform) => void platform.addWorker('Jobs', { queue: {}, metrics: { port: 9464 } });
/** The platform's workspace holds the metrics: retained in production when the last workload collecting them goes (ADR 0018). */
const metricsWorkspace = /^BackendMetricsWorkspace[0-9A-F]{8}$/;
/** A queue worker, with a sidecar or without. */
function worker(sidecar = false) {
  return (platform: BackendPlatform) => void platform.addWorker('Jobs', { queue: {}, sidecars: sidecar ? [agent] : undefined });
}

const uploads = { name: 'uploads', containerPath: '/var/uploads' };
const scratch = { name: 'scratch', containerPath: '/scratch' };
const withVolume = { service: { volumes: [uploads] } };
/** A queue worker with the given EFS volumes. */
function volumeWorker(...volumes: Array<{ name: string; containerPath: string }>) {
  return (platform: BackendPlatform) => void platform.addWorker('Jobs', { queue: {}, volumes });
}

/** Workers behind the platform's internal load balancer (docs/adr/0023), in the order given; `Reports` keeps Service Connect only without it. */
function balanced(...ids: string[]) {
  return (platform: BackendPlatform) => {
    if (!ids.includes('Reports')) platform.addWorker('Reports', { port: 8080 });
    for (const id of ids) platform.addWorker(id, { port: 8080, internalLoadBalancer: {} });
  };
}
/** Workers behind the internal load balancer answering at `<id>.example.com` over HTTPS; `Reports` keeps Service Connect only without it. */
function aliased(...ids: string[]) {
  return (platform: BackendPlatform) => {
    if (!ids.includes('Reports')) platform.addWorker('Reports', { port: 8080 });
    for (const id of ids) platform.addWorker(id, { port: 8080, internalLoadBalancer: { aliases: [`${id.toLowerCase()}.example.com`] } });
  };
}
/** An alias's certificate goes with it, and the load balancer's own HTTPS certificate with the platform's last alias (ADR 0023). */
const aliasCertificates = /^Backend(InternalLoadBalancer|Reports)Certificate[0-9A-Za-z]*$/;
/** The platform's internal load balancer: it leaves the template with the last worker behind it (ADR 0023, like an edge's ALB in ADR 0007). */
const internalLoadBalancer = /^BackendInternalLoadBalancer[0-9A-F]{8}$/;
/** Static sites added to the platform, in the order given (docs/adr/0024). */
function sites(...ids: string[]) {
  return (platform: BackendPlatform) => {
    for (const id of ids) platform.addStaticSite(id, { singlePageApp: id === 'App' });
  };
}
/** A site's bucket and distribution go with it: the bucket retained in production, the distribution deleted. */
const docsSite = /^BackendDocs(Bucket|Distribution)[0-9A-F]{8}$/;

/** Added web services, each blue/green, in the order given. */
function services(...ids: string[]) {
  return (platform: BackendPlatform) => {
    for (const id of ids) platform.addService(id, { pathPatterns: [`/${id.toLowerCase()}/*`], deployment: ServiceDeployment.blueGreen() });
  };
}

export const TRANSITIONS: Transition[] = [
  { name: 'a hosted zone added later', before: { props: dev }, after: { props: dev, withZone: true } },
  { name: 'rolling to blue/green', before: { props: {}, withZone: true }, after: { props: blueGreen, withZone: true } },
  { name: 'blue/green back to rolling', before: { props: blueGreen, withZone: true }, after: { props: {}, withZone: true } },
  { name: 'a blue/green web service added', before: { props: blueGreen, extend: services('Admin') }, after: { props: blueGreen, extend: services('Admin', 'Billing') } },
  {
    name: 'a blue/green web service removed from the middle',
    before: { props: blueGreen, extend: services('Admin', 'Billing', 'Reports') },
    after: { props: blueGreen, extend: services('Admin', 'Reports') },
  },
  {
    name: 'a blue/green web service renamed',
    before: { props: blueGreen, extend: services('Admin', 'Billing') },
    after: { props: blueGreen, extend: services('Admin', 'Invoices') },
  },
  { name: 'a sidecar added to the service and to a worker', before: { props: {}, extend: worker() }, after: { props: withSidecar, extend: worker(true) } },
  { name: 'a sidecar removed from the service and from a worker', before: { props: withSidecar, extend: worker(true) }, after: { props: {}, extend: worker() } },
  // One file system per platform, its construct ID the platform's, whichever workload mounts it first: moving or removing a volume keeps it.
  { name: 'an EFS volume added to the service and to a worker', before: { props: {}, extend: worker() }, after: { props: withVolume, extend: volumeWorker(scratch) } },
  { name: 'an EFS volume removed from the service while a worker keeps its own (the file system stays)', before: { props: withVolume, extend: volumeWorker(scratch) }, after: { props: {}, extend: volumeWorker(scratch) } },
  { name: 'an EFS volume moved from the service to a worker (the file system and the volume\'s directory stay)', before: { props: withVolume, extend: worker() }, after: { props: {}, extend: volumeWorker(uploads) } },
  { name: 'FireLens logging turned on for the service (sidecar mechanism)', before: { props: {} }, after: { props: fireLens } },
  { name: 'FireLens logging turned off for the service (sidecar mechanism)', before: { props: fireLens }, after: { props: {} } },
  { name: 'Container Insights set from the profile\'s enhanced to plain', before: { props: {} }, after: { props: { containerInsights: ecs.ContainerInsights.ENABLED } } },
  { name: 'metrics and tracing turned on for the service and a worker (sidecar mechanism)', before: { props: {}, extend: worker() }, after: { props: telemetry, extend: telemetryWorker } },
  {
    name: 'metrics and tracing turned off for the service and a worker (sidecar mechanism)',
    before: { props: telemetry, extend: telemetryWorker },
    after: { props: {}, extend: worker() },
    replaces: metricsWorkspace,
  },
  // One workspace per platform, under the platform: moving metrics between workloads keeps it as it is.
  { name: 'metrics moved from the web service to a worker (the workspace stays)', before: { props: serviceMetrics, extend: worker() }, after: { props: {}, extend: workerMetrics } },
  { name: 'metrics moved from a worker to the web service (the workspace stays)', before: { props: {}, extend: workerMetrics }, after: { props: serviceMetrics, extend: worker() } },
  { name: 'a second workload collecting metrics added (the workspace stays)', before: { props: serviceMetrics, extend: worker() }, after: { props: serviceMetrics, extend: workerMetrics } },
  // When the last workload stops collecting metrics the workspace leaves the template: retained in production.
  { name: 'metrics turned off for the last workload collecting them', before: { props: {}, extend: workerMetrics }, after: { props: {}, extend: worker() }, replaces: metricsWorkspace },
  { name: 'a promotion pipeline added to a platform without its own', before: { props: promoted }, after: { props: promoted, extend: promotion(false) } },
  { name: 'a promoted environment given tests and migrations', before: { props: promoted, extend: promotion(false) }, after: { props: promoted, extend: promotion(true) } },
  // Its artifacts are transient: the bucket is emptied and deleted with the pipeline, its key scheduled for deletion.
  {
    name: 'a promotion pipeline removed',
    before: { props: promoted, extend: promotion(true) },
    after: { props: promoted },
    replaces: /^PromotionArtifact(sKey|Bucket)[0-9A-F]{8}$/,
  },
  // Migrations are opt-in: a platform that ran the former default migration loses the stage unless it gives the command.
  { name: 'migrations turned on', before: { props: {} }, after: { props: { pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] } } } },
  { name: 'migrations turned off', before: { props: { pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] } } }, after: { props: {} } },
  {
    name: 'a worker and a scheduled job added',
    before: { props: {} },
    after: {
      props: {},
      extend: platform => {
        platform.addWorker('Mailer', { queue: {} });
        platform.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], taskType: 'REPORT' });
      },
    },
  },
  // Topics and subscriptions are resources of their own: adding a publisher or a subscriber touches no queue (ADR 0020).
  {
    name: 'a topic published and subscribed to',
    before: { props: {}, extend: platform => { platform.addWorker('Mailer', { queue: {} }); } },
    after: {
      props: { service: { publishes: ['orders'] } },
      extend: platform => { platform.addWorker('Mailer', { queue: {}, subscriptions: [{ topic: 'orders', filterPolicy: { event: sns.SubscriptionFilter.existsFilter() } }] }); },
    },
  },
  {
    name: 'a subscription removed and the topic renamed',
    before: { props: { service: { publishes: ['orders'] } }, extend: platform => { platform.addWorker('Mailer', { queue: {}, subscriptions: [{ topic: 'orders' }] }); } },
    after: { props: { service: { publishes: ['purchases'] } }, extend: platform => { platform.addWorker('Mailer', { queue: {} }); } },
  },
  // A backend service behind the internal load balancer (ADR 0023): each worker's rule sits at a priority derived from its
  // construct path, so adding or removing one touches no other worker's rule, target group or service.
  { name: 'a worker reached through Service Connect put behind the internal load balancer (the first)', before: { props: {}, extend: balanced() }, after: { props: {}, extend: balanced('Reports') } },
  { name: 'a second worker behind the internal load balancer', before: { props: {}, extend: balanced('Reports') }, after: { props: {}, extend: balanced('Reports', 'Search') } },
  { name: 'one of two workers behind the internal load balancer removed', before: { props: {}, extend: balanced('Reports', 'Search') }, after: { props: {}, extend: balanced('Search') } },
  { name: 'one worker behind the internal load balancer removed and another added', before: { props: {}, extend: balanced('Billing', 'Search') }, after: { props: {}, extend: balanced('Invoices', 'Search') } },
  // Aliases (HTTPS): the worker's HTTP rule keeps its ID and priority and turns into a redirect; its HTTPS rule, records
  // and certificates are created, and deleted with the aliases.
  { name: 'a worker behind the internal load balancer given aliases (HTTPS comes with them)', before: { props: {}, withZone: true, extend: balanced('Reports') }, after: { props: {}, withZone: true, extend: aliased('Reports') } },
  { name: 'a second worker with aliases on the internal load balancer', before: { props: {}, withZone: true, extend: aliased('Reports') }, after: { props: {}, withZone: true, extend: aliased('Reports', 'Search') } },
  { name: 'a worker\'s aliases dropped', before: { props: {}, withZone: true, extend: aliased('Reports') }, after: { props: {}, withZone: true, extend: balanced('Reports') }, replaces: aliasCertificates },
  { name: 'the last worker behind the internal load balancer removed', before: { props: {}, extend: balanced('Reports') }, after: { props: {}, extend: balanced() }, replaces: internalLoadBalancer },
  // Static sites (ADR 0024): each its own bucket and distribution under its id; adding or removing one touches no other.
  { name: 'a static site added', before: { props: {} }, after: { props: {}, extend: sites('Docs') } },
  { name: 'a second static site added', before: { props: {}, extend: sites('Docs') }, after: { props: {}, extend: sites('Docs', 'App') } },
  { name: 'the first of two static sites removed', before: { props: {}, extend: sites('Docs', 'App') }, after: { props: {}, extend: sites('App') }, replaces: docsSite },
  {
    name: 'a static site given a custom domain',
    before: { props: {}, withZone: true, region: 'us-east-1', extend: sites('Docs') },
    after: { props: {}, withZone: true, region: 'us-east-1', extend: platform => void platform.addStaticSite('Docs', { domainName: 'docs.example.com' }) },
  },
  // The development database is encrypted with the platform's shared key, production gives it a key of its own, and
  // RDS cannot re-key an instance: the change replaces it (README, "Profiles"; docs/deploy-readiness.md).
  { name: 'development to production', before: { props: dev }, after: { props: {} }, replaces: /^BackendDatabaseInstance[0-9A-F]{8}$/ },
  // An internal ALB is a new ALB (ADR 0007); the origin-verify secret exists only for a public one.
  {
    name: 'edge mode VPC_ORIGIN to PUBLIC_ALB',
    before: { props: {}, withZone: true },
    after: { props: { service: { edgeMode: EdgeMode.PUBLIC_ALB } }, withZone: true },
    replaces: /^BackendServiceLoadBalancer[0-9A-F]{8}$/,
  },
  {
    name: 'edge mode PUBLIC_ALB to VPC_ORIGIN',
    before: { props: { service: { edgeMode: EdgeMode.PUBLIC_ALB } }, withZone: true },
    after: { props: {}, withZone: true },
    replaces: /^BackendService(LoadBalancer|OriginVerifySecret)[0-9A-F]{8}$/,
  },
  // Aliases (ADR 0019): the distribution and the load balancer stay; only the CloudFront certificate is replaced.
  { name: 'an alias added to the web service', before: domain(), after: domain(['www.example.com']), replaces: domainCertificate },
  { name: 'the first of two aliases removed', before: domain(['www.example.com', 'example.com']), after: domain(['example.com']), replaces: domainCertificate },
  { name: 'a web service routed by host added', before: domain(), after: domain(undefined, adminHost), replaces: domainCertificate },
  { name: 'a web service routed by host removed', before: domain(undefined, adminHost), after: domain(), replaces: domainCertificate },
  // A restore is a new instance from the snapshot (ADR 0006); the old one is snapshotted and deleted.
  {
    name: 'restore the database from a snapshot',
    before: { props: {} },
    after: { props: { database: { restoreFrom: DatabaseRestoreSource.fromSnapshot('arn:aws:rds:eu-west-1:123456789012:snapshot:before-migration') } } },
    replaces: /^BackendDatabaseInstance[0-9A-F]{8}$/,
  },
];

/** The template of a platform state, in a stack of its own. */
export function synthState(state: PlatformState): CfnTemplate {
  const stack = new Stack(new App(), 'Backend', state.region ? { env: { region: state.region } } : {});
  const hostedZone = state.withZone
    ? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' })
    : undefined;
  const platform = new BackendPlatform(stack, 'Backend', { ...BASE, ...state.props, hostedZone });
  state.extend?.(platform);
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}
