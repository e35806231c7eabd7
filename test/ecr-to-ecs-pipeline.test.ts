import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { givenStack } from './fixtures';
import { EcrToEcsPipeline, EcrToEcsPipelineProps, SecureAlbFargateService, ServiceDeployment, ServiceImage } from '../src';

function build(overrides: Partial<EcrToEcsPipelineProps> = {}, image?: ServiceImage) {
  const given = givenStack();
  const service = new SecureAlbFargateService(given.stack, 'Backend', {
    vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', appName: 'salon', image: image ?? ServiceImage.fromEcrRepository(given.repository),
  });
  const pipeline = new EcrToEcsPipeline(given.stack, 'Delivery', { service, ...overrides });
  return { ...given, service, pipeline, template: Template.fromStack(given.stack) };
}

const stageNames = (template: Template, name = 'DeliveryPipeline') => {
  const [pipeline] = Object.entries<any>(template.findResources('AWS::CodePipeline::Pipeline')).filter(([id]) => id.startsWith(name)).map(([, r]) => r);
  return pipeline.Properties.Stages.map((s: any) => s.Name);
};
const projectEnv = (template: Template, idPrefix: string) => {
  const [project] = Object.entries<any>(template.findResources('AWS::CodeBuild::Project')).filter(([id]) => id.startsWith(idPrefix)).map(([, r]) => r);
  return Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
};
/** The stage's action configuration as JSON text (action environment variables are a JSON string inside Fn::Join). */
const actionConfig = (template: Template, stage: string) => {
  const [pipeline] = Object.entries<any>(template.findResources('AWS::CodePipeline::Pipeline')).filter(([id]) => id.startsWith('DeliveryPipeline')).map(([, r]) => r);
  return JSON.stringify(pipeline.Properties.Stages.find((s: any) => s.Name === stage).Actions[0].Configuration);
};
const statements = (template: Template, policyPrefix: string) => Object.entries<any>(template.findResources('AWS::IAM::Policy'))
  .filter(([id]) => id.startsWith(policyPrefix)).flatMap(([, r]) => r.Properties.PolicyDocument.Statement);

