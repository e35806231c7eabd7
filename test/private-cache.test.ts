import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { givenStack } from './fixtures';
import { CacheEngine, EnvironmentProfile, PrivateCache, PrivateCacheProps, TeardownPolicy } from '../src';

function build(overrides: Partial<PrivateCacheProps> = {}, clients = 1) {
  const { stack, vpc } = givenStack();
  const cache = new PrivateCache(stack, 'Cache', { vpc, ...overrides });
  for (let i = 0; i < clients; i++) cache.allowFrom(new ec2.SecurityGroup(stack, `Client${i}`, { vpc }));
  return { stack, cache, template: Template.fromStack(stack) };
}

const ofType = (t: any, type: string) => Object.entries<any>(t.Resources).filter(([, r]) => r.Type === type);

describe('PrivateCache', () => {
  describe('GIVEN default (production) props', () => {
    const { template, cache } = build();

    test('THEN Valkey runs encrypted in transit and at rest, with an auth token, a replica and failover, snapshotted on delete', () => {
      template.hasResource('AWS::ElastiCache::ReplicationGroup', {
        Properties: Match.objectLike({
          Engine: 'valkey',
          EngineVersion: '8.0',
          CacheNodeType: 'cache.t4g.small',
          NumCacheClusters: 2,
          AutomaticFailoverEnabled: true,
          MultiAZEnabled: true,
          AtRestEncryptionEnabled: true,
          KmsKeyId: Match.anyValue(),
          TransitEncryptionEnabled: true,
          SnapshotRetentionLimit: 7,
          Port: 6379,
        }),
        DeletionPolicy: 'Snapshot',
        UpdateReplacePolicy: 'Snapshot',
      });
    });

    test('THEN the auth token is only a Secrets Manager dynamic reference, and the secret is retained and KMS-encrypted', () => {
      const [[, group]] = ofType(template.toJSON(), 'AWS::ElastiCache::ReplicationGroup');
      const dynamicReference = /^\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:",\{"Ref":"CacheAuthToken[0-9A-F]+"\},":SecretString:::\}\}"\]\]\}$/;
      expect(JSON.stringify(group.Properties.AuthToken)).toMatch(dynamicReference);
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: Match.objectLike({
          KmsKeyId: Match.anyValue(),
          GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
        }),
        DeletionPolicy: 'Retain',
      });
    });

    test('THEN nodes live in the isolated subnets', () => {
      template.hasResourceProperties('AWS::ElastiCache::SubnetGroup', {
        SubnetIds: [{ Ref: Match.stringLikeRegexp('VpcisolatedSubnet1') }, { Ref: Match.stringLikeRegexp('VpcisolatedSubnet2') }],
      });
    });

    test('THEN ingress comes only from granted security groups, never a CIDR', () => {
      const ingress = ofType(template.toJSON(), 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
      expect(ingress).toEqual([expect.objectContaining({ FromPort: 6379, ToPort: 6379, SourceSecurityGroupId: expect.anything() })]);
      const [cacheSg] = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^Cache') } })) as any[];
      expect(cacheSg.Properties.SecurityGroupIngress).toBeUndefined();
    });

    test('THEN containers get host/port/TLS as environment and the password as a secret', () => {
      expect(Object.keys(cache.containerEnvironment).sort()).toEqual(['REDIS_HOST', 'REDIS_PORT', 'REDIS_TLS']);
      expect(cache.containerEnvironment.REDIS_PORT).toBe('6379');
      expect(Object.keys(cache.containerSecrets)).toEqual(['REDIS_PASSWORD']);
      expect(JSON.stringify(Object.values(cache.containerEnvironment))).not.toContain('secretsmanager');
    });
  });

  test('GIVEN development settings THEN one node without failover, one day of snapshots, the smallest Graviton node', () => {
    build({ production: false }).template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      CacheNodeType: 'cache.t4g.micro', NumCacheClusters: 1, AutomaticFailoverEnabled: false, MultiAZEnabled: false, SnapshotRetentionLimit: 1,
    });
  });

  test('GIVEN development settings THEN the cache, its auth token and key are deleted with the stack (teardown DESTROY)', () => {
    const { template } = build({ profile: EnvironmentProfile.DEVELOPMENT });
    template.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 7 }) });
  });

  test('GIVEN development settings and teardown RETAIN THEN a final snapshot and a retained token', () => {
    const { template } = build({ profile: EnvironmentProfile.DEVELOPMENT, teardown: TeardownPolicy.RETAIN });
    template.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Snapshot' });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  test('GIVEN the Redis engine THEN Redis 7.1 is used', () => {
    build({ engine: CacheEngine.REDIS }).template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { Engine: 'redis', EngineVersion: '7.1' });
  });

  test('GIVEN a change of node type or of granted clients THEN group, secret and key keep their logical IDs and the secret is untouched', () => {
    const before = build({}, 1).template.toJSON();
    const after = build({ cacheNodeType: 'cache.r7g.large' }, 3).template.toJSON();
    for (const type of ['AWS::ElastiCache::ReplicationGroup', 'AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::ElastiCache::SubnetGroup']) {
      expect(ofType(after, type).map(([id]) => id)).toEqual(ofType(before, type).map(([id]) => id));
    }
    expect(ofType(after, 'AWS::SecretsManager::Secret')).toEqual(ofType(before, 'AWS::SecretsManager::Secret'));
    const [[, groupBefore]] = ofType(before, 'AWS::ElastiCache::ReplicationGroup');
    const [[, groupAfter]] = ofType(after, 'AWS::ElastiCache::ReplicationGroup');
    expect({ ...groupAfter.Properties, CacheNodeType: undefined }).toEqual({ ...groupBefore.Properties, CacheNodeType: undefined });
    expect(ofType(before, 'AWS::ElastiCache::ReplicationGroup').map(([id]) => id)).toEqual(['CacheReplicationGroupBFE59FF3']);
    expect(ofType(before, 'AWS::SecretsManager::Secret').map(([id]) => id)).toEqual([expect.stringMatching(/^CacheAuthToken[0-9A-F]{8}$/)]);
  });

  describe('GIVEN bad input THEN synth fails naming the prop', () => {
    test.each([
      [{ replicas: 6 }, /invalid replicas 6: use a whole number from 0 to 5/],
      [{ snapshotRetentionDays: 36 }, /invalid snapshotRetentionDays 36: use a whole number from 0 to 35/],
      [{ cacheNodeType: 't4g.small' }, /invalid cacheNodeType "t4g.small": use an ElastiCache node type such as "cache.t4g.small"/],
      [{ engineVersion: 'latest' }, /invalid engineVersion "latest": use a major.minor version/],
    ] as Array<[Partial<PrivateCacheProps>, RegExp]>)('%j', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });
  });
});
