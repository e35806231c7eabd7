import { Fn, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { platform, reset, synthesized, web } from './builders';
import { givenStack } from './fixtures';
import { BackendPlatform, EcrToEcsPipeline, EdgeMode, PlatformStore, SecureAlbFargateService, ServiceDeployment, ServiceImage } from '../src';
import { securityGroupRulesWithinQuota } from './deploy-readiness/rules/security-groups';

const resources = (template: Template, type: string) => Object.entries<any>(template.findResources(type));
const rules = (template: Template) => resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([id, rule]) => ({
  id,
  listener: rule.Properties.ListenerArn.Ref as string,
  priority: rule.Properties.Priority as number,
  paths: rule.Properties.Conditions.find((c: any) => c.Field === 'path-pattern')?.PathPatternConfig.Values as string[] | undefined,
  headers: rule.Properties.Conditions.filter((c: any) => c.Field === 'http-header').map((c: any) => c.HttpHeaderConfig.HttpHeaderName),
}));
const serviceOf = (template: Template, prefix: string) => resources(template, 'AWS::ECS::Service').find(([id]) => new RegExp(`^${prefix}[A-F0-9]{8}$`).test(id))![1];
const taskOf = (template: Template, prefix: string) => resources(template, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith(prefix))![1];
const names = (env: Array<{ Name: string }> | undefined) => (env ?? []).map(e => e.Name).sort();

