/**
 * Deploys a service and a queue worker built from the same ECR repository with one deploy pipeline and asserts at
 * deploy time the stage order Source -> Migrate -> Build -> Deploy -> Record and one ECS deploy action per service in
 * the Deploy stage; then waits for the execution CodePipeline starts on creation to succeed and asserts that both
 * image-tag parameters now hold the release it recorded (sha256-<hex>), which the initial value (`latest`) cannot pass for,
 * and that the scheduled job moved with the release: its newest revision runs the pushed digest and its schedule names the family.
 * A real run needs a public hosted zone (INTEG_HOSTED_ZONE_ID, INTEG_ZONE_NAME) and a repository with an image
 * tagged `latest` (INTEG_REPOSITORY_NAME), so the service can start.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { CleanupJobScheduler, EcrToEcsPipeline, SecureAlbFargateService, ServiceImage, WorkerService } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegEcrToEcsPipeline');
const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
  hostedZoneId: process.env.INTEG_HOSTED_ZONE_ID ?? 'Z0123456789ABC',
  zoneName: process.env.INTEG_ZONE_NAME ?? 'integ.example.com',
});
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const repository = ecr.Repository.fromRepositoryName(stack, 'Repository', process.env.INTEG_REPOSITORY_NAME ?? 'integ-backend');
const service = new SecureAlbFargateService(stack, 'Backend', {
  vpc,
  hostedZone: zone,
  environmentName: 'integ',
  appName: 'pipeline',
  image: ServiceImage.fromEcrRepository(repository),
  minCapacity: 1,
  maxCapacity: 1,
  deletionProtection: false,
});
const worker = new WorkerService(stack, 'Mailer', {
  cluster: service.cluster,
  environmentName: 'integ',
  appName: 'pipeline',
  image: ServiceImage.fromEcrRepository(repository),
  command: ['sh', '-c', 'exec sleep infinity'],
  queue: {},
  minCapacity: 1,
  maxCapacity: 1,
});
// Migrations are opt-in; a command every image can run keeps the Migrate stage under test.
const delivery = new EcrToEcsPipeline(stack, 'Delivery', { service, additionalServices: [worker], migrationCommand: ['sh', '-c', 'echo migrated'] });
// A scheduled job of the same image: the release must move it too (a revision of its family with the pushed digest).
const job = new CleanupJobScheduler(stack, 'Cleanup', {
  cluster: service.cluster,
  image: service.containerImage,
  imageRepository: repository,
  command: ['sh', '-c', 'echo cleanup'],
  schedule: events.Schedule.rate(Duration.hours(1)),
});
delivery.addScheduledJob(job);

const integ = new IntegTest(app, 'EcrToEcsPipelineTest', { testCases: [stack], diffAssets: false });
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: delivery.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({
    pipeline: {
      pipelineType: 'V2',
      stages: [
        { name: 'Source' }, { name: 'Migrate' }, { name: 'Build' },
        {
          name: 'Deploy',
          actions: [
            { name: 'Backend', configuration: { FileName: 'imagedefinitions-Backend.json' } },
            { name: 'Mailer', configuration: { FileName: 'imagedefinitions-Mailer.json' } },
            { name: 'ScheduledJobs' },
          ],
        },
        { name: 'Record' },
      ],
    },
  }));
const pipelineSucceeded = integ.assertions.awsApiCall('CodePipeline', 'listPipelineExecutions', { pipelineName: delivery.pipeline.pipelineName, maxResults: 1 })
  .expect(ExpectedResult.objectLike({ pipelineExecutionSummaries: [{ status: 'Succeeded' }] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(45), interval: Duration.minutes(1) });
pipelineSucceeded
  .next(integ.assertions.awsApiCall('SSM', 'getParameter', { Name: '/pipeline/integ/backend/ecr-imgTag' })
    .expect(ExpectedResult.objectLike({ Parameter: { Value: Match.stringLikeRegexp('^sha256-[0-9a-f]{64}$') } })))
  .next(integ.assertions.awsApiCall('SSM', 'getParameter', { Name: worker.imageTagParameter!.parameterName })
    .expect(ExpectedResult.objectLike({ Parameter: { Value: Match.stringLikeRegexp('^sha256-[0-9a-f]{64}$') } })))
  // The job's newest revision (what its schedule, naming the family, runs) holds the released digest, which
  // CloudFormation's own revision (tag `latest` from the initial parameter) cannot.
  .next(integ.assertions.awsApiCall('ECS', 'describeTaskDefinition', { taskDefinition: job.taskDefinition.family })
    .expect(ExpectedResult.objectLike({ taskDefinition: { containerDefinitions: [{ name: 'job', image: Match.stringLikeRegexp('@sha256:[0-9a-f]{64}$') }] } })))
  .next(integ.assertions.awsApiCall('EventBridge', 'listTargetsByRule', { Rule: job.rule.ruleName })
    .expect(ExpectedResult.objectLike({ Targets: [{ EcsParameters: { TaskDefinitionArn: Match.stringLikeRegexp(`:task-definition/${job.taskDefinition.family}$`) } }] })));
