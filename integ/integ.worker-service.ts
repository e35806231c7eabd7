/**
 * Deploys a queue worker and an internal worker (Service Connect) next to each other, and asserts at deploy time that
 * the queue is encrypted with a redrive policy to its dead-letter queue, that the queue worker runs with no load
 * balancer and scales from zero, and that the internal worker is registered in the Service Connect namespace. The
 * internal worker serves its page from an EFS volume its command writes at start (a task whose mount fails never
 * starts, so the service would not stabilize): the file system is encrypted and available, and its access point
 * forces the volume's POSIX user on /www. The internal worker is also behind an internal load balancer (docs/adr/0023):
 * the load balancer is internal, and the worker's target is healthy on the page it serves (ECS counts a task only once its
 * target passes, so the service stabilizing proves it too). The load balancer also serves HTTPS at the worker's alias
 * (docs/adr/0023): its 443 listener has the TLS policy, the alias's certificate is attached beside the default one,
 * and the HTTPS rule matches the alias. The images are public (BusyBox), so the services start without any push.
 * A real run needs a public hosted zone: set INTEG_HOSTED_ZONE_ID and INTEG_ZONE_NAME.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { InternalLoadBalancer, ServiceImage, WorkerService } from '../src';

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
const zoneName = process.env.INTEG_ZONE_NAME ?? 'integ.example.com';
const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: process.env.INTEG_HOSTED_ZONE_ID ?? 'Z0123456789ABC', zoneName });
// Not deletion-protected, so the test stack can be destroyed.
const loadBalancer = new InternalLoadBalancer(stack, 'InternalLoadBalancer', { vpc, deletionProtection: false, https: { hostedZone } });
const reports = new WorkerService(stack, 'Reports', {
  cluster,
  environmentName: 'integ',
  appName: 'workers',
  image: busybox,
  port: 8080,
  command: ['sh', '-c', 'echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
  volumes: [{ name: 'www', containerPath: '/www' }],
  healthCheckPath: '/index.html',
  loadBalancer,
  internalLoadBalancer: { healthCheckInterval: Duration.seconds(10), aliases: [`reports.${zoneName}`] },
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
integ.assertions.awsApiCall('EFS', 'describeFileSystems', { FileSystemId: reports.fileSystem!.fileSystemId })
  .expect(ExpectedResult.objectLike({ FileSystems: [{ LifeCycleState: 'available', Encrypted: true, NumberOfMountTargets: 2 }] }));
integ.assertions.awsApiCall('EFS', 'describeAccessPoints', { FileSystemId: reports.fileSystem!.fileSystemId })
  .expect(ExpectedResult.objectLike({ AccessPoints: [{ LifeCycleState: 'available', PosixUser: { Uid: 1000, Gid: 1000 }, RootDirectory: { Path: '/www' } }] }));
integ.assertions.awsApiCall('ELBv2', 'describeLoadBalancers', { LoadBalancerArns: [loadBalancer.loadBalancer.loadBalancerArn] })
  .expect(ExpectedResult.objectLike({ LoadBalancers: [{ Scheme: 'internal', State: { Code: 'active' } }] }));
integ.assertions.awsApiCall('ELBv2', 'describeTargetHealth', { TargetGroupArn: reports.targetGroup!.targetGroupArn })
  .expect(ExpectedResult.objectLike({ TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
integ.assertions.awsApiCall('ELBv2', 'describeListeners', { ListenerArns: [loadBalancer.httpsListener!.listenerArn] })
  .expect(ExpectedResult.objectLike({ Listeners: [{ Port: 443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }] }));
integ.assertions.awsApiCall('ELBv2', 'describeListenerCertificates', { ListenerArn: loadBalancer.httpsListener!.listenerArn })
  // The alias's certificate, attached beside the listener's default (whose ARN the listener itself names).
  .expect(ExpectedResult.objectLike({ Certificates: Match.arrayWith([Match.objectLike({ IsDefault: false })]) }));
integ.assertions.awsApiCall('ELBv2', 'describeRules', { ListenerArn: loadBalancer.httpsListener!.listenerArn })
  .expect(ExpectedResult.objectLike({
    Rules: Match.arrayWith([Match.objectLike({
      Conditions: Match.arrayWith([Match.objectLike({ Field: 'host-header', HostHeaderConfig: { Values: [`reports.${zoneName}`] } })]),
    })]),
  }));
