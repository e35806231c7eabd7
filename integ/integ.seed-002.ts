/**
 * Seed 002 as deployed: the database is private and encrypted, and the service scales 2..10.
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
integ.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalableTargets', { ServiceNamespace: 'ecs' })
  .expect(ExpectedResult.objectLike({ ScalableTargets: [{ MinCapacity: 2, MaxCapacity: 10 }] }));
