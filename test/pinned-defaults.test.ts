import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks } from 'cdk-nag';
import { givenStack } from './fixtures';
import { BackendPlatform, EcrToEcsPipeline, EdgeMode, EnvironmentProfile, SecureAlbFargateService, ServiceImage } from '../src';

/**
 * One named assertion per security or reliability default, by value, so that a change of the composed platform
 * template (and its regenerated snapshot) can never silently take one of them away.
 */

/** IDs of CloudFront's managed policies (stable, documented by AWS). */
const MANAGED_SECURITY_HEADERS_POLICY = '67f7725c-6f97-4210-82d7-5512b31e9d03';
const MANAGED_ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Resources = Array<[string, any]>;
const resourcesOf = (template: Template, type: string): Resources => Object.entries(template.findResources(type));
const refName = (value: any): string => value?.Ref ?? value?.['Fn::GetAtt']?.[0] ?? '';

function headlinePlatform(profile?: EnvironmentProfile) {
  const stack = new Stack(new App(), 'Backend');
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const platform = new BackendPlatform(stack, 'Backend', {
    environmentName: 'prod',
    hostedZone: zone,
    profile,
    database: {},
    cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
    scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
    alarmEmails: ['ops@example.com'],
    pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] },
  });
  return { stack, platform, template: Template.fromStack(stack) };
}

function routedService() {
  const { stack, vpc, zone, repository } = givenStack();
  const service = new SecureAlbFargateService(stack, 'Web', {
    vpc,
    hostedZone: zone,
    environmentName: 'prod',
    appName: 'shop',
    edgeMode: EdgeMode.PUBLIC_ALB,
    image: ServiceImage.fromEcrRepository(repository),
    routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: ['/admin/*', '/internal/*'], healthCheckPath: '/admin/health' }],
  });
  return { stack, service, template: Template.fromStack(stack) };
}

