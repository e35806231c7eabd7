/**
 * Deploys SecureAlbFargateService with a public ALB (`EdgeMode.PUBLIC_ALB`, seed 000's edge) and the placeholder
 * image, and asserts that the public URL answers through CloudFront while the ALB refuses requests that bypass it.
 * A real run needs a public hosted zone: set INTEG_HOSTED_ZONE_ID and INTEG_ZONE_NAME.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { EdgeMode, SecureAlbFargateService, ServiceImage } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegSecureAlbFargateService');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
  hostedZoneId: process.env.INTEG_HOSTED_ZONE_ID ?? 'Z0123456789ABC',
  zoneName: process.env.INTEG_ZONE_NAME ?? 'integ.example.com',
});
const web = new SecureAlbFargateService(stack, 'Web', {
  vpc,
  hostedZone,
  environmentName: 'integ',
  appName: 'integ-web',
  edgeMode: EdgeMode.PUBLIC_ALB,
  image: ServiceImage.placeholder(),
  cpu: 256,
  memoryLimitMiB: 512,
  minCapacity: 1,
  maxCapacity: 2,
  deletionProtection: false,
});
// The access-log bucket is kept after the test: the load balancer writes to it, and a bucket deleted with its
// stack while it holds objects fails the deletion (deploy-readiness rule deleted-bucket-is-emptied-first).

const integ = new IntegTest(app, 'SecureAlbFargateServiceTest', { testCases: [stack] });
integ.assertions.httpApiCall(`${web.serviceUrl}/health`).expect(ExpectedResult.objectLike({ status: 200 }));
integ.assertions.httpApiCall(`https://${web.loadBalancerDomainName}/health`).expect(ExpectedResult.objectLike({ status: 403 }));
integ.assertions.awsApiCall('ECS', 'describeServices', {
  cluster: web.cluster.clusterArn,
  services: [web.service.serviceArn],
}).expect(ExpectedResult.objectLike({
  services: [{ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } }],
}));
