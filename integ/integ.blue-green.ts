/**
 * Deploys SecureAlbFargateService with ECS native blue/green (the default VPC-origin edge, no hosted zone, a
 * placeholder image) and asserts at deploy time that the service's deployment configuration is what the library
 * promises: strategy BLUE_GREEN, a 1-minute bake time, the smoke-test hook after the test traffic shift, the
 * alternate target group with both listener rules, the circuit breaker with rollback, and alarms that roll back. The
 * service URL answers. Then a deployment whose smoke test fails rolls back: the hook is pointed at a closed port
 * (outside CloudFormation: the stack is destroyed after the test), a deployment is forced, and ECS must report it
 * ROLLBACK_SUCCESSFUL within 20 minutes.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SecureAlbFargateService, ServiceDeployment, ServiceImage } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegBlueGreen', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const web = new SecureAlbFargateService(stack, 'Web', {
  vpc,
  environmentName: 'integ',
  appName: 'integ-bg',
  image: ServiceImage.placeholder(),
  cpu: 256,
  memoryLimitMiB: 512,
  minCapacity: 1,
  maxCapacity: 2,
  deletionProtection: false,
  deployment: ServiceDeployment.blueGreen({ bakeTime: Duration.minutes(1) }),
});
// The access-log bucket is kept after the test: the load balancer writes to it, and a bucket deleted with its
// stack while it holds objects fails the deletion (deploy-readiness rule deleted-bucket-is-emptied-first).

const assertionStack = new Stack(app, 'BlueGreenAssertions', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } });
const integ = new IntegTest(app, 'BlueGreenTest', { testCases: [stack], assertionStack });
integ.assertions.awsApiCall('ECS', 'describeServices', { cluster: web.cluster.clusterArn, services: [web.service.serviceArn] })
  .expect(ExpectedResult.objectLike({
    services: [Match.objectLike({
      deploymentController: { type: 'ECS' },
      deploymentConfiguration: Match.objectLike({
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 1,
        lifecycleHooks: [Match.objectLike({ lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] })],
        deploymentCircuitBreaker: { enable: true, rollback: true },
        alarms: Match.objectLike({ enable: true, rollback: true }),
      }),
      loadBalancers: [Match.objectLike({
        containerName: 'app',
        advancedConfiguration: Match.objectLike({
          alternateTargetGroupArn: Match.stringLikeRegexp('^arn:aws:elasticloadbalancing:'),
          productionListenerRule: Match.stringLikeRegexp(':listener-rule/'),
          testListenerRule: Match.stringLikeRegexp(':listener-rule/'),
        }),
      })],
    })],
  }));
const healthy = integ.assertions.httpApiCall(`${web.serviceUrl}/health`);
healthy.expect(ExpectedResult.objectLike({ status: 200 }));

// A smoke test that cannot connect fails the hook (ECONNREFUSED), so the forced deployment must roll back.
const breakSmokeTest = integ.assertions.awsApiCall('Lambda', 'updateFunctionConfiguration', {
  FunctionName: web.smokeTestFunction!.functionName,
  Environment: { Variables: { SMOKE_TEST_URL: 'http://127.0.0.1:1/health', SMOKE_TEST_TIMEOUT_MS: '5000' } },
});
const forceDeployment = integ.assertions.awsApiCall('ECS', 'updateService', {
  cluster: web.cluster.clusterArn, service: web.service.serviceName, forceNewDeployment: true,
});
const rolledBack = integ.assertions.awsApiCall('ECS', 'listServiceDeployments', {
  cluster: web.cluster.clusterArn, service: web.service.serviceName, status: ['ROLLBACK_SUCCESSFUL'],
});
rolledBack.expect(ExpectedResult.objectLike({ serviceDeployments: Match.arrayWith([Match.objectLike({ status: 'ROLLBACK_SUCCESSFUL' })]) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.seconds(30) });
healthy.next(breakSmokeTest).next(forceDeployment).next(rolledBack);