describe('Pinned defaults of the composed platform (production profile)', () => {
  const { template } = headlinePlatform();

  test('CloudFront answers with the managed security-headers policy (HSTS, nosniff, frame options, referrer policy)', () => {
    const [[, distribution]] = resourcesOf(template, 'AWS::CloudFront::Distribution');
    expect(distribution.Properties.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId).toBe(MANAGED_SECURITY_HEADERS_POLICY);
  });

  test('CloudFront forwards every viewer header except Host, so the ALB certificate name is what TLS checks', () => {
    const [[, distribution]] = resourcesOf(template, 'AWS::CloudFront::Distribution');
    expect(distribution.Properties.DistributionConfig.DefaultCacheBehavior.OriginRequestPolicyId).toBe(MANAGED_ALL_VIEWER_EXCEPT_HOST_HEADER);
  });

  test('the tasks admit traffic only from the load balancer security group, on the container port, and from no CIDR', () => {
    const serviceIngress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter(p => refName(p.GroupId).startsWith('BackendServiceServiceSecurityGroup'));
    expect(serviceIngress).toEqual([expect.objectContaining({
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceLoadBalancerSecurityGroup/), 'GroupId'] },
    })]);
    for (const rule of serviceIngress) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.CidrIpv6).toBeUndefined();
    }
    const [[, serviceGroup]] = resourcesOf(template, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('BackendServiceServiceSecurityGroup'));
    expect(serviceGroup.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('target health checks: 3 failures mark a task unhealthy, 2 successes healthy, only 200-399 is healthy', () => {
    const [[, targetGroup]] = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(targetGroup.Properties).toMatchObject({
      UnhealthyThresholdCount: 3,
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200-399' },
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
    });
  });

  test('the 5xx-rate alarms fire at 5 % of requests in 2 of 3 minutes, computed as 100 * errors / requests', () => {
    for (const name of ['BackendMonitoringTarget5xxRate', 'BackendMonitoringLoadBalancer5xxRate']) {
      const [[, alarm]] = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.replace(/[0-9A-F]{8}$/, '') === name);
      expect(alarm.Properties).toMatchObject({
        Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold', DatapointsToAlarm: 2, EvaluationPeriods: 3, TreatMissingData: 'notBreaching',
      });
      expect(alarm.Properties.Metrics.find((m: any) => m.Expression).Expression).toBe('100 * FILL(errors, 0) / MAX([requests, 1])');
    }
  });

  test('PostgreSQL forces TLS and logs connections and disconnections', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: Match.stringLikeRegexp('^postgres'),
      Parameters: { 'rds.force_ssl': '1', 'log_connections': '1', 'log_disconnections': '1' },
    });
  });

  test('the production service runs 2..4 tasks, on demand', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2, MaxCapacity: 4, ScalableDimension: 'ecs:service:DesiredCount',
    });
    const [[, service]] = resourcesOf(template, 'AWS::ECS::Service');
    expect(service.Properties.LaunchType).toBe('FARGATE');
    expect(service.Properties.CapacityProviderStrategy).toBeUndefined();
  });

  test('the migration task may only run the -migrate family, only on the platform cluster', () => {
    const statements = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('BackendPipelineMigration'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const runTask = statements.filter(s => s.Action === 'ecs:RunTask');
    expect(runTask).toHaveLength(1);
    expect(runTask[0].Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceCluster/), 'Arn'] } } });
    expect(JSON.stringify(runTask[0].Resource)).toMatch(/:task-definition\/.*-migrate:\*"/);
  });

  test('the outputs give the CloudFront URL, the repository URI and the private database endpoint', () => {
    const outputs = template.toJSON().Outputs;
    const byPrefix = (prefix: string) => Object.entries<any>(outputs).find(([id]) => id.startsWith(prefix))![1].Value;
    expect(byPrefix('BackendServiceUrl')).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceDistribution/), 'DomainName'] }]] });
    expect(byPrefix('BackendRepositoryUri')).toEqual({ 'Fn::Join': ['', expect.arrayContaining([{ Ref: expect.stringMatching(/^BackendRepository/) }])] });
    expect(byPrefix('BackendDatabaseEndpoint')).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackendDatabaseInstance/), 'Endpoint.Address'] });
  });

  test('the platform raises exactly these alarms, at these thresholds, each paging the one monitoring topic', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    const table = Object.fromEntries(alarms.map(([id, a]) => [id.replace(/[0-9A-F]{8}$/, ''), `${a.Properties.ComparisonOperator} ${a.Properties.Threshold}`]));
    expect(table).toEqual({
      BackendCleanupJobFailedLaunchAlarm: 'GreaterThanThreshold 0',
      BackendCleanupJobDeadLetterAlarm: 'GreaterThanThreshold 0',
      BackendCleanupJobFailedRunAlarm: 'GreaterThanThreshold 0',
      BackendRuntimeGuardErrorsAlarm: 'GreaterThanThreshold 0',
      BackendScheduledApiCallsResetQueueFailedAlarm: 'GreaterThanThreshold 0',
      BackendRotationRedeployErrorsAlarm: 'GreaterThanThreshold 0',
      BackendScheduledApiCallsDeadLetterAlarm: 'GreaterThanThreshold 0',
      BackendPipelineMigrationFailedAlarm: 'GreaterThanThreshold 0',
      BackendMonitoringServiceCpuHigh: 'GreaterThanOrEqualToThreshold 90',
      BackendMonitoringServiceMemoryHigh: 'GreaterThanOrEqualToThreshold 90',
      BackendMonitoringServiceTasksBelowDesired: 'GreaterThanThreshold 0',
      BackendMonitoringLoadBalancer5xxRate: 'GreaterThanOrEqualToThreshold 5',
      BackendMonitoringTarget5xxRate: 'GreaterThanOrEqualToThreshold 5',
      BackendMonitoringP99LatencyHigh: 'GreaterThanOrEqualToThreshold 2',
      BackendMonitoringUnhealthyHosts: 'GreaterThanThreshold 0',
      BackendMonitoringDatabaseCpuHigh: 'GreaterThanOrEqualToThreshold 80',
      BackendMonitoringDatabaseFreeStorageLow: `LessThanThreshold ${5 * 1024 ** 3}`,
      BackendMonitoringDatabaseConnectionsHigh: 'GreaterThanOrEqualToThreshold 200',
    });
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^BackendMonitoringAlarmTopic/) }]);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('rollouts roll back on the 5xx and latency alarms', () => {
    const [[, service]] = resourcesOf(template, 'AWS::ECS::Service');
    expect(service.Properties.DeploymentConfiguration.Alarms).toEqual({
      Enable: true,
      Rollback: true,
      AlarmNames: [
        { Ref: expect.stringMatching(/^BackendMonitoringLoadBalancer5xxRate/) },
        { Ref: expect.stringMatching(/^BackendMonitoringTarget5xxRate/) },
        { Ref: expect.stringMatching(/^BackendMonitoringP99LatencyHigh/) },
      ],
    });
  });
});

