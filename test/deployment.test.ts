import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { givenStack } from './fixtures';
import { EdgeMode, InfraMonitoring, SecureAlbFargateService, SecureAlbFargateServiceProps, ServiceDeployment, ServiceImage, WorkerService } from '../src';
import { SMOKE_TEST_SOURCE } from '../src/service/smoke-test';

function build(overrides: Partial<SecureAlbFargateServiceProps> = {}, withZone = true) {
  const { stack, vpc, zone, repository } = givenStack();
  const service = new SecureAlbFargateService(stack, 'Backend', {
    vpc,
    hostedZone: withZone ? zone : undefined,
    environmentName: 'prod',
    appName: 'total-ctl',
    image: ServiceImage.fromEcrRepository(repository),
    deployment: ServiceDeployment.blueGreen(),
    ...overrides,
  });
  return { stack, service, template: Template.fromStack(stack) };
}

describe('ServiceDeployment.blueGreen()', () => {
  const { service, template, stack } = build();
  const serviceProps = () => Object.values<any>(template.findResources('AWS::ECS::Service'))[0].Properties;

  test('THEN the service deploys BLUE_GREEN with a 5-minute bake time, the ECS controller, and the circuit breaker fails green tasks that never start', () => {
    const config = serviceProps().DeploymentConfiguration;
    expect(config).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5 });
    expect(config.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    expect(serviceProps().DeploymentController).toEqual({ Type: 'ECS' });
    expect(service.deploymentStrategy).toBe('BLUE_GREEN');
  });

  test('THEN the load balancer entry names the alternate target group, the production and test rules and the ECS role', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{
        ContainerName: 'app',
        ContainerPort: 8080,
        TargetGroupArn: { Ref: Match.stringLikeRegexp('^BackendAppTargetGroup') },
        AdvancedConfiguration: {
          AlternateTargetGroupArn: { Ref: Match.stringLikeRegexp('^BackendAppAlternateTargetGroup') },
          ProductionListenerRule: { Ref: Match.stringLikeRegexp('^BackendLoadBalancerHttpsListenerAppRouteRule') },
          TestListenerRule: { Ref: Match.stringLikeRegexp('^BackendLoadBalancerTestListenerAppRouteRule') },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendDeploymentRole'), 'Arn'] },
        },
      }],
    });
  });

  test('THEN the production and test rules forward to both target groups, primary 100 and alternate 0', () => {
    const rules = Object.values<any>(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'));
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.Properties.Conditions).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }]);
      expect(rule.Properties.Actions[0].ForwardConfig.TargetGroups.map((t: any) => t.Weight)).toEqual([100, 0]);
    }
  });

  test('THEN the test listener is HTTPS on 8443 with the load balancer\'s certificate, and only the smoke test may reach it', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^BackendCertificate') } }],
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    });
    const ingress = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { FromPort: 8443 } }));
    expect(ingress.map(i => i.Properties.SourceSecurityGroupId)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^BackendSmokeTestSecurityGroup/), 'GroupId'] }]);
    // CloudFront's prefix list is admitted on the production port only.
    const prefixListPorts = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter(i => i.Properties.SourcePrefixListId).map(i => i.Properties.FromPort);
    expect(prefixListPorts).toEqual([443]);
  });

  test('THEN the smoke test runs after test traffic moved, in the VPC, calling the test listener on the health check path', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        LifecycleHooks: [{
          HookTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendSmokeTestFunction'), 'Arn'] },
          LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendDeploymentRole'), 'Arn'] },
        }],
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 20,
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^BackendSmokeTestLogGroup') } },
      Environment: { Variables: { SMOKE_TEST_URL: 'https://prod-lb.example.com:8443/health', SMOKE_TEST_TIMEOUT_MS: '10000' } },
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
  });

  test('THEN ECS may invoke the hook and shift the load balancer (AWS\'s policy for it)', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AmazonECSInfrastructureRolePolicyForLoadBalancers')])] }],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:InvokeFunction' })] },
      Roles: [{ Ref: Match.stringLikeRegexp('^BackendDeploymentRole') }],
    });
  });

  test('THEN unhealthy hosts in either target group roll the deployment back, and the hook\'s errors alarm', () => {
    expect(serviceProps().DeploymentConfiguration.Alarms).toEqual({
      AlarmNames: [{ Ref: expect.stringMatching(/^BackendAppUnhealthyHostsAlarm/) }, { Ref: expect.stringMatching(/^BackendAppAlternateUnhealthyHostsAlarm/) }],
      Enable: true,
      Rollback: true,
    });
    expect(service.deploymentAlarms.map(a => a.node.id)).toEqual(['SmokeTestErrorsAlarm', 'AppUnhealthyHostsAlarm', 'AppAlternateUnhealthyHostsAlarm']);
  });

  test('THEN synth carries no warning about the circuit breaker', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('circuitBreaker'))).toEqual([]);
  });
});

