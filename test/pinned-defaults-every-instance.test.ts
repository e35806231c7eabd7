import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import {
  BackendPlatform, CleanupJobScheduler, EdgeMode, SecureAlbFargateService, ServiceDeployment, ServiceImage, WorkerService,
} from '../src';
import { RuntimeGuard } from '../src/scheduled/runtime-guard';

/**
 * Pinned defaults on EVERY instance a platform creates (issue 35), where test/pinned-defaults.test.ts pins them on
 * the platform's own service. One rich platform (its service with cached paths and a routed container, a rolling and
 * a blue/green added service, a queue and an internal worker, the cleanup job and an added job, database and cache)
 * is synthesized once; every resource of each type is checked, each in a test named by its logical ID and construct
 * path. Expected values are literals read from src/ (SERVICE_DEFAULTS, WORKER_DEFAULTS, infra-monitoring.ts,
 * private/alarms.ts, ...), so changing a default in source fails here. The assertions say what holds for every
 * instance, never how many there are, so adding resources elsewhere does not break them.
 * The deliberate-bug probe that proves each test can fail: docs/pinned-defaults-probe.md.
 */

/** CloudFront managed policy IDs (stable, documented by AWS). */
const SECURITY_HEADERS_POLICY = '67f7725c-6f97-4210-82d7-5512b31e9d03';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
/** elbv2.SslPolicy.RECOMMENDED_TLS. */
const RECOMMENDED_TLS = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
const CACHED_PATHS = ['/static/*', '/assets/*'];
/** Health check paths set below; every other container answers the default `/health`. */
const HEALTH_CHECK_PATHS: { [container: string]: string } = { admin: '/admin/health' };
/** NightlyReport runs hourly: its runtime guard is 80 % of the period; the cleanup job runs every 5 minutes. */
const JOB_TIMEOUT_SECONDS: { [job: string]: string } = { CleanupJob: '240', NightlyReport: '2880' };

function richPlatform() {
  const stack = new Stack(new App(), 'Rich');
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const platform = new BackendPlatform(stack, 'Backend', {
    environmentName: 'prod',
    hostedZone: zone,
    database: {},
    cache: {},
    service: {
      cachedPathPatterns: CACHED_PATHS,
      routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: ['/admin/*'], healthCheckPath: HEALTH_CHECK_PATHS.admin }],
    },
    cleanupJob: { command: ['node', 'cleanup.js'] },
    scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/reset' }],
    alarmEmails: ['ops@example.com'],
  });
  platform.addService('Api', { pathPatterns: ['/api/*'], routedContainers: [{ name: 'relay', containerPort: 9100, pathPatterns: ['/relay/*'] }] });
  platform.addService('Shop', { pathPatterns: ['/shop/*'], deployment: ServiceDeployment.blueGreen() });
  platform.addWorker('Mailer', { queue: {} });
  platform.addWorker('Pricing', { port: 8080, image: ServiceImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'PricingRepo', 'pricing')) });
  platform.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], taskType: 'REPORT', schedule: events.Schedule.rate(Duration.hours(1)) });
  return { stack, platform, template: Template.fromStack(stack) };
}

/** A platform behind an internet-facing ALB, where every rule must also check CloudFront's origin-verify header. */
function publicAlbPlatform() {
  const stack = new Stack(new App(), 'Public');
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const platform = new BackendPlatform(stack, 'Backend', {
    environmentName: 'prod',
    hostedZone: zone,
    service: { edgeMode: EdgeMode.PUBLIC_ALB, routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: ['/admin/*'] }] },
  });
  platform.addService('Api', { pathPatterns: ['/api/*'], routedContainers: [{ name: 'relay', containerPort: 9100, pathPatterns: ['/relay/*'] }] });
  return { stack, platform, template: Template.fromStack(stack) };
}

/** What the tests read of a synthesized platform: resources by type, logical IDs of constructs, construct paths. */
function inspect(stack: Stack, template: Template) {
  const resources = template.toJSON().Resources as { [id: string]: any };
  const paths: { [id: string]: string } = {};
  for (const element of stack.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c))) {
    paths[stack.getLogicalId(element)] = element.node.path.replace(/\/Resource$/, '');
  }
  return {
    resources,
    ofType: (type: string): Array<[string, any]> => Object.entries(resources).filter(([, r]) => r.Type === type),
    /** The logical ID of an L2 construct's resource (or of a CFN resource). */
    idOf: (construct: IConstruct): string =>
      stack.getLogicalId((CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild) as CfnElement),
    /** A resource as tests name it: logical ID and construct path. */
    named: (id: string): string => `${id} (${paths[id] ?? 'no construct'})`,
  };
}

/** Whether a resource's properties reference (Ref / GetAtt) the resource with this logical ID. */
const references = (resource: any, id: string): boolean => JSON.stringify(resource.Properties ?? {}).includes(`"${id}"`);
const ref = (id: string) => ({ Ref: id });
const hashless = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