describe('BackendPlatform.addService', () => {
  describe('GIVEN a production platform with a database and a cache WHEN an admin service joins at /admin/* with the database only', () => {
    const built = platform({ database: {}, cache: {} });
    const admin = built.addService('Admin', { pathPatterns: ['/admin/*', '/internal/*'], stores: [PlatformStore.DATABASE] });
    const template = Template.fromStack(Stack.of(built));

    test('THEN it shares the one load balancer and distribution, and answers at the platform URL', () => {
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      template.resourceCountIs('AWS::CloudFront::Distribution', 1);
      expect(admin.loadBalancer).toBe(built.service.loadBalancer);
      expect(admin.listener).toBe(built.service.listener);
      expect(admin.distribution).toBe(built.service.distribution);
      expect(admin.serviceUrl).toBe(built.service.serviceUrl);
      expect(admin.cluster).toBe(built.service.cluster);
    });

    test('THEN the platform listener forwards its paths to its own target group, before the first service\'s catch-all', () => {
      const listener = rules(template).find(r => r.id.startsWith('PlatformAdminAppRoute'))!;
      expect(listener).toMatchObject({ listener: expect.stringMatching(/^PlatformServiceLoadBalancerHttpsListener/), priority: 37901, paths: ['/admin/*', '/internal/*'] });
      const [[, rule]] = resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([id]) => id.startsWith('PlatformAdminAppRoute'));
      expect(rule.Properties.Actions[0].TargetGroupArn.Ref).toMatch(/^PlatformAdminAppTargetGroup/);
      const [[, service]] = resources(template, 'AWS::ECS::Service').filter(([id]) => id.startsWith('PlatformAdminService'));
      expect(service.Properties.LoadBalancers).toEqual([expect.objectContaining({ ContainerName: 'app', TargetGroupArn: { Ref: expect.stringMatching(/^PlatformAdminAppTargetGroup/) } })]);
    });

    test('THEN only the load balancer reaches its tasks, and they reach the database but not the cache', () => {
      const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
      const adminGroup = (ref: any) => JSON.stringify(ref ?? '').includes('PlatformAdminServiceSecurityGroup');
      expect(ingress.filter(r => adminGroup(r.GroupId)).map(r => JSON.stringify(r.SourceSecurityGroupId))).toEqual([
        expect.stringContaining('PlatformServiceLoadBalancerSecurityGroup'),
      ]);
      const fromAdmin = ingress.filter(r => adminGroup(r.SourceSecurityGroupId)).map(r => JSON.stringify(r.GroupId));
      expect(fromAdmin).toEqual([expect.stringContaining('PlatformDatabase')]);
    });

    test('THEN its container gets the database connection only, and SSM parameters of its own', () => {
      const [container] = taskOf(template, 'PlatformAdminTaskDefinition').Properties.ContainerDefinitions;
      expect(names(container.Secrets)).toEqual(['DB_PASSWORD', 'DB_USER']);
      expect(names(container.Environment)).toEqual(['DB_HOST', 'DB_NAME', 'DB_PORT']);
      const parameters = resources(template, 'AWS::SSM::Parameter').map(([, p]) => p.Properties.Name);
      expect(parameters).toEqual(expect.arrayContaining(['/teststack/prod/admin/service-url', '/teststack/prod/admin/service-name', '/teststack/prod/admin/ecr-imgTag']));
      expect(parameters).toEqual(expect.arrayContaining(['/teststack/prod/backend/service-url', '/teststack/prod/backend/ecr-imgTag']));
    });

    test('THEN it has the profile\'s size and capacity, and rolls back on its own 5xx and latency alarms, which page the topic', () => {
      const task = taskOf(template, 'PlatformAdminTaskDefinition');
      const main = taskOf(template, 'PlatformServiceTaskDefinition');
      expect([task.Properties.Cpu, task.Properties.Memory]).toEqual([main.Properties.Cpu, main.Properties.Memory]);
      const alarms = serviceOf(template, 'PlatformAdminService').Properties.DeploymentConfiguration.Alarms;
      expect(alarms).toMatchObject({ Enable: true, Rollback: true });
      expect(alarms.AlarmNames.map((n: any) => n.Ref)).toEqual([
        expect.stringMatching(/^PlatformMonitoringAdminTarget5xxRate/), expect.stringMatching(/^PlatformMonitoringAdminP99LatencyHigh/),
      ]);
      const paging = resources(template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('PlatformMonitoringAdmin'));
      expect(paging.map(([id]) => id.replace(/[A-F0-9]{8}$/, '')).sort()).toEqual([
        'PlatformMonitoringAdminP99LatencyHigh', 'PlatformMonitoringAdminTarget5xxRate', 'PlatformMonitoringAdminTasksBelowDesired', 'PlatformMonitoringAdminUnhealthyHosts',
      ]);
      paging.forEach(([, alarm]) => expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^PlatformMonitoringAlarmTopic/) }]));
      const dashboard = JSON.stringify(resources(template, 'AWS::CloudWatch::Dashboard')[0][1].Properties.DashboardBody);
      expect(dashboard).toContain('Web service Admin');
    });

    test('THEN it is redeployed when the database secret changes, and not when the cache token does', () => {
      const redeployTargets = resources(template, 'AWS::Events::Rule')
        .filter(([, rule]) => rule.Properties.EventPattern?.['detail-type']?.includes('Secret Label Updated'))
        .map(([id, rule]) => [id, JSON.stringify(rule.Properties.EventPattern.resources)]);
      const adminWatches = redeployTargets.filter(([id]) => id.startsWith('PlatformAdmin')).map(([, secrets]) => secrets);
      expect(adminWatches).toEqual([expect.stringContaining('PlatformDatabase')]);
      expect(adminWatches[0]).not.toContain('PlatformCache');
    });
  });

  test('GIVEN an added service built from the platform image THEN one push rolls it out with the first service, migrations once', () => {
    const built = platform({ database: {}, pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] } });
    built.addService('Admin', { pathPatterns: ['/admin/*'] });
    const template = Template.fromStack(Stack.of(built));
    const [[, pipeline]] = resources(template, 'AWS::CodePipeline::Pipeline');
    const stages = Object.fromEntries(pipeline.Properties.Stages.map((stage: any) => [stage.Name, stage.Actions.map((action: any) => action.Name)]));
    expect(stages.Migrate).toEqual(['Migrate']);
    expect(stages.Deploy).toEqual(['Service', 'Admin']);
    expect(built.pipelines).toHaveLength(1);
  });

  // The derived priorities are contract: a changed derivation would update every deployed added service's rules.
  test('GIVEN two added services, one with a routed container THEN each takes the block derived from its construct path', () => {
    const built = platform({});
    built.addService('Admin', { pathPatterns: ['/admin/*'] });
    built.addService('Hooks', { pathPatterns: ['/hooks/*'], routedContainers: [{ name: 'relay', containerPort: 9000, pathPatterns: ['/relay/*'] }] });
    const found = rules(Template.fromStack(Stack.of(built))).map(r => [r.id.replace(/[A-F0-9]{8}$/, ''), r.priority, r.paths]);
    expect(found).toEqual(expect.arrayContaining([
      ['PlatformAdminAppRouteRule', 37901, ['/admin/*']],
      ['PlatformHooksAppRouteRule', 47771, ['/hooks/*']],
      ['PlatformHooksRelayRouteRule', 47271, ['/relay/*']],
    ]));
  });

  test('GIVEN added services pinned to blocks (a platform deployed before blocks were derived) THEN each keeps the priorities of its position', () => {
    const built = platform({});
    built.addService('Admin', { pathPatterns: ['/admin/*'], priorityBlock: 1 });
    built.addService('Hooks', { pathPatterns: ['/hooks/*'], priorityBlock: 2, routedContainers: [{ name: 'relay', containerPort: 9000, pathPatterns: ['/relay/*'] }] });
    const found = rules(Template.fromStack(Stack.of(built))).map(r => [r.id.replace(/[A-F0-9]{8}$/, ''), r.priority]);
    expect(found).toEqual(expect.arrayContaining([['PlatformAdminAppRouteRule', 1500], ['PlatformHooksAppRouteRule', 2500], ['PlatformHooksRelayRouteRule', 2000]]));
  });

  test('GIVEN a pinned block another service holds, or one out of range, or on the platform\'s own service THEN each is refused by name', () => {
    const built = platform({});
    built.addService('Admin', { pathPatterns: ['/admin/*'], priorityBlock: 3 });
    expect(synthesized(() => built.addService('Hooks', { pathPatterns: ['/hooks/*'], priorityBlock: 3 }))).toThrow(
      'TestStack/Platform: invalid addService(\'Hooks\').priorityBlock 3: block 3 is already taken by TestStack/Platform/Admin on this load balancer; '
      + 'pin this service\'s priorityBlock to a free block, e.g. 1 (leave the other one as it is: its rules are deployed)');
    expect(synthesized(() => built.addService('Reports', { pathPatterns: ['/reports/*'], priorityBlock: 50 }))).toThrow(/invalid addService\('Reports'\)\.priorityBlock 50: /);
    expect(synthesized(() => platform({ service: { priorityBlock: 1 } }))).toThrow(/invalid service\.priorityBlock 1: only a service sharing another one's edge takes a priority block/);
  });

  test('GIVEN a public-ALB platform THEN an added service\'s rule also requires the origin-verify header', () => {
    const built = platform({ service: { edgeMode: EdgeMode.PUBLIC_ALB } });
    built.addService('Admin', { pathPatterns: ['/admin/*'] });
    const rule = rules(Template.fromStack(Stack.of(built))).find(r => r.id.startsWith('PlatformAdminAppRoute'))!;
    expect(rule.headers).toEqual(['X-Origin-Verify']);
  });

  describe('GIVEN a blue/green platform WHEN a blue/green service joins', () => {
    const built = platform({ service: { deployment: ServiceDeployment.blueGreen() } });
    built.addService('Admin', { pathPatterns: ['/admin/*'], deployment: ServiceDeployment.blueGreen({ smokeTestPath: '/health' }) });
    built.addService('Api', { pathPatterns: ['/api/*'] });
    const template = Template.fromStack(Stack.of(built));
    const refs = (...ids: string[]) => ids.map(id => ({ Ref: expect.stringMatching(new RegExp(`^${id}[A-F0-9]{8}$`)) }));
    const deployment = (prefix: string) => serviceOf(template, prefix).Properties.DeploymentConfiguration;

    test('THEN the platform service rolls back on unhealthy hosts in both its groups and on the load balancer\'s 5xx and latency alarms', () => {
      expect(deployment('PlatformService').Alarms).toEqual({
        AlarmNames: refs('PlatformServiceAppUnhealthyHostsAlarm', 'PlatformServiceAppAlternateUnhealthyHostsAlarm',
          'PlatformMonitoringLoadBalancer5xxRate', 'PlatformMonitoringTarget5xxRate', 'PlatformMonitoringP99LatencyHigh'),
        Enable: true,
        Rollback: true,
      });
    });

    test('THEN the added blue/green service rolls back on unhealthy hosts in both its groups and on its own 5xx and latency alarms', () => {
      expect(deployment('PlatformAdminService').Alarms).toEqual({
        AlarmNames: refs('PlatformAdminAppUnhealthyHostsAlarm', 'PlatformAdminAppAlternateUnhealthyHostsAlarm',
          'PlatformMonitoringAdminTarget5xxRate', 'PlatformMonitoringAdminP99LatencyHigh'),
        Enable: true,
        Rollback: true,
      });
    });

    test('THEN the added rolling service beside them rolls back on its own 5xx and latency alarms', () => {
      expect(deployment('PlatformApiService').Alarms).toEqual({
        AlarmNames: refs('PlatformMonitoringApiTarget5xxRate', 'PlatformMonitoringApiP99LatencyHigh'), Enable: true, Rollback: true,
      });
    });

    test('THEN every service, rolling or blue/green, fails a deployment whose tasks never start (circuit breaker with rollback)', () => {
      for (const prefix of ['PlatformService', 'PlatformAdminService', 'PlatformApiService']) {
        expect(deployment(prefix).DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
      }
    });

    test('THEN the added blue/green service\'s 5xx and latency alarms watch both its target groups (production runs in either)', () => {
      const alarm = (id: string) => resources(template, 'AWS::CloudWatch::Alarm').find(([logicalId]) => new RegExp(`^${id}[A-F0-9]{8}$`).test(logicalId))![1];
      const groupsOf = (id: string) => alarm(id).Properties.Metrics.filter((m: any) => m.MetricStat)
        .map((m: any) => [m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'TargetGroup').Value['Fn::GetAtt'][0].replace(/[A-F0-9]{8}$/, '')]);
      expect(groupsOf('PlatformMonitoringAdminTarget5xxRate')).toEqual([
        ['HTTPCode_Target_5XX_Count', 'PlatformAdminAppTargetGroup'], ['HTTPCode_Target_5XX_Count', 'PlatformAdminAppAlternateTargetGroup'],
        ['RequestCount', 'PlatformAdminAppTargetGroup'], ['RequestCount', 'PlatformAdminAppAlternateTargetGroup'],
      ]);
      expect(groupsOf('PlatformMonitoringAdminP99LatencyHigh')).toEqual([
        ['TargetResponseTime', 'PlatformAdminAppTargetGroup'], ['TargetResponseTime', 'PlatformAdminAppAlternateTargetGroup'],
      ]);
      expect(alarm('PlatformMonitoringAdminP99LatencyHigh').Properties.Metrics[0].Expression).toBe('MAX([FILL(p990, 0), FILL(p991, 0)])');
    });

    test('THEN it gets a test listener of its own on the next port, whose rule sends every path to it', () => {
      const ports = resources(template, 'AWS::ElasticLoadBalancingV2::Listener').map(([id, l]) => [id.replace(/[A-F0-9]{8}$/, ''), l.Properties.Port]);
      expect(ports).toEqual(expect.arrayContaining([['PlatformServiceLoadBalancerTestListener', 8443], ['PlatformAdminTestListener', 10333]]));
      const test = rules(template).find(r => r.listener.startsWith('PlatformAdminTestListener'))!;
      expect(test).toMatchObject({ priority: 37901, paths: ['/*'] });
      const production = rules(template).find(r => r.id.startsWith('PlatformAdminAppRoute'))!;
      expect(production).toMatchObject({ listener: expect.stringMatching(/^PlatformServiceLoadBalancerHttpsListener/), paths: ['/admin/*'] });
    });

    test('THEN its smoke test calls its own test port, which only its smoke-test function may reach', () => {
      const fn = resources(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('PlatformAdminSmokeTestFunction'))![1];
      expect(fn.Properties.Environment.Variables.SMOKE_TEST_URL).toBe('https://prod-lb.example.com:10333/health');
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 10333,
        ToPort: 10333,
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformAdminSmokeTestSecurityGroup'), 'GroupId'] },
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformServiceTestListenerSecurityGroup'), 'GroupId'] },
      });
    });
  });

  describe('GIVEN an internal worker', () => {
    const serviceConnect = (template: Template, prefix: string) => serviceOf(template, prefix).Properties.ServiceConnectConfiguration;
    test.each([
      ['added before the service', (p: BackendPlatform) => { p.addWorker('Pricing', { port: 8080 }); p.addService('Admin', { pathPatterns: ['/admin/*'] }); }],
      ['added after the service', (p: BackendPlatform) => { p.addService('Admin', { pathPatterns: ['/admin/*'] }); p.addWorker('Pricing', { port: 8080 }); }],
    ])('%s THEN every web service calls it through Service Connect, on its port', (_name, build) => {
      const built = platform({});
      build(built);
      const template = Template.fromStack(Stack.of(built));
      expect(serviceConnect(template, 'PlatformService')).toMatchObject({ Enabled: true });
      expect(serviceConnect(template, 'PlatformAdminService')).toMatchObject({ Enabled: true });
      const toWorker = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
        .filter(r => JSON.stringify(r.GroupId).includes('PlatformPricingSecurityGroup') && r.FromPort === 8080);
      expect(toWorker.map(r => JSON.stringify(r.SourceSecurityGroupId)).sort()).toEqual([
        expect.stringContaining('PlatformAdminServiceSecurityGroup'), expect.stringContaining('PlatformServiceServiceSecurityGroup'),
      ]);
    });
  });
});

