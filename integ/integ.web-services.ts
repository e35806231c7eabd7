/**
 * Deploys two web services on one edge: the first creates the internal ALB and the CloudFront VPC origin (no hosted
 * zone), the second answers `/admin/*` on the same listener with its own tasks. Asserts at deploy time that the
 * listener forwards `/admin/*` to the second service's target group, that the second service runs ACTIVE behind it,
 * and that its SSM URL parameter is the shared distribution's URL. Public BusyBox images: no push needed.
 * Beside them a static site (docs/adr/0024): a page put into its private bucket is served through CloudFront's
 * Origin Access Control, a path with no object gets the page (single-page app), and the bucket itself answers 403.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { SecureAlbFargateService, ServiceImage, StaticSite, TeardownPolicy } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegWebServices');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const busybox = ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'));
const serve = (page: string) => ['sh', '-c', `mkdir -p /www/admin && echo ${page} > /www/index.html && echo ok > /www/health && echo ${page} > /www/admin/index.html && exec httpd -f -p 8080 -h /www`];
const common = { vpc, environmentName: 'integ', appName: 'webservices', image: busybox, minCapacity: 1, maxCapacity: 1, deletionProtection: false };

const api = new SecureAlbFargateService(stack, 'Api', { ...common, command: serve('api') });
const { deletionProtection: _, ...shared } = common;
const admin = new SecureAlbFargateService(stack, 'Admin', { ...shared, shareEdgeWith: api, pathPatterns: ['/admin/*'], command: serve('admin') });

const integ = new IntegTest(app, 'WebServicesTest', { testCases: [stack] });
integ.assertions.awsApiCall('ELBv2', 'describeRules', { ListenerArn: api.listener.listenerArn })
  .expect(ExpectedResult.objectLike({
    Rules: Match.arrayWith([Match.objectLike({
      Priority: '1500',
      Conditions: [Match.objectLike({ Field: 'path-pattern', Values: ['/admin/*'] })],
      Actions: [Match.objectLike({ Type: 'forward', TargetGroupArn: admin.targetGroup.targetGroupArn })],
    })]),
  }));
integ.assertions.awsApiCall('ECS', 'describeServices', { cluster: api.cluster.clusterName, services: [admin.service.serviceName] })
  .expect(ExpectedResult.objectLike({ services: [{ status: 'ACTIVE', loadBalancers: [Match.objectLike({ containerName: 'app', containerPort: 8080 })] }] }));
integ.assertions.awsApiCall('SSM', 'getParameter', { Name: '/webservices/integ/admin/service-url' })
  .expect(ExpectedResult.objectLike({ Parameter: { Value: api.serviceUrl } }));

const site = new StaticSite(stack, 'Site', { singlePageApp: true, teardown: TeardownPolicy.DESTROY });
const page = integ.assertions.awsApiCall('S3', 'putObject', {
  Bucket: site.bucket.bucketName, Key: 'index.html', Body: '<h1>static site</h1>', ContentType: 'text/html',
});
const served = integ.assertions.httpApiCall(site.url);
served.expect(ExpectedResult.objectLike({ status: 200, body: Match.stringLikeRegexp('static site') }));
const fallback = integ.assertions.httpApiCall(`${site.url}/settings/profile`);
fallback.expect(ExpectedResult.objectLike({ status: 200, body: Match.stringLikeRegexp('static site') }));
const privateBucket = integ.assertions.httpApiCall(`https://${site.bucket.bucketRegionalDomainName}/index.html`);
privateBucket.expect(ExpectedResult.objectLike({ status: 403 }));
page.next(served).next(fallback).next(privateBucket);
