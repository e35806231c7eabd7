import * as fs from 'fs';
import * as path from 'path';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { STATEFUL, UNSAFE } from './stateful';
import { FargateBackendStack } from '../examples/seeds/seed-000-fargate-backend';
import { ScalableBackendStack } from '../examples/seeds/seed-002-scalable-backend';
import {
  BackendPlatform, BackendPlatformProps, DatabaseRestoreSource, EdgeMode, EdgeWebAcl, EnvironmentProfile, PlatformStaticSiteOptions,
  ServiceDeployment, ServiceImage, SiteContent, TeardownPolicy,
} from '../src';

// Routine prop changes must never replace, remove or orphan stateful resources (test/stateful.ts): the diff engine
// of `cdk diff` decides, per resource, what CloudFormation would do with the new template.
const calls = {
  resetQueue: { id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' },
  reviewSms: { id: 'ReviewSms', schedule: events.Schedule.rate(Duration.minutes(1)), path: '/sms/review' },
};
const BASE: BackendPlatformProps = {
  environmentName: 'prod',
  hostedZone: undefined as unknown as route53.IHostedZone,
  database: {},
  cache: {},
  cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
  scheduledApiCalls: [calls.resetQueue, calls.reviewSms],
  alarmEmails: ['ops@example.com'],
};

// Most changes start from BASE as it is: its template is synthesized once, and each caller gets a copy of its own.
let baseTemplate: string | undefined;

function synth(props: Partial<BackendPlatformProps>, extend?: (platform: BackendPlatform) => void) {
  const isBase = Object.keys(props).length === 0 && !extend;
  if (isBase && baseTemplate) return JSON.parse(baseTemplate);
  const stack = new Stack(new App(), 'Backend');
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const platform = new BackendPlatform(stack, 'Backend', { ...BASE, ...props, hostedZone });
  extend?.(platform);
  const template = Template.fromStack(stack).toJSON();
  if (isBase) baseTemplate = JSON.stringify(template);
  return template;
}

const routineChanges: Array<[string, Partial<BackendPlatformProps>, Partial<BackendPlatformProps>]> = [
  ['add a scheduled call', { scheduledApiCalls: [calls.resetQueue] }, { scheduledApiCalls: [calls.resetQueue, calls.reviewSms] }],
  ['remove a scheduled call', {}, { scheduledApiCalls: [calls.resetQueue] }],
  ['change alarm e-mails', {}, { alarmEmails: ['oncall@example.com', 'cto@example.com'] }],
  ['change the cleanup command and schedule', {}, { cleanupJob: { command: ['node', 'dist/cleanup.js'], schedule: events.Schedule.rate(Duration.minutes(10)) } }],
  ['resize the service', {}, { service: { cpu: 2048, memoryLimitMiB: 4096 } }],
  ['change capacity', {}, { service: { minCapacity: 3, maxCapacity: 8 } }],
  ['add a routed container', {}, {
    service: { routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: ['/admin/*'], image: ServiceImage.placeholder() }] },
  }],
  ['resize the database', {}, { database: { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE) } }],
  ['resize the cache', {}, { cache: { cacheNodeType: 'cache.r7g.large' } }],
  ['turn migrations on (an existing platform upgrading keeps them with its command)', {}, { pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] } }],
  ['turn migrations off (an existing platform upgrading without a command)', { pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] } }, {}],
  ['change pipeline approval and migration command', { pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] } },
    { pipeline: { manualApproval: true, migrationCommand: ['npm', 'run', 'migrate'] } }],
  ['turn on password rotation', {}, { database: { rotation: true } }],
  ['turn on redeploys after secret changes (an existing platform upgrading)', { redeployOnSecretRotation: false }, {}],
  ['serve the service on a custom domain', {}, {
    service: {
      domainName: 'api.example.com',
      domainCertificate: acm.Certificate.fromCertificateArn(new Stack(), 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-0123-0123-0123-0123456789ab'),
    },
  }],
  ['attach a web ACL', {}, { service: { webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/a1b2') } }],
  ['cache static paths', {}, { service: { cachedPathPatterns: ['/static/*'] } }],
  ['add the backup plan (an existing production platform upgrading, or backups turned on)', { backups: { enabled: false } }, {}],
  ['add backups to a development platform', { profile: EnvironmentProfile.DEVELOPMENT }, { profile: EnvironmentProfile.DEVELOPMENT, backups: {} }],
  ['change backup retention, add a cross-region copy and a vault lock', {}, {
    backups: {
      dailyRetention: Duration.days(14),
      copy: { destinationVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' },
      vaultLock: { minRetention: Duration.days(7) },
    },
  }],
  ['change teardown from RETAIN to DESTROY (production profile)', {}, { teardown: TeardownPolicy.DESTROY }],
  ['change teardown from DESTROY to RETAIN (development profile)', { profile: EnvironmentProfile.DEVELOPMENT },
    { profile: EnvironmentProfile.DEVELOPMENT, teardown: TeardownPolicy.RETAIN }],
  ['tune the health checks (Copilot\'s healthcheck fields)', {}, {
    service: {
      healthCheckPath: '/ping',
      healthCheckPort: 8081,
      healthCheckSuccessCodes: '200,202',
      healthCheckInterval: Duration.seconds(30),
      healthCheckTimeout: Duration.seconds(10),
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 4,
      healthCheckGracePeriod: Duration.seconds(120),
    },
  }],
  ['scale on requests and response time with cooldowns, CPU scaling off', {}, {
    service: {
      targetRequestsPerTaskPerMinute: 1000,
      scaleOutResponseTime: Duration.seconds(1),
      targetCpuUtilizationPercent: 0,
      scaleInCooldown: Duration.minutes(10),
      scaleOutCooldown: Duration.seconds(30),
    },
  }],
  // The limit lives in the guard function, not in the task: changing it registers no task definition revision.
  ['change the cleanup job\'s runtime limit', { cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'], maxRuntime: Duration.minutes(3) } },
    { cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'], maxRuntime: Duration.minutes(2) } }],
  ['switch the development profile service size and capacity', { profile: EnvironmentProfile.DEVELOPMENT },
    { profile: EnvironmentProfile.DEVELOPMENT, service: { cpu: 1024, memoryLimitMiB: 2048, minCapacity: 2, maxCapacity: 3 } }],
];

describe.each(routineChanges)('GIVEN the platform WHEN we %s', (_name, before, after) => {
  const diff = fullDiff(synth(before), synth(after));
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  diff.resources.forEachDifference((id, change) => {
    changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact });
  });

  test('THEN something changes (the change is real)', () => {
    expect(changes.length).toBeGreaterThan(0);
  });

  test('THEN no stateful resource is replaced, removed or orphaned', () => {
    const unsafe = changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact));
    expect(unsafe).toEqual([]);
  });

  test('THEN the image-tag parameter the pipeline writes is not touched', () => {
    expect(changes.filter(c => c.id.startsWith('BackendServiceImageTagParameter'))).toEqual([]);
  });
});

test('GIVEN the platform WHEN its health checks and scaling are tuned THEN target groups, scalable target and service are updated in place', () => {
  const diff = fullDiff(synth({}), synth({
    service: {
      healthCheckPort: 8081,
      healthCheckSuccessCodes: '200',
      healthCheckTimeout: Duration.seconds(4),
      unhealthyThresholdCount: 5,
      healthCheckGracePeriod: Duration.seconds(90),
      targetCpuUtilizationPercent: 50,
      scaleInCooldown: Duration.minutes(5),
    },
  }));
  const impacts: Array<[string, ResourceImpact]> = [];
  diff.resources.forEachDifference((_id, change) => {
    const type = change.resourceType ?? '';
    if (/TargetGroup$|::Service$|ScalableTarget$/.test(type)) impacts.push([type, change.changeImpact]);
  });
  expect(impacts.map(([type]) => type)).toEqual(expect.arrayContaining(['AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ECS::Service']));
  expect(impacts.filter(([, impact]) => impact !== ResourceImpact.WILL_UPDATE)).toEqual([]);
});

test('GIVEN the diff engine WHEN a stateful resource is really replaced THEN the suite would see it', () => {
  const diff = fullDiff(synth({}), synth({ database: { databaseName: 'renamed' } }));
  const impacts: ResourceImpact[] = [];
  diff.resources.forEachDifference((_id, change) => {
    if (change.resourceType === 'AWS::RDS::DBInstance') impacts.push(change.changeImpact);
  });
  expect(impacts).toEqual([ResourceImpact.WILL_REPLACE]);
});

/**
 * Moving an edge between modes is not routine: an internal ALB is a new ALB (CloudFormation replaces it, and a
 * deletion-protected old one stays behind until protection is lifted; docs/adr/0007). It must still leave every
 * resource that holds data alone.
 */
describe.each([
  ['PUBLIC_ALB to VPC_ORIGIN', EdgeMode.PUBLIC_ALB, EdgeMode.VPC_ORIGIN],
  ['VPC_ORIGIN to PUBLIC_ALB', EdgeMode.VPC_ORIGIN, EdgeMode.PUBLIC_ALB],
])('GIVEN the platform WHEN its edge moves from %s', (_name, from, to) => {
  const diff = fullDiff(synth({ service: { edgeMode: from } }), synth({ service: { edgeMode: to } }));
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  diff.resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));

  test('THEN the load balancer is replaced, and nothing that holds data is replaced, removed or orphaned', () => {
    expect(changes.filter(c => c.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer').map(c => c.impact)).toEqual([ResourceImpact.WILL_REPLACE]);
    const data = STATEFUL.filter(type => !type.startsWith('AWS::ElasticLoadBalancingV2::') && type !== 'AWS::CertificateManager::Certificate');
    // The origin-verify secret only exists for a public ALB: it holds a generated header value, no user data.
    const unsafe = changes.filter(c => data.includes(c.type) && UNSAFE.includes(c.impact) && !c.id.startsWith('BackendServiceOriginVerifySecret'));
    expect(unsafe).toEqual([]);
    expect(changes.filter(c => c.type === 'AWS::CertificateManager::Certificate')).toEqual([]);
  });
});

/** Adding workloads to a running platform creates resources and leaves every existing one as it is. */
describe.each([
  ['add a queue worker', (platform: BackendPlatform) => { platform.addWorker('Mailer', { queue: {} }); }],
  ['add an internal worker', (platform: BackendPlatform) => { platform.addWorker('Pricing', { port: 8080 }); }],
  ['add a scheduled job', (platform: BackendPlatform) => { platform.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], taskType: 'REPORT' }); }],
  ['add a second web service', (platform: BackendPlatform) => { platform.addService('Admin', { pathPatterns: ['/admin/*'] }); }],
  ['add a second, blue/green web service', (platform: BackendPlatform) => {
    platform.addService('Admin', { pathPatterns: ['/admin/*'], deployment: ServiceDeployment.blueGreen() });
  }],
  ['add a worker from a repository of its own (a pipeline of its own)', (platform: BackendPlatform) => {
    const repository = ecr.Repository.fromRepositoryName(platform, 'ReportsRepository', 'reports');
    platform.addWorker('Reports', { queue: {}, image: ServiceImage.fromEcrRepository(repository) });
  }],
])('GIVEN the platform WHEN we %s', (_name, extend) => {
  const diff = fullDiff(synth({}), synth({}, extend));
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  diff.resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));

  test('THEN resources are added and no stateful resource is replaced, removed or orphaned', () => {
    expect(changes.filter(c => c.impact === ResourceImpact.WILL_CREATE).length).toBeGreaterThan(0);
    expect(changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact))).toEqual([]);
    expect(changes.filter(c => c.impact === ResourceImpact.WILL_REPLACE || c.impact === ResourceImpact.WILL_DESTROY)).toEqual([]);
  });

  // An internal worker makes the first service a Service Connect client of the cluster's new namespace (both updated
  // in place); new rules on the first service's security groups are new resources.
  test('THEN no existing resource of the first web service, its load balancer, listener or distribution changes (but for Service Connect)', () => {
    const touched = changes.filter(c => c.id.startsWith('BackendService') && c.impact !== ResourceImpact.WILL_CREATE);
    const serviceConnect = _name === 'add an internal worker' ? ['AWS::ECS::Cluster', 'AWS::ECS::Service'] : [];
    // The first blue/green service on the edge gives the load balancer its test-listener security group (SetSecurityGroups, in place).
    const testListenerGroup = _name === 'add a second, blue/green web service' ? ['AWS::ElasticLoadBalancingV2::LoadBalancer'] : [];
    expect(touched.map(c => c.type).sort()).toEqual([...serviceConnect, ...testListenerGroup]);
    expect(touched.filter(c => c.impact !== ResourceImpact.WILL_UPDATE)).toEqual([]);
  });
});

