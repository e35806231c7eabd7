import { App, Annotations as CoreAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { cache, database, internalLoadBalancer, job, platform, web } from './builders';
import { constructCases } from './construct-cases';
import { EdgeWebAcl, EnvironmentProfile, InfraMonitoring, TeardownPolicy } from '../src';

/**
 * Turning a secure or durable default off is allowed but never silent: the construct warns at synth with the prop,
 * the value, what it risks and how to restore it. The message text is the contract users see.
 */
// Weakened defaults only: the unsubscribed-alarms warning is about a missing subscriber (test/backend-platform.test.ts).
const ours = Match.stringLikeRegexp('\\[ack: cdk-backend-platform:(?!unsubscribedAlarms)');

function monitoredWeb(deploymentAlarms: boolean) {
  const service = web({});
  return new InfraMonitoring(Stack.of(service), 'Monitoring', {
    service: service.service, loadBalancer: service.loadBalancer, targetGroups: [service.targetGroup], deploymentAlarms,
  });
}

const cases: Array<[string, () => IConstruct, string]> = [
  ['service: load balancer deletion protection off', () => web({ deletionProtection: false }),
    'deletionProtection is false: a stack update or removal can delete the load balancer; keep the default (true) outside throw-away environments'],
  ['service: no CloudFront in front', () => web({ cloudFront: false }),
    'cloudFront is false: the load balancer no longer requires the origin-verify header, so any CloudFront distribution can reach it; '
    + 'keep the default (true), or front it with your own distribution and AWS WAF'],
  ['service: shell access into containers', () => web({ enableExecuteCommand: true }),
    'enableExecuteCommand is true: whoever may call ecs:ExecuteCommand gets a shell in the running containers; turn it on only while debugging'],
  ['database: single-AZ in production', () => database({ multiAz: false }),
    'multiAz is false: a zone outage takes the production database down; keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment'],
  ['database: deletion protection off in production', () => database({ deletionProtection: false }),
    'deletionProtection is false: a stack update or removal can delete the production database; '
    + 'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment'],
  ['cache: no replica in production', () => cache({ replicas: 0 }),
    'replicas is 0: a node failure in production loses the cache and queued jobs until a new node is up; '
    + 'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment'],
  ['database: deleted without a snapshot in production', () => database({ teardown: TeardownPolicy.DESTROY }),
    'teardown is "destroy": removing the production database deletes it without a final snapshot, with its secret and key; '
    + 'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment'],
  ['cache: deleted without a snapshot in production', () => cache({ teardown: TeardownPolicy.DESTROY }),
    'teardown is "destroy": removing the production cache deletes it without a final snapshot, with its auth token and key; '
    + 'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment'],
  ['platform: everything deleted on cdk destroy in production', () => platform({ teardown: TeardownPolicy.DESTROY, database: {}, service: { webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/a1b2') } }),
    'teardown is "destroy": cdk destroy deletes the production database without a final snapshot, and every secret, key, log group and bucket; '
    + 'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment'],
  ['cache: no snapshots in production', () => cache({ snapshotRetentionDays: 0 }),
    'snapshotRetentionDays is 0: no daily snapshots: a lost production cache cannot be restored; '
    + 'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment'],
  ['monitoring: no deployment alarms', () => monitoredWeb(false),
    'deploymentAlarms is false: a rollout that raises 5xx or latency is no longer rolled back, only one whose tasks fail to start; keep the default (true)'],
  ['internal load balancer: deletion protection off', () => internalLoadBalancer({ deletionProtection: false }),
    'deletionProtection is false: a stack update or removal can delete the load balancer; keep the default (true) outside throw-away environments'],
];

test.each(cases)('%s warns, naming the prop, the value and the fix', (_name, build, message) => {
  const construct = build();
  const prop = message.split(' ')[0];

  const warnings = Annotations.fromStack(Stack.of(construct)).findWarning('*', ours);

  expect(warnings.map(w => [w.id, w.entry.data])).toEqual([[`/${construct.node.path}`, `${message} [ack: cdk-backend-platform:${prop}]`]]);
});

test.each(cases)('%s: a user who means it can acknowledge the warning', (_name, build, message) => {
  const construct = build();

  CoreAnnotations.of(construct).acknowledgeWarning(`cdk-backend-platform:${message.split(' ')[0]}`, 'accepted for this test');

  Annotations.fromStack(Stack.of(construct)).hasNoWarning('*', ours);
});

// Without a hosted zone the service warns that origin traffic is HTTP, by design (test/secure-alb-fargate-service.test.ts).
test.each(constructCases.filter(([name]) => !name.endsWith('without a hosted zone')))('%s with its defaults warns about nothing', (_name, build) => {
  const { stack } = build(new App());
  Annotations.fromStack(stack).hasNoWarning('*', ours);
});

test.each([EnvironmentProfile.PRODUCTION, EnvironmentProfile.DEVELOPMENT])(
  'the %s profile warns about nothing but a missing web ACL in production: its settings are what the profile is for',
  (profile) => {
    const backend = platform({ profile, database: {}, cache: {} });
    const warnings = Annotations.fromStack(Stack.of(backend)).findWarning('*', ours).map(w => w.entry.data);
    expect(warnings).toEqual(profile === EnvironmentProfile.PRODUCTION ? [expect.stringMatching(/^service\.webAcl is not set: the production distribution has no AWS WAF web ACL/)] : []);
    const guarded = platform({ profile, database: {}, cache: {}, service: { webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/a1b2') } });
    Annotations.fromStack(Stack.of(guarded)).hasNoWarning('*', ours);
  },
);

describe('plain environment variables named like credentials', () => {
  const fix = 'named like a credential: plain environment variables sit in the task definition in clear; '
    + 'pass each in secrets (ecs.Secret.fromSecretsManager or ecs.Secret.fromSsmParameter)';

  test.each([
    ['service', () => web({ environment: { DB_PASSWORD: 'hunter2', JWT_SECRET: 'abc', API_PORT: '8080' } }), `environment has "DB_PASSWORD", "JWT_SECRET", ${fix}`],
    ['routed container', () => web({ routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'], environment: { GITHUB_TOKEN: 'x' } }] }),
      `routedContainers[0].environment has "GITHUB_TOKEN", ${fix}`],
    ['cleanup job', () => job({ environment: { STRIPE_API_KEY: 'x' } }), `environment has "STRIPE_API_KEY", ${fix}`],
    ['connection strings', () => web({ environment: { MONGODB_CONNECTION_STRING: 'mongodb://u:p@h', DATABASE_URL: 'postgres://u:p@h/db' } }),
      `environment has "MONGODB_CONNECTION_STRING", "DATABASE_URL", ${fix}`],
  ] as Array<[string, () => IConstruct, string]>)('%s: warns by name, never printing the value', (_name, build, message) => {
    const construct = build();
    const warnings = Annotations.fromStack(Stack.of(construct)).findWarning('*', ours);
    expect(warnings.map(w => [w.id, w.entry.data])).toEqual([[`/${construct.node.path}`, `${message} [ack: cdk-backend-platform:credentialInEnvironment]`]]);
    expect(JSON.stringify(warnings)).not.toMatch(/hunter2/);
  });

  test('names that point at a credential rather than hold one do not warn', () => {
    const service = web({ environment: { DB_PASSWORD_SECRET_ARN: 'arn', TOKEN_URL: 'https://x', SECRET_NAME: 'n', API_KEY_HEADER: 'x-api-key', PASSWORDLESS: 'true' } });
    Annotations.fromStack(Stack.of(service)).hasNoWarning('*', ours);
  });
});