describe('GIVEN blue/green WHEN InfraMonitoring watches the service and the caller adds a rollback alarm of its own', () => {
  const { stack, vpc, zone, repository } = givenStack();
  const service = new SecureAlbFargateService(stack, 'Backend', {
    vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), deployment: ServiceDeployment.blueGreen(),
  });
  const own = new cloudwatch.Alarm(stack, 'OwnAlarm', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
  new InfraMonitoring(stack, 'Monitoring', { service: service.service, loadBalancer: service.loadBalancer, deployment: service });
  service.addRollbackAlarm(own);
  service.addRollbackAlarm(own);
  const template = Template.fromStack(stack);
  const [svc] = Object.values<any>(template.findResources('AWS::ECS::Service'));

  test('THEN DeploymentConfiguration.Alarms names every rollback alarm once: unhealthy hosts in both groups, 5xx, p99 latency, the caller\'s', () => {
    expect(svc.Properties.DeploymentConfiguration.Alarms).toEqual({
      AlarmNames: ['BackendAppUnhealthyHostsAlarm', 'BackendAppAlternateUnhealthyHostsAlarm', 'MonitoringLoadBalancer5xxRate', 'MonitoringTarget5xxRate',
        'MonitoringP99LatencyHigh', 'OwnAlarm'].map(id => ({ Ref: expect.stringMatching(new RegExp(`^${id}[A-F0-9]{8}$`)) })),
      Enable: true,
      Rollback: true,
    });
    expect(service.rollbackAlarms).toHaveLength(6);
  });

  test('THEN the circuit breaker with rollback stays on beside the alarms', () => {
    expect(svc.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
  });
});

describe('GIVEN blue/green without a hosted zone', () => {
  const { template } = build({}, false);
  test('THEN the test listener is HTTP on 8080 and the smoke test calls the internal ALB\'s own name', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8080, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SMOKE_TEST_URL: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [Match.anyValue(), 'DNSName'] }, ':8080/health']] } }) },
    });
  });
});

describe('GIVEN blue/green with a routed container and custom settings', () => {
  const { template, service } = build({
    deployment: ServiceDeployment.blueGreen({ bakeTime: Duration.minutes(30), smokeTestPath: '/ready', smokeTestTimeout: Duration.seconds(5) }),
    routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: ['/admin/*'], image: ServiceImage.placeholder() }],
  });
  test('THEN every container has an alternate target group and its own production and test rules', () => {
    expect(Object.keys(service.alternateTargetGroups)).toEqual(['app', 'admin']);
    const services = Object.values<any>(template.findResources('AWS::ECS::Service'));
    expect(services[0].Properties.LoadBalancers.map((l: any) => Object.keys(l.AdvancedConfiguration).sort()))
      .toEqual([0, 1].map(() => ['AlternateTargetGroupArn', 'ProductionListenerRule', 'RoleArn', 'TestListenerRule']));
    expect(Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))).toHaveLength(4);
    expect(services[0].Properties.DeploymentConfiguration.BakeTimeInMinutes).toBe(30);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 15, Environment: { Variables: { SMOKE_TEST_URL: 'https://prod-lb.example.com:8443/ready', SMOKE_TEST_TIMEOUT_MS: '5000' } },
    });
  });
});

describe('GIVEN the default (rolling) deployment', () => {
  const { template, service } = build({ deployment: ServiceDeployment.rolling() });
  test('THEN nothing of blue/green exists and the circuit breaker rolls back', () => {
    expect(service.deploymentStrategy).toBe('ROLLING');
    expect(service.testListener).toBeUndefined();
    expect(service.deploymentAlarms).toEqual([]);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MaximumPercent: 200, MinimumHealthyPercent: 100 },
    });
  });
});