/** Workers behind the internal load balancer (docs/adr/0023); without `Reports` among them it is reached through Service Connect only. */
const balancedWorkers = (...ids: string[]) => (platform: BackendPlatform) => {
  if (!ids.includes('Reports')) platform.addWorker('Reports', { port: 8080 });
  for (const id of ids) platform.addWorker(id, { port: 8080, internalLoadBalancer: {} });
};

/**
 * The internal load balancer comes with its first worker and goes with its last; in between, adding or removing a
 * worker behind it creates or deletes that worker's rule and target group only: the load balancer, its listener and
 * the other workers' rules, target groups and services stay as they are.
 */
describe.each([
  ['put the first worker behind the internal load balancer', [], ['Reports'], []],
  ['add a second worker behind it', ['Reports'], ['Reports', 'Search'], ['Reports']],
  ['remove one of two workers behind it', ['Reports', 'Search'], ['Search'], ['Search']],
  ['remove the last worker behind it', ['Reports'], [], []],
])('GIVEN the platform WHEN we %s', (name, before, after, kept) => {
  const diff = fullDiff(synth({}, balancedWorkers(...before)), synth({}, balancedWorkers(...after)));
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  diff.resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));
  const lbKept = before.length > 0 && after.length > 0;

  test('THEN something changes (the change is real)', () => {
    expect(changes.length).toBeGreaterThan(0);
  });

  test('THEN nothing stateful is replaced, removed or orphaned, but the load balancer when its last worker goes', () => {
    const unsafe = changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact));
    expect(unsafe.map(c => `${c.id.replace(/[0-9A-F]{8}$/, '')} ${c.impact}`)).toEqual(name === 'remove the last worker behind it' ? ['BackendInternalLoadBalancer WILL_DESTROY'] : []);
    expect(changes.filter(c => c.impact === ResourceImpact.WILL_REPLACE)).toEqual([]);
  });

  test('THEN the load balancer, its listener and security group, and the workers kept are not touched', () => {
    const lbParts = changes.filter(c => c.id.startsWith('BackendInternalLoadBalancer') && !/Ingress|Egress/.test(c.type));
    if (lbKept) expect(lbParts).toEqual([]);
    expect(changes.filter(c => kept.some(id => c.id.startsWith(`Backend${id}`)) && !/Ingress|Egress/.test(c.type))).toEqual([]);
    // The web service, which calls the workers, keeps its task definition and service.
    expect(changes.filter(c => /^BackendService(Service|TaskDefinition)[0-9A-F]{8}$/.test(c.id))).toEqual([]);
  });
});

