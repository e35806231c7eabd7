/**
 * Seed 000 as deployed: the service URL and name are published in SSM, and the service runs 4 vCPU / 8 GiB tasks.
 * A real run needs the hosted zone and repository of examples/seeds/seed-000-fargate-backend.ts to exist.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { FargateBackendStack } from '../examples/seeds/seed-000-fargate-backend';

const app = new App();
const stack = new FargateBackendStack(app, 'IntegSeed000');
const integ = new IntegTest(app, 'Seed000Test', { testCases: [stack] });
integ.assertions.awsApiCall('SSM', 'getParameter', { Name: '/total-ctl/prod/backend/service-url' })
  .expect(ExpectedResult.objectLike({ Parameter: { Value: Match.stringLikeRegexp('^https://') } }));
integ.assertions.awsApiCall('ECS', 'describeTaskDefinition', { taskDefinition: stack.platform.service.taskDefinition.taskDefinitionArn })
  .expect(ExpectedResult.objectLike({ taskDefinition: { cpu: '4096', memory: '8192' } }));