const rich = richPlatform();
const { platform, template } = rich;
const r = inspect(rich.stack, template);
const all = platform.node.findAll();
const webServices = all.filter((c): c is SecureAlbFargateService => c instanceof SecureAlbFargateService);
const workers = all.filter((c): c is WorkerService => c instanceof WorkerService);
const jobs = all.filter((c): c is CleanupJobScheduler => c instanceof CleanupJobScheduler);
const topic = r.idOf(platform.monitoring.alarmTopic);
const logsKey = r.idOf(platform.encryptionKey);
const privateSubnets = platform.vpc.privateSubnets.map(subnet => ref(r.idOf(subnet.node.findChild('Subnet'))));
const loadBalancer = r.idOf(platform.service.loadBalancer);
const loadBalancerGroup = r.idOf(platform.service.loadBalancerSecurityGroup);
/** Every security group of the load balancer: the CloudFront one, and any other the edge gives it. */
const loadBalancerGroups = (r.resources[loadBalancer].Properties.SecurityGroups as any[]).map(g => g['Fn::GetAtt'][0] as string);

test('the rich platform has every kind of instance the tests below iterate over', () => {
  expect(webServices.map(s => s.node.id)).toEqual(expect.arrayContaining(['Service', 'Api', 'Shop']));
  expect(workers.map(w => w.node.id)).toEqual(expect.arrayContaining(['Mailer', 'Pricing']));
  expect(jobs.map(j => j.node.id)).toEqual(expect.arrayContaining(['CleanupJob', 'NightlyReport']));
  expect(webServices.find(s => s.node.id === 'Shop')!.deploymentStrategy).toBe('BLUE_GREEN');
  expect(workers.find(w => w.node.id === 'Pricing')!.serviceConnectName).toBe('pricing');
});

// ---------------------------------------------------------------------------------------------------------------
// ECS services: web services and workers.

const ecsServices: Array<[string, SecureAlbFargateService | WorkerService]> = [...webServices, ...workers].map(w => [r.named(r.idOf(w.service)), w]);
const serviceOf = (w: SecureAlbFargateService | WorkerService) => r.resources[r.idOf(w.service)].Properties;
const securityGroupOf = (w: SecureAlbFargateService | WorkerService) =>
  (w instanceof SecureAlbFargateService ? w.serviceSecurityGroup : w.securityGroup);

describe.each(ecsServices)('ECS service %s', (_, workload) => {
  const service = serviceOf(workload);

  test('runs in the private subnets, without a public IP, in its own security group', () => {
    expect(service.NetworkConfiguration.AwsvpcConfiguration).toEqual({
      AssignPublicIp: 'DISABLED',
      Subnets: privateSubnets,
      SecurityGroups: [{ 'Fn::GetAtt': [r.idOf(securityGroupOf(workload)), 'GroupId'] }],
    });
  });

  test('rollouts keep 100 % of the tasks healthy and start at most 200 %', () => {
    expect(service.DeploymentConfiguration).toMatchObject({ MinimumHealthyPercent: 100, MaximumPercent: 200 });
  });

  const blueGreen = workload instanceof SecureAlbFargateService && workload.deploymentStrategy === 'BLUE_GREEN';
  if (blueGreen) {
    test('deploys blue/green with a 5-minute bake time and the smoke-test hook after test traffic shifts', () => {
      expect(service.DeploymentConfiguration).toMatchObject({
        Strategy: 'BLUE_GREEN',
        BakeTimeInMinutes: 5,
        LifecycleHooks: [{ HookTargetArn: { 'Fn::GetAtt': [r.idOf((workload as SecureAlbFargateService).smokeTestFunction!), 'Arn'] }, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], RoleArn: expect.anything() }],
      });
    });
  } else {
    test('a rolling update stops and rolls back on the deployment circuit breaker', () => {
      expect(service.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    });
  }

  test('ECS Exec is off, tags propagate from the service, tasks run on on-demand Fargate', () => {
    expect(service.EnableExecuteCommand).toBe(false);
    expect(service.PropagateTags).toBe('SERVICE');
    expect(service.LaunchType).toBe('FARGATE');
    expect(service.CapacityProviderStrategy).toBeUndefined();
  });

  if (workload instanceof SecureAlbFargateService) {
    test('the load balancer health checks start after a 60 s grace period', () => {
      expect(service.HealthCheckGracePeriodSeconds).toBe(60);
    });
  }
});

/** The scaling target of a service and the policies that scale it. */
function scalingOf(workload: SecureAlbFargateService | WorkerService) {
  const serviceId = r.idOf(workload.service);
  const targets = r.ofType('AWS::ApplicationAutoScaling::ScalableTarget').filter(([, t]) => references(t, serviceId));
  const policies = r.ofType('AWS::ApplicationAutoScaling::ScalingPolicy').filter(([, p]) => targets.some(([id]) => references(p, id)));
  return { targets, policies: policies.map(([, p]) => p.Properties) };
}
const targetTracking = (policies: any[], metric: string) => policies
  .filter(p => p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === metric)
  .map(p => p.TargetTrackingScalingPolicyConfiguration.TargetValue);

