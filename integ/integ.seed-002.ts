/**
 * Seed 002 as deployed: the database is private and encrypted, the service scales 2..10, and the download agents
 * are a queue worker scaling 0..10 on a queue whose messages stay hidden 15 minutes while an agent works on them.
 * A real run needs the hosted zone the example names.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { ScalableBackendStack } from '../examples/seeds/seed-002-scalable-backend';

const app = new App();
const stack = new ScalableBackendStack(app, 'IntegSeed002');
const integ = new IntegTest(app, 'Seed002Test', { testCases: [stack] });
integ.assertions.awsApiCall('RDS', 'describeDBInstances', { DBInstanceIdentifier: stack.platform.database!.instance.instanceIdentifier })
  .expect(ExpectedResult.objectLike({ DBInstances: [{ PubliclyAccessible: false, StorageEncrypted: true, DBName: 'downloads' }] }));
const scalableTarget = (service: { cluster: { clusterName: string }; serviceName: string }) => ({
  ServiceNamespace: 'ecs', ResourceIds: [`service/${service.cluster.clusterName}/${service.serviceName}`],
});
integ.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalableTargets', scalableTarget(stack.platform.service.service))
  .expect(ExpectedResult.objectLike({ ScalableTargets: [{ MinCapacity: 2, MaxCapacity: 10 }] }));
// The download agents: a queue worker that scales from zero on the downloads waiting.
integ.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalableTargets', scalableTarget(stack.downloadAgents.service))
  .expect(ExpectedResult.objectLike({ ScalableTargets: [{ MinCapacity: 0, MaxCapacity: 10 }] }));
integ.assertions.awsApiCall('SQS', 'getQueueAttributes', { QueueUrl: stack.downloadAgents.queue!.queueUrl, AttributeNames: ['VisibilityTimeout'] })
  .expect(ExpectedResult.objectLike({ Attributes: { VisibilityTimeout: '900' } }));
