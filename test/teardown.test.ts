import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { synthesized } from './builders';
import { teardownOutcomes, teardownStack } from './teardown-report';
import { BackendPlatform, EnvironmentProfile, TeardownPolicy } from '../src';

describe('teardown by profile', () => {
  describe('GIVEN the development profile (teardown DESTROY by default)', () => {
    const stack = teardownStack(EnvironmentProfile.DEVELOPMENT);
    const template = Template.fromStack(stack);

    test('THEN cdk destroy leaves nothing billed: no stateful resource is retained or snapshotted', () => {
      const left = [...teardownOutcomes(stack)].filter(([, o]) => o.billed);
      expect(left).toEqual([]);
      const kept = Object.entries<any>(template.toJSON().Resources).filter(([, r]) => ['Retain', 'Snapshot', 'RetainExceptOnCreate'].includes(r.DeletionPolicy));
      expect(kept.map(([id]) => id)).toEqual([]);
    });

    test('THEN the repository and both buckets are emptied before deletion', () => {
      template.hasResource('AWS::ECR::Repository', { Properties: Match.objectLike({ EmptyOnDelete: true }), DeletionPolicy: 'Delete' });
      expect(Object.keys(template.findResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' }))).toHaveLength(2);
      template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    });

    test('THEN every key waits the minimum 7 days before deletion', () => {
      const keys = Object.values<any>(template.findResources('AWS::KMS::Key'));
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect([key.DeletionPolicy, key.Properties.PendingWindowInDays]).toEqual(['Delete', 7]);
    });

    test('THEN the database and the cache are deleted without a final snapshot', () => {
      template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      template.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    });

    test('THEN the platform exposes the policy in force', () => {
      const platform = stack.node.findChild('Backend') as BackendPlatform;
      expect(platform.teardown).toBe(TeardownPolicy.DESTROY);
    });
  });

  describe('GIVEN the production profile (teardown RETAIN by default)', () => {
    const outcomes = teardownOutcomes(teardownStack(EnvironmentProfile.PRODUCTION));

    test('THEN the database and cache leave final snapshots, and every other stateful resource but the SSM parameters is kept', () => {
      // Deletion protection stays on in production: `cdk destroy` stops at the database and the load balancer.
      expect(outcomes.get('Database/Instance')?.outcome).toBe('refused (deletion protection): `cdk destroy` ends in DELETE_FAILED; once lifted, deleted, final snapshot kept');
      expect(outcomes.get('Service/LoadBalancer')?.outcome).toBe('refused (deletion protection): `cdk destroy` ends in DELETE_FAILED');
      expect(outcomes.get('Cache/ReplicationGroup')?.outcome).toBe('deleted, final snapshot kept');
      const notKept = [...outcomes].filter(([, o]) => !o.billed).map(([path, o]) => `${path} ${o.type}`);
      expect(notKept).toEqual([
        'Service/ImageTagParameter AWS::SSM::Parameter', 'Service/ServiceUrlParameter AWS::SSM::Parameter',
        'Service/ServiceNameParameter AWS::SSM::Parameter', 'Mailer/ImageTagParameter AWS::SSM::Parameter',
      ]);
    });
  });

  test('GIVEN the development profile with teardown RETAIN THEN the same outcomes as production for every resource both create', () => {
    const production = teardownOutcomes(teardownStack(EnvironmentProfile.PRODUCTION));
    const retained = teardownOutcomes(teardownStack(EnvironmentProfile.DEVELOPMENT, { teardown: TeardownPolicy.RETAIN }));
    // Only deletion protection differs: the development profile never turns it on.
    const unprotected = (outcome?: string) => outcome?.replace(/^refused \(deletion protection\): `cdk destroy` ends in DELETE_FAILED(; once lifted, )?/, '') || 'deleted';
    for (const [path, outcome] of retained) expect([path, outcome.outcome]).toEqual([path, unprotected(production.get(path)?.outcome)]);
  });

  describe('GIVEN the production profile with teardown DESTROY', () => {
    const stack = teardownStack(EnvironmentProfile.PRODUCTION, { teardown: TeardownPolicy.DESTROY });

    test('THEN only the backup vault and its key are left (always kept), and neither the load balancer nor the database blocks the deletion', () => {
      expect([...teardownOutcomes(stack)].filter(([, o]) => o.billed).map(([path]) => path)).toEqual(['Backups/VaultKey', 'Backups/Vault']);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::RDS::DBInstance', { DeletionProtection: false });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
      });
    });

    test('THEN a synth warning names the prop and the risk', () => {
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-backend-platform:(?!webAcl)'));
      expect(warnings.map(w => [w.id, w.entry.data])).toEqual([['/Teardownproduction/Backend', expect.stringMatching(
        /^teardown is "destroy": cdk destroy deletes the production database without a final snapshot.*\[ack: cdk-backend-platform:teardown\]$/)]]);
    });
  });

  test('GIVEN teardown DESTROY and service.deletionProtection true THEN refused by name', () => {
    const stack = new Stack(new App(), 'Refused');
    expect(synthesized(() => new BackendPlatform(stack, 'Backend', {
      environmentName: 'dev',
      profile: EnvironmentProfile.DEVELOPMENT,
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' }),
      service: { deletionProtection: true },
    }))).toThrow(/Refused\/Backend: invalid service.deletionProtection true: the teardown policy DESTROY deletes the load balancer/);
  });
});
