import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { web, worker } from './builders';
import { BackendPlatform, BackendPlatformProps, PlatformStore, ServiceDeployment } from '../src';
import { ROTATION_REDEPLOY_SOURCE } from '../src/service/rotation-redeploy';

const labelUpdated = (resources: unknown) => ({
  EventPattern: { 'source': ['aws.secretsmanager'], 'detail-type': ['Secret Label Updated'], resources, 'detail': { labelUpdated: ['AWSCURRENT'] } },
});

/** The Lambda target of each rule, as `{ secret pattern, function logical ID }`. */
function redeployRules(template: Template) {
  return Object.values<any>(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': ['Secret Label Updated'] } } }))
    .map(rule => ({ pattern: rule.Properties.EventPattern, target: rule.Properties.Targets[0].Arn['Fn::GetAtt'][0] as string }));
}

/** The resources of each UpdateService statement of a redeploy function (the pipeline's deploy action has its own), by the policy's logical ID. */
function updateServiceGrants(template: Template) {
  return Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => /RotationRedeploy/.test(id)).flatMap(([id, policy]) => policy.Properties.PolicyDocument.Statement
    .filter((s: any) => [s.Action].flat().includes('ecs:UpdateService'))
    .map((s: any) => ({ id, actions: [s.Action].flat(), resource: s.Resource })));
}

function platform(props: Partial<BackendPlatformProps>) {
  const stack = new Stack(new App(), 'Backend');
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  return new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone: zone, ...props });
}

describe('SecureAlbFargateService.redeployOnRotation(secret)', () => {
  const service = web({ deployment: ServiceDeployment.blueGreen() });
  const stack = Stack.of(service);
  const secret = new secretsmanager.Secret(stack, 'ApiToken');
  const byName = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'shared/api-token');
  service.redeployOnRotation(secret);
  service.redeployOnRotation(secret);
  service.redeployOnRotation(byName);
  const template = Template.fromStack(stack);

  test('THEN a rule on the AWSCURRENT label of the secret\'s full ARN invokes the redeploy function, once per secret', () => {
    template.hasResourceProperties('AWS::Events::Rule', labelUpdated([{ Ref: Match.stringLikeRegexp('^ApiToken') }]));
    const rules = redeployRules(template);
    expect(rules).toHaveLength(2);
    expect(rules.map(r => r.target)).toEqual([expect.stringMatching(/^WebRotationRedeployFunction/), rules[0].target]);
  });

  test('THEN a secret imported by name (no full ARN) is matched by its name', () => {
    const imported = redeployRules(template).find(r => !r.pattern.resources)!;
    expect(imported.pattern.detail).toEqual({ labelUpdated: ['AWSCURRENT'], name: ['shared/api-token'] });
  });

  test('THEN the function may call ecs:UpdateService on this service only, and knows its cluster and name', () => {
    const grants = updateServiceGrants(template);
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ id: expect.stringMatching(/^WebRotationRedeployFunctionServiceRoleDefaultPolicy/), actions: ['ecs:UpdateService'], resource: { Ref: stack.getLogicalId(service.service.node.defaultChild as any) } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: { CLUSTER_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebCluster'), 'Arn'] }, SERVICE_NAME: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebService'), 'Name'] } } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^WebRotationRedeployLogGroup') } },
    });
  });

  test('THEN its log group keeps one year and its error alarm joins the deployment alarms (not the rollback ones)', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    expect(service.deploymentAlarms.map(a => a.node.path)).toContain('TestStack/Web/RotationRedeploy/ErrorsAlarm');
    expect(service.rotationRedeployFunction?.node.path).toBe('TestStack/Web/RotationRedeploy/Function');
    const rollback = Object.values<any>(template.findResources('AWS::ECS::Service'))[0].Properties.DeploymentConfiguration.Alarms.AlarmNames;
    expect(JSON.stringify(rollback)).not.toMatch(/RotationRedeploy/);
  });
});

describe('WorkerService.redeployOnRotation(secret)', () => {
  test('THEN its own function redeploys the worker, and the error alarm joins the worker\'s alarms', () => {
    const w = worker({});
    const secret = new secretsmanager.Secret(Stack.of(w), 'Token');
    w.redeployOnRotation(secret);
    const template = Template.fromStack(Stack.of(w));
    expect(redeployRules(template).map(r => r.target)).toEqual([expect.stringMatching(/^WorkerRotationRedeployFunction/)]);
    expect(updateServiceGrants(template).map(g => g.resource)).toEqual([{ Ref: expect.stringMatching(/^WorkerService/) }]);
    expect(w.alarms.map(a => a.node.id)).toContain('ErrorsAlarm');
  });
});

