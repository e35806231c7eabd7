/**
 * A backend service behind an internal load balancer (docs/adr/0023): a worker with a port and `internalLoadBalancer`,
 * standalone and through `BackendPlatform`.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { synthesized, worker } from './builders';
import { givenStack } from './fixtures';
import { BackendPlatform, BackendPlatformProps, EnvironmentProfile, InternalLoadBalancer, PlatformWorkerOptions, ServiceImage, WorkerService } from '../src';

const resources = (template: Template, type: string) => Object.entries<any>(template.findResources(type));
const ref = (id: string) => ({ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${id}`)), 'GroupId'] });
const groupOf = (id: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${id}`), 'GroupId'] });

/** A production platform in the zone example.com with a cleanup job, and the workers added to it in order. */
function platformWith(workers: Array<[string, PlatformWorkerOptions]>, props: Partial<BackendPlatformProps> = {}) {
  const stack = new Stack(new App(), 'Shop');
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone, cleanupJob: { command: ['node', 'cleanup.js'] }, ...props });
  const added = workers.map(([id, options]) => platform.addWorker(id, options));
  return { platform, added, stack, template: Template.fromStack(stack) };
}

describe('GIVEN a standalone worker with a port and internalLoadBalancer: {}', () => {
  const built = worker({ queue: undefined, port: 8080, internalLoadBalancer: {} });
  const template = Template.fromStack(Stack.of(built));

  test('THEN it creates an internal ALB in the private subnets, deletion-protected, dropping invalid headers, logging to an encrypted bucket', () => {
    const [[, lb]] = resources(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb.Properties.Scheme).toBe('internal');
    expect(lb.Properties.Subnets).toEqual([{ Ref: expect.stringMatching(/^VpcprivateSubnet1/) }, { Ref: expect.stringMatching(/^VpcprivateSubnet2/) }]);
    expect(lb.Properties.LoadBalancerAttributes).toEqual(expect.arrayContaining([
      { Key: 'deletion_protection.enabled', Value: 'true' },
      { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      { Key: 'access_logs.s3.enabled', Value: 'true' },
      { Key: 'access_logs.s3.prefix', Value: 'internal-alb' },
    ]));
    template.hasResourceProperties('AWS::S3::Bucket', { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } });
  });

  test('THEN its listener is HTTP 80 answering 404 to any path no worker routes, and the worker\'s rule forwards its paths to its target group', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' } }],
    });
    const [[, rule]] = resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rule.Properties.Conditions).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/worker', '/worker/*'] } }]);
    expect(rule.Properties.Actions).toEqual([expect.objectContaining({ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^WorkerTargetGroup/) } })]);
    expect(rule.Properties.Priority).toBeGreaterThanOrEqual(1);
    expect(rule.Properties.Priority).toBeLessThanOrEqual(50000);
  });

  test('THEN the target group checks /health on the worker\'s port with the web service\'s defaults, and the service registers its container', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-399' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
    const [[, service]] = resources(template, 'AWS::ECS::Service');
    expect(service.Properties.LoadBalancers).toEqual([{ ContainerName: 'worker', ContainerPort: 8080, TargetGroupArn: { Ref: expect.stringMatching(/^WorkerTargetGroup/) } }]);
    expect(service.Properties.HealthCheckGracePeriodSeconds).toBe(60);
    expect(service.Properties.ServiceConnectConfiguration.Enabled).toBe(true);
  });

  test('THEN it pages when its targets fail their health checks, on the target group\'s metric', () => {
    const [[, alarm]] = resources(template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('WorkerUnhealthyTargetsAlarm'));
    expect(alarm.Properties).toMatchObject({
      MetricName: 'UnHealthyHostCount',
      Namespace: 'AWS/ApplicationELB',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Properties.Dimensions.map((d: any) => d.Name).sort()).toEqual(['LoadBalancer', 'TargetGroup']);
    expect(built.alarms.map(a => a.node.id)).toEqual(['UnhealthyTargetsAlarm']);
  });

  test('THEN the ALB admits no address range and reaches only the worker\'s port; the worker admits the ALB on it', () => {
    const [[lbGroupId, lbGroup]] = resources(template, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('WorkerInternalLoadBalancerSecurityGroup'));
    expect(lbGroup.Properties.SecurityGroupIngress).toBeUndefined();
    // No inline egress (allowAllOutbound: false): its one egress rule is the worker's port.
    expect(lbGroup.Properties.SecurityGroupEgress).toBeUndefined();
    const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    expect(ingress).toEqual([expect.objectContaining({ FromPort: 8080, ToPort: 8080, GroupId: ref('WorkerSecurityGroup'), SourceSecurityGroupId: ref(lbGroupId) })]);
    const egress = resources(template, 'AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties);
    expect(egress).toEqual([expect.objectContaining({ FromPort: 8080, ToPort: 8080, GroupId: ref(lbGroupId), DestinationSecurityGroupId: ref('WorkerSecurityGroup') })]);
    const inlineIngress = resources(template, 'AWS::EC2::SecurityGroup').flatMap(([, g]) => g.Properties.SecurityGroupIngress ?? []);
    expect([...ingress, ...inlineIngress].filter(rule => rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined)).toEqual([]);
  });

  test('THEN allowFrom admits a client to the ALB\'s listener and the worker\'s port, and the worker exposes its URL', () => {
    const served = worker({ queue: undefined, port: 8080, internalLoadBalancer: {} });
    const stack = Stack.of(served);
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: served.cluster.vpc });
    served.allowFrom(client);
    const after = Template.fromStack(stack);
    after.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 80, ToPort: 80, GroupId: groupOf('WorkerInternalLoadBalancerSecurityGroup'), SourceSecurityGroupId: groupOf('Client') });
    after.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, ToPort: 8080, GroupId: groupOf('WorkerSecurityGroup'), SourceSecurityGroupId: groupOf('Client') });
    expect(stack.resolve(served.internalLoadBalancerUrl)).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [expect.stringMatching(/^WorkerInternalLoadBalancer/), 'DNSName'] }, '/worker']] });
  });
});

describe('GIVEN the health check and paths of Copilot\'s http block', () => {
  test('THEN every field reaches the target group, the grace period the service, and the health check port is opened to the ALB', () => {
    const built = worker({
      queue: undefined,
      port: 8080,
      healthCheckPath: '/ready',
      internalLoadBalancer: {
        pathPatterns: ['/api/*'],
        healthCheckPort: 8081,
        healthCheckSuccessCodes: '200,204',
        healthCheckInterval: Duration.seconds(20),
        healthCheckTimeout: Duration.seconds(8),
        healthyThresholdCount: 3,
        unhealthyThresholdCount: 4,
        deregistrationDelay: Duration.seconds(5),
        healthCheckGracePeriod: Duration.seconds(90),
        priority: 7,
      },
    });
    const template = Template.fromStack(Stack.of(built));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/ready',
      HealthCheckPort: '8081',
      Matcher: { HttpCode: '200,204' },
      HealthCheckIntervalSeconds: 20,
      HealthCheckTimeoutSeconds: 8,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 4,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 7, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }] });
    template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 90 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8081, ToPort: 8081, GroupId: groupOf('WorkerSecurityGroup'), SourceSecurityGroupId: groupOf('WorkerInternalLoadBalancerSecurityGroup') });
    expect(Stack.of(built).resolve(built.internalLoadBalancerUrl)['Fn::Join'][1][2]).toBe('/api');
  });

  test('THEN a short interval gets a timeout one second below it', () => {
    const built = worker({ queue: undefined, port: 8080, internalLoadBalancer: { healthCheckInterval: Duration.seconds(5) } });
    Template.fromStack(Stack.of(built)).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 4 });
  });
});

describe('GIVEN bad input', () => {
  test.each<[Parameters<typeof worker>[0], string]>([
    [{ internalLoadBalancer: {} }, 'TestStack/Worker: invalid internalLoadBalancer {}: a load balancer forwards requests to the worker\'s port; give port (e.g. 8080) or drop internalLoadBalancer'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: { pathPatterns: [] } }, 'invalid internalLoadBalancer.pathPatterns []: give at least one element'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: { pathPatterns: ['/a', '/b', '/c', '/d', '/e', '/f'] } }, 'an ALB rule takes at most 5 path patterns'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: { pathPatterns: ['api/*'] } }, 'invalid internalLoadBalancer.pathPatterns[0] "api/*": use a path that starts with "/"'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: { priority: 50001 } }, 'invalid internalLoadBalancer.priority 50001: use a whole number from 1 to 50000'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: { healthCheckTimeout: Duration.seconds(10) } }, 'invalid internalLoadBalancer.healthCheckTimeout "10 seconds": a target group\'s health check timeout must be shorter than its interval (10 seconds)'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: { healthyThresholdCount: 1 } }, 'invalid internalLoadBalancer.healthyThresholdCount 1: use a whole number from 2 to 10'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: { healthCheckSuccessCodes: '600' } }, 'invalid internalLoadBalancer.healthCheckSuccessCodes "600"'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: { healthCheckPort: 8080 } }, 'invalid internalLoadBalancer.healthCheckPort 8080: that is the worker\'s port'],
    [{ queue: undefined, port: 8080, internalLoadBalancer: {}, healthCheckInterval: Duration.seconds(30) }, 'invalid healthCheckInterval "30 seconds": these time a command run in the worker\'s container; the load balancer\'s check takes internalLoadBalancer.healthCheckInterval'],
    [{ queue: undefined, port: 8080, healthCheckCommand: ['true'], healthCheckGracePeriod: Duration.seconds(30), internalLoadBalancer: { healthCheckGracePeriod: Duration.seconds(60) } },
      'invalid internalLoadBalancer.healthCheckGracePeriod "1 minute": ECS has one grace period per service'],
    // Without a target group nothing would check it: refused rather than ignored.
    [{ queue: undefined, port: 8080, healthCheckPath: '/ready' }, 'invalid healthCheckPath "/ready": a worker has a target group to check it only with internalLoadBalancer: {} (and a port); give that, or healthCheckCommand'],
  ])('%j is refused by prop path, value and fix', (props, message) => {
    expect(synthesized(() => worker(props))).toThrow(message);
  });

  test('THEN a load balancer without internalLoadBalancer is refused', () => {
    expect(() => worker({ queue: undefined, port: 8080, loadBalancer: {} as InternalLoadBalancer, internalLoadBalancer: undefined })).toThrow(/invalid loadBalancer/);
  });

  test('THEN two workers on one load balancer with the same path, or the same pinned priority, are refused naming the other', () => {
    const first = worker({ queue: undefined, port: 8080, internalLoadBalancer: { pathPatterns: ['/api/*'], priority: 10 } });
    const lb = first.internalLoadBalancer!;
    const again = (id: string, options: object) => () => new WorkerService(Stack.of(first), id, {
      cluster: first.cluster, environmentName: 'prod', image: first.image, port: 8080, loadBalancer: lb, ...options,
    });
    expect(again('Second', { internalLoadBalancer: { pathPatterns: ['/api/*'] } })).toThrow(/invalid internalLoadBalancer\.pathPatterns\[0\] "\/api\/\*": TestStack\/Worker internalLoadBalancer\.pathPatterns\[0\] already routes this path/);
    expect(again('Third', { internalLoadBalancer: { pathPatterns: ['/third/*'], priority: 10 } })).toThrow(/invalid internalLoadBalancer\.priority 10: the listener rule priority 10 is already taken by TestStack\/Worker/);
  });
});

describe('GIVEN a platform with workers behind its internal load balancer', () => {

  test('THEN one internal ALB serves them all, each with its target group and rule, and it shares the platform\'s access-log bucket', () => {
    const { template, platform, added } = platformWith([['Reports', { port: 8080, internalLoadBalancer: {} }], ['Mailer', { queue: {} }], ['Search', { port: 9000, internalLoadBalancer: { pathPatterns: ['/search/*'] } }]]);
    const lbs = resources(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lbs.map(([id, lb]) => [id.replace(/[0-9A-F]{8}$/, ''), lb.Properties.Scheme]).sort()).toEqual([
      ['BackendInternalLoadBalancer', 'internal'], ['BackendServiceLoadBalancer', 'internal'],
    ]);
    const internal = lbs.find(([id]) => id.startsWith('BackendInternal'))![1];
    expect(internal.Properties.LoadBalancerAttributes).toEqual(expect.arrayContaining([
      { Key: 'access_logs.s3.bucket', Value: { Ref: expect.stringMatching(/^BackendServiceAccessLogsBucket/) } },
      { Key: 'deletion_protection.enabled', Value: 'true' },
    ]));
    const rules = resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([id]) => /InternalRoute/.test(id));
    expect(rules.map(([, r]) => r.Properties.Conditions[0].PathPatternConfig.Values).sort()).toEqual([['/reports', '/reports/*'], ['/search/*']]);
    expect(new Set(rules.map(([, r]) => r.Properties.Priority)).size).toBe(2);
    expect(added[1].internalLoadBalancer).toBeUndefined();
    expect(added[0].internalLoadBalancer).toBe(platform.internalLoadBalancer);
  });

  test('THEN the ALB admits the platform\'s workloads (web service, workers, jobs) on port 80, and nothing else', () => {
    const { template } = platformWith([['Mailer', { queue: {} }], ['Reports', { port: 8080, internalLoadBalancer: {} }]]);
    const sources = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
      .filter(p => JSON.stringify(p.GroupId).includes('BackendInternalLoadBalancerSecurityGroup'))
      .map(p => [p.FromPort, p.SourceSecurityGroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '')]).sort();
    expect(sources).toEqual([
      [80, 'BackendCleanupJobSecurityGroup'], [80, 'BackendMailerSecurityGroup'], [80, 'BackendReportsSecurityGroup'], [80, 'BackendServiceServiceSecurityGroup'],
    ]);
  });

  test('THEN the worker\'s unhealthy-targets alarm pages the monitoring topic', () => {
    const { template } = platformWith([['Reports', { port: 8080, internalLoadBalancer: {} }]]);
    const [[, alarm]] = resources(template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('BackendReportsUnhealthyTargetsAlarm'));
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^BackendMonitoringAlarmTopic/) }]);
  });

  test('THEN a workload added after the ALB is admitted too', () => {
    const stack = new Stack(new App(), 'Shop');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone });
    platform.addWorker('Reports', { port: 8080, internalLoadBalancer: {} });
    platform.addWorker('Late', { queue: {} });
    platform.addScheduledJob('Report', { command: ['node', 'report.js'], taskType: 'REPORT' });
    const template = Template.fromStack(stack);
    for (const client of ['BackendLateSecurityGroup', 'BackendReportSecurityGroup']) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 80, GroupId: groupOf('BackendInternalLoadBalancerSecurityGroup'), SourceSecurityGroupId: groupOf(client),
      });
    }
  });

  test('THEN the development profile turns deletion protection off without a warning; a worker in its own stack keeps its rule and target group there', () => {
    const { template, stack, added } = platformWith([['Reports', { port: 8080, internalLoadBalancer: {}, ownStack: true }]], { profile: EnvironmentProfile.DEVELOPMENT });
    const [[, lb]] = resources(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').filter(([id]) => id.startsWith('BackendInternal'));
    expect(lb.Properties.LoadBalancerAttributes).toEqual(expect.arrayContaining([{ Key: 'deletion_protection.enabled', Value: 'false' }]));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('deletionProtection'))).toEqual([]);
    const own = Template.fromStack(Stack.of(added[0]));
    own.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    own.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
  });

  test('THEN a worker answering every path is evaluated last, so the other workers\' paths still reach them', () => {
    const { template } = platformWith([['Api', { port: 8080, internalLoadBalancer: { pathPatterns: ['/*'] } }], ['Search', { port: 9000, internalLoadBalancer: { pathPatterns: ['/search/*'] } }]]);
    const rules = resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([id]) => /InternalRoute/.test(id));
    const catchAll = rules.find(([id]) => id.startsWith('BackendApi'))![1];
    expect(catchAll.Properties.Priority).toBe(50000);
    expect(rules.find(([id]) => id.startsWith('BackendSearch'))![1].Properties.Priority).toBeLessThan(50000);
  });

  test('THEN the load balancer and a worker\'s target group keep their logical IDs (their contract)', () => {
    const { template } = platformWith([['Reports', { port: 8080, internalLoadBalancer: {} }]]);
    expect(Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')).sort()).toEqual(['BackendInternalLoadBalancer4A6ED11B', 'BackendServiceLoadBalancerA3D09705']);
    expect(Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).filter(id => id.startsWith('BackendReports'))).toEqual(['BackendReportsTargetGroup52855854']);
  });

  test('THEN a platform refuses the worker by its add call\'s words', () => {
    expect(synthesized(() => platformWith([['Reports', { queue: {}, internalLoadBalancer: {} }]]).platform)).toThrow(
      /Shop\/Backend: invalid addWorker\('Reports'\)\.internalLoadBalancer \{\}: a load balancer forwards requests to the worker's port/);
  });

  function bigPlatform() {
    const stack = new Stack(new App(), 'Shop');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    return { stack, platform: new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone, pipeline: { enabled: false } }) };
  }

  test('THEN 60 workers sharing a standalone one synthesize (one outbound rule each), and the 61st is refused by name, with the quota and its source', () => {
    const build = (count: number) => {
      const first = worker({ queue: undefined, port: 8080, internalLoadBalancer: { priority: 1 } });
      const stack = Stack.of(first);
      // Each further worker in a stack of its own (a stack holds 500 resources); its rules to the load balancer stay there.
      const stacks = [stack, ...Array.from({ length: count - 1 }, (_, i) => new Stack(stack.node.scope as App, `Workers${i + 1}`))];
      stacks.slice(1).forEach((own, i) => new WorkerService(own, `W${i + 1}`, {
        cluster: first.cluster, environmentName: 'prod', image: first.image, port: 8080, loadBalancer: first.internalLoadBalancer, internalLoadBalancer: { priority: i + 2 },
      }));
      return stacks;
    };
    const egress = build(60).flatMap(stack => Object.values<any>(Template.fromStack(stack).toJSON().Resources))
      .filter(r => r.Type === 'AWS::EC2::SecurityGroupEgress' && JSON.stringify(r.Properties.GroupId).includes('InternalLoadBalancer'));
    expect(egress).toHaveLength(60);
    expect(() => build(61)).toThrow(new RegExp('Workers60/W60: invalid internalLoadBalancer \\{"priority":61\\}: the load balancer would hold 61 outbound rules \\(one per worker port\\) in its security group, '
      + 'over the quota of 60 per security group \\(https://docs\\.aws\\.amazon\\.com/vpc/latest/userguide/amazon-vpc-limits\\.html#vpc-limits-security-groups\\); give further workers a load balancer of their own'));
  });

  test('THEN the 61st workload it would admit is refused by name, with the quota and its source', () => {
    const { stack, platform } = bigPlatform();
    platform.addWorker('Api', { port: 8080, internalLoadBalancer: {} });
    // The web service and the worker are admitted; 58 queue workers fill the 60 inbound rules.
    for (let i = 0; i < 58; i++) platform.addWorker(`Q${i}`, { queue: {}, ownStack: true });
    expect(() => Template.fromStack(stack)).not.toThrow();
    const crossed = bigPlatform();
    crossed.platform.addWorker('Api', { port: 8080, internalLoadBalancer: {} });
    for (let i = 0; i < 58; i++) crossed.platform.addWorker(`Q${i}`, { queue: {}, ownStack: true });
    expect(() => crossed.platform.addWorker('Q58', { queue: {}, ownStack: true })).toThrow(new RegExp('^Shop/Backend/InternalLoadBalancer: invalid allowFrom\\(client\\) "Shop/Backend/Q58/Q58/SecurityGroup": '
      + 'the load balancer would hold 61 inbound rules \\(one per admitted workload\\) in its security group, over the quota of 60 per security group \\(https://docs\\.aws\\.amazon\\.com/vpc/latest/userguide/amazon-vpc-limits\\.html#vpc-limits-security-groups\\); split the workloads over two platforms'));
  });
});

describe('GIVEN workers with aliases on the internal load balancer (HTTPS, Copilot\'s http.alias)', () => {
  const billing: [string, PlatformWorkerOptions] = ['Billing', { port: 8080, internalLoadBalancer: { aliases: ['billing.internal.example.com'] } }];
  const withRef = (resource: any, prefix: string) => JSON.stringify(resource).includes(`"${prefix}`);

  test('THEN the load balancer gets an HTTPS listener on 443 with a DNS-validated certificate of its own name, a record, and a 404 default', () => {
    const { template } = platformWith([billing]);
    const listener = resources(template, 'AWS::ElasticLoadBalancingV2::Listener').find(([id]) => id.startsWith('BackendInternalLoadBalancerHttpsListener'))![1];
    expect(listener.Properties).toEqual({
      LoadBalancerArn: { Ref: expect.stringMatching(/^BackendInternalLoadBalancer/) },
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: { Ref: expect.stringMatching(/^BackendInternalLoadBalancerCertificate/) } }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' } }],
    });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'internal.prod.shop.example.com', ValidationMethod: 'DNS', DomainValidationOptions: [{ DomainName: 'internal.prod.shop.example.com', HostedZoneId: 'Z0123456789ABC' }],
    });
    const records = resources(template, 'AWS::Route53::RecordSet').filter(([, r]) => withRef(r.Properties.AliasTarget, 'BackendInternalLoadBalancer'));
    expect(records.map(([, r]) => [r.Properties.Name, r.Properties.Type]).sort()).toEqual([['billing.internal.example.com.', 'A'], ['internal.prod.shop.example.com.', 'A']]);
  });

  test('THEN each alias gets its own certificate, attached by one ListenerCertificate each, and the worker\'s HTTPS rule matches host and paths', () => {
    const { template, added: [billingWorker] } = platformWith([['Billing', { port: 8080, internalLoadBalancer: { aliases: ['billing.internal.example.com', 'pay.example.com'] } }]]);
    const certificates = resources(template, 'AWS::CertificateManager::Certificate').filter(([id]) => id.startsWith('BackendBillingCertificate'));
    expect(certificates.map(([, c]) => c.Properties.DomainName).sort()).toEqual(['billing.internal.example.com', 'pay.example.com']);
    const attached = resources(template, 'AWS::ElasticLoadBalancingV2::ListenerCertificate');
    expect(attached).toHaveLength(2);
    attached.forEach(([, a]) => {
      expect(a.Properties.Certificates).toHaveLength(1);
      expect(a.Properties.ListenerArn).toEqual({ Ref: expect.stringMatching(/^BackendInternalLoadBalancerHttpsListener/) });
    });
    const rules = resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([id]) => id.startsWith('BackendBilling'));
    const https = rules.find(([id]) => id.startsWith('BackendBillingInternalHttpsRoute'))![1].Properties;
    const http = rules.find(([id]) => id.startsWith('BackendBillingInternalRoute'))![1].Properties;
    const conditions = [
      { Field: 'host-header', HostHeaderConfig: { Values: ['billing.internal.example.com', 'pay.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/billing', '/billing/*'] } },
    ];
    expect(https.Conditions).toEqual(conditions);
    expect(https.Actions).toEqual([expect.objectContaining({ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^BackendBillingTargetGroup/) } })]);
    expect(https.ListenerArn).toEqual({ Ref: expect.stringMatching(/^BackendInternalLoadBalancerHttpsListener/) });
    // On HTTP its host names redirect to HTTPS, at the same priority on the other listener.
    expect(http.Conditions).toEqual(conditions);
    expect(http.Actions).toEqual([{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }]);
    expect(http.ListenerArn).toEqual({ Ref: expect.stringMatching(/^BackendInternalLoadBalancerHttpListener/) });
    expect(http.Priority).toBe(https.Priority);
    expect(Stack.of(billingWorker).resolve(billingWorker.internalLoadBalancerUrl)).toBe('https://billing.internal.example.com/billing');
  });

  test('THEN every workload, admitted before HTTPS or after, reaches port 443 as well as 80', () => {
    const { template } = platformWith([['Reports', { port: 8080, internalLoadBalancer: {} }], billing, ['Mailer', { queue: {} }]]);
    const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => withRef(r.Properties.GroupId, 'BackendInternalLoadBalancerSecurityGroup'))
      .map(([, r]) => `${r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '')}:${r.Properties.FromPort}`).sort();
    const sources = ['BackendBillingSecurityGroup', 'BackendCleanupJobSecurityGroup', 'BackendMailerSecurityGroup', 'BackendReportsSecurityGroup', 'BackendServiceServiceSecurityGroup'];
    const found = sources.filter(source => ingress.some(rule => rule.startsWith(source)));
    expect(found).toEqual(sources);
    for (const source of found) expect(ingress.filter(rule => rule.startsWith(source)).map(rule => rule.split(':')[1]).sort()).toEqual(['443', '80']);
    expect(ingress.every(rule => /:(80|443)$/.test(rule))).toBe(true);
  });

  test('THEN a platform whose workers have no alias has no HTTPS listener, certificate or record on it (templates of earlier versions unchanged)', () => {
    const { template } = platformWith([['Reports', { port: 8080, internalLoadBalancer: {} }]]);
    expect(resources(template, 'AWS::ElasticLoadBalancingV2::Listener').filter(([id]) => id.startsWith('BackendInternalLoadBalancer')).map(([, l]) => l.Properties.Port)).toEqual([80]);
    expect(resources(template, 'AWS::CertificateManager::Certificate').filter(([id]) => id.startsWith('BackendInternal'))).toEqual([]);
    expect(resources(template, 'AWS::Route53::RecordSet').filter(([, r]) => withRef(r.Properties.AliasTarget, 'BackendInternalLoadBalancer'))).toEqual([]);
  });

  test('THEN two workers answering every path on their own host names both synthesize, neither as the catch-all; one without aliases keeps it', () => {
    const { template } = platformWith([
      ['Billing', { port: 8080, internalLoadBalancer: { pathPatterns: ['/*'], aliases: ['billing.example.com'] } }],
      ['Ledger', { port: 8080, internalLoadBalancer: { pathPatterns: ['/*'], aliases: ['ledger.example.com'] } }],
      ['Fallback', { port: 8080, internalLoadBalancer: { pathPatterns: ['/*'] } }],
    ]);
    const priorities = Object.fromEntries(resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')
      .map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties.Priority]));
    expect(priorities.BackendFallbackInternalRoute).toBe(50000);
    expect(priorities.BackendBillingInternalRoute).toBeLessThan(50000);
    expect(priorities.BackendLedgerInternalRoute).toBeLessThan(50000);
    expect(priorities.BackendBillingInternalHttpsRoute).toBe(priorities.BackendBillingInternalRoute);
  });

  test('THEN two platforms of two apps in one zone give their internal load balancers names of their own', () => {
    const { stack, template } = platformWith([billing]);
    const shop = resources(template, 'AWS::CertificateManager::Certificate').map(([, c]) => c.Properties.DomainName);
    expect(shop).toContain('internal.prod.shop.example.com');
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone2', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const other = new BackendPlatform(stack, 'Other', { environmentName: 'prod', appName: 'ledger', hostedZone: zone, service: { loadBalancerDomainName: 'ledger-lb.example.com' } });
    other.addWorker('Ledger', { port: 8080, internalLoadBalancer: { aliases: ['ledger.example.com'] } });
    expect(other.internalLoadBalancer!.domainName).toBe('internal.prod.ledger.example.com');
  });

  test('THEN a standalone load balancer with a certificate of its own serves aliases without a certificate per alias', () => {
    const { stack, vpc, zone, repository } = givenStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Private', 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-0123-0123-0123-0123456789ab');
    const lb = new InternalLoadBalancer(stack, 'Internal', { vpc, https: { hostedZone: zone, certificate } });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const built = new WorkerService(stack, 'Api', {
      cluster, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), port: 8080, loadBalancer: lb, internalLoadBalancer: { aliases: ['api.example.com'] },
    });
    const template = Template.fromStack(stack);
    expect(template.findResources('AWS::CertificateManager::Certificate')).toEqual({});
    expect(template.findResources('AWS::ElasticLoadBalancingV2::ListenerCertificate')).toEqual({});
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Certificates: [{ CertificateArn: certificate.certificateArn }] });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'internal.example.com.', Type: 'A' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Type: 'A' });
    expect(lb.domainName).toBe('internal.example.com');
    expect(stack.resolve(built.internalLoadBalancerUrl)).toBe('https://api.example.com/api');
  });

  test('THEN the 26th alias certificate on one load balancer is refused by name, with the quota and its source', () => {
    const { stack, vpc, zone, repository } = givenStack();
    const lb = new InternalLoadBalancer(stack, 'Internal', { vpc, https: { hostedZone: zone } });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const add = (i: number) => new WorkerService(new Stack(stack.node.scope as App, `Workers${i}`), `W${i}`, {
      cluster,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(repository),
      port: 8080,
      loadBalancer: lb,
      internalLoadBalancer: { priority: i + 1, pathPatterns: ['/*'], aliases: [0, 1, 2, 3].map(k => `w${i}-${k}.example.com`) },
    });
    // Four aliases each: six workers hold 24 certificates.
    for (let i = 0; i < 6; i++) add(i);
    expect(() => add(6)).toThrow(new RegExp('Workers6/W6: invalid internalLoadBalancer .*: the load balancer would hold 28 certificates on its listeners \\(default certificates excluded\\), '
      + 'over the quota of 25 per Application Load Balancer \\(https://docs\\.aws\\.amazon\\.com/elasticloadbalancing/latest/application/load-balancer-limits\\.html\\)'));
  });

  test.each<[string, () => unknown, RegExp]>([
    ['aliases on a platform without a hosted zone', () => platformWith([billing], { hostedZone: undefined, service: { edgeMode: undefined } }).platform,
      /invalid addWorker\('Billing'\)\.internalLoadBalancer\.aliases \["billing\.internal\.example\.com"\]: an alias is served over HTTPS, and the load balancer has no HTTPS listener; in a BackendPlatform give the platform a hostedZone/],
    ['aliases on a standalone worker\'s own load balancer', () => worker({ queue: undefined, port: 8080, internalLoadBalancer: { aliases: ['api.example.com'] } }),
      /TestStack\/Worker: invalid internalLoadBalancer\.aliases \["api\.example\.com"\]: an alias is served over HTTPS.*standalone give loadBalancer: new InternalLoadBalancer\(scope, id, \{ vpc, https: \{ hostedZone \} \}\)/],
    ['an alias outside the zone', () => platformWith([['Billing', { port: 8080, internalLoadBalancer: { aliases: ['billing.other.org'] } }]]).platform,
      /invalid addWorker\('Billing'\)\.internalLoadBalancer\.aliases\[0\] "billing\.other\.org": it must be inside the hosted zone example\.com/],
    ['a wildcard alias', () => platformWith([['Billing', { port: 8080, internalLoadBalancer: { aliases: ['*.example.com'] } }]]).platform,
      /invalid addWorker\('Billing'\)\.internalLoadBalancer\.aliases\[0\] "\*\.example\.com": a wildcard alias is not supported/],
    ['the load balancer\'s own name', () => platformWith([['Billing', { port: 8080, internalLoadBalancer: { aliases: ['internal.prod.shop.example.com'] } }]]).platform,
      /invalid addWorker\('Billing'\)\.internalLoadBalancer\.aliases\[0\] "internal\.prod\.shop\.example\.com": that is the load balancer's own host name/],
    ['aliases and paths over 5 condition values', () => platformWith([['Billing', { port: 8080, internalLoadBalancer: { aliases: ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'] } }]]).platform,
      /invalid addWorker\('Billing'\)\.internalLoadBalancer\.aliases .*: the worker's HTTPS rule would match 4 host names and 2 path patterns, over the 5 condition values an ALB rule takes/],
    ['one alias on two workers', () => platformWith([billing, ['Ledger', { port: 8080, internalLoadBalancer: { aliases: ['billing.internal.example.com'] } }]]).platform,
      /invalid addWorker\('Ledger'\)\.internalLoadBalancer\.aliases\[0\] "billing\.internal\.example\.com"/],
    ['an empty list of aliases', () => platformWith([['Billing', { port: 8080, internalLoadBalancer: { aliases: [] } }]]).platform,
      /invalid addWorker\('Billing'\)\.internalLoadBalancer\.aliases \[\]: give at least one element/],
    ['a zone imported by ID alone', () => {
      const { stack, vpc } = givenStack();
      return new InternalLoadBalancer(stack, 'Internal', { vpc, https: { hostedZone: route53.HostedZone.fromHostedZoneId(stack, 'ById', 'Z999') } });
    }, /TestStack\/Internal: invalid https\.domainName undefined: the hosted zone's name is not known at synth .*give domainName/],
    ['a domain name outside the zone', () => {
      const { stack, vpc, zone } = givenStack();
      return new InternalLoadBalancer(stack, 'Internal', { vpc, https: { hostedZone: zone, domainName: 'internal.other.org' } });
    }, /TestStack\/Internal: invalid https\.domainName "internal\.other\.org": it must be inside the hosted zone example\.com/],
  ])('THEN %s is refused by prop path, value and fix', (_name, build, message) => {
    expect(synthesized(build)).toThrow(message);
  });
});

test('GIVEN a private hosted zone and no certificate THEN HTTPS is refused: ACM cannot validate a certificate there', () => {
  const { stack, vpc } = givenStack();
  const hostedZone = new route53.PrivateHostedZone(stack, 'Private', { zoneName: 'corp.internal', vpc });
  expect(() => new InternalLoadBalancer(stack, 'Internal', { vpc, https: { hostedZone } })).toThrow(
    /TestStack\/Internal: invalid https\.certificate undefined: TestStack\/Private is a private hosted zone, where ACM cannot validate a certificate; give a certificate/);
});