/** `Reports` behind the internal load balancer, with the given aliases (HTTPS on the load balancer with the first). */
const aliasedReports = (...aliases: string[]) => (platform: BackendPlatform) => {
  platform.addWorker('Reports', { port: 8080, internalLoadBalancer: aliases.length > 0 ? { aliases } : {} });
  platform.addWorker('Search', { port: 8080, internalLoadBalancer: {} });
};

/**
 * A worker given aliases (docs/adr/0023) keeps its HTTP rule, updated in place into a redirect at the same priority, its
 * target group and its service; the HTTPS listener, its certificate, the records and the alias certificates are new.
 * Adding or dropping one alias touches only that alias's record and certificates and the rules' conditions.
 */
describe.each([
  ['give a worker aliases', [], ['reports.example.com']],
  ['add an alias to a worker', ['reports.example.com'], ['reports.example.com', 'reports-v2.example.com']],
  ['drop one of a worker\'s aliases', ['reports.example.com', 'reports-v2.example.com'], ['reports-v2.example.com']],
  ['drop a worker\'s aliases', ['reports.example.com'], []],
])('GIVEN the platform WHEN we %s', (_name, before, after) => {
  const [beforeTemplate, afterTemplate] = [synth({}, aliasedReports(...before)), synth({}, aliasedReports(...after))];
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  fullDiff(beforeTemplate, afterTemplate).resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));
  const dropped = before.filter(name => !after.includes(name));

  test('THEN the worker\'s HTTP rule is updated in place (never replaced), nothing is replaced, and only the dropped names\' certificates are deleted', () => {
    expect(changes.filter(c => /^BackendReportsInternalRoute[0-9A-F]{8}$/.test(c.id)).map(c => c.impact)).toEqual([ResourceImpact.WILL_UPDATE]);
    expect(changes.filter(c => c.impact === ResourceImpact.WILL_REPLACE)).toEqual([]);
    // A certificate goes with its name; the load balancer's own with the last alias, and its HTTPS listener with it.
    const certificates = [...dropped.map(name => `BackendReportsCertificate${name.replace(/[^A-Za-z0-9]/g, '')}`), ...(after.length === 0 ? ['BackendInternalLoadBalancerCertificate'] : [])];
    expect(changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact)).map(c => `${c.id.replace(/[0-9A-F]{8}$/, '')} ${c.impact}`).sort())
      .toEqual(certificates.map(id => `${id} WILL_DESTROY`).sort());
  });

  test('THEN the load balancer, its HTTP listener, the worker\'s target group and the other worker stay as they are, and its service\'s properties too', () => {
    const untouched = /^Backend(InternalLoadBalancer|InternalLoadBalancerHttpListener|ReportsTargetGroup|Search(?!.*Ingress).*)[0-9A-F]{8}$/;
    expect(changes.filter(c => untouched.test(c.id) && !/Ingress|Egress/.test(c.type))).toEqual([]);
    // The service waits for the rules that forward to its target group (DependsOn), which moves with the HTTPS rule: no property changes, no deployment.
    const service = (template: any) => Object.entries<any>(template.Resources).find(([id]) => /^BackendReportsService[0-9A-F]{8}$/.test(id))![1];
    expect(service(afterTemplate).Properties).toEqual(service(beforeTemplate).Properties);
  });

  test('THEN only alias records and certificates of the names added or dropped are created or deleted', () => {
    const names = (list: string[]) => list.map(name => name.replace(/[^A-Za-z0-9]/g, ''));
    const added = names(after.filter(name => !before.includes(name)));
    const removed = names(dropped);
    const perAlias = (c: { id: string }) => /^BackendReports(Alias|Certificate|ListenerCertificate)/.test(c.id);
    const named = (list: string[]) => (c: { id: string }) => list.some(name => c.id.includes(name));
    expect(changes.filter(perAlias).every(c => (c.impact === ResourceImpact.WILL_CREATE ? named(added)(c) : named(removed)(c)))).toBe(true);
    expect(changes.filter(perAlias).length).toBe(3 * (added.length + removed.length));
  });
});

/** Blue/green services added as the update-safety suite's platform names them, each at its own path. */
const blueGreenServices = (...ids: string[]) => (platform: BackendPlatform) => {
  for (const id of ids) platform.addService(id, { pathPatterns: [`/${id.toLowerCase()}/*`], deployment: ServiceDeployment.blueGreen() });
};

