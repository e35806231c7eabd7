/**
 * AWS quotas a platform can reach, refused at synth by name (docs/deploy-readiness.md, "Quotas"): dynamic references
 * per template, actions per pipeline stage, managed policies per role, widgets per dashboard. Each quota is crossed
 * once and approached once.
 */
import { App, CfnDynamicReference, CfnDynamicReferenceService, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { synthesized, web } from './builders';
import {
  BackendPlatform, EcrToEcsPipeline, EdgeMode, IDeployableJob, IDeployableService, IMonitoredWorker, InfraMonitoring, PlatformScheduledJobOptions,
  SecureAlbFargateService,
} from '../src';
import {
  dashboardWithinWidgetQuota, distributionWithinQuotas, dynamicReferencesWithinQuota, metricsWorkspacesWithinQuota, pipelineWithinQuotas,
  roleWithinManagedPolicyQuota,
} from './deploy-readiness/rules/quotas';

const DYNAMIC_REFERENCES = (template: object) => JSON.stringify(template).split('{{resolve:').length - 1;

/**
 * Platforms behind a public ALB, whose every listener rule carries the origin-verify header (a dynamic reference), as
 * does each ECR image's tag: a web service with `n` routed containers adds 2 + 2n references and about 50 resources.
 */
function publicAlbStack() {
  const stack = new Stack(new App(), 'Big', { env: { account: '123456789012', region: 'eu-west-1' } });
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const platform = (id: string, environmentName: string, ownRoutedContainers = 0) => new BackendPlatform(stack, id, {
    environmentName, hostedZone: zone, service: { edgeMode: EdgeMode.PUBLIC_ALB, routedContainers: routed('own', ownRoutedContainers) },
  });
  return { stack, platform };
}

function routed(prefix: string, count: number) {
  return Array.from({ length: count }, (_, j) => ({ name: `${prefix}${j}`, containerPort: 9000 + j, pathPatterns: [`/${prefix}/c${j}/*`] }));
}

function addServices(platform: BackendPlatform, routedContainers: number[]) {
  routedContainers.forEach((count, i) => platform.addService(`Web${i}`, { pathPatterns: [`/web${i}/*`], routedContainers: routed(`web${i}`, count) }));
}

const job = (n: number, extra: Partial<PlatformScheduledJobOptions> = {}) => ({ command: ['node', 'job.js'], taskType: `JOB${n}`, ...extra });

describe('Dynamic references per template (60)', () => {
  /** 3 of the platform + 20 + 20 + 16 of the services + 1 per job's image. */
  function sixtyReferences() {
    const { stack, platform } = publicAlbStack();
    const backend = platform('Backend', 'prod');
    addServices(backend, [9, 9, 7]);
    backend.addScheduledJob('Report', job(0));
    return { stack, backend };
  }

  test('WHEN the platform\'s stack holds exactly 60 THEN it synthesizes, with 60 in its template', () => {
    const { stack } = sixtyReferences();
    const template = Template.fromStack(stack).toJSON();
    expect(DYNAMIC_REFERENCES(template)).toBe(60);
    expect(dynamicReferencesWithinQuota.check(template)).toEqual([]);
  });

  test('WHEN an in-stack workload adds the 61st THEN synth refuses its add* call, with the quota, its source and ownStack as the fix', () => {
    const { stack, backend } = sixtyReferences();
    backend.addScheduledJob('Export', job(1));
    expect(() => Template.fromStack(stack)).toThrow(new RegExp('Big/Backend: invalid addScheduledJob\\(\'Export\'\\)\\.ownStack undefined: the stack Big would hold 61 '
      + 'dynamic references \\(\\{\\{resolve:\\.\\.\\.\\}\\}\\), over CloudFormation\'s 60 per template \\(https://docs\\.aws\\.amazon\\.com/AWSCloudFormation/latest/'
      + 'UserGuide/cloudformation-limits\\.html\\); give new workloads stacks of their own with ownStack: true .*addService\\(\'Web0\'\\), .*addScheduledJob\\(\'Export\'\\) are in this stack'));
  });

  test('WHEN that workload has a stack of its own THEN its references count in its template, and the platform\'s stays at 60', () => {
    const { stack, backend } = sixtyReferences();
    const exportJob = backend.addScheduledJob('Export', job(1, { ownStack: true }));
    expect(DYNAMIC_REFERENCES(Template.fromStack(stack).toJSON())).toBe(60);
    expect(DYNAMIC_REFERENCES(Template.fromStack(Stack.of(exportJob)).toJSON())).toBe(1);
  });

  test('WHEN a reference names a deploy-time parameter (a token) THEN it is counted in the template it lands in, never validated', () => {
    const release = new CfnDynamicReference(CfnDynamicReferenceService.SSM, Fn.importValue('ReleaseParameterName')).toString();
    const own = sixtyReferences();
    const exportJob = own.backend.addScheduledJob('Export', job(1, { ownStack: true, environment: { RELEASE: release } }));
    expect(DYNAMIC_REFERENCES(Template.fromStack(own.stack).toJSON())).toBe(60);
    expect(DYNAMIC_REFERENCES(Template.fromStack(Stack.of(exportJob)).toJSON())).toBe(2);
    const inStack = sixtyReferences();
    inStack.backend.addScheduledJob('Export', job(1, { environment: { RELEASE: release } }));
    expect(() => Template.fromStack(inStack.stack)).toThrow(/invalid addScheduledJob\('Export'\)\.ownStack undefined: the stack Big would hold 62 dynamic references/);
  });

  test('WHEN the stack crosses 500 resources and 60 dynamic references at once THEN one error names both', () => {
    const { stack, backend } = sixtyReferences();
    for (let i = 1; i <= 10; i++) backend.addScheduledJob(`Export${i}`, job(i));
    let message = '';
    try {
      Template.fromStack(stack);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/invalid addScheduledJob\('Export10'\)\.ownStack undefined: the stack Big would hold \d+ resources, over CloudFormation's 500/);
    expect(message).toMatch(/invalid addScheduledJob\('Export10'\)\.ownStack undefined: the stack Big would hold 70 dynamic references/);
  });

  test('GIVEN two platforms in one stack WHEN together they cross 60 THEN the one with workloads in that stack is named, the other not', () => {
    const { stack, platform } = publicAlbStack();
    const first = platform('First', 'prod');
    addServices(first, [9, 9]);
    // 1 + 10 + 10 of its own service: under the quota alone, over it with the first platform's 43.
    platform('Second', 'stage', 9);
    expect(() => Template.fromStack(stack)).toThrow(/^Big\/First: invalid addService\('Web1'\)\.ownStack undefined: the stack Big would hold 64 dynamic references[^\n]*$/);
  });
});

/** Deployable stand-ins that share one real service's resources: the pipeline sees each as a service of its own. */
function standIns(service: SecureAlbFargateService, count: number): IDeployableService[] {
  const stack = Stack.of(service);
  const { cluster, taskDefinition, container, image, ecrContainers, serviceSecurityGroup, executionRole, taskRole } = service;
  const shared = {
    service: service.service, cluster, taskDefinition, container, image, ecrContainers, serviceSecurityGroup, executionRole, taskRole,
  };
  return Array.from({ length: count }, (_, i) => Object.assign(new Construct(stack, `Worker${i}`), shared));
}

describe('Actions per pipeline stage (50)', () => {
  function pipelineOf() {
    const service = web({});
    return { service, pipeline: new EcrToEcsPipeline(Stack.of(service), 'Delivery', { service }) };
  }

  test('WHEN the Deploy stage holds 50 actions (49 services and the jobs step) THEN the pipeline synthesizes with them', () => {
    const { service, pipeline } = pipelineOf();
    standIns(service, 48).forEach(s => pipeline.addService(s));
    pipeline.addScheduledJob(jobOf(service, 0));
    const template = Template.fromStack(Stack.of(service)).toJSON();
    const stage = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::CodePipeline::Pipeline')!.Properties.Stages.find((s: any) => s.Name === 'Deploy');
    expect(stage.Actions).toHaveLength(50);
    expect(pipelineWithinQuotas.check(template)).toEqual([]);
  });

  test('WHEN addService would add the 51st THEN it is refused, naming the service, the quota and its source', () => {
    const { service, pipeline } = pipelineOf();
    const services = standIns(service, 50);
    services.slice(0, 49).forEach(s => pipeline.addService(s));
    expect(() => pipeline.addService(services[49])).toThrow(new RegExp('TestStack/Delivery: invalid addService\\(service\\) "TestStack/Worker49": the pipeline\'s Deploy stage would hold '
      + '51 actions \\(one per service, one for the scheduled jobs\\), over CodePipeline\'s 50 per stage \\(https://docs\\.aws\\.amazon\\.com/codepipeline/latest/userguide/limits\\.html\\)'));
  });

  test('WHEN the first scheduled job would add the 51st (the jobs step) THEN addScheduledJob is refused', () => {
    const { service, pipeline } = pipelineOf();
    standIns(service, 49).forEach(s => pipeline.addService(s));
    expect(() => pipeline.addScheduledJob(jobOf(service, 0))).toThrow(/invalid addScheduledJob\(job\) "TestStack\/Job0": the pipeline's Deploy stage would hold 51 actions/);
  });
});

/** A job of the service's image with a task definition of its own: each adds PassRole and TagResource statements to the jobs step's role. */
function jobOf(service: SecureAlbFargateService, i: number): IDeployableJob {
  const scope = new Construct(Stack.of(service), `Job${i}`);
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', { family: `backend-report-job-${i}` });
  const container = taskDefinition.addContainer('job', { image: service.containerImage });
  return Object.assign(scope, { taskDefinition, container, imageRepository: service.image.repository });
}

/**
 * The most of these jobs whose statements fit the jobs step's role, its inline policy and 10 managed policies, measured
 * with aws-cdk-lib 2.257 (the split follows aws-cdk-lib's size estimate; a newer version may move it by a job or two).
 */
const JUST_UNDER_ELEVEN_POLICIES = 94;

describe('Managed policies per role (10)', () => {
  /** The jobs step's role: aws-cdk-lib moves its inline policy's overflow into managed policies, one per about nine of these jobs. */
  function pipelineWithJobs(count: number) {
    const service = web({});
    const pipeline = new EcrToEcsPipeline(Stack.of(service), 'Delivery', { service });
    for (let i = 0; i < count; i++) pipeline.addScheduledJob(jobOf(service, i));
    return Stack.of(service);
  }

  test('WHEN the jobs step\'s role takes 10 managed policies THEN the pipeline synthesizes', () => {
    const template = Template.fromStack(pipelineWithJobs(JUST_UNDER_ELEVEN_POLICIES)).toJSON();
    const role = Object.keys(template.Resources).find(id => /^DeliveryScheduledJobsProjectRole/.test(id))!;
    const attached = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: role }]));
    expect(attached).toHaveLength(10);
    expect(roleWithinManagedPolicyQuota.check(template)).toEqual([]);
  });

  test('WHEN one more job makes it 11 THEN synth refuses that addScheduledJob, with the quota and its source', () => {
    expect(() => Template.fromStack(pipelineWithJobs(JUST_UNDER_ELEVEN_POLICIES + 1))).toThrow(new RegExp(`TestStack/Delivery: invalid addScheduledJob\\(job\\) "TestStack/Job${JUST_UNDER_ELEVEN_POLICIES}": `
      + 'the policy of TestStack/Delivery/ScheduledJobsProject/Role would take 11 managed policies .*over IAM\'s default quota of 10 per role '
      + '\\(https://docs\\.aws\\.amazon\\.com/IAM/latest/UserGuide/reference_iam-quotas\\.html\\)'));
  });
});


