/**
 * Seed 001 as deployed: Redis-protocol cache with TLS and auth, and the CD pipeline in the seed's stage order.
 * A real run needs the hosted zone, SSM parameters, database security group and CodeStar connection the example names.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { SalonApiStack } from '../examples/seeds/seed-001-salon-api';

const app = new App();
const stack = new SalonApiStack(app, 'IntegSeed001');
const integ = new IntegTest(app, 'Seed001Test', { testCases: [stack] });
integ.assertions.awsApiCall('ElastiCache', 'describeReplicationGroups', { ReplicationGroupId: stack.platform.cache!.replicationGroup.ref })
  .expect(ExpectedResult.objectLike({ ReplicationGroups: [{ TransitEncryptionEnabled: true, AuthTokenEnabled: true }] }));
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: stack.platform.pipeline!.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({ pipeline: { stages: [{ name: 'Source' }, { name: 'Migrate' }, { name: 'Build' }, { name: 'Deploy' }, { name: 'Record' }] } }));
