import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { CfnTemplate } from './rule';
import { BackendPlatform, BackendPlatformProps, DatabaseRestoreSource, EdgeMode, EnvironmentProfile, PromotionPipeline, ServiceDeployment } from '../../src';

/** A platform as a user writes it at one point of its life: props, and the workloads added after construction. */
export interface PlatformState {
  readonly props: Partial<BackendPlatformProps>;
  readonly withZone?: boolean;
  readonly extend?: (platform: BackendPlatform) => void;
}

/** One change a user makes over a platform's life: the deployed state and the state deployed over it. */
export interface Transition {
  readonly name: string;
  readonly before: PlatformState;
  readonly after: PlatformState;
  /** Logical IDs of stateful resources the change is about replacing (the edge's load balancer, a restored database). */
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
  { name: 'a promotion pipeline added to a platform without its own', before: { props: promoted }, after: { props: promoted, extend: promotion(false) } },
  { name: 'a promoted environment given tests and migrations', before: { props: promoted, extend: promotion(false) }, after: { props: promoted, extend: promotion(true) } },
  { name: 'a promotion pipeline removed', before: { props: promoted, extend: promotion(true) }, after: { props: promoted } },
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
  const stack = new Stack(new App(), 'Backend');
  const hostedZone = state.withZone
    ? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' })
    : undefined;
  const platform = new BackendPlatform(stack, 'Backend', { ...BASE, ...state.props, hostedZone });
  state.extend?.(platform);
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}
