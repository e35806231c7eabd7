import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { worker } from './builders';
import { givenStack } from './fixtures';
import { BackendPlatform, SecureAlbFargateService, SecureAlbFargateServiceProps, ServiceDeployment, ServiceImage } from '../src';

function build(overrides: Partial<SecureAlbFargateServiceProps> = {}) {
  const { stack, vpc, zone, repository } = givenStack();
  const service = new SecureAlbFargateService(stack, 'Backend', {
    vpc, hostedZone: zone, environmentName: 'prod', appName: 'shop', image: ServiceImage.fromEcrRepository(repository), ...overrides,
  });
  return { stack, service, template: Template.fromStack(stack) };
}

const resources = (template: Template, type: string) => Object.entries<any>(template.findResources(type));
const policies = (template: Template) => resources(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([id, r]) => ({ id, ...r.Properties }));
const targetTracking = (template: Template, metric: string) => policies(template)
  .filter(p => p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === metric)
  .map(p => p.TargetTrackingScalingPolicyConfiguration);

describe('Web service health checks', () => {
  test('GIVEN defaults THEN every target group checks /health every 10 s, times out after 5 s, 2 healthy / 3 unhealthy, 200-399, on the traffic port', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-399' },
      HealthCheckPort: Match.absent(),
    });
    template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 60 });
  });

  test('GIVEN Copilot\'s http.healthcheck fields THEN the main target group takes them, and the tasks admit the load balancer on the health check port', () => {
    const { template } = build({
      healthCheckPath: '/ping',
      healthCheckPort: 8081,
      healthCheckSuccessCodes: '200,202',
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 4,
      healthCheckInterval: Duration.seconds(30),
      healthCheckTimeout: Duration.seconds(20),
      healthCheckGracePeriod: Duration.seconds(120),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      HealthCheckPath: '/ping',
      HealthCheckPort: '8081',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 20,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 4,
      Matcher: { HttpCode: '200,202' },
    });
    template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 120 });
    const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => r.Properties.GroupId['Fn::GetAtt'][0].startsWith('BackendServiceSecurityGroup')).map(([, r]) => r.Properties.FromPort).sort();
    expect(ingress).toEqual([8080, 8081]);
  });

  test('GIVEN an interval of 5 s and no timeout THEN the timeout is 4 s (the ALB needs it shorter than the interval)', () => {
    build({ healthCheckInterval: Duration.seconds(5) }).template
      .hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 4 });
  });

  test('GIVEN a routed container with its own port and success codes THEN its target group takes them and the main one keeps the defaults', () => {
    const { template } = build({
      routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'], healthCheckPort: 3001, healthCheckSuccessCodes: '200-299' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 3000, HealthCheckPort: '3001', Matcher: { HttpCode: '200-299' } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPort: Match.absent(), Matcher: { HttpCode: '200-399' } });
  });

  test('GIVEN blue/green THEN both target groups of the main container take the health check', () => {
    const { template } = build({ deployment: ServiceDeployment.blueGreen(), healthCheckSuccessCodes: '200', unhealthyThresholdCount: 5 });
    const groups = resources(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(([, r]) => r.Properties.Port === 8080);
    expect(groups.map(([, r]) => [r.Properties.Matcher.HttpCode, r.Properties.UnhealthyThresholdCount])).toEqual([['200', 5], ['200', 5]]);
  });

  describe('GIVEN bad health check values THEN synth fails naming the prop, the value and the limit', () => {
    test.each([
      [{ healthCheckTimeout: Duration.seconds(10) }, 'invalid healthCheckTimeout "10 seconds": a target group\'s health check timeout must be shorter than its interval (10 seconds)'],
      [{ healthCheckInterval: Duration.seconds(30), healthCheckTimeout: Duration.seconds(30) }, 'invalid healthCheckTimeout "30 seconds": a target group\'s health check timeout must be shorter than its interval (30 seconds)'],
      [{ healthCheckTimeout: Duration.seconds(1) }, 'invalid healthCheckTimeout "1 seconds": give whole seconds from 2 to 120'],
      [{ healthCheckInterval: Duration.seconds(301) }, 'invalid healthCheckInterval "301 seconds": give whole seconds from 5 to 300'],
      [{ healthCheckInterval: Duration.seconds(4) }, 'invalid healthCheckInterval "4 seconds": give whole seconds from 5 to 300'],
      [{ healthyThresholdCount: 1 }, 'invalid healthyThresholdCount 1: use a whole number from 2 to 10'],
      [{ unhealthyThresholdCount: 11 }, 'invalid unhealthyThresholdCount 11: use a whole number from 2 to 10'],
      [{ healthCheckPort: 70000 }, 'invalid healthCheckPort 70000: use a whole number from 1 to 65535'],
      [{ healthCheckSuccessCodes: '200, 202' }, 'invalid healthCheckSuccessCodes "200, 202": an Application Load Balancer takes HTTP codes from 200 to 499'],
      [{ healthCheckSuccessCodes: '500' }, 'invalid healthCheckSuccessCodes "500"'],
      [{ healthCheckSuccessCodes: '299-200' }, 'invalid healthCheckSuccessCodes "299-200"'],
      [{ healthCheckSuccessCodes: '2xx' }, 'invalid healthCheckSuccessCodes "2xx"'],
      [{ healthCheckSuccessCodes: '' }, 'invalid healthCheckSuccessCodes ""'],
      [{ healthCheckGracePeriod: Duration.millis(1500) }, 'invalid healthCheckGracePeriod "1.5 seconds"'],
      [{ routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'], healthCheckSuccessCodes: '199' }] }, 'invalid routedContainers[0].healthCheckSuccessCodes "199"'],
      [{ routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'], healthCheckPort: 0 }] }, 'invalid routedContainers[0].healthCheckPort 0'],
    ] as Array<[Partial<SecureAlbFargateServiceProps>, string]>)('%#: %s', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });

    test('all problems are reported together', () => {
      expect(() => build({ healthyThresholdCount: 1, unhealthyThresholdCount: 1, healthCheckSuccessCodes: '600' }))
        .toThrow(/healthyThresholdCount 1[\s\S]*unhealthyThresholdCount 1[\s\S]*healthCheckSuccessCodes "600"/);
    });

    test('the valid matcher forms pass', () => {
      for (const codes of ['200', '200,202', '200-299', '200,300-399,404', '499']) expect(() => build({ healthCheckSuccessCodes: codes })).not.toThrow();
    });
  });
});

describe('Web service scaling', () => {
  test('GIVEN defaults THEN CPU and memory track 80 % and nothing else scales', () => {
    const { template } = build();
    expect(targetTracking(template, 'ECSServiceAverageCPUUtilization')).toEqual([expect.objectContaining({ TargetValue: 80 })]);
    expect(targetTracking(template, 'ECSServiceAverageMemoryUtilization')).toEqual([expect.objectContaining({ TargetValue: 80 })]);
    expect(policies(template)).toHaveLength(2);
    expect(targetTracking(template, 'ECSServiceAverageCPUUtilization')[0].ScaleInCooldown).toBeUndefined();
  });

  test('GIVEN requests per task, cooldowns and CPU off THEN request count tracks the main target group, with the cooldowns, and no CPU policy', () => {
    const { template } = build({
      targetRequestsPerTaskPerMinute: 1000,
      targetCpuUtilizationPercent: 0,
      scaleInCooldown: Duration.minutes(10),
      scaleOutCooldown: Duration.seconds(30),
    });
    expect(targetTracking(template, 'ECSServiceAverageCPUUtilization')).toEqual([]);
    const [requests] = targetTracking(template, 'ALBRequestCountPerTarget');
    expect(requests).toMatchObject({ TargetValue: 1000, ScaleInCooldown: 600, ScaleOutCooldown: 30 });
    // The resource label is <load balancer>/<target group> of the main container.
    expect(JSON.stringify(requests.PredefinedMetricSpecification.ResourceLabel)).toMatch(/BackendAppTargetGroup[0-9A-F]{8}","TargetGroupFullName"/);
    expect(targetTracking(template, 'ECSServiceAverageMemoryUtilization')).toEqual([expect.objectContaining({ TargetValue: 80, ScaleInCooldown: 600, ScaleOutCooldown: 30 })]);
  });

  test('GIVEN a response time THEN a step policy adds 1 task above it and 3 above twice it, on the main target group\'s average response time; it never removes tasks', () => {
    const { template } = build({ scaleOutResponseTime: Duration.millis(500) });
    const [step] = policies(template).filter(p => p.PolicyType === 'StepScaling');
    expect(step.StepScalingPolicyConfiguration).toMatchObject({
      AdjustmentType: 'ChangeInCapacity',
      Cooldown: 60,
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 0.5, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 0.5, ScalingAdjustment: 3 },
      ],
    });
    expect(policies(template).filter(p => p.PolicyType === 'StepScaling')).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TargetResponseTime',
      Statistic: 'Average',
      Threshold: 0.5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      AlarmActions: [{ Ref: step.id }],
    });
  });

  test('GIVEN blue/green and a response time THEN the alarm reads both target groups (production moves between them at each deployment)', () => {
    const { template } = build({ deployment: ServiceDeployment.blueGreen(), scaleOutResponseTime: Duration.seconds(2) });
    const [[, alarm]] = resources(template, 'AWS::CloudWatch::Alarm').filter(([, r]) => JSON.stringify(r.Properties.Metrics ?? []).includes('TargetResponseTime'));
    expect(alarm.Properties.Threshold).toBe(2);
    const expression = alarm.Properties.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('MAX([FILL(primary, 0), FILL(alternate, 0)])');
    const groups = alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => JSON.stringify(m.MetricStat.Metric.Dimensions));
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatch(/BackendAppTargetGroup[0-9A-F]{8}/);
    expect(groups[1]).toMatch(/BackendAppAlternateTargetGroup[0-9A-F]{8}/);
  });

  test('GIVEN every dimension off and minCapacity below maxCapacity THEN it warns; with min = max it does not', () => {
    const { stack } = build({ targetCpuUtilizationPercent: 0, targetMemoryUtilizationPercent: 0 });
    expect(Annotations.fromStack(stack).findWarning('/TestStack/Backend', Match.stringLikeRegexp('targetCpuUtilizationPercent is 0: with memory scaling off too'))).toHaveLength(1);
    expect(policies(Template.fromStack(stack))).toHaveLength(0);
    const fixed = build({ targetCpuUtilizationPercent: 0, targetMemoryUtilizationPercent: 0, minCapacity: 2, maxCapacity: 2 });
    expect(Annotations.fromStack(fixed.stack).findWarning('*', Match.stringLikeRegexp('targetCpuUtilizationPercent is 0'))).toHaveLength(0);
  });

  describe('GIVEN bad scaling values THEN synth fails naming the prop', () => {
    test.each([
      [{ deployment: ServiceDeployment.blueGreen(), targetRequestsPerTaskPerMinute: 100 }, 'invalid targetRequestsPerTaskPerMinute 100: ECS does not support ALBRequestCountPerTarget target tracking with blue/green'],
      [{ targetRequestsPerTaskPerMinute: 0 }, 'invalid targetRequestsPerTaskPerMinute 0: use a whole number from 1 to 1000000'],
      [{ targetCpuUtilizationPercent: 5 }, 'invalid targetCpuUtilizationPercent 5: use a whole number from 10 to 95, or 0 to turn this scaling dimension off'],
      [{ targetMemoryUtilizationPercent: 96 }, 'invalid targetMemoryUtilizationPercent 96: use a whole number from 10 to 95, or 0'],
      [{ scaleOutResponseTime: Duration.seconds(0) }, 'invalid scaleOutResponseTime "0 seconds": give a response time from 1 millisecond to 1 hour'],
      [{ scaleInCooldown: Duration.millis(500) }, 'invalid scaleInCooldown "0.5 seconds": give whole seconds from 0 to 86400'],
      [{ scaleOutCooldown: Duration.days(2) }, 'invalid scaleOutCooldown "172800 seconds"'],
    ] as Array<[Partial<SecureAlbFargateServiceProps>, string]>)('%#: %s', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });
  });
});