describe.each(ecsServices)('Autoscaling of %s', (_, workload) => {
  const { targets, policies } = scalingOf(workload);
  const web = workload instanceof SecureAlbFargateService;

  test(web ? 'scales 2..4 tasks (production profile)' : 'scales 1..4 tasks (worker default)', () => {
    expect(targets.map(([, t]) => t.Properties)).toEqual([expect.objectContaining({
      MinCapacity: web ? 2 : 1, MaxCapacity: 4, ScalableDimension: 'ecs:service:DesiredCount',
    })]);
  });

  if (web) {
    test('tracks 80 % CPU and 80 % memory', () => {
      expect(targetTracking(policies, 'ECSServiceAverageCPUUtilization')).toEqual([80]);
      expect(targetTracking(policies, 'ECSServiceAverageMemoryUtilization')).toEqual([80]);
    });
  } else if ((workload as WorkerService).queue) {
    test('steps on the backlog per task: -1 below 0, +1 from 10, +3 from 40 messages, 60 s cooldown', () => {
      const steps = policies.filter(p => p.PolicyType === 'StepScaling').map(p => p.StepScalingPolicyConfiguration);
      expect(steps.flatMap(s => s.StepAdjustments).map((a: any) => a.ScalingAdjustment).sort()).toEqual([-1, 1, 3].sort());
      for (const step of steps) expect(step).toMatchObject({ AdjustmentType: 'ChangeInCapacity', Cooldown: 60 });
      const upper = alarmsOfKind('backlog scaling step').filter(([id, a]) => /Upper/.test(id) && references(a, r.idOf((workload as WorkerService).queue!)));
      expect(upper.map(([, a]) => a.Properties.Threshold)).toEqual([10]);
    });
  } else {
    test('an internal worker tracks 80 % CPU', () => {
      expect(targetTracking(policies, 'ECSServiceAverageCPUUtilization')).toEqual([80]);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Task definitions and containers.

/** Task size by workload kind: the production profile's web service size, WORKER_DEFAULTS, the job's 512 / 1024. */
const taskDefinitions = r.ofType('AWS::ECS::TaskDefinition').map(([id, td]) => {
  const owner = [...webServices, ...workers, ...jobs].find(w => r.idOf(w.taskDefinition) === id);
  const size = owner instanceof SecureAlbFargateService ? { Cpu: '1024', Memory: '2048' } : { Cpu: '512', Memory: '1024' };
  return [r.named(id), td.Properties, owner, size] as const;
});

describe.each(taskDefinitions)('Task definition %s', (_, td, owner, size) => {
  test('belongs to a web service, worker or job of the platform', () => {
    expect(owner).toBeDefined();
  });

  test(`Fargate, awsvpc, ${size.Cpu} CPU / ${size.Memory} MiB`, () => {
    expect(td).toMatchObject({ NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE'], ...size });
  });

  test('separate execution and task roles', () => {
    expect(td.ExecutionRoleArn).toBeDefined();
    expect(td.TaskRoleArn).toBeDefined();
    expect(td.ExecutionRoleArn).not.toEqual(td.TaskRoleArn);
  });

  test('every container logs to a log group of its own through awslogs, is not privileged, and takes credentials as secrets only', () => {
    const groups = td.ContainerDefinitions.map((c: any) => c.LogConfiguration?.Options?.['awslogs-group']);
    for (const container of td.ContainerDefinitions) {
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
      expect(r.resources[container.LogConfiguration.Options['awslogs-group'].Ref].Type).toBe('AWS::Logs::LogGroup');
      expect(container.Privileged).toBeUndefined();
      expect((container.Environment ?? []).map((e: any) => e.Name).filter((n: string) => /PASSWORD|SECRET|TOKEN|API_KEY/.test(n))).toEqual([]);
      for (const secret of container.Secrets ?? []) expect(secret.ValueFrom).toBeDefined();
    }
    expect(new Set(groups.map((g: any) => g.Ref)).size).toBe(groups.length);
  });

  if (owner instanceof CleanupJobScheduler) {
    test(`the job's command runs as given, under a runtime guard outside the task (${JOB_TIMEOUT_SECONDS[owner.node.id]} s, 80 % of the rate)`, () => {
      expect(td.ContainerDefinitions[0].Command[0]).not.toBe('timeout');
      // The platform's one guard function (docs/adr/0016), invoked by the job's rule with the job's family and limit.
      expect(owner.runtimeGuardFunction).toBe(platform.node.findChild('RuntimeGuard').node.findChild('Function'));
      const target = r.resources[r.idOf((owner.node.findChild('RuntimeGuard') as RuntimeGuard).rule)].Properties.Targets[0];
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [r.idOf(owner.runtimeGuardFunction!), 'Arn'] });
      expect(target.Input['Fn::Join'][1][2]).toBe(`","family":"${td.Family}","maxRuntimeSeconds":"${JOB_TIMEOUT_SECONDS[owner.node.id]}"}`);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Target groups, listeners, listener rules and the load balancer's security group.

/** Every target group of every web service (primary and blue/green alternate), with the container it serves. */
const groupOwners = webServices.flatMap(s => [...Object.entries(s.targetGroups), ...Object.entries(s.alternateTargetGroups)]
  .map(([container, group]) => ({ id: r.idOf(group), container, service: s })));

describe.each(r.ofType('AWS::ElasticLoadBalancingV2::TargetGroup').map(([id, tg]) => [r.named(id), id, tg.Properties] as const))('Target group %s', (_, id, tg) => {
  const owner = groupOwners.find(o => o.id === id);
  const path = HEALTH_CHECK_PATHS[owner?.container ?? ''] ?? '/health';

  test('serves a container of a web service of the platform, by IP over HTTP', () => {
    expect(owner).toBeDefined();
    expect(tg).toMatchObject({ Protocol: 'HTTP', TargetType: 'ip' });
  });

  test(`health check ${path} every 10 s, 5 s timeout, 2 successes healthy, 3 failures unhealthy, only 200-399 healthy`, () => {
    expect(tg).toMatchObject({
      HealthCheckPath: path,
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-399' },
    });
  });

  test('deregistration delay 30 s', () => {
    expect(tg.TargetGroupAttributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });
  });
});

describe.each(r.ofType('AWS::ElasticLoadBalancingV2::Listener').map(([id, l]) => [r.named(id), l.Properties] as const))('Listener %s', (_, listener) => {
  test('HTTPS on the load balancer certificate with the recommended TLS 1.3 / 1.2 policy', () => {
    expect(listener).toMatchObject({ Protocol: 'HTTPS', SslPolicy: RECOMMENDED_TLS, Certificates: [{ CertificateArn: expect.anything() }] });
  });

  if (listener.Port !== 443) {
    test('a blue/green test listener answers 403 to what no rule takes, and only smoke-test functions may reach its port', () => {
      expect(listener.DefaultActions).toEqual([expect.objectContaining({ Type: 'fixed-response', FixedResponseConfig: expect.objectContaining({ StatusCode: '403' }) })]);
      const ingress = r.ofType('AWS::EC2::SecurityGroupIngress').map(([, i]) => i.Properties)
        .filter(i => loadBalancerGroups.some(g => references({ Properties: i.GroupId }, g)))
        .filter(i => i.FromPort <= listener.Port && i.ToPort >= listener.Port);
      expect(ingress.length).toBeGreaterThan(0);
      for (const rule of ingress) expect(rule.SourceSecurityGroupId['Fn::GetAtt'][0]).toMatch(/SmokeTestSecurityGroup/);
    });
  }
});

const groupIds = new Set(r.ofType('AWS::ElasticLoadBalancingV2::TargetGroup').map(([id]) => id));
describe.each(r.ofType('AWS::ElasticLoadBalancingV2::ListenerRule').map(([id, rule]) => [r.named(id), rule.Properties] as const))('Listener rule %s', (_, rule) => {
  test('matches paths and forwards only to target groups of the platform\'s services', () => {
    expect(rule.Conditions.map((c: any) => c.Field)).toContain('path-pattern');
    expect(rule.Actions).toHaveLength(1);
    const [action] = rule.Actions;
    const forwarded = action.TargetGroupArn ? [action.TargetGroupArn] : action.ForwardConfig.TargetGroups.map((g: any) => g.TargetGroupArn);
    for (const arn of forwarded) expect(groupIds.has(arn.Ref)).toBe(true);
  });

  if (rule.Actions[0].ForwardConfig) {
    test('a blue/green rule starts with all traffic on the primary target group (100 / 0)', () => {
      expect(rule.Actions[0].ForwardConfig.TargetGroups.map((g: any) => g.Weight)).toEqual([100, 0]);
    });
  }
});

test(`the load balancer ${r.named(loadBalancerGroup)} admits HTTPS only from CloudFront's origin-facing prefix list and test ports only from smoke tests`, () => {
  const ingress = r.ofType('AWS::EC2::SecurityGroupIngress').map(([, i]) => i.Properties).filter(i => references({ Properties: i.GroupId }, loadBalancerGroup));
  expect(ingress).toContainEqual(expect.objectContaining({ FromPort: 443, ToPort: 443, SourcePrefixListId: expect.anything() }));
  for (const rule of ingress) {
    if (rule.SourcePrefixListId) expect([rule.FromPort, rule.ToPort]).toEqual([443, 443]);
    else expect(rule.SourceSecurityGroupId['Fn::GetAtt'][0]).toMatch(/SmokeTestSecurityGroup/);
  }
});

test(`the load balancer ${r.named(loadBalancer)} is internal, drops invalid headers, is deletion-protected and logs access`, () => {
  const attributes = Object.fromEntries(r.resources[loadBalancer].Properties.LoadBalancerAttributes.map((a: any) => [a.Key, a.Value]));
  expect(r.resources[loadBalancer].Properties.Scheme).toBe('internal');
  expect(attributes).toMatchObject({
    'routing.http.drop_invalid_header_fields.enabled': 'true', 'deletion_protection.enabled': 'true', 'access_logs.s3.enabled': 'true',
  });
});

// ---------------------------------------------------------------------------------------------------------------
// CloudFront: the default behaviour and every cached path.

const distribution = r.ofType('AWS::CloudFront::Distribution').map(([id, d]) => [id, d.Properties.DistributionConfig] as const);
const behaviours = distribution.flatMap(([id, config]) => [
  [`${r.named(id)} default behaviour`, config.DefaultCacheBehavior, 'default'] as const,
  ...(config.CacheBehaviors ?? []).map((b: any) => [`${r.named(id)} behaviour ${b.PathPattern}`, b, 'cached'] as const),
]);

test('the distribution has a cached behaviour for each of cachedPathPatterns', () => {
  expect(distribution.flatMap(([, config]) => (config.CacheBehaviors ?? []).map((b: any) => b.PathPattern))).toEqual(CACHED_PATHS);
});

describe.each(behaviours)('CloudFront %s', (_, behaviour, kind) => {
  test('redirects HTTP to HTTPS and answers with the managed security-headers policy', () => {
    expect(behaviour.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behaviour.ResponseHeadersPolicyId).toBe(SECURITY_HEADERS_POLICY);
  });

  if (kind === 'default') {
    test('caches nothing, forwards every viewer header but Host, allows every method', () => {
      expect(behaviour).toMatchObject({ CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER });
      expect(behaviour.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']));
    });
  } else {
    test('caches with the managed CachingOptimized policy and allows only GET, HEAD and OPTIONS', () => {
      expect(behaviour.CachePolicyId).toBe(CACHING_OPTIMIZED);
      expect(behaviour.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    });
  }
});

describe.each(distribution.map(([id, config]) => [r.named(id), config] as const))('CloudFront distribution %s', (_, config) => {
  test('HTTP/2 and 3, price class 100, standard logs to the access-log bucket', () => {
    expect(config).toMatchObject({ HttpVersion: 'http2and3', PriceClass: 'PriceClass_100', Logging: { Bucket: expect.anything(), Prefix: 'cloudfront/' } });
  });

  test('every origin is a VPC origin reached over HTTPS with TLS 1.2, 60 s read timeout', () => {
    for (const origin of config.Origins) {
      expect(origin.VpcOriginConfig.OriginReadTimeout).toBe(60);
      const vpcOrigin = r.resources[origin.VpcOriginConfig.VpcOriginId['Fn::GetAtt'][0]].Properties.VpcOriginEndpointConfig;
      expect(vpcOrigin).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Alarms: the literal rule of each kind, on every alarm of every workload.

interface AlarmKind {
  readonly kind: string;
  readonly match: RegExp;
  /** Properties every alarm of the kind has, as InfraMonitoring, private/alarms.ts and the workloads set them. */
  readonly properties: { [key: string]: unknown };
  /** Period and statistic of the metric (or of every metric an expression uses), and the expression. */
  readonly metric: { readonly period: number; readonly stat?: string; readonly expression?: string };
  /** Whether it pages the alarm topic (scaling alarms act on their scaling policy instead). */
  readonly pages?: false;
}
const PERCENT_5XX = '100 * FILL(errors, 0) / MAX([requests, 1])';
const once = { ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1, DatapointsToAlarm: undefined, TreatMissingData: 'notBreaching' };
const ALARM_KINDS: AlarmKind[] = [
  { kind: '5xx rate', match: /5xxRate$/, properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching' }, metric: { period: 60, stat: 'Sum', expression: PERCENT_5XX } },
  // p99 of one target group, or of each group an expression combines (both groups of a blue/green container).
  { kind: 'p99 latency', match: /P99LatencyHigh$/, properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 2, EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' }, metric: { period: 60, stat: 'p99' } },
  { kind: 'unhealthy hosts', match: /Monitoring\w*UnhealthyHosts\w*$/, properties: { ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' }, metric: { period: 60, stat: 'Maximum' } },
  { kind: 'blue/green unhealthy hosts', match: /UnhealthyHostsAlarm$/, properties: { ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching' }, metric: { period: 60, stat: 'Maximum' } },
  { kind: 'tasks below desired', match: /TasksBelowDesired$/, properties: { ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 5, DatapointsToAlarm: 5, TreatMissingData: 'breaching' }, metric: { period: 60, expression: 'desired - running' } },
  { kind: 'service CPU', match: /ServiceCpuHigh$/, properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 90, EvaluationPeriods: 5, DatapointsToAlarm: 4, TreatMissingData: 'missing' }, metric: { period: 60, stat: 'Average' } },
  { kind: 'service memory', match: /ServiceMemoryHigh$/, properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 90, EvaluationPeriods: 5, DatapointsToAlarm: 4, TreatMissingData: 'missing' }, metric: { period: 60, stat: 'Average' } },
  { kind: 'database CPU', match: /DatabaseCpuHigh$/, properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 80, EvaluationPeriods: 10, DatapointsToAlarm: 8, TreatMissingData: 'breaching' }, metric: { period: 60, stat: 'Average' } },
  { kind: 'database free storage', match: /DatabaseFreeStorageLow$/, properties: { ComparisonOperator: 'LessThanThreshold', Threshold: 5 * 1024 ** 3, EvaluationPeriods: 5, DatapointsToAlarm: 5, TreatMissingData: 'breaching' }, metric: { period: 60, stat: 'Minimum' } },
  { kind: 'database connections', match: /DatabaseConnectionsHigh$/, properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 200, EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'breaching' }, metric: { period: 60, stat: 'Maximum' } },
  { kind: 'cache CPU', match: /CacheCpuHigh$/, properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 90, EvaluationPeriods: 5, DatapointsToAlarm: 4, TreatMissingData: 'breaching' }, metric: { period: 60, stat: 'Maximum', expression: 'MAX([n0, n1])' } },
  { kind: 'cache memory', match: /CacheMemoryHigh$/, properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 90, EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'breaching' }, metric: { period: 60, stat: 'Maximum', expression: 'MAX([n0, n1])' } },
  { kind: 'oldest message', match: /OldestMessageAlarm$/, properties: { ComparisonOperator: 'GreaterThanThreshold', Threshold: 15 * 60, EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' }, metric: { period: 60, stat: 'Maximum' } },
  { kind: 'dead letters', match: /DeadLetterAlarm$/, properties: once, metric: { period: 300, stat: 'Maximum' } },
  { kind: 'any failure', match: /(RotationRedeployErrorsAlarm|SmokeTestErrorsAlarm|FailedLaunchAlarm|FailedRunAlarm|FailedAlarm)$/, properties: once, metric: { period: 300, stat: 'Sum' } },
  { kind: 'backlog scaling step', match: /BacklogScaling(Lower|Upper)Alarm$/, properties: { EvaluationPeriods: 1 }, metric: { period: 60 }, pages: false },
];

/** Period and statistic of an alarm's metric, or of each metric its expression reads. */
function metricsOf(alarm: any): Array<{ period: number; stat?: string }> {
  if (!alarm.Metrics) return [{ period: alarm.Period, stat: alarm.Statistic ?? alarm.ExtendedStatistic }];
  return alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => ({ period: m.MetricStat.Period, stat: m.MetricStat.Stat }));
}
const expressionOf = (alarm: any): string | undefined => alarm.Metrics?.find((m: any) => m.Expression)?.Expression;

const alarms = r.ofType('AWS::CloudWatch::Alarm');
const kindOf = (id: string) => ALARM_KINDS.find(k => k.match.test(hashless(id)));
const alarmsOfKind = (kind: string) => alarms.filter(([id]) => kindOf(id)?.kind === kind);

describe.each(alarms.map(([id, a]) => [r.named(id), id, a.Properties] as const))('Alarm %s', (_, id, alarm) => {
  const kind = kindOf(id);

  if (kind?.pages === false) {
    test('acts on its scaling policy', () => {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.any(String) }]);
      expect(r.resources[alarm.AlarmActions[0].Ref].Type).toBe('AWS::ApplicationAutoScaling::ScalingPolicy');
    });
  } else {
    test('pages the monitoring topic on ALARM and on OK, and decides what missing data means', () => {
      expect(alarm.AlarmActions).toEqual([ref(topic)]);
      expect(alarm.OKActions).toEqual([ref(topic)]);
      expect(['breaching', 'notBreaching', 'missing', 'ignore']).toContain(alarm.TreatMissingData);
    });
  }

  if (kind) {
    const { properties, metric } = kind;
    test(`is a ${kind.kind} alarm: ${Object.entries(properties).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`).join(', ')}; `
      + `metric period ${metric.period} s${metric.stat ? ` ${metric.stat}` : ''}${metric.expression ? ` of ${metric.expression}` : ''}`, () => {
      for (const [key, value] of Object.entries(properties)) expect([key, alarm[key]]).toEqual([key, value]);
      for (const m of metricsOf(alarm)) expect(m).toEqual({ period: metric.period, stat: metric.stat ?? m.stat });
      if (metric.expression) expect(expressionOf(alarm)).toBe(metric.expression);
    });
  }
});

/** The alarms of a kind whose metric reads the resource with this logical ID. */
const watching = (kind: string, id: string) => alarmsOfKind(kind).filter(([, a]) => references(a, id)).map(([alarmId]) => alarmId);

describe.each(webServices.map(s => [r.named(r.idOf(s.service)), s] as const))('Alarms of web service %s', (_, service) => {
  const own = service !== platform.service;
  const groups = Object.entries(service.targetGroups);

  test('its missing tasks page', () => {
    expect(watching('tasks below desired', r.idOf(service.service))).not.toEqual([]);
  });

  test.each(groups.map(([container, group]) => [container, r.idOf(group)]))('container %s (target group %s): unhealthy hosts page', (__, group) => {
    expect(watching('unhealthy hosts', group)).not.toEqual([]);
  });

  if (own) {
    test.each(groups.map(([container, group]) => [container, r.idOf(group)]))('container %s (target group %s): its own 5xx rate and p99 latency page', (__, group) => {
      expect(watching('5xx rate', group)).not.toEqual([]);
      expect(watching('p99 latency', group)).not.toEqual([]);
    });
  } else {
    test('the load balancer\'s and the targets\' 5xx rate and p99 latency page', () => {
      const onLoadBalancer = (kind: string) => alarmsOfKind(kind)
        .filter(([, a]) => references(a, loadBalancer) && !groups.some(([, g]) => references(a, r.idOf(g))));
      expect(onLoadBalancer('5xx rate').map(([id]) => hashless(id)).sort()).toEqual(['BackendMonitoringLoadBalancer5xxRate', 'BackendMonitoringTarget5xxRate']);
      expect(onLoadBalancer('p99 latency').map(([id]) => hashless(id))).toEqual(['BackendMonitoringP99LatencyHigh']);
    });
  }

  if (service.deploymentStrategy === 'BLUE_GREEN') {
    test.each([...groups, ...Object.entries(service.alternateTargetGroups)].map(([container, group]) => [container, r.idOf(group)]))(
      'container %s (target group %s): unhealthy hosts roll a blue/green deployment back', (__, group) => {
        const [alarm] = watching('blue/green unhealthy hosts', group);
        expect(alarm).toBeDefined();
        expect(serviceOf(service).DeploymentConfiguration.Alarms.AlarmNames).toContainEqual(ref(alarm));
      });
  }

  // aws-cdk-lib's enableDeploymentAlarms keeps the names of its first call only (aws/aws-cdk#36308): one list per service.
  test('rollouts roll back on its 5xx rate and p99 latency alarms', () => {
    const rollback = own
      ? groups.flatMap(([, g]) => [...watching('5xx rate', r.idOf(g)), ...watching('p99 latency', r.idOf(g))])
      : [...alarmsOfKind('5xx rate'), ...alarmsOfKind('p99 latency')].map(([id]) => id).filter(id => /^BackendMonitoring(LoadBalancer5xxRate|Target5xxRate|P99LatencyHigh)/.test(id));
    expect(rollback.length).toBeGreaterThan(0);
    expect(serviceOf(service).DeploymentConfiguration.Alarms).toMatchObject({ Enable: true, Rollback: true });
    expect(serviceOf(service).DeploymentConfiguration.Alarms.AlarmNames).toEqual(expect.arrayContaining(rollback.map(ref)));
  });
});

describe.each(workers.filter(w => w.queue).map(w => [r.named(r.idOf(w.service)), w] as const))('Alarms of queue worker %s', (_, worker) => {
  test('messages waiting too long page', () => {
    expect(watching('oldest message', r.idOf(worker.queue!))).not.toEqual([]);
  });
  test('messages in its dead-letter queue page', () => {
    expect(watching('dead letters', r.idOf(worker.deadLetterQueue!))).not.toEqual([]);
  });
});

describe.each(jobs.map(j => [r.named(r.idOf(j.rule)), j] as const))('Alarms of scheduled job %s', (_, job) => {
  test('failed launches page', () => {
    expect(watching('any failure', r.idOf(job.rule))).not.toEqual([]);
  });
  test('launches in its dead-letter queue page', () => {
    expect(watching('dead letters', r.idOf(job.deadLetterQueue))).not.toEqual([]);
  });
  test('failed runs page', () => {
    expect(watching('any failure', r.idOf(job.node.findChild('FailedRunRule')))).not.toEqual([]);
  });
});

const functions = [...webServices.flatMap(s => [s.smokeTestFunction, s.rotationRedeployFunction]), ...workers.map(w => w.rotationRedeployFunction)]
  .filter((fn): fn is NonNullable<typeof fn> => fn !== undefined);
describe.each(functions.map(fn => [r.named(r.idOf(fn)), r.idOf(fn)] as const))('Deployment function %s', (_, id) => {
  test('its errors page', () => {
    expect(watching('any failure', id)).not.toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Scheduled jobs, queues, log groups, security groups.

describe.each(jobs.map(j => [r.named(r.idOf(j.rule)), j] as const))('Schedule of job %s', (_, job) => {
  const [target] = r.resources[r.idOf(job.rule)].Properties.Targets;

  test('runs on Fargate in the private subnets, without a public IP, in the job\'s own security group', () => {
    expect(target.EcsParameters).toMatchObject({
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsVpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: privateSubnets, SecurityGroups: [{ 'Fn::GetAtt': [r.idOf(job.securityGroup), 'GroupId'] }] } },
    });
  });

  test('retries a failed launch twice within an hour, then keeps it in its dead-letter queue', () => {
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [r.idOf(job.deadLetterQueue), 'Arn'] } });
  });
});

const queuePolicies = r.ofType('AWS::SQS::QueuePolicy').map(([, p]) => p.Properties);
describe.each(r.ofType('AWS::SQS::Queue').map(([id, q]) => [r.named(id), id, q.Properties] as const))('Queue %s', (_, id, queue) => {
  test('is encrypted with SQS-managed keys and refuses requests without TLS', () => {
    expect(queue.SqsManagedSseEnabled).toBe(true);
    const statements = queuePolicies.filter(p => p.Queues.some((q: any) => q.Ref === id)).flatMap(p => p.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  if (queue.RedrivePolicy) {
    test('a work queue keeps messages 4 days, hides them 5 minutes, moves them to its dead-letter queue after 5 receives', () => {
      expect(queue).toMatchObject({ MessageRetentionPeriod: 4 * 86400, VisibilityTimeout: 300, RedrivePolicy: { maxReceiveCount: 5 } });
    });
  } else {
    test('a dead-letter queue keeps failed messages 14 days', () => {
      expect(queue.MessageRetentionPeriod).toBe(14 * 86400);
    });
  }
});

describe.each(r.ofType('AWS::Logs::LogGroup').map(([id, g]) => [r.named(id), g] as const))('Log group %s', (_, group) => {
  test('keeps logs one year (production profile)', () => {
    expect(group.Properties.RetentionInDays).toBe(365);
  });
  test('is encrypted with the platform\'s logs key', () => {
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logsKey, 'Arn'] });
  });
  test('is retained when the stack is deleted (production teardown)', () => {
    expect(group.DeletionPolicy).toBe('Retain');
  });
});

const ingressOf = (groupId: string) => [
  ...(r.resources[groupId].Properties.SecurityGroupIngress ?? []),
  ...r.ofType('AWS::EC2::SecurityGroupIngress').map(([, i]) => i.Properties).filter(i => references({ Properties: i.GroupId }, groupId)),
];
const OPEN = ['0.0.0.0/0', '::/0'];

describe.each(r.ofType('AWS::EC2::SecurityGroup').map(([id]) => [r.named(id), id] as const))('Security group %s', (_, id) => {
  test('admits nothing from 0.0.0.0/0 or ::/0, nor from any CIDR: only from security groups or CloudFront\'s prefix list', () => {
    for (const rule of ingressOf(id)) {
      expect(OPEN).not.toContain(rule.CidrIp);
      expect(OPEN).not.toContain(rule.CidrIpv6);
      expect([rule.CidrIp, rule.CidrIpv6]).toEqual([undefined, undefined]);
      expect(rule.SourceSecurityGroupId ?? rule.SourcePrefixListId).toBeDefined();
    }
  });
});

const sourceGroup = (rule: any): string => rule.SourceSecurityGroupId?.['Fn::GetAtt']?.[0];
const workloadGroups = new Set([
  ...webServices.map(s => r.idOf(s.serviceSecurityGroup)), ...workers.map(w => r.idOf(w.securityGroup)), ...jobs.map(j => r.idOf(j.securityGroup)),
]);

describe.each(webServices.map(s => [r.named(r.idOf(s.serviceSecurityGroup)), s] as const))('Task security group of web service %s', (_, service) => {
  test('admits only the load balancer, only on the ports of its containers', () => {
    const ports = new Set([...Object.values(service.targetGroups)].map(g => r.resources[r.idOf(g)].Properties.Port));
    const ingress = ingressOf(r.idOf(service.serviceSecurityGroup));
    expect(new Set(ingress.map(i => i.FromPort))).toEqual(ports);
    for (const rule of ingress) {
      expect(sourceGroup(rule)).toBe(loadBalancerGroup);
      expect(rule.ToPort).toBe(rule.FromPort);
    }
  });
});

describe.each([...workers, ...jobs].map(w => [r.named(r.idOf(w.securityGroup)), w] as const))('Security group of %s', (_, workload) => {
  // The internal worker's port, as addWorker('Pricing') sets it above.
  const port = workload instanceof WorkerService && workload.serviceConnectName ? 8080 : undefined;
  test(port ? `admits only the platform's workloads, only on its Service Connect port ${port}` : 'admits nothing', () => {
    const ingress = ingressOf(r.idOf(workload.securityGroup));
    if (!port) expect(ingress).toEqual([]);
    for (const rule of ingress) {
      expect([rule.FromPort, rule.ToPort]).toEqual([port, port]);
      expect(workloadGroups.has(sourceGroup(rule))).toBe(true);
    }
  });
});

describe.each([['database', platform.database!.securityGroup, 5432], ['cache', platform.cache!.securityGroup, 6379]] as const)('Security group of the %s', (_, group, port) => {
  test(`admits only the platform's workloads, only on ${port}; sends nothing`, () => {
    const ingress = ingressOf(r.idOf(group));
    expect(ingress.length).toBeGreaterThan(0);
    for (const rule of ingress) {
      expect([rule.FromPort, rule.ToPort]).toEqual([port, port]);
      expect(workloadGroups.has(sourceGroup(rule))).toBe(true);
    }
    expect(r.resources[r.idOf(group)].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Behind a public ALB: every rule of every service checks CloudFront's origin-verify header.

describe('Behind a public ALB', () => {
  const pub = publicAlbPlatform();
  const p = inspect(pub.stack, pub.template);
  const secret = p.idOf(pub.platform.service.node.findChild('OriginVerifySecret'));
  const listener = p.idOf(pub.platform.service.listener);
  const group = p.idOf(pub.platform.service.loadBalancerSecurityGroup);

  describe.each(p.ofType('AWS::ElasticLoadBalancingV2::ListenerRule').map(([id, rule]) => [p.named(id), rule.Properties] as const))('listener rule %s', (_, rule) => {
    test('is on the HTTPS listener and requires the X-Origin-Verify header holding the origin secret (besides its paths, if any)', () => {
      expect(rule.ListenerArn).toEqual(ref(listener));
      expect(rule.Conditions.map((c: any) => c.Field).filter((f: string) => f !== 'path-pattern')).toEqual(['http-header']);
      const header = rule.Conditions.find((c: any) => c.Field === 'http-header').HttpHeaderConfig;
      expect(header.HttpHeaderName).toBe('X-Origin-Verify');
      expect(JSON.stringify(header.Values)).toContain(`{"Ref":"${secret}"}`);
      expect(JSON.stringify(header.Values)).toMatch(/resolve:secretsmanager:/);
    });
  });

  test(`the HTTPS listener ${p.named(listener)} answers 403 to requests no rule takes (no origin header: no service)`, () => {
    expect(p.resources[listener].Properties).toMatchObject({
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: RECOMMENDED_TLS,
      DefaultActions: [expect.objectContaining({ Type: 'fixed-response', FixedResponseConfig: expect.objectContaining({ StatusCode: '403' }) })],
    });
  });

  test(`the load balancer ${p.named(group)} admits only HTTPS, only from CloudFront's origin-facing prefix list`, () => {
    const ingress = [...(p.resources[group].Properties.SecurityGroupIngress ?? []),
      ...p.ofType('AWS::EC2::SecurityGroupIngress').map(([, i]) => i.Properties).filter(i => references({ Properties: i.GroupId }, group))];
    expect(ingress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourcePrefixListId: expect.anything() })]);
  });

  test('CloudFront sends the origin secret in X-Origin-Verify, over HTTPS only with TLS 1.2', () => {
    const [[, d]] = p.ofType('AWS::CloudFront::Distribution');
    for (const origin of d.Properties.DistributionConfig.Origins) {
      expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
      expect(origin.OriginCustomHeaders.map((h: any) => h.HeaderName)).toEqual(['X-Origin-Verify']);
      expect(JSON.stringify(origin.OriginCustomHeaders)).toContain(`{"Ref":"${secret}"}`);
    }
  });
});
