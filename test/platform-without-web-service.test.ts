import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { synthesized } from './builders';
import { BackendPlatform, BackendPlatformProps, EdgeMode, EnvironmentProfile, PromotionPipeline, ServiceImage } from '../src';

const resources = (template: Template, type: string) => Object.entries<any>(template.findResources(type));
const reset = events.Schedule.cron({ minute: '0', hour: '8' });

/** A platform of workers and jobs only (docs/adr/0025), in a stack of its own. */
function build(props: Partial<BackendPlatformProps> = {}, app = new App()) {
  const stack = new Stack(app, 'Workers');
  const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', service: { enabled: false }, ...props });
  return { app, stack, platform };
}

describe('BackendPlatform without a web service (service.enabled: false)', () => {
  describe('GIVEN a database, a cache, a data bucket, a cleanup job, a queue worker, an internal worker and a scheduled job', () => {
    const { stack, platform } = build({
      database: {},
      cache: {},
      dataBucket: {},
      cleanupJob: { command: ['node', 'cleanup.js'] },
      pipeline: { migrationCommand: ['npm', 'run', 'migrate'] },
      alarmEmails: ['ops@example.com'],
    });
    const mailer = platform.addWorker('Mailer', { queue: {} });
    const api = platform.addWorker('Api', { port: 8080, internalLoadBalancer: {}, healthCheckPath: '/health' });
    const report = platform.addScheduledJob('Report', { command: ['node', 'report.js'], taskType: 'REPORT' });
    const template = Template.fromStack(stack);
    const clusterId = stack.getLogicalId(platform.cluster.node.defaultChild as any);

    test('THEN there is no web service: no CloudFront, no web ACL, no internet-facing load balancer, no ServiceUrl output', () => {
      expect(platform.hasWebService).toBe(false);
      expect(() => platform.service).toThrow(/has no web service \(service: \{ enabled: false \}\): read platform\.service only when platform\.hasWebService is true/);
      expect(platform.serviceUrl).toBeUndefined();
      template.resourceCountIs('AWS::CloudFront::Distribution', 0);
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      const balancers = resources(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      expect(balancers.map(([, lb]) => lb.Properties.Scheme)).toEqual(['internal']);
      expect(Object.keys(template.findOutputs('*'))).toEqual(['BackendRepositoryUri', 'BackendDatabaseEndpoint']);
    });

    test('THEN the platform creates the cluster at <platform>/Cluster, with the profile\'s enhanced Container Insights', () => {
      expect(platform.cluster.node.path).toBe('Workers/Backend/Cluster');
      template.resourceCountIs('AWS::ECS::Cluster', 1);
      template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }] });
    });

    test('THEN the workers and the jobs run in that cluster', () => {
      const services = resources(template, 'AWS::ECS::Service');
      expect(services).toHaveLength(2);
      services.forEach(([, service]) => expect(service.Properties.Cluster).toEqual({ Ref: clusterId }));
      const targets = resources(template, 'AWS::Events::Rule').flatMap(([, rule]) => rule.Properties.Targets ?? [])
        .filter((target: any) => target.EcsParameters);
      expect(targets).toHaveLength(2);
      targets.forEach((target: any) => expect(target.Arn).toEqual({ 'Fn::GetAtt': [clusterId, 'Arn'] }));
      expect(mailer.cluster).toBe(platform.cluster);
      expect(api.cluster).toBe(platform.cluster);
    });

    test('THEN the jobs run the platform image at the pipeline\'s tag with the stores\' connections', () => {
      const [[, task]] = resources(template, 'AWS::ECS::TaskDefinition').filter(([id]) => id.startsWith('BackendReport'));
      const [definition] = task.Properties.ContainerDefinitions;
      expect(JSON.stringify(definition.Image)).toContain(':latest');
      expect(definition.Environment.map((e: any) => e.Name)).toEqual(expect.arrayContaining(['TASK_TYPE', 'DATA_BUCKET', 'REDIS_HOST']));
      expect(definition.Secrets.map((s: any) => s.Name)).toEqual(expect.arrayContaining(['DB_PASSWORD']));
    });

    test('THEN the pipeline of the platform image deploys both workers, runs the migration in the first one, and moves both jobs', () => {
      expect(platform.pipeline).toBeDefined();
      expect(platform.pipeline!.node.path).toBe('Workers/Backend/Pipeline');
      expect(platform.pipelines).toEqual([platform.pipeline]);
      const [[, pipeline]] = resources(template, 'AWS::CodePipeline::Pipeline');
      const stages = pipeline.Properties.Stages.map((s: any) => s.Name);
      expect(stages).toEqual(expect.arrayContaining(['Source', 'Migrate', 'Deploy']));
      const deploys = pipeline.Properties.Stages.find((s: any) => s.Name === 'Deploy').Actions;
      const deployed = deploys.filter((a: any) => a.ActionTypeId.Provider === 'ECS').map((a: any) => a.Configuration.ServiceName);
      expect(deployed).toEqual([{ 'Fn::GetAtt': [stack.getLogicalId(mailer.service.node.defaultChild as any), 'Name'] },
        { 'Fn::GetAtt': [stack.getLogicalId(api.service.node.defaultChild as any), 'Name'] }]);
      const migrate = platform.pipeline!.migrationProject!;
      expect(JSON.stringify(stack.resolve((migrate.node.defaultChild as any).environment))).toContain(stack.resolve(mailer.taskDefinition.family));
      const families = [platform.cleanupJob!, report].map(job => stack.resolve(job.taskDefinition.family));
      const jobs = JSON.stringify(deploys.find((a: any) => a.Name === 'ScheduledJobs').Configuration.EnvironmentVariables);
      families.forEach(family => expect(jobs).toContain(family));
    });

    test('THEN the monitoring has its dashboard with worker, database, cache and job rows, and alarms paging the topic', () => {
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const [[, dashboard]] = resources(template, 'AWS::CloudWatch::Dashboard');
      const body = JSON.stringify(stack.resolve(dashboard.Properties.DashboardBody));
      for (const row of ['Worker Mailer', 'Worker Api', 'Database', 'Pipeline']) expect(body).toContain(row);
      expect(body).not.toContain('undefined');
      const topic = stack.getLogicalId(platform.monitoring.alarmTopic.node.defaultChild as any);
      const alarms = resources(template, 'AWS::CloudWatch::Alarm');
      expect(alarms.length).toBeGreaterThan(5);
      const paging = alarms.filter(([, a]) => JSON.stringify(a.Properties.AlarmActions ?? []).includes(topic));
      expect(paging.map(([id]) => id).join(' ')).toMatch(/Mailer/);
      expect(paging.map(([id]) => id).join(' ')).toMatch(/Migration/);
      template.resourceCountIs('AWS::SNS::Subscription', 1);
    });

    test('THEN the data bucket and the internal load balancer log to the platform\'s own access-log bucket', () => {
      const logs = stack.resolve((platform.node.findChild('AccessLogsBucket').node.defaultChild as any).ref);
      const bucket = stack.resolve((platform.dataBucket!.node.defaultChild as any).loggingConfiguration);
      expect(bucket.destinationBucketName).toEqual(logs);
      const [[, lb]] = resources(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      expect(lb.Properties.LoadBalancerAttributes).toEqual(expect.arrayContaining([{ Key: 'access_logs.s3.bucket', Value: logs }]));
    });

    test('THEN the template holds no undefined, null, NaN nor [object Object]', () => {
      expect(JSON.stringify(template.toJSON())).not.toMatch(/undefined|"null"|NaN|\[object Object\]/);
    });
  });

  describe('GIVEN only scheduled jobs (no worker)', () => {
    const { stack, platform } = build({ cleanupJob: { command: ['node', 'cleanup.js'] } });
    platform.addScheduledJob('Report', { command: ['node', 'report.js'] });
    const template = Template.fromStack(stack);

    test('THEN the jobs run in the platform\'s cluster and no pipeline exists (nothing to deploy)', () => {
      template.resourceCountIs('AWS::ECS::Cluster', 1);
      template.resourceCountIs('AWS::ECS::Service', 0);
      template.resourceCountIs('AWS::CodePipeline::Pipeline', 0);
      template.resourceCountIs('AWS::ECS::TaskDefinition', 2);
      expect(platform.pipeline).toBeUndefined();
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });
  });

  describe('GIVEN the development profile', () => {
    const { stack } = build({ profile: EnvironmentProfile.DEVELOPMENT });
    test('THEN the cluster has the development profile\'s Container Insights (enabled), as the service\'s cluster would', () => {
      Template.fromStack(stack).hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    });
  });

  describe('GIVEN what needs a web service THEN synth fails naming each prop, with the fix, all together', () => {
    test('web-service options under service and scheduledApiCalls', () => {
      const error = (() => {
        try {
          synthesized(() => build({
            service: { enabled: false, domainName: 'api', edgeMode: EdgeMode.PUBLIC_ALB, cpu: 512 },
            scheduledApiCalls: [{ id: 'Reset', schedule: reset, path: '/reset' }],
          }).platform)();
        } catch (e) {
          return (e as Error).message;
        }
        return '';
      })();
      expect(error).toMatch(/invalid service\.domainName "api": the platform has no web service \(service\.enabled is false\), so this web-service option would be ignored; drop it, or enable the web service/);
      expect(error).toMatch(/invalid service\.edgeMode "PUBLIC_ALB"/);
      expect(error).toMatch(/invalid service\.cpu 512/);
      expect(error).toMatch(/invalid scheduledApiCalls .*the calls go to the web service's URL.*addScheduledJob/);
    });

    test('the platform-wide service options still apply: spot, cpuArchitecture, environment, secrets', () => {
      const { stack, platform } = build({ service: { enabled: false, spot: false, environment: { LOG_LEVEL: 'info' } }, cleanupJob: { command: ['x'] } });
      expect(synthesized(() => platform)).not.toThrow();
      const [[, definition]] = resources(Template.fromStack(stack), 'AWS::ECS::TaskDefinition');
      expect(definition.Properties.ContainerDefinitions[0].Environment).toEqual(expect.arrayContaining([{ Name: 'LOG_LEVEL', Value: 'info' }]));
    });

    test('a hosted zone without a static site, and service.environment or service.secrets without a job, are refused', () => {
      const { platform } = build({ service: { enabled: false, environment: { LOG_LEVEL: 'info' } } });
      const other = new Stack(new App(), 'Zoned');
      const zone = route53.HostedZone.fromHostedZoneAttributes(other, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
      const withZone = new BackendPlatform(other, 'Backend', { environmentName: 'staging', service: { enabled: false }, hostedZone: zone });
      expect(synthesized(() => platform)).toThrow(/invalid service\.environment "LOG_LEVEL": without a web service only the scheduled jobs receive it, and the platform has none/);
      expect(synthesized(() => withZone)).toThrow(/invalid hostedZone "example\.com": the platform has no web service \(service\.enabled is false\) and no static site/);
      withZone.addStaticSite('Docs', { domainName: 'docs.example.com' });
      platform.addScheduledJob('Report', { command: ['node', 'report.js'] });
      expect(synthesized(() => platform)).not.toThrow();
    });

    test('addService is refused by name, with the fix', () => {
      const { platform } = build();
      expect(synthesized(() => platform.addService('Admin', { pathPatterns: ['/admin/*'] })))
        .toThrow(/invalid addService\('Admin'\) "PlatformWebServiceOptions": the platform has no web service \(service\.enabled is false\).*addWorker\('Admin', \{ port: 8080, internalLoadBalancer: \{\} \}\)/);
    });

    test('pipeline options without a worker of the platform image are refused, each by name', () => {
      const { platform } = build({ pipeline: { migrationCommand: ['npm', 'run', 'migrate'], manualApproval: true } });
      const run = synthesized(() => platform);
      expect(run).toThrow(/invalid pipeline\.migrationCommand \["npm","run","migrate"\]: the platform has no web service \(service\.enabled is false\) and no worker runs the platform's image/);
      expect(run).toThrow(/invalid pipeline\.manualApproval true/);
    });

    test('a pipeline with a non-ECR platform image is refused, as with a web service', () => {
      const { platform } = build({ image: ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest')), pipeline: { migrationCommand: ['migrate'] } });
      expect(synthesized(() => platform)).toThrow(/invalid pipeline "PlatformPipelineOptions": the pipeline deploys ECR images/);
    });

    test('a plain-JavaScript wrong type for service.enabled is refused', () => {
      expect(synthesized(() => build({ service: { enabled: 'no' as any } }).platform)).toThrow(/service\.enabled "no"/);
    });

    test('a promotion with smoke checks into a platform without web service is refused', () => {
      const { stack, platform } = build({ pipeline: { enabled: false } });
      platform.addWorker('Mailer', { queue: {} });
      const repository = ecr.Repository.fromRepositoryName(stack, 'Promoted', 'backend');
      expect(synthesized(() => new PromotionPipeline(new Construct(stack, 'Delivery'), 'Promotion', {
        repository: platform.repository ?? repository, environments: [{ target: platform, smokeCheckPaths: ['/health'] }],
      }))).toThrow(/invalid environments\[0\]\.smokeCheckPaths \["\/health"\]: the environment has no web service/);
    });

    test('a promotion without smoke checks deploys the workers and sets no SERVICE_URL', () => {
      const { stack, platform } = build({ pipeline: { enabled: false } });
      platform.addWorker('Mailer', { queue: {} });
      new PromotionPipeline(stack, 'Promotion', { repository: platform.repository, environments: [{ target: platform, testCommands: ['echo ok'] }] });
      const body = JSON.stringify(Template.fromStack(stack).toJSON());
      expect(body).not.toContain('SERVICE_URL');
      expect(body).toContain(stack.getLogicalId(platform.node.findChild('Mailer').node.findChild('Service').node.defaultChild as any));
    });
  });

  test('GIVEN the README example (workers and a job only) THEN it synthesizes: two workers, a job, the internal load balancer, a migrating pipeline', () => {
    const { stack } = build({ profile: EnvironmentProfile.DEVELOPMENT, database: {}, pipeline: { migrationCommand: ['node', 'dist/migrate.js'] } }, new App());
    const workers = stack.node.findChild('Backend') as BackendPlatform;
    workers.addWorker('Mailer', { queue: {}, command: ['node', 'dist/mailer.js'] });
    workers.addWorker('Pricing', { port: 8080, internalLoadBalancer: {}, healthCheckPath: '/health', command: ['node', 'dist/pricing.js'] });
    workers.addScheduledJob('Report', { command: ['node', 'dist/report.js'], schedule: events.Schedule.cron({ minute: '0', hour: '6' }) });
    expect(synthesized(() => workers)).not.toThrow();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::CodePipeline::Pipeline', 1);
    expect(workers.pipeline!.migrationProject).toBeDefined();
  });

  test('GIVEN a static site THEN it logs to the platform\'s own access-log bucket and has no web ACL of a service', () => {
    const { stack, platform } = build();
    const site = platform.addStaticSite('Docs');
    expect(synthesized(() => platform)).not.toThrow();
    const logs = stack.resolve((platform.node.findChild('AccessLogsBucket').node.defaultChild as any).attrRegionalDomainName);
    const distribution = stack.resolve((site.distribution.node.defaultChild as any).distributionConfig);
    expect(distribution.logging.bucket).toEqual(logs);
    expect(distribution.webAclId).toBeUndefined();
  });

  test('GIVEN a timeout prop of the pipeline without migrations THEN the existing rule still applies', () => {
    const { platform } = build({ pipeline: { migrationTimeout: Duration.minutes(45) } });
    expect(synthesized(() => platform)).toThrow(/invalid pipeline\.migrationTimeout/);
  });
});
