/**
 * The same backend as the headline example, written directly with aws-cdk-lib's ecs-patterns and L2 constructs:
 * the baseline the bench compares against (VPC, HTTPS ALB Fargate service with redirect, RDS, scheduled task,
 * API destination rule, alarm, dashboard, ECR -> migrate -> deploy pipeline).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as patterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

export function createBaselineApp(app: App): Stack[] {
  const stack = new Stack(app, 'BaselineProd');
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 2 });
  const repository = new ecr.Repository(stack, 'Repository', { imageScanOnPush: true });
  const image = ecs.ContainerImage.fromEcrRepository(repository, 'latest');

  const database = new rds.DatabaseInstance(stack, 'Database', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    multiAz: true,
    storageEncrypted: true,
    credentials: rds.Credentials.fromGeneratedSecret('app_admin'),
    databaseName: 'app',
  });
  const secrets = {
    DB_USER: ecs.Secret.fromSecretsManager(database.secret!, 'username'),
    DB_PASSWORD: ecs.Secret.fromSecretsManager(database.secret!, 'password'),
  };
  const environment = { DB_HOST: database.dbInstanceEndpointAddress, DB_PORT: '5432', DB_NAME: 'app' };

  const web = new patterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
    vpc,
    cpu: 1024,
    memoryLimitMiB: 2048,
    desiredCount: 2,
    domainName: 'prod-lb.example.com',
    domainZone: zone,
    protocol: elbv2.ApplicationProtocol.HTTPS,
    redirectHTTP: true,
    circuitBreaker: { rollback: true },
    taskImageOptions: { image, containerPort: 8080, environment, secrets },
  });
  web.targetGroup.configureHealthCheck({ path: '/health' });
  const scaling = web.service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: 4 });
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 80 });
  database.connections.allowDefaultPortFrom(web.service);

  const cleanup = new patterns.ScheduledFargateTask(stack, 'Cleanup', {
    cluster: web.cluster,
    schedule: events.Schedule.rate(Duration.minutes(5)),
    scheduledFargateTaskImageOptions: { image, command: ['npx', 'tsx', 'cleanup-job.ts'], cpu: 512, memoryLimitMiB: 1024, environment, secrets },
  });
  database.connections.allowDefaultPortFrom(cleanup.task.securityGroups?.[0] ?? web.service);

  const apiKey = new secretsmanager.Secret(stack, 'ApiKey', { generateSecretString: { excludePunctuation: true } });
  const connection = new events.Connection(stack, 'Connection', { authorization: events.Authorization.apiKey('x-api-key', apiKey.secretValue) });
  const destination = new events.ApiDestination(stack, 'ResetQueue', {
    connection, endpoint: `https://${web.loadBalancer.loadBalancerDnsName}/salons/reset-queue`, httpMethod: events.HttpMethod.POST,
  });
  new events.Rule(stack, 'ResetQueueRule', {
    schedule: events.Schedule.cron({ minute: '0', hour: '8' }),
    targets: [new targets.ApiDestination(destination)],
  });

  const alarm = new cloudwatch.Alarm(stack, 'Target5xx', {
    metric: web.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT),
    threshold: 10,
    evaluationPeriods: 3,
  });
  new cloudwatch.Dashboard(stack, 'Dashboard').addWidgets(
    new cloudwatch.GraphWidget({ left: [web.service.metricCpuUtilization(), web.service.metricMemoryUtilization()] }),
    new cloudwatch.AlarmWidget({ alarm }),
  );

  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineType: codepipeline.PipelineType.V2 });
  const source = new codepipeline.Artifact();
  const definitions = new codepipeline.Artifact();
  pipeline.addStage({ stageName: 'Source', actions: [new actions.EcrSourceAction({ actionName: 'Image', repository, imageTag: 'latest', output: source })] });
  const migrate = new codebuild.PipelineProject(stack, 'Migrate', {
    vpc,
    environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, privileged: true },
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      phases: { build: { commands: ['docker run --rm -e DB_HOST "$REPOSITORY_URI:latest" npm run migration:run', 'printf \'[{"name":"web","imageUri":"%s"}]\' "$REPOSITORY_URI:latest" > imagedefinitions.json'] } },
      artifacts: { files: ['imagedefinitions.json'] },
    }),
    environmentVariables: { REPOSITORY_URI: { value: repository.repositoryUri } },
  });
  database.connections.allowDefaultPortFrom(migrate);
  repository.grantPull(migrate);
  pipeline.addStage({ stageName: 'Migrate', actions: [new actions.CodeBuildAction({ actionName: 'Migrate', project: migrate, input: source, outputs: [definitions] })] });
  pipeline.addStage({ stageName: 'Deploy', actions: [new actions.EcsDeployAction({ actionName: 'Deploy', service: web.service, input: definitions })] });
  return [stack];
}