/**
 * ECS moves a blue/green listener rule's weights; an update of the rule writes the template's 100/0 back
 * (aws/aws-cdk#36649). Removing or renaming one service must leave every other service's resources as they are.
 */
describe.each([
  ['remove a blue/green service from the middle', ['Admin', 'Billing', 'Reports'], ['Admin', 'Reports'], ['Admin', 'Reports']],
  ['rename a blue/green service in the middle', ['Admin', 'Billing', 'Reports'], ['Admin', 'Invoices', 'Reports'], ['Admin', 'Reports']],
  ['add a blue/green service before the others', ['Admin', 'Reports'], ['Billing', 'Admin', 'Reports'], ['Admin', 'Reports']],
])('GIVEN a blue/green platform with added services WHEN we %s', (_name, before, after, kept) => {
  const blueGreen = { service: { deployment: ServiceDeployment.blueGreen() } };
  const diff = fullDiff(synth(blueGreen, blueGreenServices(...before)), synth(blueGreen, blueGreenServices(...after)));
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  diff.resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));

  test('THEN something changes (the change is real)', () => {
    expect(changes.length).toBeGreaterThan(0);
  });

  test('THEN no resource of the services kept changes: not their listener rules, test listeners, target groups or services', () => {
    expect(changes.filter(c => kept.some(id => c.id.startsWith(`Backend${id}`)))).toEqual([]);
  });

  test('THEN no listener rule but the removed or added service\'s is touched, and nothing stateful is replaced', () => {
    const moved = [...before, ...after].filter(id => !kept.includes(id));
    expect(changes.filter(c => c.type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && !moved.some(id => c.id.startsWith(`Backend${id}`)))).toEqual([]);
    expect(changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact) && !moved.some(id => c.id.startsWith(`Backend${id}`)))).toEqual([]);
  });
});

describe('GIVEN the platform and its pipeline WHEN we add a worker built from the platform image', () => {
  const diff = fullDiff(synth({}), synth({}, platform => { platform.addWorker('Mailer', { queue: {} }); }));
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  diff.resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));
  const pipelineChanges = changes.filter(c => c.id.startsWith('BackendPipeline'));

  test('THEN the pipeline is updated in place: a deploy action, a file and a tag parameter more', () => {
    expect(pipelineChanges.find(c => c.type === 'AWS::CodePipeline::Pipeline')?.impact).toBe(ResourceImpact.WILL_UPDATE);
  });

  test('THEN its artifact bucket, key, build log group, projects and deploy role are not replaced (most not even touched)', () => {
    expect(pipelineChanges.filter(c => UNSAFE.includes(c.impact))).toEqual([]);
    expect(pipelineChanges.filter(c => ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::CodeBuild::Project'].includes(c.type))).toEqual([]);
  });

  test('THEN the web service, its task definition and its image-tag parameter stay as they are', () => {
    expect(changes.filter(c => /^BackendService(Service|TaskDefinition|ImageTagParameter)[0-9A-F]{8}$/.test(c.id))).toEqual([]);
  });
});

/**
 * A deploy pipeline registers task definition revisions CloudFormation never sees. The service names only its
 * family (`TaskDefinitionRevision.LATEST`), so a `cdk deploy` that touches the service but not its task definition
 * sends the family and ECS keeps the newest ACTIVE revision: the pipeline's. A change of the task definition itself
 * registers a newer revision, whose number is the service's deployment nonce, so it still rolls out
 * (docs/adr/0008; aws-cdk#26983).
 */
describe('GIVEN the pipeline deployed an image CloudFormation never saw', () => {
  const serviceOf = (template: ReturnType<typeof synth>) => Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::ECS::Service')!;
  const taskDefinitionOf = (template: ReturnType<typeof synth>) => Object.entries<any>(template.Resources)
    .find(([id, r]) => r.Type === 'AWS::ECS::TaskDefinition' && id.startsWith('BackendServiceTaskDefinition'))!;

  test('THEN the service follows the newest revision of its family, and its nonce is CloudFormation\'s own revision number', () => {
    const template = synth({});
    const [, service] = serviceOf(template);
    const [taskDefinitionId, taskDefinition] = taskDefinitionOf(template);
    expect(service.Properties.TaskDefinition).toEqual(taskDefinition.Properties.Family);
    expect(service.Properties.ForceNewDeployment).toEqual({
      EnableForceNewDeployment: true,
      ForceNewDeploymentNonce: { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: taskDefinitionId }] }] },
    });
  });

  describe.each([
    ['change the health check grace period', {}, { service: { healthCheckGracePeriod: Duration.seconds(120) } }],
    ['change the bake time', { service: { deployment: ServiceDeployment.blueGreen() } },
      { service: { deployment: ServiceDeployment.blueGreen({ bakeTime: Duration.minutes(15) }) } }],
    ['turn ECS Exec on', {}, { service: { enableExecuteCommand: true } }],
  ])('WHEN a cdk deploy only %s', (_name, before, after) => {
    const [old, changed] = [synth(before), synth(after)];
    const diff = fullDiff(old, changed);
    const [serviceId] = serviceOf(old);
    const [taskDefinitionId] = taskDefinitionOf(old);

    test('THEN the service changes but its task definition does not: no revision is registered', () => {
      expect(diff.resources.get(serviceId)?.isDifferent).toBe(true);
      expect(diff.resources.get(taskDefinitionId)?.isDifferent ?? false).toBe(false);
    });

    test('THEN the service keeps naming the family and the same nonce, so ECS keeps the pipeline\'s revision', () => {
      const updates = Object.keys(diff.resources.get(serviceId)!.propertyUpdates);
      expect(updates).not.toContain('TaskDefinition');
      expect(updates).not.toContain('ForceNewDeployment');
      expect(serviceOf(changed)[1].Properties.TaskDefinition).toEqual(taskDefinitionOf(changed)[1].Properties.Family);
    });
  });

  describe('WHEN a cdk deploy changes the task definition itself', () => {
    const diff = fullDiff(synth({}), synth({ service: { environment: { FEATURE: 'on' } } }));
    const [serviceId, service] = serviceOf(synth({}));
    const [taskDefinitionId] = taskDefinitionOf(synth({}));

    test('THEN CloudFormation registers a new revision (the task definition is replaced), with the image read from the tag parameter', () => {
      expect(diff.resources.get(taskDefinitionId)?.changeImpact).toEqual(ResourceImpact.WILL_REPLACE);
      const image = JSON.stringify(taskDefinitionOf(synth({ service: { environment: { FEATURE: 'on' } } }))[1].Properties.ContainerDefinitions[0].Image);
      expect(image).toContain('{{resolve:ssm:/backend/prod/backend/ecr-imgTag}}');
    });

    test('THEN the service\'s nonce is that revision\'s number, so the service is updated and the new revision rolls out', () => {
      expect(JSON.stringify(service.Properties.ForceNewDeployment.ForceNewDeploymentNonce)).toContain(`{"Ref":"${taskDefinitionId}"}`);
      expect(diff.resources.get(serviceId)?.changeImpact).not.toEqual(ResourceImpact.WILL_REPLACE);
    });
  });
});

