/**
 * Deploys a queue worker and an internal worker (Service Connect) next to each other, and asserts at deploy time that
 * the queue is encrypted with a redrive policy to its dead-letter queue, that the queue worker runs with no load
 * balancer and scales from zero, and that the internal worker is registered in the Service Connect namespace.
 * The images are public (BusyBox), so the services start without any push.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ServiceImage, WorkerService } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegWorkerService');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
const busybox = ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'));
const mailer = new WorkerService(stack, 'Mailer', {
  cluster,
  environmentName: 'integ',
  appName: 'workers',
  image: busybox,
  minCapacity: 0,
  spot: true,
  onDemandBaseCapacity: 0,
  command: ['sh', '-c', 'while true; do sleep 60; done'],
  queue: {},
});
const reports = new WorkerService(stack, 'Reports', {
  cluster,
  environmentName: 'integ',
  appName: 'workers',
  image: busybox,
  port: 8080,
  command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
});
reports.allowFrom(mailer);

const integ = new IntegTest(app, 'WorkerServiceTest', { testCases: [stack] });
integ.assertions.awsApiCall('SQS', 'getQueueAttributes', { QueueUrl: mailer.queue!.queueUrl, AttributeNames: ['All'] })
  .expect(ExpectedResult.objectLike({ Attributes: { SqsManagedSseEnabled: 'true', RedrivePolicy: Match.stringLikeRegexp('"maxReceiveCount":5') } }));
integ.assertions.awsApiCall('ECS', 'describeServices', { cluster: cluster.clusterName, services: [mailer.service.serviceName] })
  .expect(ExpectedResult.objectLike({ services: [{ status: 'ACTIVE', loadBalancers: [], networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'DISABLED' } } }] }));
integ.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalableTargets', {
  ServiceNamespace: 'ecs', ResourceIds: [`service/${cluster.clusterName}/${mailer.service.serviceName}`],
}).expect(ExpectedResult.objectLike({ ScalableTargets: [{ MinCapacity: 0, MaxCapacity: 4 }] }));
integ.assertions.awsApiCall('ServiceDiscovery', 'listNamespaces', {})
  .expect(ExpectedResult.objectLike({ Namespaces: Match.arrayWith([Match.objectLike({ Name: 'integ.workers.internal', Type: 'HTTP' })]) }));
