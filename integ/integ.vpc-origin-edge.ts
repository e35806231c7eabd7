/**
 * Deploys SecureAlbFargateService with its default edge (an internal ALB behind a CloudFront VPC origin), no hosted
 * zone and a web ACL, and asserts that the distribution's own URL answers while the load balancer is internal.
 * Needs no domain; the stack is in us-east-1 so the web ACL is created with it.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EdgeWebAcl, SecureAlbFargateService, ServiceImage } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegVpcOriginEdge', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const web = new SecureAlbFargateService(stack, 'Web', {
  vpc,
  environmentName: 'integ',
  appName: 'integ-edge',
  image: ServiceImage.placeholder(),
  cpu: 256,
  memoryLimitMiB: 512,
  minCapacity: 1,
  maxCapacity: 2,
  deletionProtection: false,
  webAcl: EdgeWebAcl.managed(),
});
// The access-log bucket is kept after the test: the load balancer writes to it, and a bucket deleted with its
// stack while it holds objects fails the deletion (deploy-readiness rule deleted-bucket-is-emptied-first).

// The assertions read the distribution's domain: they need the same explicit region as the stack.
const assertionStack = new Stack(app, 'VpcOriginEdgeAssertions', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } });
const integ = new IntegTest(app, 'VpcOriginEdgeTest', { testCases: [stack], assertionStack });
integ.assertions.httpApiCall(`${web.serviceUrl}/health`).expect(ExpectedResult.objectLike({ status: 200 }));
integ.assertions.awsApiCall('ELBv2', 'describeLoadBalancers', { LoadBalancerArns: [web.loadBalancer.loadBalancerArn] })
  .expect(ExpectedResult.objectLike({ LoadBalancers: [{ Scheme: 'internal' }] }));
integ.assertions.awsApiCall('CloudFront', 'getDistributionConfig', { Id: web.distribution!.distributionId })
  .expect(ExpectedResult.objectLike({ DistributionConfig: { WebACLId: Match.stringLikeRegexp('^arn:aws:wafv2:us-east-1:[0-9]+:global/webacl/') } }));