/** Blue/green is a deployment setting: switching it on or off re-routes traffic but keeps the service and everything stateful. */
describe.each([
  ['rolling to blue/green', {}, { service: { deployment: ServiceDeployment.blueGreen() } }],
  ['blue/green to rolling', { service: { deployment: ServiceDeployment.blueGreen() } }, {}],
  ['blue/green to rolling, explicitly', { service: { deployment: ServiceDeployment.blueGreen() } }, { service: { deployment: ServiceDeployment.rolling() } }],
])('GIVEN the platform WHEN its deployment switches from %s', (_name, before, after) => {
  const diff = fullDiff(synth(before), synth(after));
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  diff.resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));

  test('THEN nothing stateful is replaced, removed or orphaned (but the smoke test\'s log group, retained on purpose)', () => {
    // Turning blue/green off orphans the hook's log group: like every log group of the library it outlives its function.
    expect(changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact) && !c.id.startsWith('BackendServiceSmokeTestLogGroup'))).toEqual([]);
  });

  test('THEN the service, its task definition, its primary target group and the load balancer stay (updated in place at most)', () => {
    const kept = ['AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::ElasticLoadBalancingV2::LoadBalancer'];
    expect(changes.filter(c => kept.includes(c.type) && UNSAFE.includes(c.impact))).toEqual([]);
    expect(changes.filter(c => c.id.startsWith('BackendServiceAppTargetGroup') && UNSAFE.includes(c.impact))).toEqual([]);
  });

  test('THEN the image-tag parameter the pipeline writes is not touched', () => {
    expect(changes.filter(c => c.id.startsWith('BackendServiceImageTagParameter'))).toEqual([]);
  });
});

/**
 * A restore is a reviewed replacement of the DB instance and of nothing else (docs/adr/0006): the credentials secret,
 * the key, the security group, the subnet group and the parameter group keep their logical IDs and properties, so
 * the services' DB_PASSWORD stays valid and only their DB_HOST changes. Production snapshots the old instance first.
 */
const snapshot = DatabaseRestoreSource.fromSnapshot('before-migration');
const otherSnapshot = DatabaseRestoreSource.fromSnapshot('rds:prod-db-2026-05-04-05-10');
const pointInTime = DatabaseRestoreSource.fromPointInTime({ sourceInstanceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2', restoreTime: '2026-05-04T09:30:00Z' });
const KEPT = ['AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::EC2::SecurityGroup', 'AWS::RDS::DBSubnetGroup', 'AWS::RDS::DBParameterGroup', 'AWS::Backup::BackupVault'];
describe.each([
  ['restore the database from a snapshot', {}, { database: { restoreFrom: snapshot } }],
  ['restore the database to a point in time', {}, { database: { restoreFrom: pointInTime } }],
  ['restore the development database from a snapshot', { profile: EnvironmentProfile.DEVELOPMENT }, { profile: EnvironmentProfile.DEVELOPMENT, database: { restoreFrom: snapshot } }],
  // Only the snapshot changes, a conditional replacement: `cdk diff` says "may be replaced"; CloudFormation restores a new instance.
  ['restore a restored database from another snapshot', { database: { restoreFrom: snapshot } }, { database: { restoreFrom: otherSnapshot } }, ResourceImpact.MAY_REPLACE],
  ['remove restoreFrom after a restore (an empty database replaces the restored one)', { database: { restoreFrom: snapshot } }, {}],
] as Array<[string, Partial<BackendPlatformProps>, Partial<BackendPlatformProps>, ResourceImpact?]>)('GIVEN the platform WHEN we %s', (_name, before, after, impact = ResourceImpact.WILL_REPLACE) => {
  const [from, to] = [synth(before), synth(after)];
  const diff = fullDiff(from, to);
  const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
  diff.resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));

  test('THEN the DB instance, and no other stateful resource, is replaced, removed or orphaned', () => {
    expect(changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact)).map(c => [c.type, c.impact]))
      .toEqual([['AWS::RDS::DBInstance', impact]]);
  });

  test('THEN the secret, key, security groups, subnet group, parameter group and backup vault are not touched', () => {
    expect(changes.filter(c => KEPT.includes(c.type))).toEqual([]);
    const kept = (template: any) => Object.keys(template.Resources).filter(id => KEPT.includes(template.Resources[id].Type)).sort();
    expect(kept(to)).toEqual(kept(from));
  });

  test('THEN the old instance is handled by the teardown policy: snapshotted in production, deleted in development', () => {
    const [instance] = Object.values<any>(to.Resources).filter(r => r.Type === 'AWS::RDS::DBInstance');
    expect(instance.UpdateReplacePolicy).toBe(before.profile === EnvironmentProfile.DEVELOPMENT ? 'Delete' : 'Snapshot');
  });
});

test('GIVEN a restored platform WHEN we resize its database, keeping restoreFrom THEN the instance is updated in place, not restored again', () => {
  const diff = fullDiff(synth({ database: { restoreFrom: snapshot } }), synth({
    database: { restoreFrom: snapshot, instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE) },
  }));
  const impacts: ResourceImpact[] = [];
  diff.resources.forEachDifference((_id, change) => {
    if (change.resourceType === 'AWS::RDS::DBInstance') impacts.push(change.changeImpact);
  });
  expect(impacts).toEqual([ResourceImpact.WILL_UPDATE]);
});

/**
 * Platforms deployed with the previous wave of the library upgrade: the templates its integ snapshots recorded
 * (test/upgrade-fixtures/, frozen copies: the snapshots themselves move with the source), against the same stacks
 * synthesized now, with the feature flags integ-runner synthesizes with.
 */