describe('GIVEN plain JavaScript options of the platform\'s add methods', () => {
  test.each([
    ['addService', { pathPatterns: ['/a/*'], stores: 'DATABASE' },
      'invalid addService(\'Extra\').stores "DATABASE": expected an array of values of PlatformStore ("DATABASE", "CACHE", "DATA_BUCKET") (wrap a single value in [ ])'],
    ['addService', { pathPatterns: ['/a/*'], connectedContainers: 'app' }, 'invalid addService(\'Extra\').connectedContainers "app": expected an array of strings (e.g. ["app"])'],
    ['addService', { pathPatterns: ['/a/*'], domainName: 'a.example.com' }, 'invalid addService(\'Extra\').domainName "a.example.com": PlatformWebServiceOptions has no such prop'],
    ['addWorker', { queue: {}, stores: 'CACHE' }, 'invalid addWorker(\'Extra\').stores "CACHE": expected an array of values of PlatformStore'],
    ['addScheduledJob', { command: 'node job.js' }, 'invalid addScheduledJob(\'Extra\').command "node job.js": expected an array of strings'],
  ])('%s(%j) THEN the library\'s error names the prop after the call', (method, options, message) => {
    const built: any = platform({ database: {}, cache: {} });
    expect(synthesized(() => built[method]('Extra', options))).toThrow(`TestStack/Platform: ${message}`);
  });
});

