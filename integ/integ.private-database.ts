/**
 * Deploys PrivateDatabase in development settings with rotation in an isolated VPC (Secrets Manager reached through an
 * interface endpoint) and asserts the instance is private and encrypted, and its secret rotates.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EnvironmentProfile, PrivateDatabase } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegPrivateDatabase');
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
});
vpc.addInterfaceEndpoint('SecretsManager', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER });
const db = new PrivateDatabase(stack, 'Database', { vpc, profile: EnvironmentProfile.DEVELOPMENT, rotation: true });

const integ = new IntegTest(app, 'PrivateDatabaseTest', { testCases: [stack] });
integ.assertions.awsApiCall('RDS', 'describeDBInstances', { DBInstanceIdentifier: db.instance.instanceIdentifier })
  .expect(ExpectedResult.objectLike({ DBInstances: [{ PubliclyAccessible: false, StorageEncrypted: true, Engine: 'postgres' }] }));
integ.assertions.awsApiCall('SecretsManager', 'describeSecret', { SecretId: db.secret.secretArn })
  .expect(ExpectedResult.objectLike({ RotationEnabled: true }));