function upgradeChanges(fixture: string, stack: (app: App) => Stack) {
  const before = JSON.parse(fs.readFileSync(path.join(__dirname, 'upgrade-fixtures', fixture), 'utf8'));
  const after = Template.fromStack(stack(new App({ context: cxapi.CURRENTLY_RECOMMENDED_FLAGS }))).toJSON();
  const changes: Array<{ id: string; type: string; impact: ResourceImpact; properties: string[] }> = [];
  fullDiff(before, after).resources.forEachDifference((id, change) => changes.push({
    id, type: change.resourceType ?? '', impact: change.changeImpact, properties: Object.keys(change.propertyUpdates),
  }));
  return changes;
}

/**
 * Seed 000: a platform with its pipeline and a cleanup job. Scheduled jobs now name their family and the pipeline
 * moves them: the schedule, its role's policy, the failed-run rule and the pipeline are updated in place, the jobs
 * step is new; nothing that holds data is replaced.
 */
describe('GIVEN seed 000 deployed by the previous release WHEN it upgrades to this library', () => {
  const changes = upgradeChanges('wave-2-seed-000.template.json', app => new FargateBackendStack(app, 'IntegSeed000'));

  test('THEN no stateful resource is replaced, removed or orphaned', () => {
    expect(changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact))).toEqual([]);
  });

  test('THEN the cleanup job keeps its queue and log group, and its roles (updated in place); its schedule, events policy and failed-run rule are updated in place', () => {
    const job = changes.filter(c => c.id.startsWith('BackendCleanupJob') && !c.id.startsWith('BackendCleanupJobRuntimeGuard'));
    // Its command loses the `timeout` wrapper (docs/adr/0013): a new revision of its family, nothing that holds data.
    expect(job.filter(c => c.impact !== ResourceImpact.WILL_UPDATE)).toEqual([{ id: expect.stringMatching(/^BackendCleanupJobTaskDefinition[0-9A-F]{8}$/), type: 'AWS::ECS::TaskDefinition', impact: ResourceImpact.WILL_REPLACE, properties: ['ContainerDefinitions', 'Tags'] }]);
    expect(job.map(c => c.id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(expect.arrayContaining([
      'BackendCleanupJobFailedRunRule', 'BackendCleanupJobSchedule', 'BackendCleanupJobTaskDefinitionEventsRoleDefaultPolicy',
    ]));
    // Only the workload tag reaches them (in place, next test).
    expect(job.filter(c => ['AWS::SQS::Queue', 'AWS::Logs::LogGroup'].includes(c.type) && c.properties.join() !== 'Tags')).toEqual([]);
  });

  test('THEN the workload tag (cdk-backend-platform:workload, what the command-line tool finds workloads by) is added in place: ECS services and task definitions included, nothing replaced for it', () => {
    // The cleanup job's task definition is replaced for its command (previous test), not for the tag.
    const tagged = changes.filter(c => c.properties.includes('Tags') && !/^BackendCleanupJobTaskDefinition[0-9A-F]{8}$/.test(c.id));
    expect(tagged.filter(c => c.impact !== ResourceImpact.WILL_UPDATE).map(c => `${c.id} ${c.impact}`)).toEqual([]);
    expect(tagged.filter(c => c.properties.length === 1).map(c => c.type)).toEqual(expect.arrayContaining(['AWS::ECS::Service', 'AWS::ECS::TaskDefinition']));
  });

  test('THEN the runtime guard is only added: the platform\'s function (role, log group, alarm) and the job\'s rule are created, nothing else of the job is removed', () => {
    const guard = changes.filter(c => /^Backend(CleanupJob)?RuntimeGuard/.test(c.id));
    expect(guard.filter(c => c.impact !== ResourceImpact.WILL_CREATE)).toEqual([]);
    expect(guard.map(c => `${c.id.replace(/([0-9A-F]{8})+$/, '')} ${c.type}`).sort()).toEqual([
      'BackendCleanupJobRuntimeGuardSchedule AWS::Events::Rule', 'BackendCleanupJobRuntimeGuardScheduleAllowEventRuleIntegSeed000BackendRuntimeGuardFunction AWS::Lambda::Permission',
      'BackendRuntimeGuardErrorsAlarm AWS::CloudWatch::Alarm', 'BackendRuntimeGuardFunction AWS::Lambda::Function',
      'BackendRuntimeGuardFunctionServiceRole AWS::IAM::Role', 'BackendRuntimeGuardFunctionServiceRoleDefaultPolicy AWS::IAM::Policy',
      'BackendRuntimeGuardLogGroup AWS::Logs::LogGroup',
    ]);
    expect(changes.filter(c => c.id.startsWith('BackendCleanupJob') && c.impact === ResourceImpact.WILL_DESTROY)).toEqual([]);
  });
});

/**
 * Seed 002: a production platform with backups. The backup vault had a fixed name, which blocks a re-created stack
 * (docs/adr/0012): its new per-stack name replaces it once, and CloudFormation keeps the old vault with its recovery
 * points (Retain). `backups.vaultName` set to the old name keeps it instead. Nothing else that holds data moves.
 */
