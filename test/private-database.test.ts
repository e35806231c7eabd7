import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { givenStack } from './fixtures';
import { DatabaseRestoreSource, EnvironmentProfile, PrivateDatabase, PrivateDatabaseProps, TeardownPolicy } from '../src';

function build(overrides: Partial<PrivateDatabaseProps> = {}, clients = 1) {
  const { stack, vpc } = givenStack();
  const db = new PrivateDatabase(stack, 'Database', { vpc, ...overrides });
  for (let i = 0; i < clients; i++) db.allowFrom(new ec2.SecurityGroup(stack, `Client${i}`, { vpc }));
  return { stack, db, template: Template.fromStack(stack) };
}

describe('PrivateDatabase', () => {
  describe('GIVEN default (production) props', () => {
    const { template, db } = build();

    test('THEN PostgreSQL runs private, encrypted, multi-AZ, protected, in isolated subnets', () => {
      template.hasResource('AWS::RDS::DBInstance', {
        Properties: Match.objectLike({
          Engine: 'postgres',
          EngineVersion: '17',
          DBInstanceClass: 'db.t4g.medium',
          StorageType: 'gp3',
          PubliclyAccessible: false,
          StorageEncrypted: true,
          KmsKeyId: Match.anyValue(),
          MultiAZ: true,
          DeletionProtection: true,
          BackupRetentionPeriod: 7,
          EnablePerformanceInsights: true,
          EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
          DBSubnetGroupName: Match.anyValue(),
          CopyTagsToSnapshot: true,
        }),
        DeletionPolicy: 'Snapshot',
        UpdateReplacePolicy: 'Snapshot',
      });
      template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
        SubnetIds: [{ Ref: Match.stringLikeRegexp('VpcisolatedSubnet1') }, { Ref: Match.stringLikeRegexp('VpcisolatedSubnet2') }],
      });
    });

    test('THEN TLS is forced by the parameter group', () => {
      template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: Match.objectLike({ 'rds.force_ssl': '1' }) });
    });

    test('THEN credentials are generated into a KMS-encrypted, retained secret', () => {
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }), KmsKeyId: Match.anyValue() }),
        DeletionPolicy: 'Retain',
      });
      template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true }), DeletionPolicy: 'Retain' });
    });

    test('THEN ingress comes only from granted security groups, never a CIDR', () => {
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
      const toDb = ingress.filter(p => JSON.stringify(p.GroupId).includes('DatabaseSecurityGroup'));
      expect(toDb).toEqual([expect.objectContaining({ FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: expect.anything() })]);
      const [dbSg] = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('PostgreSQL') } })) as any[];
      expect(dbSg.Properties.SecurityGroupIngress).toBeUndefined();
    });

    test('THEN containers get host/port/name as environment and user/password as secrets', () => {
      expect(Object.keys(db.containerEnvironment).sort()).toEqual(['DB_HOST', 'DB_NAME', 'DB_PORT']);
      expect(Object.keys(db.containerSecrets).sort()).toEqual(['DB_PASSWORD', 'DB_USER']);
      expect(db.containerSecrets.DB_PASSWORD.arn).toContain(':password::');
    });
  });

  test('GIVEN rotation THEN a 30-day schedule whose function runs in the subnets with egress and is admitted by security group only', () => {
    const { template, stack } = build({ rotation: true }, 0);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    const [rotation] = Object.values<any>(template.findResources('AWS::Serverless::Application'));
    const subnetRefs = rotation.Properties.Parameters.vpcSubnetIds['Fn::Join'][1].filter((part: any) => part.Ref).map((part: any) => part.Ref);
    const egressSubnets = (stack.node.findChild('Vpc') as ec2.Vpc).privateSubnets.map(subnet => stack.resolve(subnet.subnetId).Ref);
    expect(subnetRefs).toEqual(egressSubnets);
    const ingress = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress')).map(rule => rule.Properties);
    expect(ingress).toEqual([expect.objectContaining({ SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/RotationSingleUserSecurityGroup/), 'GroupId'] } })]);
  });

  test('GIVEN development settings THEN single-AZ, unprotected, still backed up 7 days, and deleted with its secret and key (teardown DESTROY)', () => {
    const { template } = build({ production: false });
    template.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ MultiAZ: false, DeletionProtection: false, BackupRetentionPeriod: 7 }),
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 7 }) });
  });

  test('GIVEN development settings and teardown RETAIN THEN snapshotted on delete, secret and key retained', () => {
    const { template } = build({ profile: EnvironmentProfile.DEVELOPMENT, teardown: TeardownPolicy.RETAIN });
    template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ PendingWindowInDays: Match.absent() }) });
  });

  test('GIVEN production and teardown DESTROY THEN deletion protection is off by default, and turning it on is refused by name', () => {
    build({ teardown: TeardownPolicy.DESTROY }).template.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ DeletionProtection: false }), DeletionPolicy: 'Delete',
    });
    expect(() => build({ teardown: TeardownPolicy.DESTROY, deletionProtection: true }))
      .toThrow(/invalid deletionProtection true: the teardown policy DESTROY deletes the database/);
  });

  test('GIVEN a change of instance size or of granted clients THEN instance and secret keep logical IDs and the secret is untouched', () => {
    const before = build({}, 1).template.toJSON();
    const after = build({ instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE) }, 3).template.toJSON();
    const ofType = (t: any, type: string) => Object.entries<any>(t.Resources).filter(([, r]) => r.Type === type);
    for (const type of ['AWS::RDS::DBInstance', 'AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::EC2::SecurityGroup']) {
      expect(ofType(after, type).map(([id]) => id)).toEqual(expect.arrayContaining(ofType(before, type).map(([id]) => id)));
    }
    expect(ofType(after, 'AWS::SecretsManager::Secret')).toEqual(ofType(before, 'AWS::SecretsManager::Secret'));
    const [[, dbBefore]] = ofType(before, 'AWS::RDS::DBInstance');
    const [[, dbAfter]] = ofType(after, 'AWS::RDS::DBInstance');
    expect({ ...dbAfter.Properties, DBInstanceClass: undefined }).toEqual({ ...dbBefore.Properties, DBInstanceClass: undefined });
    expect(dbAfter.Properties.DBInstanceClass).toBe('db.r7g.large');
    expect(ofType(before, 'AWS::RDS::DBInstance').map(([id]) => id)).toEqual(['DatabaseInstanceAA8A5FDE']);
    expect(ofType(before, 'AWS::SecretsManager::Secret').map(([id]) => id)).toEqual(['TestStackDatabaseInstanceSecretB6EB24DA3fdaad7efa858a3daf9490cf0a702aeb']);
  });

  describe('GIVEN a database named salons WHEN it is restored from a snapshot of itself', () => {
    // The names move from the database into the restore source, which describes the snapshot.
    const { template: before } = build({ databaseName: 'salons', masterUsername: 'salon_admin' });
    const { template, db } = build({ restoreFrom: DatabaseRestoreSource.fromSnapshot('before-migration', { databaseName: 'salons', masterUsername: 'salon_admin' }) });
    const instanceOf = (t: Template) => Object.values<any>(t.findResources('AWS::RDS::DBInstance'))[0];

    test('THEN the instance is restored from it, encrypted, with no database name, master user name or storage key of its own', () => {
      const { Properties: props } = instanceOf(template);
      expect(props.DBSnapshotIdentifier).toBe('before-migration');
      expect(props.StorageEncrypted).toBe(true);
      for (const absent of ['DBName', 'MasterUsername', 'KmsKeyId', 'SourceDbiResourceId', 'SourceDBInstanceIdentifier', 'RestoreTime', 'UseLatestRestorableTime']) {
        expect(props[absent]).toBeUndefined();
      }
    });

    test('THEN the master password is reset to the library secret, which still holds the snapshot user and stays attached', () => {
      const [[secretId, secret]] = Object.entries<any>(template.findResources('AWS::SecretsManager::Secret'));
      expect(secretId).toBe('TestStackDatabaseInstanceSecretB6EB24DA3fdaad7efa858a3daf9490cf0a702aeb');
      expect(secret.Properties.GenerateSecretString.SecretStringTemplate).toBe('{"username":"salon_admin"}');
      expect(JSON.stringify(instanceOf(template).Properties.MasterUserPassword)).toContain(`{"Ref":"${secretId}"},":SecretString:password::}}`);
      template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { SecretId: { Ref: secretId }, TargetId: { Ref: 'DatabaseInstanceAA8A5FDE' } });
    });

    test('THEN the services connect to the named database with the secret user and password', () => {
      expect(db.databaseName).toBe('salons');
      expect(db.containerEnvironment.DB_NAME).toBe('salons');
      expect(db.containerSecrets.DB_USER.arn).toContain(':username::');
      expect(db.containerSecrets.DB_PASSWORD.arn).toContain(':password::');
    });

    test('THEN everything but the instance (secret, key, security group, subnet group, parameter group) is unchanged, and the instance keeps its ID and safeguards', () => {
      const others = (t: Template) => Object.fromEntries(Object.entries<any>(t.toJSON().Resources).filter(([, r]) => r.Type !== 'AWS::RDS::DBInstance'));
      expect(others(template)).toEqual(others(before));
      expect(Object.keys(template.findResources('AWS::RDS::DBInstance'))).toEqual(['DatabaseInstanceAA8A5FDE']);
      const { Properties: restored, DeletionPolicy } = instanceOf(template);
      const { Properties: created } = instanceOf(before);
      expect(DeletionPolicy).toBe('Snapshot');
      const kept = ['StorageEncrypted', 'DBInstanceClass', 'MultiAZ', 'DeletionProtection', 'PubliclyAccessible', 'DBSubnetGroupName', 'DBParameterGroupName', 'VPCSecurityGroups', 'BackupRetentionPeriod', 'PerformanceInsightsKMSKeyId'];
      for (const prop of kept) expect([prop, restored[prop]]).toEqual([prop, created[prop]]);
    });
  });

  test('GIVEN restoreFrom without names THEN the library defaults describe the snapshot (a snapshot of a default database)', () => {
    const { template, db } = build({ restoreFrom: DatabaseRestoreSource.fromSnapshot('arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-0a1b2c3d-4e5f-6789-abcd-ef0123456789') });
    expect(db.containerEnvironment.DB_NAME).toBe('app');
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"app_admin"}' }) });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBSnapshotIdentifier: 'arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-0a1b2c3d-4e5f-6789-abcd-ef0123456789' });
  });

  test.each([
    ['a time', { restoreTime: '2026-05-04T09:30:00Z' }, { RestoreTime: '2026-05-04T09:30:00Z', UseLatestRestorableTime: Match.absent() }],
    ['the latest restorable time', {}, { RestoreTime: Match.absent(), UseLatestRestorableTime: true }],
  ])('GIVEN restoreFrom a point in time (%s) THEN the source instance (by resource ID) is restored to it, and its password reset to the same secret', (_name, time, expected) => {
    const { template } = build({ restoreFrom: DatabaseRestoreSource.fromPointInTime({ sourceInstanceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2', ...time }) });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2',
      SourceDBInstanceIdentifier: Match.absent(),
      ...expected,
      StorageEncrypted: true,
      DBSnapshotIdentifier: Match.absent(),
      DBName: Match.absent(),
      MasterUsername: Match.absent(),
      KmsKeyId: Match.absent(),
      MasterUserPassword: Match.anyValue(),
    });
  });

  test('GIVEN an existing database THEN its SSM details become secrets and clients are admitted to its security group', () => {
    const { stack, vpc } = givenStack();
    const existing = PrivateDatabase.fromExistingDatabase(stack, 'Existing', {
      securityGroupId: 'sg-0123456789abcdef0', hostParameterName: '/app/db/host', usernameParameterName: '/app/db/user', passwordParameterName: '/app/db/password', databaseName: 'salons',
    });
    existing.allowFrom(new ec2.SecurityGroup(stack, 'Client', { vpc }));
    expect(existing.containerEnvironment).toEqual({ DB_PORT: '5432', DB_NAME: 'salons' });
    expect(Object.keys(existing.containerSecrets).sort()).toEqual(['DB_HOST', 'DB_PASSWORD', 'DB_USER']);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 5432 });
  });

  describe('GIVEN bad input THEN synth fails naming the prop', () => {
    test.each([
      [{ backupRetentionDays: 3 }, /invalid backupRetentionDays 3: production keeps at least 7 days/],
      [{ backupRetentionDays: 40 }, /invalid backupRetentionDays 40: use a whole number from 1 to 35/],
      [{ allocatedStorageGiB: 50, maxAllocatedStorageGiB: 30 }, /invalid maxAllocatedStorageGiB 30: must be at least allocatedStorageGiB \(50\)/],
      [{ databaseName: 'my-db' }, /invalid databaseName "my-db"/],
      [{ masterUsername: 'postgres' }, /invalid masterUsername "postgres"/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('snap--1') }, /invalid restoreFrom.snapshotIdentifier "snap--1": give a DB snapshot identifier/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('nightly-') }, /invalid restoreFrom.snapshotIdentifier "nightly-"/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('1st-snapshot') }, /invalid restoreFrom.snapshotIdentifier "1st-snapshot"/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('') }, /invalid restoreFrom.snapshotIdentifier ""/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('arn:aws:s3:::bucket/snap') }, /invalid restoreFrom.snapshotIdentifier "arn:aws:s3:::bucket\/snap": that is not an RDS snapshot ARN/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('arn:aws:rds:eu-west-1:123456789012:db:prod') }, /that is not an RDS DB snapshot ARN/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('x', { databaseName: 'my-db' }) }, /invalid restoreFrom.databaseName "my-db"/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('x', { masterUsername: 'rdsadmin' }) }, /invalid restoreFrom.masterUsername "rdsadmin"/],
      [{ restoreFrom: DatabaseRestoreSource.fromPointInTime({ sourceInstanceResourceId: 'prod-db' }) }, /invalid restoreFrom.sourceInstanceResourceId "prod-db": give the resource ID/],
      [{ restoreFrom: DatabaseRestoreSource.fromPointInTime({ sourceInstanceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2', restoreTime: '2026-05-04 09:30' }) }, /invalid restoreFrom.restoreTime "2026-05-04 09:30": use a UTC time in ISO 8601/],
      [{ restoreFrom: DatabaseRestoreSource.fromSnapshot('x'), masterUsername: 'salon_admin' }, /invalid masterUsername "salon_admin": a restored database keeps the snapshot's master user/],
    ] as Array<[Partial<PrivateDatabaseProps>, RegExp]>)('%j', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });

    test('secret together with SSM credentials', () => {
      const { stack } = givenStack();
      const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'db');
      expect(() => PrivateDatabase.fromExistingDatabase(stack, 'E', { securityGroupId: 'sg-1', hostParameterName: '/h', secret, passwordParameterName: '/p' }))
        .toThrow(/invalid secret "ISecret": give either secret or usernameParameterName\/passwordParameterName, not both/);
    });
  });
});
