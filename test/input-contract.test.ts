import { App, CfnDynamicReference, CfnDynamicReferenceService, CfnResource, Duration, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import { cache, calls, database, job, monitoring, pipeline, platform, reset, synthesized, web } from './builders';
import { BackendPlatform } from '../src';

/**
 * The defects new users hit from plain JavaScript and with tokens (issue #18), each pinned: the prop is used as given
 * or refused at synth with the library's error, naming the prop as the user wrote it, the value and the fix.
 */
const js = <T>(value: unknown) => value as T;

describe('props from plain JavaScript are refused by name, never used as garbage or crashing with a TypeError', () => {
  test.each([
    // Silent garbage before: undefined-lb.<zone>, /<app>/undefined/, the development profile, a command split into characters, undefined/undefined
    ['missing environmentName (platform)', () => platform({ environmentName: js(undefined) }),
      'TestStack/Platform: invalid environmentName undefined: it is required; give a string'],
    ['missing environmentName (service)', () => web({ environmentName: js(undefined) }),
      'TestStack/Web: invalid environmentName undefined: it is required; give a string'],
    ['profile in the wrong case', () => platform({ profile: js('PRODUCTION') }),
      'TestStack/Platform: invalid profile "PRODUCTION": expected EnvironmentProfile.PRODUCTION or EnvironmentProfile.DEVELOPMENT (the values "production", "development")'],
    ['profile abbreviated', () => platform({ profile: js('dev') }),
      'TestStack/Platform: invalid profile "dev": expected EnvironmentProfile.PRODUCTION or EnvironmentProfile.DEVELOPMENT (the values "production", "development")'],
    ['cleanup command as one string', () => platform({ cleanupJob: { command: js('npx tsx cleanup-job.ts') } }),
      'TestStack/Platform: invalid cleanupJob.command "npx tsx cleanup-job.ts": expected an array of strings (e.g. ["npx","tsx","cleanup-job.ts"])'],
    ['GitHub source without owner and repo', () => platform({ pipeline: { source: js({ connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0123abcd' }) } }),
      'TestStack/Platform: invalid pipeline.source.owner undefined: it is required; give a string\n'
      + 'TestStack/Platform: invalid pipeline.source.repo undefined: it is required; give a string'],
    // TypeErrors before
    ['a hosted zone that is not one', () => platform({ hostedZone: js('example.com') }),
      'TestStack/Platform: invalid hostedZone "example.com": expected a route53.IHostedZone'],
    ['missing vpc', () => web({ vpc: js(undefined) }), 'TestStack/Web: invalid vpc undefined: it is required; give a ec2.IVpc'],
    ['missing image', () => web({ image: js(undefined) }),
      'TestStack/Web: invalid image undefined: it is required; give a ServiceImage (e.g. ServiceImage.fromEcrRepository(repository))'],
    ['missing cluster', () => job({ cluster: js(undefined) }), 'TestStack/Job: invalid cluster undefined: it is required; give a ecs.ICluster'],
    ['missing command', () => job({ command: js(undefined) }), 'TestStack/Job: invalid command undefined: it is required; give an array of strings'],
    ['missing calls', () => calls({ calls: js(undefined) }),
      'TestStack/Calls: invalid calls undefined: it is required; give an array of objects (ScheduledApiCall)'],
    ['routed container without name and paths', () => web({ routedContainers: [js({ containerPort: 9000 })] }),
      'TestStack/Web: invalid routedContainers[0].name undefined: it is required; give a string\n'
      + 'TestStack/Web: invalid routedContainers[0].pathPatterns undefined: it is required; give an array of strings'],
    ['scheduled call without schedule', () => platform({ scheduledApiCalls: [js({ id: 'Reset', path: '/reset' })] }),
      'TestStack/Platform: invalid scheduledApiCalls[0].schedule undefined: it is required; give a events.Schedule'],
    ['alarm e-mails as one string', () => platform({ alarmEmails: js('ops@example.com') }),
      'TestStack/Platform: invalid alarmEmails "ops@example.com": expected an array of strings (e.g. ["ops@example.com"])'],
    ['scheduled calls as one object', () => platform({ scheduledApiCalls: js({ id: 'Reset', schedule: reset, path: '/reset' }) }),
      'TestStack/Platform: invalid scheduledApiCalls {"id":"Reset","schedule":{"expressionString":"cron(0 8 * * ? *)"},"path":"/reset"}: '
      + 'expected an array of objects (ScheduledApiCall) (wrap a single value in [ ])'],
    ['health check path as a number', () => web({ healthCheckPath: js(42) }), 'TestStack/Web: invalid healthCheckPath 42: expected a string (quote it: "42")'],
    ['a null routed container', () => web({ routedContainers: [js(null)] }),
      'TestStack/Web: invalid routedContainers[0] null: expected an object (RoutedContainerOptions); remove the empty entry'],
    // Misleading errors before
    ['path patterns as one string', () => web({ routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: js('/admin/*') }] }),
      'TestStack/Web: invalid routedContainers[0].pathPatterns "/admin/*": expected an array of strings (e.g. ["/admin/*"])'],
    ['cpu as a string', () => web({ cpu: js('512') }), 'TestStack/Web: invalid cpu "512": expected a number'],
    // aws-cdk-lib errors before, that did not name our prop
    ['an environment value that is a number', () => web({ environment: js({ PORT: 8080 }) }),
      'TestStack/Web: invalid environment.PORT 8080: expected a string (quote it: "8080")'],
    ['the same alarm e-mail twice', () => platform({ alarmEmails: ['ops@example.com', 'ops@example.com'] }),
      'TestStack/Platform: invalid alarmEmails "ops@example.com": another entry already uses it; every entry must be unique, rename one of the duplicates'],
    ['a pipeline tag with a space', () => platform({ pipeline: { tag: 'my tag' } }),
      'TestStack/Platform: invalid pipeline.tag "my tag": use an ECR tag such as "latest" or "release" (letters, digits, _ . -; the sha256- prefix is reserved for recorded releases)'],
    ['an empty existing database', () => platform({ existingDatabase: js({}) }),
      'TestStack/Platform: invalid existingDatabase.hostParameterName undefined: it is required; give a string\n'
      + 'TestStack/Platform: invalid existingDatabase.securityGroupId undefined: it is required; give a string'],
    ['a cache engine version as a number', () => platform({ cache: { engineVersion: js(8) } }),
      'TestStack/Platform: invalid cache.engineVersion 8: expected a string (quote it: "8")'],
    ['a dashboard name with spaces', () => monitoring({ dashboardName: 'my dashboard' }),
      'TestStack/Monitoring: invalid dashboardName "my dashboard": use 1-255 letters, digits, "-" or "_" (e.g. "shop-prod-backend")'],
    // Through the platform, the platform's prop names
    ['service CPU through the platform', () => platform({ service: { cpu: 300 } }),
      'TestStack/Platform: invalid service.cpu 300: use one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192 or 16384'],
    ['capacity against the profile maximum', () => platform({ service: { minCapacity: 5 } }),
      'TestStack/Platform: invalid service.minCapacity 5: service.minCapacity must not exceed service.maxCapacity (4); raise service.maxCapacity or lower service.minCapacity'],
    ['database name through the platform', () => platform({ database: { databaseName: 'my-db' } }),
      'TestStack/Platform: invalid database.databaseName "my-db": use a letter followed by up to 62 letters, digits or underscores (e.g. "app")'],
    // Durations aws-cdk-lib cannot convert, or AWS refuses at deploy time
    ['a deregistration delay in milliseconds', () => web({ deregistrationDelay: Duration.millis(1500) }),
      'TestStack/Web: invalid deregistrationDelay "1.5 seconds": give whole seconds from 0 to 3600 (e.g. Duration.seconds(2))'],
    ['a deregistration delay over the target group limit', () => platform({ service: { deregistrationDelay: Duration.hours(2) } }),
      'TestStack/Platform: invalid service.deregistrationDelay "7200 seconds": give whole seconds from 0 to 3600 (e.g. Duration.seconds(3600))'],
    ['a health check interval over 300 s', () => web({ healthCheckInterval: Duration.seconds(400) }),
      'TestStack/Web: invalid healthCheckInterval "400 seconds": give whole seconds from 5 to 300 (e.g. Duration.seconds(300))'],
    ['a job runtime guard in milliseconds', () => job({ maxRuntime: Duration.millis(90500) }),
      'TestStack/Job: invalid maxRuntime "90.5 seconds": give whole seconds from 0 to 31536000 (e.g. Duration.seconds(91))'],
    ['a deploy-time maximum runtime in minutes', () => job({ maxRuntime: Duration.minutes(Token.asNumber(Fn.importValue('Minutes'))) }),
      'TestStack/Job: invalid maxRuntime <deploy-time value>: a deploy-time duration cannot be converted to the seconds the runtime guard takes; give it as Duration.seconds(...)'],
    ['a token replica count', () => cache({ replicas: Token.asNumber(Fn.importValue('Replicas')) }),
      'TestStack/Cache: invalid replicas <deploy-time value>: give a number from 0 to 5; the node count cannot be a deploy-time value'],
  ] as Array<[string, () => unknown, string]>)('%s', (_name, build, message) => {
    expect(synthesized(build)).toThrow(new Error(message));
  });

  test('every problem of a construct is reported together, one line each', () => {
    expect(() => web({ cpu: 300, minCapacity: 0, healthCheckPath: 'health' })).toThrow(new Error([
      'TestStack/Web: invalid cpu 300: use one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192 or 16384',
      'TestStack/Web: invalid minCapacity 0: use a whole number from 1 to 1000',
      'TestStack/Web: invalid healthCheckPath "health": use a path that starts with "/" and has no spaces (e.g. "/api/*")',
    ].join('\n')));
  });

  test('the error is the library\'s, with its problems', () => {
    let caught: any;
    try {
      web({ cpu: 300 });
    } catch (error) {
      caught = error;
    }
    expect(caught.name).toBe('InvalidPropsError');
    expect(caught.problems).toEqual([{ constructPath: 'TestStack/Web', prop: 'cpu', value: '300', fix: expect.stringMatching(/^use one of/) }]);
  });
});

describe('a platform reports every problem of its props, children and workloads in one error at synth (issue #31)', () => {
  /** Plain JavaScript with a bad prop at every level: types, the platform's values, children, add* calls, a late check. */
  function everythingWrong() {
    const built = platform({
      environmentName: 'Prod!',
      alarmEmails: js('ops@example.com'),
      database: { instanceType: js('t4g.micro') },
      service: { cpu: 300, healthCheckPath: 'health' },
      cleanupJob: { command: ['node', 'cleanup.js'], cpu: 100 },
      scheduledApiCalls: [js({ id: 'Reset', path: 'reset' })],
    });
    built.addService('Api', { pathPatterns: ['/api/*'], cpu: js('512') });
    built.addWorker('Mailer', { queue: {}, memoryLimitMiB: 3 });
    built.addScheduledJob('Report', { command: js('node report.js'), taskType: 'REPORT' });
    // The platform's stack over CloudFormation's 60 dynamic references: a check only synth can make.
    new CfnResource(Stack.of(built), 'Settings', {
      type: 'Custom::Settings',
      properties: { values: Array.from({ length: 60 }, (_, i) => new CfnDynamicReference(CfnDynamicReferenceService.SSM, `/settings/${i}`).toString()) },
    });
    return built;
  }

  test('building never throws, and synth throws one InvalidPropsError naming each prop as written, its value and its fix', () => {
    expect(everythingWrong).not.toThrow();
    let caught: any;
    try {
      synthesized(everythingWrong)();
    } catch (error) {
      caught = error;
    }
    expect(caught?.name).toBe('InvalidPropsError');
    expect(caught.message.split('\n')).toEqual([
      'TestStack/Platform: invalid alarmEmails "ops@example.com": expected an array of strings (e.g. ["ops@example.com"])',
      'TestStack/Platform: invalid database.instanceType "t4g.micro": expected a ec2.InstanceType',
      'TestStack/Platform: invalid scheduledApiCalls[0].schedule undefined: it is required; give a events.Schedule',
      'TestStack/Platform: invalid environmentName "Prod!": use 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit (e.g. "prod")',
      'TestStack/Platform: invalid service.cpu 300: use one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192 or 16384',
      'TestStack/Platform: invalid service.healthCheckPath "health": use a path that starts with "/" and has no spaces (e.g. "/api/*")',
      'TestStack/Platform: invalid cleanupJob.cpu 100: use one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192 or 16384',
      'TestStack/Platform: invalid addService(\'Api\').cpu "512": expected a number',
      'TestStack/Platform: invalid addWorker(\'Mailer\').memoryLimitMiB 3: with addWorker(\'Mailer\').cpu 512, Fargate accepts 1024, 2048, 3072, 4096 MiB',
      'TestStack/Platform: invalid addScheduledJob(\'Report\').command "node report.js": expected an array of strings (e.g. ["node","report.js"])',
      expect.stringMatching(/^TestStack\/Platform: invalid addScheduledJob\('Report'\)\.ownStack undefined: the stack TestStack would hold 66 dynamic references .*, over CloudFormation's 60 per template .*; give new workloads stacks of their own with ownStack: true .*: addService\('Api'\), addWorker\('Mailer'\), addScheduledJob\('Report'\) are in this stack/),
    ]);
  });

  test('a problem found again as the consequence of dropping the first one is not reported twice', () => {
    const built = platform({ cleanupJob: { command: js('node cleanup.js') } });
    expect(synthesized(() => built)).toThrow(new Error(
      'TestStack/Platform: invalid cleanupJob.command "node cleanup.js": expected an array of strings (e.g. ["node","cleanup.js"])'));
  });

  test('an add* call that cannot be built at all throws right away, with every problem found so far', () => {
    const built = platform({ service: { cpu: 300 } });
    expect(() => built.addWorker('Mailer', js('queue'))).toThrow(new Error([
      'TestStack/Platform: invalid service.cpu 300: use one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192 or 16384',
      'TestStack/Platform: invalid addWorker(\'Mailer\') options "queue": give the options, e.g. { queue: {} } or { port: 8080 }',
    ].join('\n')));
  });

  test('a workload refused after it took its share of the edge is built again from what is left, with no conflict with itself', () => {
    const built = platform({});
    built.addService('Admin', { pathPatterns: ['/admin/*'] });
    built.addService('Billing', { pathPatterns: ['/billing/*'], routedContainers: [{ name: 'legacy', containerPort: 9000, pathPatterns: ['/admin/*'] }] });
    expect(synthesized(() => built)).toThrow(new Error('TestStack/Platform: invalid addService(\'Billing\').routedContainers[0].pathPatterns[0] "/admin/*": '
      + 'TestStack/Platform addService(\'Admin\').pathPatterns[0] already routes this path; each path goes to one container, so drop it from one of the two'));
  });

  test('a construct used on its own still throws every problem when it is created', () => {
    expect(() => job({ cpu: 100, command: js('node cleanup.js') })).toThrow(/^TestStack\/Job: invalid command "node cleanup.js"/);
  });
});

describe('tokens are used as given', () => {
  const lazy = (value: string) => Lazy.string({ produce: () => value });
  test.each([
    ['database name and master user name', () => database({ databaseName: lazy('app'), masterUsername: lazy('admin_user') })],
    ['backup retention', () => database({ backupRetentionDays: Token.asNumber(Fn.importValue('BackupDays')) })],
    ['cache node type and engine version', () => cache({ cacheNodeType: lazy('cache.t4g.small'), engineVersion: lazy('8.0') })],
    ['cleanup job maximum runtime', () => job({ maxRuntime: Duration.seconds(Lazy.number({ produce: () => 180 })) })],
  ] as Array<[string, () => any]>)('%s', (_name, build) => {
    const template = JSON.stringify(Template.fromStack(Stack.of(build())).toJSON());
    expect(template).not.toMatch(/undefined|NaN|\[object Object\]|[-/.:_]null\b/);
  });
});

describe('pipeline', () => {
  test('a token tag is not validated', () => {
    expect(() => pipeline({ tag: Lazy.string({ produce: () => 'release' }) })).not.toThrow();
  });
});

describe('data stores in a VPC without isolated subnets', () => {
  const egressOnly = (stack: Stack) => new ec2.Vpc(stack, 'EgressOnly', {
    maxAzs: 2,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });

  test.each([
    ['the database', () => database({}, egressOnly), 'TestStack/Db'],
    ['the cache', () => cache({}, egressOnly), 'TestStack/Cache'],
  ] as Array<[string, () => IConstruct, string]>)('%s is placed in the egress subnets with a warning naming them', (store, build, path) => {
    const stack = Stack.of(build());
    const warnings = Annotations.fromStack(stack).findWarning(`/${path}`, Match.stringLikeRegexp('no PRIVATE_ISOLATED subnets'));
    expect(warnings.map(w => w.entry.data)).toEqual([
      `vpc TestStack/EgressOnly has no PRIVATE_ISOLATED subnets, so ${store} is placed in its subnets with internet egress `
      + '(TestStack/EgressOnly/privateSubnet1, TestStack/EgressOnly/privateSubnet2); its security group still admits only granted clients, '
      + 'but to keep data stores off any route to the internet give a VPC with isolated subnets [ack: cdk-backend-platform:dataSubnets]',
    ]);
  });

  test('with isolated subnets there, nothing is said', () => {
    const stack = Stack.of(database({}));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('PRIVATE_ISOLATED'))).toEqual([]);
  });
});

describe('physical names never collide', () => {
  const zoneIn = (stack: Stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });

  test('two platforms in one stack with the same environment fail at synth, naming both', () => {
    const stack = new Stack(new App(), 'Shop');
    const hostedZone = zoneIn(stack);
    new BackendPlatform(stack, 'Api', { environmentName: 'prod', hostedZone });
    expect(synthesized(() => new BackendPlatform(stack, 'Admin', { environmentName: 'prod', hostedZone }))).toThrow(new Error(
      'Shop/Admin: invalid environmentName "prod": the DNS name prod-lb.example.com is already created by Shop/Api/Service; '
      + 'give each one its own environmentName (or appName, for SSM parameters, and loadBalancerDomainName, for the load balancer)'));
  });

  test('two platforms in one stack with their own app names and load balancer host names synthesize side by side', () => {
    const stack = new Stack(new App(), 'Shop');
    const hostedZone = zoneIn(stack);
    new BackendPlatform(stack, 'Api', { environmentName: 'prod', appName: 'api', hostedZone });
    new BackendPlatform(stack, 'Admin', { environmentName: 'prod', appName: 'admin', hostedZone, service: { loadBalancerDomainName: 'admin-prod-lb.example.com' } });
    const parameters = Object.values<any>(Template.fromStack(stack).findResources('AWS::SSM::Parameter')).map(p => p.Properties.Name).sort();
    expect(parameters).toEqual([
      '/admin/prod/backend/ecr-imgTag', '/admin/prod/backend/service-name', '/admin/prod/backend/service-url',
      '/api/prod/backend/ecr-imgTag', '/api/prod/backend/service-name', '/api/prod/backend/service-url',
    ]);
    const records = Object.values<any>(Template.fromStack(stack).findResources('AWS::Route53::RecordSet')).map(r => r.Properties.Name).sort();
    expect(records).toEqual(['admin-prod-lb.example.com.', 'prod-lb.example.com.']);
  });

  test('two apps of one CDK app in one hosted zone: the load balancer host name is settable, and a clash fails at synth', () => {
    const app = new App();
    const first = new Stack(app, 'Orders');
    new BackendPlatform(first, 'Backend', { environmentName: 'prod', hostedZone: zoneIn(first) });
    const second = new Stack(app, 'Billing');
    expect(synthesized(() => new BackendPlatform(second, 'Backend', { environmentName: 'prod', hostedZone: zoneIn(second) }))).toThrow(
      /^Billing\/Backend: invalid environmentName "prod": the DNS name prod-lb.example.com is already created by Orders\/Backend\/Service;/);
    const third = new Stack(app, 'Payments');
    expect(() => new BackendPlatform(third, 'Backend', {
      environmentName: 'prod', hostedZone: zoneIn(third), service: { loadBalancerDomainName: 'payments-prod-lb.example.com' },
    })).not.toThrow();
  });

  test('a load balancer host name outside the zone is refused', () => {
    expect(() => web({ loadBalancerDomainName: 'api.other.org' })).toThrow(new Error(
      'TestStack/Web: invalid loadBalancerDomainName "api.other.org": it must be inside the hosted zone example.com, where its certificate validation and alias records go'));
  });
});