test('GIVEN path patterns as tokens (a Lazy list, an imported value) THEN they synthesize as given, unclaimed at synth', () => {
  const built = platform({});
  built.addService('Lazy', { pathPatterns: Lazy.list({ produce: () => ['/lazy/*'] }) });
  built.addService('Imported', {
    pathPatterns: [Fn.importValue('AdminPath')],
    routedContainers: [{ name: 'relay', containerPort: 9000, pathPatterns: Lazy.list({ produce: () => ['/relay/*'] }) }],
  });
  const template = Template.fromStack(Stack.of(built));
  const found = rules(template).map(r => [r.id.replace(/[A-F0-9]{8}$/, ''), r.paths]);
  expect(found).toEqual(expect.arrayContaining([
    ['PlatformLazyAppRouteRule', ['/lazy/*']],
    ['PlatformImportedAppRouteRule', [{ 'Fn::ImportValue': 'AdminPath' }]],
    ['PlatformImportedRelayRouteRule', ['/relay/*']],
  ]));
  expect(JSON.stringify(template.toJSON())).not.toMatch(/undefined|NaN|\[object Object\]/);
});

describe('SecureAlbFargateService shareEdgeWith', () => {
  test('GIVEN a standalone service sharing another\'s edge THEN it creates no load balancer, distribution, certificate or cluster of its own', () => {
    const first = web({});
    const stack = Stack.of(first);
    const repository = first.image.repository!;
    new SecureAlbFargateService(stack, 'Admin', {
      vpc: first.loadBalancer.vpc!, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), shareEdgeWith: first, pathPatterns: ['/admin/*'],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 1);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    expect(serviceOf(template, 'AdminService').Properties.Cluster).toEqual({ Ref: expect.stringMatching(/^WebCluster/) });
  });

  test('GIVEN a path that the first service routes to a container THEN it is refused, naming both', () => {
    const first = web({ routedContainers: [{ name: 'api', containerPort: 3001, pathPatterns: ['/api/*'] }] });
    expect(() => new SecureAlbFargateService(Stack.of(first), 'Admin', {
      vpc: first.loadBalancer.vpc!, environmentName: 'prod', image: first.image, shareEdgeWith: first, pathPatterns: ['/api/admin/*'],
    })).toThrow('TestStack/Admin: invalid pathPatterns[0] "/api/admin/*": TestStack/Web routedContainers[0].pathPatterns[0] routes "/api/*", which the load balancer evaluates first');
  });

  test('GIVEN a service sharing the edge of a service that shares one itself THEN it is refused, naming the one to share', () => {
    const first = web({});
    const stack = Stack.of(first);
    const props = { vpc: first.loadBalancer.vpc!, environmentName: 'prod', image: first.image };
    const admin = new SecureAlbFargateService(stack, 'Admin', { ...props, shareEdgeWith: first, pathPatterns: ['/admin/*'] });
    expect(() => new SecureAlbFargateService(stack, 'Reports', { ...props, shareEdgeWith: admin, pathPatterns: ['/reports/*'] })).toThrow(
      'TestStack/Reports: invalid shareEdgeWith "TestStack/Admin": that service shares another one\'s edge itself; share the edge of the service that created it');
  });

  test('GIVEN more routed containers than a task holds THEN they are refused by name', () => {
    const routedContainers = Array.from({ length: 10 }, (_, n) => ({ name: `c${n}`, containerPort: 9000 + n, pathPatterns: [`/c${n}/*`] }));
    expect(() => web({ routedContainers })).toThrow(
      'TestStack/Web: invalid routedContainers "10 containers": an ECS task definition holds at most 10 containers, the main one included; keep at most 9 routed containers or split them over added services');
  });

  test('GIVEN a sharing service whose id makes no DNS label THEN it is refused by name (the id names its SSM paths)', () => {
    const first = web({});
    expect(() => new SecureAlbFargateService(Stack.of(first), 'Admin_', {
      vpc: first.loadBalancer.vpc!, environmentName: 'prod', image: first.image, shareEdgeWith: first, pathPatterns: ['/admin/*'],
    })).toThrow('TestStack/Admin_: invalid id "admin-": use 1-63 lower-case letters');
  });

  test('GIVEN the service\'s own VPC is another THEN it is refused by name', () => {
    const first = web({});
    const other = new ec2.Vpc(Stack.of(first), 'Other', { maxAzs: 2 });
    expect(() => new SecureAlbFargateService(Stack.of(first), 'Admin', {
      vpc: other, environmentName: 'prod', image: first.image, shareEdgeWith: first, pathPatterns: ['/admin/*'],
    })).toThrow('TestStack/Admin: invalid vpc "TestStack/Other": the load balancer of TestStack/Web forwards only to targets in its own VPC; run this service in that VPC');
  });

  test('GIVEN edge props beside shareEdgeWith THEN each is refused by name', () => {
    const { stack, vpc, zone, repository } = givenStack();
    const first = new SecureAlbFargateService(stack, 'Web', { vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository) });
    expect(() => new SecureAlbFargateService(stack, 'Admin', {
      vpc, hostedZone: zone, environmentName: 'prod', image: first.image, shareEdgeWith: first, pathPatterns: ['/admin/*'], cachedPathPatterns: ['/static/*'],
    })).toThrow(/invalid cachedPathPatterns \["\/static\/\*"\]: the edge belongs to TestStack\/Web[^\n]*\n[^\n]*invalid hostedZone/);
  });
});