describe('GIVEN seed 002 deployed by the previous release WHEN it upgrades to this library', () => {
  const changes = upgradeChanges('wave-2-seed-002.template.json', app => new ScalableBackendStack(app, 'IntegSeed002'));

  test('THEN the backup vault is the only stateful resource replaced, and the old one is retained with its recovery points', () => {
    // The workloads' own redeploy functions leave with their log groups, kept (next test).
    expect(changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact) && !/RotationRedeployLogGroup/.test(c.id)).map(c => `${c.type} ${c.impact}`))
      .toEqual(['AWS::Backup::BackupVault WILL_REPLACE']);
    const before = JSON.parse(fs.readFileSync(path.join(__dirname, 'upgrade-fixtures', 'wave-2-seed-002.template.json'), 'utf8'));
    const [vault] = Object.values<any>(before.Resources).filter(r => r.Type === 'AWS::Backup::BackupVault');
    expect([vault.DeletionPolicy, vault.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('THEN each workload\'s redeploy function leaves and the platform\'s one comes: nothing but functions, roles, alarms, rules and permissions, and the old log groups are kept (docs/adr/0016)', () => {
    const redeploy = changes.filter(c => /RotationRedeploy/.test(c.id));
    const removed = redeploy.filter(c => c.impact === ResourceImpact.WILL_DESTROY || c.impact === ResourceImpact.WILL_ORPHAN);
    expect([...new Set(removed.map(c => c.id.replace(/RotationRedeploy.*/, '')))].sort()).toEqual(['BackendDownloadAgents', 'BackendService']);
    expect([...new Set(removed.map(c => c.type))].sort()).toEqual([
      'AWS::CloudWatch::Alarm', 'AWS::Events::Rule', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup',
    ]);
    // Production retains log groups: CloudFormation leaves them (and their one-year retention) in the account.
    expect(removed.filter(c => c.type === 'AWS::Logs::LogGroup').map(c => c.impact)).toEqual([ResourceImpact.WILL_ORPHAN, ResourceImpact.WILL_ORPHAN]);
    expect(redeploy.filter(c => c.impact === ResourceImpact.WILL_CREATE && !/^Backend(Service|DownloadAgents)RotationRedeploy(Named)?SecretChangedRule/.test(c.id))
      .map(c => `${c.id.replace(/[0-9A-F]{8}$/, '')} ${c.type}`).sort()).toEqual([
      'BackendRotationRedeployErrorsAlarm AWS::CloudWatch::Alarm', 'BackendRotationRedeployFunction AWS::Lambda::Function',
      'BackendRotationRedeployFunctionServiceRole AWS::IAM::Role', 'BackendRotationRedeployFunctionServiceRoleDefaultPolicy AWS::IAM::Policy',
      'BackendRotationRedeployLogGroup AWS::Logs::LogGroup',
    ]);
    // Nothing else of the workloads changes for it: their services and task definitions are not replaced.
    expect(changes.filter(c => /^Backend(Service|DownloadAgents)(Service|TaskDefinition)[0-9A-F]{8}$/.test(c.id) && c.impact !== ResourceImpact.WILL_UPDATE)).toEqual([]);
  });
});

/**
 * The promotion of integ.promotion deployed by the previous release (its artifact store of eu-central-1 in production's
 * stack, docs/adr/0021) against the snapshot this release writes (the store in a stack of the pipeline's account): the
 * snapshot is synthesized from the source and checked by `npx projen integ`, so it is the template this release deploys.
 */
describe('GIVEN a cross-account, cross-region promotion deployed by the previous release WHEN it upgrades to this library', () => {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8'));
  const changesOf = (stack: string) => {
    const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
    fullDiff(read(`upgrade-fixtures/wave-3-promotion-${stack.toLowerCase()}.template.json`), read(`../integ/integ.promotion.ts.snapshot/IntegPromotion${stack}.template.json`))
      .resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));
    return changes;
  };
  const production = changesOf('Production');
  const staging = changesOf('Staging');

  test('THEN no stateful resource is replaced, removed or orphaned but the old store\'s transient bucket and key, which were always deleted with it', () => {
    const unsafe = [...production, ...staging].filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact));
    expect(unsafe.map(c => `${c.id.replace(/[0-9A-F]{8}$/, '')} ${c.impact}`).sort())
      .toEqual(['PromotionPromotionArtifactsArtifactBucket WILL_DESTROY', 'PromotionPromotionArtifactsKey WILL_DESTROY']);
    const before = read('upgrade-fixtures/wave-3-promotion-production.template.json').Resources;
    expect(unsafe.map(c => before[c.id].DeletionPolicy)).toEqual(['Delete', 'Delete']);
    const emptied = Object.values<any>(before).filter(r => r.Type === 'Custom::S3AutoDeleteObjects').map(r => r.Properties.BucketName.Ref);
    expect(emptied).toContain(unsafe.find(c => c.type === 'AWS::S3::Bucket')!.id);
  });

  test('THEN production\'s stack only loses the old store (bucket emptied and deleted, key and alias) and its steps\' roles are renamed, nothing of the platform changes', () => {
    const removed = production.filter(c => c.impact === ResourceImpact.WILL_DESTROY).map(c => `${c.id.replace(/[0-9A-F]{8}$/, '')} ${c.type}`).sort();
    expect(removed).toEqual([
      'CustomS3AutoDeleteObjectsCustomResourceProviderHandler AWS::Lambda::Function', 'CustomS3AutoDeleteObjectsCustomResourceProviderRole AWS::IAM::Role',
      'PromotionPromotionArtifactsAlias AWS::KMS::Alias', 'PromotionPromotionArtifactsArtifactBucket AWS::S3::Bucket',
      'PromotionPromotionArtifactsArtifactBucketAutoDeleteObjectsCustomResource Custom::S3AutoDeleteObjects',
      'PromotionPromotionArtifactsArtifactBucketPolicy AWS::S3::BucketPolicy', 'PromotionPromotionArtifactsKey AWS::KMS::Key',
    ]);
    // The store's stack names them by ARN in its conditions, so they get generated names: a new role, the project updated in place.
    expect(production.filter(c => c.impact === ResourceImpact.WILL_REPLACE).map(c => c.type)).toEqual(['AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::IAM::Role']);
    expect(production.filter(c => !c.id.startsWith('BackendPromotion') && c.impact !== ResourceImpact.WILL_DESTROY)).toEqual([]);
  });

  test('THEN the pipeline is updated in place to the new store, and nothing else of staging is replaced', () => {
    expect(staging.filter(c => c.impact !== ResourceImpact.WILL_UPDATE)).toEqual([]);
    expect(staging.map(c => c.type)).toContain('AWS::CodePipeline::Pipeline');
  });
});

/**
 * The platform's Prometheus workspace holds the metrics: one per platform, under the platform, so metrics moving between
 * workloads never touch it; when no workload collects metrics any more it leaves the template and the profile decides.
 */