describe('Pinned defaults of a routed container behind CloudFront', () => {
  const { template, service } = routedService();

  test('its listener rule requires the origin-verify header as well as its paths', () => {
    const rules = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    const adminRule = rules.find(([id]) => id.includes('AdminRoute'))![1];
    const conditions = adminRule.Properties.Conditions;
    expect(conditions.map((c: any) => c.Field).sort()).toEqual(['http-header', 'path-pattern']);
    expect(conditions.find((c: any) => c.Field === 'http-header').HttpHeaderConfig).toEqual({
      HttpHeaderName: 'X-Origin-Verify',
      Values: [{ 'Fn::Join': ['', [expect.stringMatching(/^\{\{resolve:secretsmanager:/), { Ref: expect.stringMatching(/^WebOriginVerifySecret/) }, expect.any(String)]] }],
    });
    expect(conditions.find((c: any) => c.Field === 'path-pattern').PathPatternConfig).toEqual({ Values: ['/admin/*', '/internal/*'] });
    expect(adminRule.Properties.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^WebAdminTargetGroup/) } }]);
  });

  test('every listener rule of the HTTPS listener checks the origin-verify header; the default action is 403', () => {
    const rules = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rules).toHaveLength(2);
    for (const [, rule] of rules) expect(rule.Properties.Conditions.map((c: any) => c.Field)).toContain('http-header');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '403' }) })] });
  });

  test('its target group has the same health-check defaults and the container admits only the load balancer', () => {
    const adminGroup = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').find(([id]) => id.startsWith('WebAdminTargetGroup'))![1];
    expect(adminGroup.Properties).toMatchObject({
      Port: 9000, HealthCheckPath: '/admin/health', UnhealthyThresholdCount: 3, Matcher: { HttpCode: '200-399' }, TargetType: 'ip',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 9000, ToPort: 9000, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebLoadBalancerSecurityGroup'), 'GroupId'] },
    });
    expect(Object.keys(service.targetGroups)).toEqual(['app', 'admin']);
  });
});

function pipelineStack() {
  const { stack, vpc, zone, repository } = givenStack();
  const service = new SecureAlbFargateService(stack, 'Web', { vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository) });
  const delivery = new EcrToEcsPipeline(stack, 'Delivery', {
    service, source: { connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0123abcd', owner: 'acme', repo: 'api' },
  });
  return { stack, delivery };
}

describe('Pinned permissions of the delivery pipeline', () => {
  const template = Template.fromStack(pipelineStack().stack);
  const statementsOf = (prefix: string) => resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const actionsOf = (s: any): string[] => [s.Action].flat();
  const repositoryArn = { 'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/:repository\/backend$/)])] };

  test('the CI build pushes only to the service repository; docker login (GetAuthorizationToken on *) is a policy of its own', () => {
    const statements = statementsOf('DeliveryDockerBuild');
    const push = statements.filter(s => actionsOf(s).includes('ecr:PutImage'));
    expect(push).toHaveLength(1);
    expect(push[0].Resource).toEqual(repositoryArn);
    expect(statements.filter(s => s.Resource === '*')).toEqual([]);
    expect(statementsOf('DeliveryDockerLoginPolicy')).toEqual([{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
  });

  test('the record step tags images of the service repository only', () => {
    const statements = statementsOf('DeliveryRecordRelease');
    const put = statements.filter(s => actionsOf(s).includes('ecr:PutImage'));
    expect(put).toHaveLength(1);
    expect(put[0].Resource).toEqual(repositoryArn);
  });

  test('the CI build role acknowledges Resource * on its login policy only: a push widened to every repository is reported', () => {
    const { stack, delivery } = pipelineStack();
    // Widen the push as a regression would; cdk-nag must still report it on the build role's own policy.
    delivery.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role && c.node.path.endsWith('DockerBuildProject/Role'))[0]
      .addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:PutImage'], resources: ['*'] }));
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-IAM5'));
    expect(errors.map(e => e.id)).toEqual([expect.stringMatching(/DockerBuildProject\/Role\/DefaultPolicy\/Resource$/)]);
  });
});

describe('Pinned lifecycle of the platform repository', () => {
  const template = headlinePlatform().template;
  const [[, repository]] = resourcesOf(template, 'AWS::ECR::Repository');
  const rules = JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;

  test('recorded releases (the live image and the rollback targets) are matched first and only trimmed to the newest 30', () => {
    expect(rules[0]).toEqual({
      rulePriority: 1,
      description: expect.any(String),
      action: { type: 'expire' },
      selection: { tagStatus: 'tagged', tagPrefixList: ['sha256-'], countType: 'imageCountMoreThan', countNumber: 30 },
    });
  });

  test('untagged images expire after 14 days, other tagged images beyond the newest 100 (recorded releases are out of their reach)', () => {
    expect(rules.slice(1).map((r: any) => r.selection)).toEqual([
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14, countUnit: 'days' },
      { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 },
    ]);
    expect(rules.map((r: any) => r.rulePriority)).toEqual([1, 2, 3]);
  });
});
