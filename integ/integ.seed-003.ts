/**
 * Seed 003 as deployed: one service whose load balancer sends the default route to the frontend container and the
 * API to the backend container. A real run needs images in the `tasktracker-frontend` and `tasktracker-backend`
 * repositories; no domain is needed.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { TaskTrackerStack } from '../examples/seeds/seed-003-task-tracker';

const app = new App();
const stack = new TaskTrackerStack(app, 'IntegSeed003');
const service = stack.platform.service;
const integ = new IntegTest(app, 'Seed003Test', { testCases: [stack] });
integ.assertions.awsApiCall('ECS', 'describeServices', { cluster: service.cluster.clusterArn, services: [service.service.serviceArn] })
  .expect(ExpectedResult.objectLike({
    services: [{ loadBalancers: [{ containerName: 'app', containerPort: 80 }, { containerName: 'backend', containerPort: 3001 }] }],
  }));
integ.assertions.httpApiCall(`${service.serviceUrl}/health`).expect(ExpectedResult.objectLike({ status: 200 }));