describe('GIVEN bad deployment input THEN it is refused by name', () => {
  test.each([
    ['a bake time over 1440 minutes', { deployment: ServiceDeployment.blueGreen({ bakeTime: Duration.minutes(1441) }) }, 'invalid deployment.bakeTime "1441 minutes"'],
    ['a bake time in part-minutes', { deployment: ServiceDeployment.blueGreen({ bakeTime: Duration.seconds(90) }) }, 'invalid deployment.bakeTime "1.5 minutes"'],
    ['a smoke-test path without a leading slash', { deployment: ServiceDeployment.blueGreen({ smokeTestPath: 'health' }) }, 'invalid deployment.smokeTestPath "health"'],
    ['a smoke-test path with a wildcard', { deployment: ServiceDeployment.blueGreen({ smokeTestPath: '/health/*' }) }, 'invalid deployment.smokeTestPath "/health/*"'],
    ['a smoke-test timeout over a minute', { deployment: ServiceDeployment.blueGreen({ smokeTestTimeout: Duration.minutes(2) }) }, 'invalid deployment.smokeTestTimeout "120 seconds"'],
    ['blue/green on an internet-facing load balancer', { edgeMode: EdgeMode.PUBLIC_ALB }, /invalid deployment .*EdgeMode.VPC_ORIGIN/],
  ])('%s', (_name, overrides, error) => {
    expect(() => build(overrides as Partial<SecureAlbFargateServiceProps>)).toThrow(error);
  });

  test('blue/green on a service with no load balancer (a worker)', () => {
    const { stack, vpc, repository } = givenStack();
    expect(() => new WorkerService(stack, 'Worker', {
      vpc, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), deployment: ServiceDeployment.blueGreen(),
    } as any)).toThrow(/invalid deployment .*no such prop/);
  });

  test('all problems together', () => {
    expect(() => build({ deployment: ServiceDeployment.blueGreen({ bakeTime: Duration.minutes(2000), smokeTestPath: 'x' }) }))
      .toThrow(/deployment.bakeTime[\s\S]*deployment.smokeTestPath/);
  });
});

describe('The smoke-test hook (its inline source, run as a module)', () => {
  const mod: { smokeTest: Function; handler: Function } = {} as any;
  const env: { [key: string]: string } = {};
  new Function('exports', 'process', 'fetch', SMOKE_TEST_SOURCE)(mod, { env }, undefined);
  const answering = (status: number) => async () => ({ status });

  test.each([[200, 'SUCCEEDED'], [204, 'SUCCEEDED'], [301, 'FAILED'], [404, 'FAILED'], [500, 'FAILED'], [503, 'FAILED']])(
    'HTTP %i -> %s', async (status, verdict) => {
      expect(await mod.smokeTest('http://x/health', 1000, answering(status))).toMatchObject({ hookStatus: verdict, reason: `HTTP ${status}` });
    });

  test('a timeout fails the deployment, naming the timeout', async () => {
    const hanging = (_url: string, init: { signal: AbortSignal }) => new Promise((_resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(init.signal.reason));
    });
    expect(await mod.smokeTest('http://x/health', 50, hanging)).toMatchObject({ hookStatus: 'FAILED', reason: 'no answer within 50 ms' });
  });

  test('a network error fails the deployment', async () => {
    const refused = async () => { throw new Error('connect ECONNREFUSED'); };
    expect(await mod.smokeTest('http://x/health', 1000, refused)).toMatchObject({ hookStatus: 'FAILED', reason: 'connect ECONNREFUSED' });
  });

  test('the handler reads its URL and timeout from the environment and returns only hookStatus', async () => {
    const calls: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const handlerModule: { handler: Function } = {} as any;
    new Function('exports', 'process', 'fetch', SMOKE_TEST_SOURCE)(handlerModule,
      { env: { SMOKE_TEST_URL: 'http://alb:8080/health', SMOKE_TEST_TIMEOUT_MS: '1000' } }, async (url: string) => { calls.push(url); return { status: 200 }; });
    expect(await handlerModule.handler({ serviceArn: 'arn:aws:ecs:eu-west-1:1:service/c/s' })).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(calls).toEqual(['http://alb:8080/health']);
    expect(JSON.parse(log.mock.calls[0][0])).toMatchObject({ url: 'http://alb:8080/health', hookStatus: 'SUCCEEDED', serviceArn: 'arn:aws:ecs:eu-west-1:1:service/c/s' });
    log.mockRestore();
  });

  test('fits Lambda\'s inline code limit (4 KB)', () => {
    expect(Buffer.byteLength(SMOKE_TEST_SOURCE)).toBeLessThan(4096);
  });
});
