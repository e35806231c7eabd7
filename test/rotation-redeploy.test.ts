import { App, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { web, worker } from './builders';
import { BackendPlatform, BackendPlatformProps, PlatformStore, ServiceDeployment } from '../src';
import { maxRulesInvokingOneFunction } from '../src/private/quotas';
import { ROTATION_REDEPLOY_SOURCE } from '../src/service/rotation-redeploy';

const labelUpdated = (resources: unknown) => ({
  EventPattern: { 'source': ['aws.secretsmanager'], 'detail-type': ['Secret Label Updated'], resources, 'detail': { labelUpdated: ['AWSCURRENT'] } },
});

/** The logical ID (or, in a nested stack, the parameter) a rule target's `Arn` names. */
const targetOf = (arn: any): string => arn['Fn::GetAtt']?.[0] ?? arn.Ref;

/** Each redeploy rule: its pattern, the function it invokes and the input it passes. */
function redeployRules(template: Template) {
  return Object.entries<any>(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': ['Secret Label Updated'] } } }))
    .map(([id, rule]) => {
      const [target] = rule.Properties.Targets;
      return { id, pattern: rule.Properties.EventPattern, target: targetOf(target.Arn), input: target.InputTransformer };
    });
}

/** The resources of each UpdateService statement of a redeploy function (the pipeline's deploy action has its own), by the policy's logical ID. */
function updateServiceGrants(template: Template) {
  return Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => /RotationRedeploy/.test(id)).flatMap(([id, policy]) => policy.Properties.PolicyDocument.Statement
    .filter((s: any) => [s.Action].flat().includes('ecs:UpdateService'))
    .map((s: any) => ({ id, actions: [s.Action].flat(), resource: s.Resource })));
}

const functionIds = (template: Template) => Object.keys(template.findResources('AWS::Lambda::Function')).filter(id => /RotationRedeploy/.test(id));

/** The input template a rule passes, with its deploy-time values as `<Ref>` / `<GetAtt>` placeholders. */
function inputOf(input: any): string {
  const parts: any[] = input.InputTemplate['Fn::Join'][1];
  return parts.map(part => (typeof part === 'string' ? part : `<${targetOf(part)}>`)).join('');
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
  const other = new secretsmanager.Secret(stack, 'OtherToken');
  const byName = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'shared/api-token');
  service.redeployOnRotation(secret);
  service.redeployOnRotation(secret);
  service.redeployOnRotation(other);
  service.redeployOnRotation(byName);
  const template = Template.fromStack(stack);

  test('THEN one rule on the AWSCURRENT label matches the full ARN of each secret (once each) and invokes the service\'s own function', () => {
    template.hasResourceProperties('AWS::Events::Rule', labelUpdated([{ Ref: Match.stringLikeRegexp('^ApiToken') }, { Ref: Match.stringLikeRegexp('^OtherToken') }]));
    const rules = redeployRules(template);
    expect(rules).toHaveLength(2);
    expect(rules.map(r => r.target)).toEqual([expect.stringMatching(/^WebRotationRedeployFunction/), rules[0].target]);
  });

  test('THEN a secret imported by name (no full ARN) is matched by its name, in a rule of its own', () => {
    const imported = redeployRules(template).find(r => !r.pattern.resources)!;
    expect(imported.pattern.detail).toEqual({ labelUpdated: ['AWSCURRENT'], name: ['shared/api-token'] });
  });

  test('THEN each rule passes the service\'s cluster and name, the changed secret and its version, and has its own Lambda permission', () => {
    for (const rule of redeployRules(template)) {
      expect(rule.input.InputPathsMap).toEqual({ 'resources-0-': '$.resources[0]', 'detail-versionId': '$.detail.versionId' });
      expect(JSON.parse(inputOf(rule.input).replace(/<([^<>]+)>(?=[,}])/g, '"$1"'))).toEqual({
        cluster: expect.stringMatching(/^<WebCluster/), service: expect.stringMatching(/^<WebService/), secret: 'resources-0-', versionId: 'detail-versionId',
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [rule.id, 'Arn'] },
      });
    }
  });

  test('THEN its own function may call ecs:UpdateService on this service only, and reads the service from the event', () => {
    const grants = updateServiceGrants(template);
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ id: expect.stringMatching(/^WebRotationRedeployFunctionServiceRoleDefaultPolicy/), actions: ['ecs:UpdateService'], resource: { Ref: stack.getLogicalId(service.service.node.defaultChild as any) } });
    const fn = Object.values<any>(template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } }))
      .find(f => f.Properties.LoggingConfig?.LogGroup?.Ref?.startsWith('WebRotationRedeployLogGroup'))!;
    expect(fn.Properties.Environment).toBeUndefined();
  });

  test('THEN its log group keeps one year and its error alarm joins the deployment alarms (not the rollback ones), at the paths it always had', () => {
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

describe('BackendPlatform redeploys the workloads that read a changed secret, with one function', () => {
  test('GIVEN database rotation and a worker THEN one function of the platform redeploys the web service and the worker, each rule naming its own service', () => {
    const p = platform({ database: { rotation: true } });
    const mailer = p.addWorker('Mailer', { queue: {} });
    const stack = Stack.of(p);
    const template = Template.fromStack(stack);
    expect(functionIds(template)).toEqual([expect.stringMatching(/^BackendRotationRedeployFunction[0-9A-F]{8}$/)]);
    const rules = redeployRules(template);
    expect(rules.map(r => r.target)).toEqual([functionIds(template)[0], functionIds(template)[0]]);
    for (const rule of rules) expect(rule.pattern.resources).toEqual([{ Ref: expect.stringMatching(/^BackendDatabaseInstanceSecretAttachment/) }]);
    const services = rules.map(r => inputOf(r.input).match(/"service":"<([^>]+)>"/)![1]).sort();
    const serviceIds = [mailer.service, p.service.service].map(service => stack.getLogicalId(service.node.defaultChild as any));
    expect(services).toEqual(serviceIds.sort());
    expect(mailer.rotationRedeployFunction).toBe(p.service.rotationRedeployFunction);
  });

  test('THEN the function may call ecs:UpdateService on the services of the platform\'s cluster only', () => {
    const p = platform({ database: {} });
    p.addWorker('Mailer', { queue: {} });
    const grants = updateServiceGrants(Template.fromStack(Stack.of(p)));
    expect(grants).toEqual([{
      id: expect.stringMatching(/^BackendRotationRedeployFunctionServiceRoleDefaultPolicy/),
      actions: ['ecs:UpdateService'],
      resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':service/', { Ref: expect.stringMatching(/^BackendServiceCluster/) }, '/*']] },
    }]);
  });

  test('GIVEN workloads in stacks of their own THEN their rules and permissions live with them and invoke the platform\'s function, passed in as a parameter', () => {
    const p = platform({ database: {} });
    const mailer = p.addWorker('Mailer', { queue: {}, ownStack: true });
    const admin = p.addService('Admin', { pathPatterns: ['/admin/*'], ownStack: true });
    const template = Template.fromStack(Stack.of(p));
    const [fn] = functionIds(template);
    expect(functionIds(template)).toHaveLength(1);
    const nestedIds: string[] = [];
    for (const workload of [mailer, admin]) {
      const nested = Stack.of(workload) as NestedStack;
      const inner = Template.fromStack(nested);
      expect(functionIds(inner)).toEqual([]);
      const [rule] = redeployRules(inner);
      inner.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { Ref: rule.target }, SourceArn: { 'Fn::GetAtt': [rule.id, 'Arn'] } });
      const nestedId: string = Stack.of(p).resolve(nested.nestedStackResource!.logicalId);
      expect(template.toJSON().Resources[nestedId].Properties.Parameters[rule.target]).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
      nestedIds.push(nestedId);
    }
    // The platform's stack names no workload's rule or service in the function: no dependency of the function on a workload.
    const platformFn = JSON.stringify(Object.entries<any>(template.toJSON().Resources).filter(([id]) => id.startsWith('BackendRotationRedeploy')));
    for (const nestedId of nestedIds) expect(platformFn).not.toContain(nestedId);
  });

  test('GIVEN a cache and scheduled calls THEN the web service watches the database, cache and scheduler secrets; a worker not the scheduler key', () => {
    const p = platform({ database: {}, cache: {}, scheduledApiCalls: [{ id: 'Reset', schedule: events.Schedule.rate(Duration.hours(1)), path: '/reset' }] });
    p.addWorker('Mailer', { queue: {} });
    const template = Template.fromStack(Stack.of(p));
    const watched = (rule: RegExp) => redeployRules(template).filter(r => rule.test(r.id))
      .flatMap(r => r.pattern.resources.map((x: any) => x.Ref)).sort();
    expect(watched(/^BackendServiceRotation/)).toEqual([
      expect.stringMatching(/^BackendCacheAuthToken/), expect.stringMatching(/^BackendDatabaseInstanceSecretAttachment/), expect.stringMatching(/^BackendSchedulerApiKey/),
    ]);
    expect(watched(/^BackendMailerRotation/)).toEqual([expect.stringMatching(/^BackendCacheAuthToken/), expect.stringMatching(/^BackendDatabaseInstanceSecretAttachment/)]);
  });

  test('GIVEN a worker connected to the cache only THEN it is not redeployed when the database password changes', () => {
    const p = platform({ database: {}, cache: {} });
    p.addWorker('Mailer', { queue: {}, stores: [PlatformStore.CACHE] });
    const rules = redeployRules(Template.fromStack(Stack.of(p))).filter(r => /^BackendMailer/.test(r.id));
    expect(rules.map(r => r.pattern.resources.map((x: any) => x.Ref))).toEqual([[expect.stringMatching(/^BackendCacheAuthToken/)]]);
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
    expect(functionIds(template)).toEqual([]);
    expect(p.service.rotationRedeployFunction).toBeUndefined();
  });

  test.each([
    ['by the platform\'s service, before the monitoring exists', {}],
    ['by an added worker only, after the monitoring exists', { service: { connectedContainers: [] } }],
  ])('GIVEN the function created %s THEN its one alarm pages the monitoring topic, rolls back no deployment and joins no workload\'s alarms', (_name, props) => {
    const p = platform({ database: { rotation: true }, ...props });
    const mailer = p.addWorker('Mailer', { queue: {} });
    const admin = p.addService('Admin', { pathPatterns: ['/admin/*'] });
    const template = Template.fromStack(Stack.of(p));
    const alarms = Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => /RotationRedeploy/.test(id));
    expect(alarms.map(([id]) => id)).toEqual([expect.stringMatching(/^BackendRotationRedeployErrorsAlarm/)]);
    expect(alarms[0][1].Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^BackendMonitoringAlarmTopic/) }]);
    for (const service of Object.values<any>(template.findResources('AWS::ECS::Service'))) {
      expect(JSON.stringify(service.Properties.DeploymentConfiguration?.Alarms ?? {})).not.toMatch(/RotationRedeploy/);
    }
    expect([...mailer.alarms, ...admin.deploymentAlarms, ...p.service.deploymentAlarms].map(a => a.node.path)).not.toContainEqual(expect.stringMatching(/RotationRedeploy/));
  });

  test('GIVEN more rules than permissions fit the function\'s resource-based policy THEN the platform is refused at synth, naming the quota', () => {
    expect(maxRulesInvokingOneFunction()).toBe(40);
    const p = platform({ database: {} });
    const shared = (p.service as any).rotationRedeploy.redeployFunction;
    const stack = Stack.of(p);
    for (let i = shared.invokers.length; i <= maxRulesInvokingOneFunction(); i++) {
      shared.invokers.push(new events.Rule(stack, `Extra${i}`, { schedule: events.Schedule.rate(Duration.hours(1)) }));
    }
    expect(() => Template.fromStack(stack)).toThrow(/redeployOnSecretRotation.*41 rules .* over the 40 whose permissions fit Lambda's 20 KB resource-based policy \(https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/gettingstarted-limits\.html\)/);
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
  const env = {};
  const cluster = 'arn:aws:ecs:eu-west-1:1:cluster/c';
  // What a workload's rule passes (its input transformer): its cluster and service, the changed secret and its version.
  const event = { cluster, service: 'web', secret: 'arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf', versionId: 'v2' };

  test('forces one new deployment of the service in its cluster and logs the secret, its version and the deployment', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { mod, sent } = load(env, async () => ({ service: { deployments: [{ id: 'ecs-svc/old', status: 'ACTIVE' }, { id: 'ecs-svc/new', status: 'PRIMARY' }] } }));
    expect(await mod.handler(event)).toEqual({ cluster, service: 'web', deploymentId: 'ecs-svc/new' });
    expect(sent).toEqual([{ cluster, service: 'web', forceNewDeployment: true }]);
    expect(JSON.parse(log.mock.calls[0][0])).toEqual({ secret: event.secret, versionId: 'v2', cluster, service: 'web', deploymentId: 'ecs-svc/new' });
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

  test.each([
    ['no event', undefined],
    ['an event without a service (a rule written by hand, or the raw Secrets Manager event)', { 'cluster': cluster, 'detail-type': 'Secret Label Updated' }],
  ])('%s: refused before any ECS call', async (_name, bad) => {
    const { mod, sent } = load(env, async () => ({}));
    await expect(mod.handler(bad)).rejects.toThrow(/names no cluster and service/);
    expect(sent).toEqual([]);
  });

  test('an answer without deployments still succeeds', async () => {
    const { mod } = load(env, async () => ({}));
    expect(await mod.redeploy('c', 's', async () => ({}))).toEqual({ cluster: 'c', service: 's', deploymentId: undefined });
  });

  test('fits Lambda\'s inline code limit (4 KB)', () => {
    expect(Buffer.byteLength(ROTATION_REDEPLOY_SOURCE)).toBeLessThan(4096);
  });
});