describe('Widgets per dashboard (500)', () => {
  /** Workers without a queue: a row of a title and two graphs, three widgets; `alarmed` of them add an alarm widget. */
  function dashboardWith(workers: number, alarmed: number) {
    const service = web({});
    const stack = Stack.of(service);
    const monitoring = new InfraMonitoring(stack, 'Monitoring', {});
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
    for (let i = 0; i < workers; i++) {
      const worker: IMonitoredWorker = Object.assign(new Construct(stack, `Worker${i}`), { service: service.service, alarms: i < alarmed ? [alarm] : [] });
      monitoring.monitorWorker(worker);
    }
    return stack;
  }

  test('WHEN the rows hold 500 widgets THEN the dashboard synthesizes with 500', () => {
    const template = Template.fromStack(dashboardWith(166, 2)).toJSON();
    const body = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::CloudWatch::Dashboard')!.Properties.DashboardBody;
    const text = body['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'X')).join('');
    expect(JSON.parse(text).widgets).toHaveLength(500);
    expect(dashboardWithinWidgetQuota.check(template)).toEqual([]);
  });

  test('WHEN one more row crosses 500 THEN synth refuses the monitor call that added it, with the quota and its source', () => {
    expect(() => Template.fromStack(dashboardWith(166, 3))).toThrow(new RegExp('TestStack/Monitoring: invalid monitorWorker\\(worker\\) "TestStack/Worker165": the dashboard would '
      + 'hold 501 widgets, over CloudWatch\'s 500 per dashboard \\(https://docs\\.aws\\.amazon\\.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure\\.html\\)'));
  });
});

describe('Cache behaviors per distribution (25, the default one included)', () => {
  const patterns = (count: number) => Array.from({ length: count }, (_, i) => `/static${i}/*`);

  test('WHEN 24 paths are cached THEN the distribution has 24 behaviors beside its default one', () => {
    const template = Template.fromStack(Stack.of(web({ cachedPathPatterns: patterns(24) }))).toJSON();
    const distribution = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::CloudFront::Distribution')!;
    expect(distribution.Properties.DistributionConfig.CacheBehaviors).toHaveLength(24);
    expect(distributionWithinQuotas.check(template)).toEqual([]);
  });

  test('WHEN 25 are THEN cachedPathPatterns is refused', () => {
    expect(() => web({ cachedPathPatterns: patterns(25) })).toThrow(/TestStack\/Web: invalid cachedPathPatterns .*a distribution takes at most 24 cache behaviours/);
  });
});

describe('Prometheus workspaces per account and Region (25), counted over the whole app', () => {
  const EU = { account: '123456789012', region: 'eu-west-1' };
  /** `others` workspaces of the app's own in one stack, then a platform whose service (or a worker) collects metrics. */
  function appWith(others: number, options: { otherEnv?: typeof EU; platformFirst?: boolean; viaWorker?: boolean } = {}) {
    const app = new App();
    const addOthers = () => {
      const elsewhere = new Stack(app, 'Elsewhere', { env: options.otherEnv ?? EU });
      Array.from({ length: others }, (_, i) => new aps.CfnWorkspace(elsewhere, `Workspace${i}`, {}));
    };
    if (!options.platformFirst) addOthers();
    const stack = new Stack(app, 'Backend', { env: EU });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const platform = new BackendPlatform(stack, 'Platform', {
      environmentName: 'prod', hostedZone: zone, service: options.viaWorker ? {} : { metrics: { port: 9464 } },
    });
    if (options.viaWorker) platform.addWorker('Jobs', { queue: {}, metrics: { port: 9464 } });
    if (options.platformFirst) addOthers();
    return { app, platform, stack };
  }

  test('WHEN the platform\'s workspace is the 25th THEN it synthesizes', () => {
    const { app } = appWith(24);
    expect(() => app.synth()).not.toThrow();
  });

  test('WHEN it would be the 26th THEN synth refuses it, naming the metrics prop that created it', () => {
    expect(synthesized(() => appWith(25).platform)).toThrow(
      /invalid service\.metrics .*26 Amazon Managed Service for Prometheus workspaces in one account and Region \(this platform's is number 26\), over AMP's 25 per account and Region \(https:\/\/docs\.aws\.amazon\.com\/prometheus\/latest\/userguide\/AMP_quotas\.html\); write to an existing workspace with metrics\.workspaceArn/);
  });

  test('WHEN an added worker created it THEN the error names that worker\'s prop', () => {
    expect(synthesized(() => appWith(25, { viaWorker: true }).platform)).toThrow(/invalid addWorker\('Jobs'\)\.metrics /);
  });

  test('WHEN the app\'s other workspaces come after the platform in the tree THEN the platform\'s is still the one refused', () => {
    expect(synthesized(() => appWith(25, { platformFirst: true }).platform)).toThrow(/invalid service\.metrics .*this platform's is number 1\)/);
  });

  test('WHEN the other 25 are in another Region THEN they do not count', () => {
    const { app } = appWith(25, { otherEnv: { account: '123456789012', region: 'us-east-1' } });
    expect(() => app.synth()).not.toThrow();
  });

  test('WHEN the workloads name a workspace THEN the platform creates none, and none is counted', () => {
    const app2 = new App();
    const other = new Stack(app2, 'Elsewhere', { env: EU });
    Array.from({ length: 25 }, (_, i) => new aps.CfnWorkspace(other, `Workspace${i}`, {}));
    const backend = new Stack(app2, 'Backend', { env: EU });
    const zone = route53.HostedZone.fromHostedZoneAttributes(backend, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    new BackendPlatform(backend, 'Platform', {
      environmentName: 'prod',
      hostedZone: zone,
      service: { metrics: { port: 9464, workspaceArn: 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0123-0123-0123-0123456789ab' } },
    });
    expect(() => app2.synth()).not.toThrow();
    Template.fromStack(backend).resourceCountIs('AWS::APS::Workspace', 0);
  });

  test('the deploy-readiness rule holds 25 in a template and refuses 26', () => {
    const template = (count: number) => ({ Resources: Object.fromEntries(Array.from({ length: count }, (_, i) => [`W${i}`, { Type: 'AWS::APS::Workspace', Properties: {} }])) });
    expect(metricsWorkspacesWithinQuota.check(template(25))).toEqual([]);
    expect(metricsWorkspacesWithinQuota.check(template(26))).toEqual(['the template holds 26 Prometheus workspaces, over the quota of 25 per account and Region']);
  });
});