describe('GIVEN a platform whose workloads collect metrics into its workspace', () => {
  const service = { service: { metrics: { port: 9464 } } };
  const jobs = (metrics: boolean) => (platform: BackendPlatform) => void platform.addWorker('Jobs', { queue: {}, metrics: metrics ? { port: 9464 } : undefined });
  const workspaceChanges = (before: object, after: object) => {
    const changes: Array<{ id: string; impact: ResourceImpact }> = [];
    fullDiff(before as any, after as any).resources.forEachDifference((id, change) => {
      if (change.resourceType === 'AWS::APS::Workspace') changes.push({ id, impact: change.changeImpact });
    });
    return changes;
  };

  test('WHEN metrics move from the web service to a worker THEN the workspace is not touched, and the task roles still write to it', () => {
    const before = synth(service, jobs(false));
    const after = synth({}, jobs(true));
    expect(Object.keys(after.Resources).filter(id => after.Resources[id].Type === 'AWS::APS::Workspace')).toEqual([expect.stringMatching(/^BackendMetricsWorkspace[0-9A-F]{8}$/)]);
    expect(workspaceChanges(before, after)).toEqual([]);
    const [workspace] = Object.keys(after.Resources).filter(id => after.Resources[id].Type === 'AWS::APS::Workspace');
    const writes = Object.entries<any>(after.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .flatMap(([id, r]) => r.Properties.PolicyDocument.Statement.filter((st: any) => [st.Action].flat().includes('aps:RemoteWrite')).map((st: any) => [id, st.Resource]));
    expect(writes).toEqual([[expect.stringMatching(/^BackendJobsTaskRoleDefaultPolicy/), { 'Fn::GetAtt': [workspace, 'Arn'] }]]);
  });

  test('WHEN a second workload collects metrics THEN the workspace is not touched', () => {
    expect(workspaceChanges(synth(service, jobs(false)), synth(service, jobs(true)))).toEqual([]);
  });

  test.each([
    ['production', {}, ResourceImpact.WILL_ORPHAN],
    ['development', { profile: EnvironmentProfile.DEVELOPMENT }, ResourceImpact.WILL_DESTROY],
  ])('WHEN the last workload stops collecting metrics in %s THEN the workspace leaves the template as the profile says', (_name, profile, impact) => {
    const changes = workspaceChanges(synth({ ...profile }, jobs(true)), synth({ ...profile }, jobs(false)));
    expect(changes).toEqual([{ id: expect.stringMatching(/^BackendMetricsWorkspace[0-9A-F]{8}$/), impact }]);
  });
});

describe('GIVEN a platform with a static site (docs/adr/0024)', () => {
  const content = [SiteContent.fromDirectory(path.join(__dirname, 'site-content'))];
  const site = (options: PlatformStaticSiteOptions = {}, second = false) => (platform: BackendPlatform) => {
    platform.addStaticSite('Docs', options);
    if (second) platform.addStaticSite('App', { singlePageApp: true });
  };
  const siteChanges = (before: any, after: any) => {
    const changes: string[] = [];
    fullDiff(before, after).resources.forEachDifference((id, change) => {
      if (STATEFUL.includes(change.resourceType ?? '') || change.resourceType === 'AWS::CloudFront::Distribution') {
        if (UNSAFE.includes(change.changeImpact)) changes.push(`${id} ${change.resourceType} ${change.changeImpact}`);
      }
    });
    return changes;
  };
  const base = synth({}, site());

  test.each([
    ['turned into a single-page app with another root object', site({ singlePageApp: true, defaultRootObject: 'app.html' })],
    ['given content to upload', site({ content })],
    ['joined by a second site', site({}, true)],
    ['given the web ACL of its own', site({ webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/c3d4') })],
  ])('WHEN it is %s THEN its bucket and distribution are updated in place, never replaced', (_name, extend) => {
    const after = synth({}, extend);
    expect(JSON.stringify(after)).not.toEqual(JSON.stringify(base));
    expect(siteChanges(base, after)).toEqual([]);
  });

  test('WHEN content is removed THEN the upload is deleted but its files stay in the bucket (retainOnDelete, no prune)', () => {
    const before = synth({}, site({ content }));
    const uploads = Object.values<any>(before.Resources).filter(r => r.Type === 'Custom::CDKBucketDeployment');
    expect(uploads.map(u => [u.Properties.Prune, u.Properties.RetainOnDelete])).toEqual([[false, true]]);
    expect(siteChanges(before, base)).toEqual([]);
  });

  test.each([
    ['production', {}, 'Retain', ResourceImpact.WILL_ORPHAN],
    ['development', { profile: EnvironmentProfile.DEVELOPMENT }, 'Delete', ResourceImpact.WILL_DESTROY],
  ])('WHEN the site is removed in %s THEN its bucket leaves the template as the profile says', (_name, profile, policy, impact) => {
    const before = synth({ ...profile }, site());
    const bucketId = Object.keys(before.Resources).find(id => /^BackendDocsBucket[0-9A-F]{8}$/.test(id))!;
    expect(before.Resources[bucketId].DeletionPolicy).toBe(policy);
    const changes: Array<[string, ResourceImpact]> = [];
    fullDiff(before, synth({ ...profile })).resources.forEachDifference((id, change) => {
      if (change.resourceType === 'AWS::S3::Bucket') changes.push([id, change.changeImpact]);
    });
    expect(changes).toEqual([[bucketId, impact]]);
  });
});

/** A platform of workers and jobs only (docs/adr/0025): adding workloads leaves every stateful resource as it is. */
describe('GIVEN a platform without web service (service.enabled: false)', () => {
  const noWeb = (extend?: (platform: BackendPlatform) => void) => {
    const stack = new Stack(new App(), 'Backend');
    const platform = new BackendPlatform(stack, 'Backend', {
      environmentName: 'prod',
      service: { enabled: false },
      database: {},
      cache: {},
      dataBucket: {},
      cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
      pipeline: { migrationCommand: ['npm', 'run', 'migrate'] },
      alarmEmails: ['ops@example.com'],
    });
    platform.addWorker('Mailer', { queue: {} });
    extend?.(platform);
    return Template.fromStack(stack).toJSON();
  };
  const before = noWeb();

  test.each([
    ['add a queue worker', (platform: BackendPlatform) => { platform.addWorker('Reports', { queue: {} }); }],
    ['add an internal worker behind the internal load balancer', (platform: BackendPlatform) => { platform.addWorker('Pricing', { port: 8080, internalLoadBalancer: {} }); }],
    ['add a scheduled job', (platform: BackendPlatform) => { platform.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], taskType: 'REPORT' }); }],
  ])('WHEN we %s THEN resources are added and nothing stateful (nor the cluster) is replaced, removed or orphaned', (_name, extend) => {
    const changes: Array<{ id: string; type: string; impact: ResourceImpact }> = [];
    fullDiff(before, noWeb(extend)).resources.forEachDifference((id, change) => changes.push({ id, type: change.resourceType ?? '', impact: change.changeImpact }));
    expect(changes.filter(c => c.impact === ResourceImpact.WILL_CREATE).length).toBeGreaterThan(0);
    expect(changes.filter(c => STATEFUL.includes(c.type) && UNSAFE.includes(c.impact))).toEqual([]);
    expect(changes.filter(c => c.impact === ResourceImpact.WILL_REPLACE || c.impact === ResourceImpact.WILL_DESTROY)).toEqual([]);
    expect(changes.filter(c => c.type === 'AWS::ECS::Cluster' && c.impact !== ResourceImpact.WILL_UPDATE)).toEqual([]);
    // The first worker's service and queues stay as they are.
    expect(changes.filter(c => /^BackendMailer(Service|Queue|DeadLetterQueue)[0-9A-F]{8}$/.test(c.id))).toEqual([]);
  });
});