describe('BackendPlatform redeploys the workloads that read a changed secret', () => {
  test('GIVEN database rotation and a worker THEN the web service and the worker are redeployed after the password rotates', () => {
    const p = platform({ database: { rotation: true } });
    const mailer = p.addWorker('Mailer', { queue: {} });
    const template = Template.fromStack(Stack.of(p));
    const rules = redeployRules(template);
    expect(rules.map(r => r.target).sort()).toEqual([
      expect.stringMatching(/^BackendMailerRotationRedeployFunction/), expect.stringMatching(/^BackendServiceRotationRedeployFunction/),
    ].sort((a, b) => String(a).localeCompare(String(b))));
    for (const rule of rules) expect(rule.pattern.resources).toEqual([{ Ref: expect.stringMatching(/^BackendDatabaseInstanceSecretAttachment/) }]);
    const stack = Stack.of(p);
    expect(updateServiceGrants(template).map(g => g.resource.Ref).sort()).toEqual([
      stack.getLogicalId(mailer.service.node.defaultChild as any), stack.getLogicalId(p.service.service.node.defaultChild as any),
    ].sort());
  });

  test('GIVEN a cache and scheduled calls THEN the web service watches the database, cache and scheduler secrets; a worker not the scheduler key', () => {
    const p = platform({ database: {}, cache: {}, scheduledApiCalls: [{ id: 'Reset', schedule: events.Schedule.rate(Duration.hours(1)), path: '/reset' }] });
    p.addWorker('Mailer', { queue: {} });
    const template = Template.fromStack(Stack.of(p));
    const watched = (fn: RegExp) => redeployRules(template).filter(r => fn.test(r.target)).map(r => r.pattern.resources[0].Ref).sort();
    expect(watched(/^BackendServiceRotation/)).toEqual([
      expect.stringMatching(/^BackendCacheAuthToken/), expect.stringMatching(/^BackendDatabaseInstanceSecretAttachment/), expect.stringMatching(/^BackendSchedulerApiKey/),
    ]);
    expect(watched(/^BackendMailerRotation/)).toEqual([expect.stringMatching(/^BackendCacheAuthToken/), expect.stringMatching(/^BackendDatabaseInstanceSecretAttachment/)]);
  });

  test('GIVEN a worker connected to the cache only THEN it is not redeployed when the database password changes', () => {
    const p = platform({ database: {}, cache: {} });
    p.addWorker('Mailer', { queue: {}, stores: [PlatformStore.CACHE] });
    const rules = redeployRules(Template.fromStack(Stack.of(p))).filter(r => /^BackendMailer/.test(r.target));
    expect(rules.map(r => r.pattern.resources[0].Ref)).toEqual([expect.stringMatching(/^BackendCacheAuthToken/)]);
  });

  test.each<[string, Partial<BackendPlatformProps>]>([
    ['no store and no scheduled call', {}],
    ['redeployOnSecretRotation: false', { database: { rotation: true }, cache: {}, redeployOnSecretRotation: false }],
    ['a web service whose containers take no connection', { database: { rotation: true }, service: { connectedContainers: [] } }],
  ])('GIVEN %s THEN no rule and no redeploy function', (_name, props) => {
    const p = platform(props);
    const template = Template.fromStack(Stack.of(p));
    expect(redeployRules(template)).toEqual([]);
    expect(updateServiceGrants(template)).toEqual([]);
    expect(p.service.rotationRedeployFunction).toBeUndefined();
  });

  test('GIVEN database rotation THEN the redeploy alarm pages the monitoring topic', () => {
    const p = platform({ database: { rotation: true } });
    const template = Template.fromStack(Stack.of(p));
    const alarm = Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm')).find(([id]) => /^BackendServiceRotationRedeployErrorsAlarm/.test(id))![1];
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^BackendMonitoringAlarmTopic/) }]);
  });
});

describe('The rotation redeploy function (its inline source, run as a module)', () => {
  function load(env: { [key: string]: string }, send: (command: { input: any }) => Promise<any>) {
    const sent: any[] = [];
    const ecs = {
      ECSClient: class { public send(command: { input: any }) { sent.push(command.input); return send(command); } },
      UpdateServiceCommand: class { constructor(public readonly input: any) {} },
    };
    const mod: { handler: Function; redeploy: Function } = {} as any;
    new Function('exports', 'process', 'require', ROTATION_REDEPLOY_SOURCE)(mod, { env }, (name: string) => {
      if (name !== '@aws-sdk/client-ecs') throw new Error(`unexpected require ${name}`);
      return ecs;
    });
    return { mod, sent };
  }
  const env = { CLUSTER_ARN: 'arn:aws:ecs:eu-west-1:1:cluster/c', SERVICE_NAME: 'web' };
  const event = { 'detail-type': 'Secret Label Updated', 'resources': ['arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf'], 'detail': { labelUpdated: 'AWSCURRENT', versionId: 'v2' } };

  test('forces one new deployment of the service in its cluster and logs the secret, its version and the deployment', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { mod, sent } = load(env, async () => ({ service: { deployments: [{ id: 'ecs-svc/old', status: 'ACTIVE' }, { id: 'ecs-svc/new', status: 'PRIMARY' }] } }));
    expect(await mod.handler(event)).toEqual({ cluster: env.CLUSTER_ARN, service: 'web', deploymentId: 'ecs-svc/new' });
    expect(sent).toEqual([{ cluster: env.CLUSTER_ARN, service: 'web', forceNewDeployment: true }]);
    expect(JSON.parse(log.mock.calls[0][0])).toEqual({ secret: event.resources[0], versionId: 'v2', cluster: env.CLUSTER_ARN, service: 'web', deploymentId: 'ecs-svc/new' });
    log.mockRestore();
  });

  test('a failed UpdateService fails the invocation (the error alarm pages, Lambda retries) and is logged', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const denied = Object.assign(new Error('not authorized to perform ecs:UpdateService'), { name: 'AccessDeniedException' });
    const { mod } = load(env, async () => { throw denied; });
    await expect(mod.handler(event)).rejects.toBe(denied);
    expect(JSON.parse(log.mock.calls[0][0])).toMatchObject({ service: 'web', error: 'AccessDeniedException: not authorized to perform ecs:UpdateService' });
    log.mockRestore();
  });

  test('an answer without deployments still succeeds', async () => {
    const { mod } = load(env, async () => ({}));
    expect(await mod.redeploy('c', 's', async () => ({}))).toEqual({ cluster: 'c', service: 's', deploymentId: undefined });
  });

  test('fits Lambda\'s inline code limit (4 KB)', () => {
    expect(Buffer.byteLength(ROTATION_REDEPLOY_SOURCE)).toBeLessThan(4096);
  });
});