describe('Worker health checks and scaling', () => {
  test('GIVEN no health check command THEN the container has no health check and the service no grace period (nothing runs in the container)', () => {
    const template = Template.fromStack(Stack.of(worker({ queue: undefined, port: 8080 })));
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ HealthCheck: Match.absent() })] });
    template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: Match.absent() });
  });

  test('GIVEN Copilot\'s backend healthcheck fields on an internal worker THEN the container health check runs the command with them, and ECS waits the grace period', () => {
    const template = Template.fromStack(Stack.of(worker({
      queue: undefined,
      port: 8080,
      healthCheckCommand: ['curl -f http://localhost:8080/health || exit 1'],
      healthCheckInterval: Duration.seconds(15),
      healthCheckTimeout: Duration.seconds(3),
      unhealthyThresholdCount: 2,
      healthCheckGracePeriod: Duration.seconds(90),
    })));
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ HealthCheck: { Command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'], Interval: 15, Timeout: 3, Retries: 2 } })],
    });
    template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 90 });
  });

  test('GIVEN an internal worker with CPU off, memory at 70 % and cooldowns THEN only memory tracks, with them', () => {
    const template = Template.fromStack(Stack.of(worker({
      queue: undefined,
      port: 8080,
      targetCpuUtilizationPercent: 0,
      targetMemoryUtilizationPercent: 70,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.seconds(45),
    })));
    expect(targetTracking(template, 'ECSServiceAverageCPUUtilization')).toEqual([]);
    expect(targetTracking(template, 'ECSServiceAverageMemoryUtilization')).toEqual([expect.objectContaining({ TargetValue: 70, ScaleInCooldown: 300, ScaleOutCooldown: 45 })]);
  });

  describe('GIVEN bad worker health check or scaling values THEN synth fails naming the prop', () => {
    test.each([
      [{ queue: undefined, port: 8080, healthCheckInterval: Duration.seconds(10) }, 'invalid healthCheckInterval "10 seconds": a worker has no load balancer: its health check is a command run in its container; give healthCheckCommand or drop it'],
      [{ queue: undefined, port: 8080, healthCheckGracePeriod: Duration.seconds(10) }, 'invalid healthCheckGracePeriod "10 seconds": a worker has no load balancer'],
      [{ queue: undefined, port: 8080, healthCheckCommand: [] }, 'invalid healthCheckCommand []'],
      [{ queue: undefined, port: 8080, healthCheckCommand: ['true'], healthCheckTimeout: Duration.seconds(121) }, 'invalid healthCheckTimeout "121 seconds": give whole seconds from 2 to 120'],
      [{ queue: undefined, port: 8080, healthCheckCommand: ['true'], healthCheckInterval: Duration.seconds(10), healthCheckTimeout: Duration.seconds(20) }, 'invalid healthCheckTimeout "20 seconds": a check cannot wait longer than the interval between checks (10 seconds)'],
      [{ queue: undefined, port: 8080, healthCheckCommand: ['true'], unhealthyThresholdCount: 0 }, 'invalid unhealthyThresholdCount 0: use a whole number from 1 to 10'],
      [{ scaleInCooldown: Duration.minutes(1) }, 'invalid scaleInCooldown "1 minute": a queue worker scales on its backlog per task; set queue.messagesPerTask instead'],
      [{ queue: undefined, port: 8080, targetCpuUtilizationPercent: 100 }, 'invalid targetCpuUtilizationPercent 100'],
    ])('%#: %s', (overrides, error) => {
      expect(() => worker(overrides as any)).toThrow(error);
    });
  });
});

