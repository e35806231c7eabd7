/**
 * Seed 004 as deployed (development profile): a single-AZ private database with 7 days of automated backups and
 * an AWS Backup plan whose selection names it; the Prometheus workspace the service's collector writes to is active.
 * A real run needs the hosted zone the example names.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { ModularInfraStack } from '../examples/seeds/seed-004-modular-infra';

const app = new App();
const stack = new ModularInfraStack(app, 'IntegSeed004');
const integ = new IntegTest(app, 'Seed004Test', { testCases: [stack] });
integ.assertions.awsApiCall('RDS', 'describeDBInstances', { DBInstanceIdentifier: stack.platform.database!.instance.instanceIdentifier })
  .expect(ExpectedResult.objectLike({ DBInstances: [{ PubliclyAccessible: false, MultiAZ: false, BackupRetentionPeriod: 7 }] }));
const backups = stack.platform.backups!;
integ.assertions.awsApiCall('Backup', 'getBackupSelection', { BackupPlanId: backups.plan.backupPlanId, SelectionId: backups.selection.selectionId })
  .expect(ExpectedResult.objectLike({ BackupSelection: { Resources: [stack.platform.database!.instance.instanceArn] } }));
integ.assertions.awsApiCall('Amp', 'describeWorkspace', { workspaceId: stack.platform.metricsWorkspace!.attrWorkspaceId })
  .expect(ExpectedResult.objectLike({ workspace: { status: { statusCode: 'ACTIVE' } } }));
