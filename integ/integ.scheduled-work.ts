/**
 * Deploys CleanupJobScheduler and ScheduledApiCalls and asserts that both schedules are enabled with their
 * dead-letter queues, and that the API key is stored as a secret.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import { CleanupJobScheduler, ScheduledApiCalls } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegScheduledWork');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
const job = new CleanupJobScheduler(stack, 'Cleanup', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
  command: ['sh', '-c', 'echo cleaning up'],
  schedule: events.Schedule.rate(Duration.minutes(5)),
});
const calls = new ScheduledApiCalls(stack, 'Calls', {
  baseUrl: 'https://example.com',
  calls: [{ id: 'Ping', schedule: events.Schedule.rate(Duration.hours(1)), path: '/', method: events.HttpMethod.GET }],
});

const integ = new IntegTest(app, 'ScheduledWorkTest', { testCases: [stack] });
integ.assertions.awsApiCall('EventBridge', 'describeRule', { Name: job.rule.ruleName })
  .expect(ExpectedResult.objectLike({ State: 'ENABLED', ScheduleExpression: 'rate(5 minutes)' }));
integ.assertions.awsApiCall('EventBridge', 'listTargetsByRule', { Rule: calls.rules.Ping.ruleName })
  .expect(ExpectedResult.objectLike({ Targets: [{ RetryPolicy: { MaximumRetryAttempts: 3 } }] }));
integ.assertions.awsApiCall('EventBridge', 'describeConnection', { Name: calls.connection.connectionName })
  .expect(ExpectedResult.objectLike({ AuthorizationType: 'API_KEY' }));
