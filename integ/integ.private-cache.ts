/** Deploys PrivateCache in development settings and asserts the group is encrypted in transit and at rest, with auth. */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EnvironmentProfile, PrivateCache } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegPrivateCache');
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
});
const cache = new PrivateCache(stack, 'Cache', { vpc, profile: EnvironmentProfile.DEVELOPMENT });

const integ = new IntegTest(app, 'PrivateCacheTest', { testCases: [stack] });
integ.assertions.awsApiCall('ElastiCache', 'describeReplicationGroups', { ReplicationGroupId: cache.replicationGroup.ref })
  .expect(ExpectedResult.objectLike({
    ReplicationGroups: [{ Status: 'available', TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true, AuthTokenEnabled: true }],
  }));
