/**
 * Deploys a development PrivateDatabase with DataBackups (daily 7 days, monthly 90 days, governance-mode vault lock)
 * and asserts, at deploy time, that the plan's selection names the database and the vault is locked.
 * After the test the vault and its key remain (always retained); delete them by hand once empty.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DataBackups, EnvironmentProfile, PrivateDatabase } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegBackups');
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
});
const db = new PrivateDatabase(stack, 'Database', { vpc, profile: EnvironmentProfile.DEVELOPMENT });
const backups = new DataBackups(stack, 'Backups', {
  databases: [db.instance],
  dailyRetention: Duration.days(7),
  monthlyRetention: Duration.days(90),
  vaultLock: { minRetention: Duration.days(1) },
});

const integ = new IntegTest(app, 'BackupsTest', { testCases: [stack] });
integ.assertions.awsApiCall('Backup', 'getBackupSelection', { BackupPlanId: backups.plan.backupPlanId, SelectionId: backups.selection.selectionId })
  .expect(ExpectedResult.objectLike({ BackupSelection: { Resources: [db.instance.instanceArn] } }));
integ.assertions.awsApiCall('Backup', 'describeBackupVault', { BackupVaultName: backups.vault.backupVaultName })
  .expect(ExpectedResult.objectLike({ Locked: true, MinRetentionDays: 1, EncryptionKeyArn: backups.encryptionKey.keyArn }));