describe('EcrToEcsPipeline', () => {
  describe('GIVEN a service whose image comes from ECR', () => {
    const { template } = build();

    test('THEN a V2 pipeline runs Source -> Migrate -> Build -> Deploy -> Record', () => {
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2' });
      expect(stageNames(template)).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
    });

    test('THEN the source is an ECR push of the tag "latest", the deploy an ECS rolling deploy of the service', () => {
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
        Stages: Match.arrayWith([
          Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'ECR' }), Configuration: Match.objectLike({ ImageTag: 'latest' }) })] }),
          Match.objectLike({
            Name: 'Deploy',
            Actions: [Match.objectLike({
              ActionTypeId: Match.objectLike({ Provider: 'ECS' }),
              Configuration: { ClusterName: { Ref: Match.stringLikeRegexp('^BackendCluster') }, ServiceName: Match.anyValue(), DeploymentTimeout: 60 },
            })],
          }),
        ]),
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ source: ['aws.ecr'], detail: Match.objectLike({ 'image-tag': ['latest'] }) }),
      });
    });

    test('THEN the migration is a Fargate task of the service in its private subnets and security group, not a CodeBuild VPC build', () => {
      const env = projectEnv(template, 'DeliveryMigrationProject');
      expect(env.MIGRATION_COMMAND).toBe('["npm","run","migration:run"]');
      expect(env.TASK_FAMILY).toMatch(/^TestStackBackendTaskDefinition/);
      expect(env.SECURITY_GROUPS).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceSecurityGroup/), 'GroupId'] });
      expect(JSON.stringify(env.SUBNETS)).toMatch(/VpcprivateSubnet1.*VpcprivateSubnet2/);
      expect(actionConfig(template, 'Migrate')).toContain('{\\"name\\":\\"IMAGE_DIGEST\\",\\"type\\":\\"PLAINTEXT\\",\\"value\\":\\"#{Source_Image_NS.ImageDigest}\\"}');
      const [migration] = Object.entries<any>(template.findResources('AWS::CodeBuild::Project')).filter(([id]) => id.startsWith('DeliveryMigrationProject'));
      expect(migration[1].Properties.VpcConfig).toBeUndefined();
      expect(migration[1].Properties.TimeoutInMinutes).toBe(35);
    });

    test('THEN iam:PassRole is limited to the task and execution roles, passed to ECS tasks', () => {
      const passRole = statements(template, 'DeliveryMigrationProjectRoleDefaultPolicy').filter(s => s.Action === 'iam:PassRole');
      expect(passRole).toEqual([expect.objectContaining({
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^BackendTaskRole/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^BackendExecutionRole/), 'Arn'] }],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      })]);
      const runTask = statements(template, 'DeliveryMigrationProjectRoleDefaultPolicy').find(s => s.Action === 'ecs:RunTask');
      expect(JSON.stringify(runTask.Resource)).toMatch(/task-definition\/TestStackBackendTaskDefinition[0-9A-F]+-migrate:\*/);
      expect(runTask.Condition.ArnEquals['ecs:cluster']).toBeDefined();
    });

    test('THEN the image-rollback trap is closed: after Deploy, Record writes the deployed tag to the parameter the service renders', () => {
      const record = actionConfig(template, 'Record');
      const json = template.toJSON();
      const [[parameterId, parameter]] = Object.entries<any>(json.Resources).filter(([id, r]) => r.Type === 'AWS::SSM::Parameter' && id.startsWith('BackendImageTagParameter'));
      expect(parameter.Properties.Name).toBe('/salon/prod/backend/ecr-imgTag');
      expect(record).toContain(`{\\"name\\":\\"TAG_PARAMETER\\",\\"type\\":\\"PLAINTEXT\\",\\"value\\":\\"",{"Ref":"${parameterId}"}`);
      const [taskDefinition] = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'));
      expect(JSON.stringify(taskDefinition.Properties.ContainerDefinitions[0].Image)).toContain('{{resolve:ssm:/salon/prod/backend/ecr-imgTag}}');
      const putParameter = statements(template, 'DeliveryRecordReleaseProjectRoleDefaultPolicy').find(s => JSON.stringify(s.Action).includes('ssm:PutParameter'));
      expect(JSON.stringify(putParameter.Resource)).toContain(parameterId);
      const stages = stageNames(template);
      expect(stages.indexOf('Record')).toBeGreaterThan(stages.indexOf('Deploy'));
    });

    test('THEN artifacts are KMS-encrypted, TLS-only and retained; build logs go to a retained log group', () => {
      template.hasResource('AWS::S3::Bucket', {
        Properties: Match.objectLike({
          BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
          PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
        }),
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^DeliveryArtifactBucket') },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      for (const project of Object.values<any>(template.findResources('AWS::CodeBuild::Project'))) {
        expect(project.Properties.EncryptionKey).toBeDefined();
        expect(project.Properties.LogsConfig.CloudWatchLogs.Status).toBe('ENABLED');
      }
    });

    test('THEN a migration failure alarm exists', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FailedBuilds', Namespace: 'AWS/CodeBuild', Threshold: 0 });
    });
  });

  test('GIVEN manual approval and no migrations THEN the stages are Source -> Build -> Approve -> Deploy -> Record', () => {
    const { template } = build({ manualApproval: true, runMigrations: false });
    expect(stageNames(template)).toEqual(['Source', 'Build', 'Approve', 'Deploy', 'Record']);
  });

  test('GIVEN a tag and a migration command THEN the source watches that tag and the task runs that command', () => {
    const { template } = build({ tag: 'release', migrationCommand: ['node', 'dist/migrate.js'] });
    expect(projectEnv(template, 'DeliveryMigrationProject').MIGRATION_COMMAND).toBe('["node","dist/migrate.js"]');
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: Match.objectLike({ 'image-tag': ['release'] }) }) });
  });

  test('GIVEN a notification topic THEN failed executions are published to it', () => {
    const given = givenStack();
    const service = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository),
    });
    const topic = new sns.Topic(given.stack, 'Topic');
    new EcrToEcsPipeline(given.stack, 'Delivery', { service, notificationTopic: topic });
    const template = Template.fromStack(given.stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['aws.codepipeline'], 'detail-type': ['CodePipeline Pipeline Execution State Change'], 'detail': { state: ['FAILED'] } }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Topic') } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FailedBuilds', AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }] });
  });

  test('GIVEN a GitHub source THEN a CI pipeline builds with Docker in privileged mode, with a layer cache, and pushes to the repository', () => {
    const { template } = build({ source: { connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0123abcd', owner: 'acme', repo: 'salon-api', branch: 'develop' } });
    expect(stageNames(template, 'DeliveryCiPipeline')).toEqual(['Source', 'Build']);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Actions: [Match.objectLike({
          ActionTypeId: Match.objectLike({ Provider: 'CodeStarSourceConnection' }),
          Configuration: Match.objectLike({ ConnectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0123abcd', FullRepositoryId: 'acme/salon-api', BranchName: 'develop' }),
        })],
      })]),
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ PrivilegedMode: true }),
      Cache: { Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] },
    });
    const push = statements(template, 'DeliveryDockerBuildProjectRoleDefaultPolicy').find(s => JSON.stringify(s.Action).includes('ecr:PutImage'));
    expect(push).toBeDefined();
  });

  describe('GIVEN bad input THEN synth fails naming the prop, the value and the fix', () => {
    test.each([
      [{ tag: 'bad tag' }, /invalid tag "bad tag": use an ECR tag such as "latest"/],
      [{ tag: 'sha256-abc' }, /invalid tag "sha256-abc": .*the sha256- prefix is reserved/],
      [{ migrationCommand: [] }, /invalid migrationCommand \[\]: give at least one element/],
      [{ runMigrations: false, migrationCommand: ['npm', 'run', 'migrate'] }, /invalid migrationCommand \["npm","run","migrate"\]: runMigrations is false/],
      [{ source: { connectionArn: 'github-token', owner: 'a', repo: 'b' } }, /invalid source.connectionArn "github-token": use the ARN of a CodeStar connection/],
    ] as Array<[Partial<EcrToEcsPipelineProps>, RegExp]>)('%j', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });

    test('a service image that is not from ECR', () => {
      expect(() => build({}, ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('nginx'))))
        .toThrow(/invalid service "TestStack\/Backend": the service image must come from ECR: use ServiceImage.fromEcrRepository/);
    });
  });
});

describe('GIVEN a blue/green service', () => {
  const given = givenStack();
  const service = new SecureAlbFargateService(given.stack, 'Backend', {
    vpc: given.vpc,
    hostedZone: given.zone,
    environmentName: 'prod',
    appName: 'salon',
    image: ServiceImage.fromEcrRepository(given.repository),
    deployment: ServiceDeployment.blueGreen(),
  });
  new EcrToEcsPipeline(given.stack, 'Delivery', { service });
  const template = Template.fromStack(given.stack);

  test('THEN the same pipeline deploys it: migrations run once, before the ECS deploy action, which hands ECS the new revision', () => {
    expect(stageNames(template)).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
    const [pipeline] = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'));
    const deploy = pipeline.Properties.Stages.find((s: any) => s.Name === 'Deploy').Actions;
    expect(deploy).toHaveLength(1);
    expect(deploy[0].ActionTypeId).toMatchObject({ Category: 'Deploy', Provider: 'ECS' });
    expect(JSON.stringify(deploy[0].Configuration)).toContain('BackendService');
    // ECS, not the action, decides the strategy: the service carries BLUE_GREEN.
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN' }) });
  });
});