/** Defects a new user's review found: each one pinned. */
describe('GIVEN what a new user tries beyond the examples', () => {
  test('a path an added service routes first would take every request of the first service\'s own paths THEN it is refused, naming both', () => {
    const built = platform({ service: { pathPatterns: ['/api/v1/*'] } });
    expect(() => built.addService('Api', { pathPatterns: ['/api/*'] })).toThrow('TestStack/Platform: invalid addService(\'Api\').pathPatterns[0] "/api/*": '
      + 'it would take every request of TestStack/Platform service.pathPatterns[0] ("/api/v1/*"), which the load balancer evaluates after it, so that would never be reached; narrow this pattern');
  });

  test('an added service claiming every path THEN it is refused: the first service\'s catch-all would never be reached', () => {
    expect(() => platform({}).addService('All', { pathPatterns: ['/*'] })).toThrow(
      'TestStack/Platform: invalid addService(\'All\').pathPatterns[0] "/*": the catch-all of TestStack/Platform/Service (every path no other rule takes) already routes this path');
  });

  test('one ECR repository imported twice THEN it is one repository: one pipeline deploys both workloads, after the one migration', () => {
    const { stack } = givenStack();
    const built = new BackendPlatform(stack, 'Platform', {
      environmentName: 'prod', database: {}, repository: ecr.Repository.fromRepositoryName(stack, 'R1', 'shared'), pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] },
    });
    built.addWorker('Mailer', { queue: {}, image: ServiceImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'R2', 'shared')) });
    const pipelines = resources(Template.fromStack(stack), 'AWS::CodePipeline::Pipeline');
    expect(pipelines).toHaveLength(1);
    const stages = Object.fromEntries(pipelines[0][1].Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.Name)]));
    expect(stages).toMatchObject({ Migrate: ['Migrate'], Deploy: ['Service', 'Mailer'] });
  });

  test('a second pipeline on a service the platform already deploys THEN it is refused, naming the first', () => {
    const built = platform({});
    const admin = built.addService('Admin', { pathPatterns: ['/admin/*'] });
    expect(() => new EcrToEcsPipeline(Stack.of(built), 'Mine', { service: admin })).toThrow(
      'TestStack/Mine: invalid service "TestStack/Platform/Admin": TestStack/Platform/Pipeline already deploys its containers of this repository');
  });

  test('the same VPC imported twice THEN a service may share the edge of a service in it', () => {
    const { stack, repository } = givenStack();
    const attributes = { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'] };
    const image = ServiceImage.fromEcrRepository(repository);
    const first = new SecureAlbFargateService(stack, 'Web', { vpc: ec2.Vpc.fromVpcAttributes(stack, 'V1', attributes), environmentName: 'prod', image });
    const admin = new SecureAlbFargateService(stack, 'Admin', {
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'V2', attributes), environmentName: 'prod', image, shareEdgeWith: first, pathPatterns: ['/admin/*'],
    });
    expect(admin.loadBalancer).toBe(first.loadBalancer);
  });

  test.each([['a secret name', 'stripe/key'], ['nothing', undefined]])('redeployOnRotation given %s from plain JavaScript THEN the library\'s error names it', (_name, secret) => {
    const built = web({});
    expect(() => built.redeployOnRotation(secret as any)).toThrow(`TestStack/Web: invalid redeployOnRotation(secret) ${JSON.stringify(secret) ?? 'undefined'}: give an ISecret`);
  });

  test('a service whose containers receive no connection THEN no secret change redeploys it, the scheduler key\'s neither', () => {
    const built = platform({ database: {}, scheduledApiCalls: [{ id: 'Reset', schedule: reset, path: '/reset' }] });
    built.addService('Static', { pathPatterns: ['/static/*'], connectedContainers: [] });
    const redeployRules = resources(Template.fromStack(Stack.of(built)), 'AWS::Events::Rule').map(([id]) => id);
    expect(redeployRules.filter(id => id.startsWith('PlatformStaticRotationRedeploy'))).toEqual([]);
    expect(redeployRules.filter(id => id.startsWith('PlatformServiceRotationRedeploy'))).toHaveLength(1);
  });
});

