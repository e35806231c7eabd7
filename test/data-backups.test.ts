import { App, Duration, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { givenStack } from './fixtures';
import { BackendPlatform, BackendPlatformProps, DataBackups, DataBackupsProps, EnvironmentProfile, PrivateDatabase } from '../src';

const OTHER_REGION_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';

function build(overrides: Partial<DataBackupsProps> = {}, region?: string) {
  const { stack, vpc } = givenStack(region ? { env: { account: '123456789012', region } } : {});
  const db = new PrivateDatabase(stack, 'Database', { vpc });
  const backups = new DataBackups(stack, 'Backups', { databases: [db.instance], ...overrides });
  return { stack, db, backups, template: Template.fromStack(stack) };
}

function platform(props: Partial<BackendPlatformProps>) {
  const stack = new Stack(new App(), 'Platform');
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const backend = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone, ...props });
  return { backend, template: Template.fromStack(stack) };
}

describe('DataBackups', () => {
  describe('GIVEN a database and the defaults', () => {
    const { template } = build();

    test('THEN daily recovery points are kept 35 days and monthly ones 365 days, in one vault', () => {
      template.hasResourceProperties('AWS::Backup::BackupPlan', {
        BackupPlan: {
          BackupPlanName: Match.stringLikeRegexp('Backups'),
          BackupPlanRule: [
            Match.objectLike({ RuleName: 'Daily', ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } }),
            Match.objectLike({ RuleName: 'Monthly', ScheduleExpression: 'cron(0 5 1 * ? *)', Lifecycle: { DeleteAfterDays: 365 } }),
          ],
        },
      });
    });

    test('THEN the vault is encrypted with its own customer-managed key, and both are kept on delete', () => {
      template.hasResource('AWS::Backup::BackupVault', {
        Properties: { BackupVaultName: Match.anyValue(), EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsVaultKey'), 'Arn'] } },
        DeletionPolicy: 'Retain',
      });
      template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ Description: 'AWS Backup vault of the backend data', EnableKeyRotation: true }), DeletionPolicy: 'Retain' });
    });

    test('THEN the vault name is unique to each creation of the stack (a retained vault never blocks a re-created stack)', () => {
      const [vault] = Object.values<any>(template.findResources('AWS::Backup::BackupVault'));
      expect(vault.Properties.BackupVaultName).toEqual({
        'Fn::Join': ['', [expect.stringMatching(/^TestStackBackups[0-9A-F]{8}-$/), {
          'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }],
        }]],
      });
    });

    test('THEN the selection names the database by ARN', () => {
      template.hasResourceProperties('AWS::Backup::BackupSelection', {
        BackupSelection: Match.objectLike({
          Resources: [{ 'Fn::Join': ['', Match.arrayWith([':db:', { Ref: Match.stringLikeRegexp('^DatabaseInstance') }])] }],
        }),
      });
    });
  });

  test('GIVEN a copy to another region, a lock and a versioned bucket THEN copy actions, lock configuration and the S3 policies', () => {
    const { stack, vpc } = givenStack();
    const db = new PrivateDatabase(stack, 'Database', { vpc });
    const bucket = new s3.Bucket(stack, 'Data', { versioned: true });
    new DataBackups(stack, 'Backups', {
      databases: [db.instance],
      buckets: [bucket],
      copy: { destinationVaultArn: OTHER_REGION_VAULT },
      vaultLock: { minRetention: Duration.days(7), maxRetention: Duration.days(400), changeableFor: Duration.days(3) },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({ CopyActions: [{ DestinationBackupVaultArn: OTHER_REGION_VAULT, Lifecycle: { DeleteAfterDays: 35 } }] }),
          Match.objectLike({ CopyActions: [{ DestinationBackupVaultArn: OTHER_REGION_VAULT, Lifecycle: { DeleteAfterDays: 365 } }] }),
        ],
      },
    });
    template.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 400, ChangeableForDays: 3 } });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForS3Backup']] }]),
    });
  });

  describe('bad input is refused by name', () => {
    test.each<[string, Partial<DataBackupsProps>, string | undefined, RegExp]>([
      ['a copy destination in the stack\'s own region', { copy: { destinationVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:dr' } }, 'eu-west-1',
        /invalid copy.destinationVaultArn "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr": the vault is in this stack's region \(eu-west-1\)/],
      ['a copy destination that is not a vault ARN', { copy: { destinationVaultArn: 'my-vault' } }, undefined, /invalid copy.destinationVaultArn "my-vault": give a backup vault ARN/],
      ['copies kept shorter than the originals', { copy: { destinationVaultArn: OTHER_REGION_VAULT, retention: Duration.days(35) } }, undefined,
        /invalid copy.retention "35 days": the copies would expire before the recovery points of monthlyRetention \(365 days\)/],
      ['a retention shorter than the lock\'s minimum', { dailyRetention: Duration.days(7), vaultLock: { minRetention: Duration.days(14) } }, undefined,
        /invalid dailyRetention "7 days": the locked vault refuses recovery points kept less than vaultLock.minRetention \(14 days\)/],
      ['a retention in hours', { dailyRetention: Duration.hours(36) }, undefined, /invalid dailyRetention "1.5 days": give whole days from 1 to 36500/],
      ['a lock that becomes immutable in less than 3 days', { vaultLock: { minRetention: Duration.days(1), changeableFor: Duration.days(1) } }, undefined,
        /invalid vaultLock.changeableFor "1 days": give whole days from 3 to 36500/],
      ['nothing to back up', { databases: [] }, undefined, /invalid databases \[\]: give at least one database/],
      ['a vault name with a space', { vaultName: 'my vault' }, undefined, /invalid vaultName "my vault": use 2-50 letters, digits, hyphens or underscores/],
    ])('%s', (_name, props, region, error) => {
      expect(() => build(props, region)).toThrow(error);
    });

    test('GIVEN the name of an existing vault THEN the vault keeps it', () => {
      build({ vaultName: 'IntegBackupsVaultA8F77322' }).template.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'IntegBackupsVaultA8F77322' });
    });

    test('GIVEN deploy-time values THEN they are not validated', () => {
      expect(() => build({ copy: { destinationVaultArn: Fn.importValue('DrVaultArn'), retention: Duration.days(400) }, dailyRetention: Duration.days(Lazy.number({ produce: () => 1 })) })).not.toThrow();
    });
  });
});