describe('Through BackendPlatform', () => {
  test('GIVEN the platform\'s service, an added service and an internal worker THEN each takes its health check and scaling options', () => {
    const stack = new Stack(new App(), 'Platform', { env: { account: '123456789012', region: 'eu-west-1' } });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const platform = new BackendPlatform(stack, 'Backend', {
      environmentName: 'prod',
      hostedZone: zone,
      service: { healthCheckSuccessCodes: '200', healthCheckTimeout: Duration.seconds(3), targetRequestsPerTaskPerMinute: 500 },
    });
    platform.addService('Admin', { pathPatterns: ['/admin/*'], healthCheckPort: 9000, scaleOutResponseTime: Duration.seconds(1) });
    platform.addWorker('Reports', { port: 8080, healthCheckCommand: ['CMD', '/bin/health'], targetCpuUtilizationPercent: 0, targetMemoryUtilizationPercent: 60 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Matcher: { HttpCode: '200' }, HealthCheckTimeoutSeconds: 3 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPort: '9000' });
    expect(targetTracking(template, 'ALBRequestCountPerTarget')).toEqual([expect.objectContaining({ TargetValue: 500 })]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Threshold: 1 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Name: 'worker', HealthCheck: Match.objectLike({ Command: ['CMD', '/bin/health'] }) })] });
    expect(platform.service.targetGroup).toBeDefined();
  });
});