describe('GIVEN blue/green services sharing the edge (docs/adr/0009)', () => {
  const blueGreen = ServiceDeployment.blueGreen();
  const SIX = ['Admin', 'Billing', 'Reports', 'Search', 'Orders', 'Hooks'];
  const withServices = (ids: string[]) => {
    const built = platform({ service: { deployment: blueGreen } });
    for (const id of ids) built.addService(id, { pathPatterns: [`/${id.toLowerCase()}/*`], deployment: blueGreen });
    return Template.fromStack(Stack.of(built));
  };
  const inboundOf = (template: Template, group: string) => resources(template, 'AWS::EC2::SecurityGroupIngress')
    .filter(([, rule]) => JSON.stringify(rule.Properties.GroupId).includes(group)).map(([, rule]) => rule.Properties);

  describe('WHEN six join a blue/green platform (the fifth went over the CloudFront group\'s quota before)', () => {
    const template = withServices(SIX);

    test('THEN every security group stays within 60 inbound and 60 outbound rules, prefix lists by weight', () => {
      expect(securityGroupRulesWithinQuota.check(template.toJSON())).toEqual([]);
    });

    test('THEN the CloudFront group holds only the prefix-list rule, and the test-listener group one rule per smoke test', () => {
      expect(inboundOf(template, 'PlatformServiceLoadBalancerSecurityGroup')).toEqual([expect.objectContaining({ SourcePrefixListId: expect.anything() })]);
      const sources = inboundOf(template, 'PlatformServiceTestListenerSecurityGroup').map(rule => rule.SourceSecurityGroupId['Fn::GetAtt'][0].replace(/[A-F0-9]{8}$/, ''));
      expect(sources.sort()).toEqual(['Service', ...SIX].map(id => `Platform${id}SmokeTestSecurityGroup`).sort());
      const [[, alb]] = resources(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      expect(alb.Properties.SecurityGroups).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^PlatformServiceLoadBalancerSecurityGroup/), 'GroupId'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^PlatformServiceTestListenerSecurityGroup/), 'GroupId'] },
      ]);
    });
  });

  test('WHEN a service is removed from the middle THEN the others\' listener rules and test listeners keep every property', () => {
    const kept = (template: Template) => Object.fromEntries(resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')
      .concat(resources(template, 'AWS::ElasticLoadBalancingV2::Listener'))
      .filter(([id]) => /^Platform(Admin|Reports)/.test(id)));
    const before = kept(withServices(['Admin', 'Billing', 'Reports']));
    expect(Object.keys(before)).toHaveLength(6);
    expect(kept(withServices(['Admin', 'Reports']))).toEqual(before);
  });

  test('WHEN two services\' derived blocks collide THEN the second is refused by name, with a free block to pin', () => {
    const built = platform({});
    built.addService('Svc1', { pathPatterns: ['/a/*'] });
    expect(() => built.addService('Svc420', { pathPatterns: ['/b/*'] })).toThrow(
      'TestStack/Platform: invalid addService(\'Svc420\').priorityBlock undefined: the listener rule priority block derived from its construct path is already taken by '
      + 'TestStack/Platform/Svc1 on this load balancer; pin this service\'s priorityBlock to a free block, e.g. 1');
    const pinned = platform({});
    pinned.addService('Svc1', { pathPatterns: ['/a/*'] });
    expect(() => pinned.addService('Svc420', { pathPatterns: ['/b/*'], priorityBlock: 1 })).not.toThrow();
  });

  test('WHEN a service would take the load balancer over its rule and target group quotas THEN that addService is refused by name', () => {
    const built = platform({ service: { deployment: blueGreen } });
    const routedContainers = (id: string) => Array.from({ length: 9 }, (_, n) => ({ name: `c${n}`, containerPort: 9000 + n, pathPatterns: [`/${id}/c${n}/*`] }));
    // Each takes 20 rules and 20 target groups (ten containers, two of each under blue/green); the platform's service 2.
    for (const id of ['Admin', 'Billing', 'Reports', 'Search']) built.addService(id, { pathPatterns: [`/${id}/*`], deployment: blueGreen, routedContainers: routedContainers(id) });
    const quota = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html';
    expect(() => built.addService('Orders', { pathPatterns: ['/orders/*'], deployment: blueGreen, routedContainers: routedContainers('orders') })).toThrow(
      `TestStack/Platform: invalid addService('Orders').deployment ServiceDeployment: the load balancer would hold 102 listener rules (default rules excluded), over the quota of 100 per Application Load Balancer (${quota}); `
      + 'give this service an edge of its own (another platform, or no shareEdgeWith), or fewer routed containers\n'
      + `TestStack/Platform: invalid addService('Orders').deployment ServiceDeployment: the load balancer would hold 102 target groups, over the quota of 100 per Application Load Balancer (${quota})`);
  });
});