describe('BackendPlatform backups', () => {
  test('GIVEN the production profile and a database THEN a backup plan is created by default', () => {
    const { backend, template } = platform({ database: {} });
    expect(backend.backups).toBeDefined();
    template.resourceCountIs('AWS::Backup::BackupPlan', 1);
  });

  test('GIVEN the development profile THEN no plan unless backups is given', () => {
    platform({ profile: EnvironmentProfile.DEVELOPMENT, database: {} }).template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    const { template } = platform({ profile: EnvironmentProfile.DEVELOPMENT, database: {}, backups: { dailyRetention: Duration.days(7) } });
    template.hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: Match.arrayWith([Match.objectLike({ Lifecycle: { DeleteAfterDays: 7 } })]) } });
    // The vault and its key outlive a DESTROY teardown: recovery points exist for the day the stack is gone.
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Description: 'AWS Backup vault of the backend data' }) });
  });

  test('GIVEN backups.enabled false in production THEN no plan', () => {
    platform({ database: {}, backups: { enabled: false } }).template.resourceCountIs('AWS::Backup::BackupPlan', 0);
  });

  test('GIVEN backups without a database THEN refused by name', () => {
    expect(() => platform({ backups: {} })).toThrow(/Platform\/Backend: invalid backups "PlatformBackupOptions": the plan backs up the database the platform creates/);
  });

  test('GIVEN a bad backup option THEN reported under the platform\'s prop name', () => {
    expect(() => platform({ database: {}, backups: { vaultLock: { minRetention: Duration.days(60) } } }))
      .toThrow(/Platform\/Backend: invalid backups.dailyRetention "35 days": the locked vault refuses recovery points kept less than backups.vaultLock.minRetention \(60 days\)/);
  });
});
