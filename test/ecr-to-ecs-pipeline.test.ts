import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { givenStack } from './fixtures';
import {
  BackendPlatform, CleanupJobScheduler, EcrToEcsPipeline, EcrToEcsPipelineProps, SecureAlbFargateService, ServiceDeployment, ServiceImage,
  WorkerService,
} from '../src';

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

const MIGRATION_COMMAND = ['npm', 'run', 'migration:run'];

describe('EcrToEcsPipeline', () => {
  describe('GIVEN a service whose image comes from ECR and no migration command (the default)', () => {
    const { template, pipeline } = build();
    const resources = template.toJSON().Resources;

    test('THEN nothing runs in the image: no Migrate stage, no migration project, alarm or task permissions', () => {
      expect(stageNames(template)).toEqual(['Source', 'Build', 'Deploy', 'Record']);
      expect(pipeline.migrationProject).toBeUndefined();
      expect(Object.keys(resources).filter(id => /Migrat/.test(id))).toEqual([]);
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'FailedBuilds' }, 0);
      const actions = Object.values<any>(template.findResources('AWS::IAM::Policy')).flatMap(r => r.Properties.PolicyDocument.Statement).flatMap(st => [st.Action].flat());
      expect(actions).not.toContain('ecs:RunTask');
      expect(JSON.stringify(resources)).not.toContain('migration:run');
    });
  });

  describe('GIVEN a service whose image comes from ECR and a migration command', () => {
    const { template } = build({ migrationCommand: MIGRATION_COMMAND });

    test('THEN a V2 pipeline runs Source -> Migrate -> Build -> Deploy -> Record', () => {
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2' });
      expect(stageNames(template)).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
    });

    test('THEN a failed Deploy stage rolls back to the last successful release, and no other stage does', () => {
      const [[, pipeline]] = Object.entries<any>(template.findResources('AWS::CodePipeline::Pipeline'));
      const onFailure = Object.fromEntries(pipeline.Properties.Stages.map((s: any) => [s.Name, s.OnFailure]));
      expect(onFailure).toEqual({ Source: undefined, Migrate: undefined, Build: undefined, Deploy: { Result: 'ROLLBACK' }, Record: undefined });
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
      expect(record).toContain(`{\\"name\\":\\"TAG_PARAMETERS\\",\\"type\\":\\"PLAINTEXT\\",\\"value\\":\\"",{"Ref":"${parameterId}"}`);
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
    const { template } = build({ manualApproval: true });
    expect(stageNames(template)).toEqual(['Source', 'Build', 'Approve', 'Deploy', 'Record']);
  });

  test('GIVEN manual approval and migrations THEN the migration waits for the approval: Source -> Build -> Approve -> Migrate -> Deploy -> Record', () => {
    const { template } = build({ manualApproval: true, migrationCommand: ['npm', 'run', 'migrate'] });
    const stages = stageNames(template);
    expect(stages).toEqual(['Source', 'Build', 'Approve', 'Migrate', 'Deploy', 'Record']);
    // Every stage that touches production (the database, the services) comes after the approval.
    expect(stages.indexOf('Migrate')).toBeGreaterThan(stages.indexOf('Approve'));
    expect(stages.indexOf('Deploy')).toBeGreaterThan(stages.indexOf('Approve'));
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline')).find((p: any) => p.Properties.Stages.some((s: any) => s.Name === 'Approve')) as any;
    const approve = pipeline.Properties.Stages.find((s: any) => s.Name === 'Approve');
    expect(approve.Actions.map((a: any) => a.ActionTypeId)).toEqual([expect.objectContaining({ Category: 'Approval', Provider: 'Manual' })]);
  });

  test('GIVEN the deprecated runMigrations true and no command THEN it still runs the former default command, with a warning', () => {
    const { template, stack } = build({ runMigrations: true });
    expect(stageNames(template)).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
    expect(projectEnv(template, 'DeliveryMigrationProject').MIGRATION_COMMAND).toBe('["npm","run","migration:run"]');
    expect(Annotations.fromStack(stack).findWarning('/TestStack/Delivery', Match.stringLikeRegexp('runMigrations is true: it is deprecated and true runs the former default'))).toHaveLength(1);
  });

  test('GIVEN the deprecated runMigrations false THEN no migrations, with a warning', () => {
    const { template, stack } = build({ runMigrations: false });
    expect(stageNames(template)).toEqual(['Source', 'Build', 'Deploy', 'Record']);
    expect(Annotations.fromStack(stack).findWarning('/TestStack/Delivery', Match.stringLikeRegexp('runMigrations is false: it is deprecated; migrations run exactly when migrationCommand is set'))).toHaveLength(1);
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
    new EcrToEcsPipeline(given.stack, 'Delivery', { service, notificationTopic: topic, migrationCommand: MIGRATION_COMMAND });
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
      [{ migrationTimeout: Duration.minutes(45) }, /invalid migrationTimeout "Duration.minutes\(45\)": no migrations run, so the timeout would be ignored; give migrationCommand/],
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
  new EcrToEcsPipeline(given.stack, 'Delivery', { service, migrationCommand: MIGRATION_COMMAND });
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

/** A CloudFormation value as text, references written `<LogicalId>` (other intrinsics `<?>`). */
const text = (value: any): string => {
  if (typeof value === 'string') return value;
  if (value.Ref) return `<${value.Ref}>`;
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'][0]}>`;
  if (!value['Fn::Join']) return '<?>';
  const [delimiter, parts] = value['Fn::Join'];
  return parts.map(text).join(delimiter);
};
/** A CodeBuild action's environment variables, by name. */
const variables = (action: any): { [name: string]: string } =>
  Object.fromEntries(JSON.parse(text(action.Configuration.EnvironmentVariables)).map((v: any) => [v.name, v.value]));

/** The Deploy stage's actions and the environment of the Migrate, Build and Record steps, of the stack's one pipeline. */
function deliveryOf(template: Template) {
  const [pipeline] = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'));
  const stage = (name: string) => pipeline.Properties.Stages.find((s: any) => s.Name === name);
  return {
    stages: pipeline.Properties.Stages.map((s: any) => s.Name),
    deploy: stage('Deploy').Actions,
    build: variables(stage('Build').Actions[0]),
    record: variables(stage('Record').Actions[0]),
    migrate: stage('Migrate') ? variables(stage('Migrate').Actions[0]) : undefined,
  };
}
const refOf = (template: Template, type: string, prefix: string) => Object.keys(template.findResources(type)).find(id => id.startsWith(prefix))!;
const passRoleStatements = (template: Template) => Object.values<any>(template.findResources('AWS::IAM::Policy'))
  .flatMap(r => r.Properties.PolicyDocument.Statement).filter((s: any) => [s.Action].flat().includes('iam:PassRole'));

function webServiceAndWorker(deployment?: ServiceDeployment, registerLater = false) {
  const given = givenStack();
  const image = ServiceImage.fromEcrRepository(given.repository);
  const service = new SecureAlbFargateService(given.stack, 'Backend', {
    vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', appName: 'salon', image, deployment,
  });
  const worker = new WorkerService(given.stack, 'Mailer', { cluster: service.cluster, environmentName: 'prod', appName: 'salon', image, queue: {} });
  const pipeline = new EcrToEcsPipeline(given.stack, 'Delivery', { service, additionalServices: registerLater ? undefined : [worker], migrationCommand: MIGRATION_COMMAND });
  if (registerLater) pipeline.addService(worker);
  return { ...given, service, worker, pipeline, template: Template.fromStack(given.stack) };
}

describe.each([
  ['additionalServices', false],
  ['addService after construction', true],
])('GIVEN a web service and a worker built from the same repository (%s)', (_, registerLater) => {
  const { template, service, worker } = webServiceAndWorker(undefined, registerLater);
  const delivery = deliveryOf(template);

  test('THEN one push rolls both out: two ECS deploy actions in the one Deploy stage, each reading its own image definitions file', () => {
    expect(delivery.stages).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
    expect(delivery.deploy).toHaveLength(2);
    expect(delivery.deploy.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.Configuration.FileName, a.RunOrder])).toEqual([
      ['Backend', 'ECS', 'imagedefinitions-Backend.json', 1],
      ['Mailer', 'ECS', 'imagedefinitions-Mailer.json', 1],
    ]);
    expect(JSON.stringify(delivery.deploy[0].Configuration.ServiceName)).toContain('BackendService');
    expect(JSON.stringify(delivery.deploy[1].Configuration.ServiceName)).toContain('MailerService');
  });

  test('THEN the Build step writes one file per service, listing that service\'s containers of the repository', () => {
    expect(JSON.parse(delivery.build.IMAGE_DEFINITIONS)).toEqual({ 'imagedefinitions-Backend.json': ['app'], 'imagedefinitions-Mailer.json': ['worker'] });
    expect(template.toJSON().Resources[refOf(template, 'AWS::CodeBuild::Project', 'DeliveryImageDefinitionsProject')].Properties.Source.BuildSpec)
      .toContain('imagedefinitions-*.json');
  });

  test('THEN migrations run once, in the web service\'s task, before any deploy', () => {
    expect(delivery.migrate!.CONTAINER).toBe('app');
    expect(Object.keys(template.findResources('AWS::CodeBuild::Project')).filter(id => id.startsWith('DeliveryMigrationProject'))).toHaveLength(1);
  });

  test('THEN Record writes the deployed tag to both tag parameters, and may write only those', () => {
    const web = refOf(template, 'AWS::SSM::Parameter', 'BackendImageTagParameter');
    const mailer = refOf(template, 'AWS::SSM::Parameter', 'MailerImageTagParameter');
    expect(delivery.record.TAG_PARAMETERS).toBe(`<${web}> <${mailer}>`);
    const writes = statements(template, 'DeliveryRecordReleaseProjectRoleDefaultPolicy').filter(s => JSON.stringify(s.Action).includes('ssm:PutParameter'));
    expect(JSON.stringify(writes)).toContain(web);
    expect(JSON.stringify(writes)).toContain(mailer);
    expect(writes.flatMap(w => [w.Resource].flat())).toHaveLength(2);
  });

  test('THEN the deploy role may pass only the two services\' task and execution roles, and update only the two services', () => {
    const deployRole = statements(template, 'DeliveryDeployRoleDefaultPolicy');
    const passed = deployRole.filter(s => s.Action === 'iam:PassRole');
    expect(passed.flatMap(s => s.Resource).map((r: any) => r['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '')).sort())
      .toEqual(['BackendExecutionRole', 'BackendTaskRole', 'MailerExecutionRole', 'MailerTaskRole']);
    passed.forEach(s => expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }));
    expect(passRoleStatements(template).filter(s => s.Resource === '*')).toEqual([]);
    const updates = deployRole.filter(s => s.Action === 'ecs:UpdateService').flatMap(s => [s.Resource].flat());
    expect(updates.map((r: any) => r.Ref.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['BackendServiceD3E6A1DC'.replace(/[0-9A-F]{8}$/, ''), 'MailerService']);
    // Every deploy action runs as that role, which only the pipeline's role may assume.
    delivery.deploy.forEach((a: any) => expect(a.RoleArn['Fn::GetAtt'][0]).toMatch(/^DeliveryDeployRole/));
    const [role] = Object.entries<any>(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('DeliveryDeployRole')).map(([, r]) => r);
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toMatch(/DeliveryPipelineRole/);
  });

  test('THEN the worker exposes what a pipeline deploys', () => {
    expect(worker.cluster).toBe(service.cluster);
    expect(worker.serviceSecurityGroup).toBe(worker.securityGroup);
    expect(worker.ecrContainers.map(c => c.containerName)).toEqual(['worker']);
  });
});

test('GIVEN a blue/green web service and a rolling worker THEN both deploy actions are in the Deploy stage, after one migration', () => {
  const { template } = webServiceAndWorker(ServiceDeployment.blueGreen());
  const delivery = deliveryOf(template);
  expect(delivery.stages).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
  expect(delivery.deploy.map((a: any) => a.Name)).toEqual(['Backend', 'Mailer']);
  template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN' }) });
});

describe('GIVEN a task with a second container from another repository (seed 003)', () => {
  function taskTracker(pipelineRepository: 'frontend' | 'backend') {
    const given = givenStack();
    const frontend = given.repository;
    const backend = ecr.Repository.fromRepositoryName(given.stack, 'BackendRepo', 'api');
    const service = new SecureAlbFargateService(given.stack, 'Web', {
      vpc: given.vpc,
      hostedZone: given.zone,
      environmentName: 'prod',
      appName: 'tasks',
      image: ServiceImage.fromEcrRepository(frontend),
      containerPort: 80,
      routedContainers: [{ name: 'backend', containerPort: 3001, pathPatterns: ['/api/*'], image: ServiceImage.fromEcrRepository(backend) }],
    });
    new EcrToEcsPipeline(given.stack, 'Delivery', { service, repository: pipelineRepository === 'backend' ? backend : undefined, migrationCommand: pipelineRepository === 'backend' ? MIGRATION_COMMAND : undefined });
    return Template.fromStack(given.stack);
  }

  test('THEN the backend repository\'s pipeline deploys the backend container only, migrates in it, and records the backend tag parameter', () => {
    const template = taskTracker('backend');
    const delivery = deliveryOf(template);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: Match.objectLike({ 'repository-name': ['api'] }) }) });
    expect(JSON.parse(delivery.build.IMAGE_DEFINITIONS)).toEqual({ 'imagedefinitions-Web.json': ['backend'] });
    expect(delivery.migrate!.CONTAINER).toBe('backend');
    expect(delivery.record.TAG_PARAMETERS).toBe(`<${refOf(template, 'AWS::SSM::Parameter', 'WebBackendImageTagParameter')}>`);
  });

  test('THEN the frontend repository\'s pipeline deploys the frontend container only and leaves the backend at its image', () => {
    const template = taskTracker('frontend');
    const delivery = deliveryOf(template);
    expect(JSON.parse(delivery.build.IMAGE_DEFINITIONS)).toEqual({ 'imagedefinitions-Web.json': ['app'] });
    expect(delivery.record.TAG_PARAMETERS).toBe(`<${refOf(template, 'AWS::SSM::Parameter', 'WebImageTagParameter')}>`);
  });
});

describe('GIVEN services the pipeline cannot deploy THEN it refuses them by name', () => {
  test('a worker from another repository, in additionalServices', () => {
    const given = givenStack();
    const service = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository),
    });
    const other = ecr.Repository.fromRepositoryName(given.stack, 'Other', 'reports');
    const worker = new WorkerService(given.stack, 'Reports', { cluster: service.cluster, environmentName: 'prod', image: ServiceImage.fromEcrRepository(other), queue: {} });
    expect(() => new EcrToEcsPipeline(given.stack, 'Delivery', { service, additionalServices: [worker] }))
      .toThrow(/invalid additionalServices\[0\] "TestStack\/Reports": no container of it runs an image of the pipeline's repository/);
  });

  test('a worker whose image is not from ECR, and a service added twice, through addService', () => {
    const { stack, pipeline, service } = build();
    const worker = new WorkerService(stack, 'Nginx', {
      cluster: service.cluster, environmentName: 'prod', image: ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('nginx')), queue: {},
    });
    expect(() => pipeline.addService(worker)).toThrow(/invalid addService\(service\) "TestStack\/Nginx": no container of it runs an image of the pipeline's repository/);
    expect(() => pipeline.addService(service)).toThrow(/invalid addService\(service\) "TestStack\/Backend": the pipeline already deploys this service/);
  });

  test('a repository no container of the service runs', () => {
    const given = givenStack();
    const service = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository),
    });
    const repository = ecr.Repository.fromRepositoryName(given.stack, 'Other', 'reports');
    expect(() => new EcrToEcsPipeline(given.stack, 'Delivery', { service, repository })).toThrow(/invalid service "TestStack\/Backend": no container of it runs/);
  });
});

/**
 * A scheduled job runs the image of the last `cdk deploy` unless a release registers a revision of its family with
 * the new image (the job's schedule names the family, so it starts the newest ACTIVE revision).
 */
describe('GIVEN a scheduled job built from the pipeline\'s repository', () => {
  function withJob(jobRepository?: ecr.IRepository) {
    const given = givenStack();
    const service = new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', appName: 'salon', image: ServiceImage.fromEcrRepository(given.repository),
    });
    const pipeline = new EcrToEcsPipeline(given.stack, 'Delivery', { service });
    const job = new CleanupJobScheduler(given.stack, 'Cleanup', {
      cluster: service.cluster, image: service.containerImage, imageRepository: jobRepository ?? given.repository, command: ['node', 'cleanup.js'],
    });
    return { ...given, service, pipeline, job };
  }
  const { stack, pipeline, job } = withJob();
  pipeline.addScheduledJob(job);
  const template = Template.fromStack(stack);
  const delivery = deliveryOf(template);
  const family = template.toJSON().Resources[refOf(template, 'AWS::ECS::TaskDefinition', 'CleanupTaskDefinition')].Properties.Family;

  test('THEN the Deploy stage registers a revision of the job\'s family beside the service deploy, with the pushed digest', () => {
    expect(delivery.deploy.map((a: any) => [a.Name, a.ActionTypeId.Provider])).toEqual([['Backend', 'ECS'], ['ScheduledJobs', 'CodeBuild']]);
    const jobs = variables(delivery.deploy[1]);
    expect(JSON.parse(jobs.JOB_CONTAINERS)).toEqual({ [family]: ['job'] });
    expect(jobs.IMAGE_DIGEST).toBe('#{Source_Image_NS.ImageDigest}');
    // In the Deploy stage, so a failed release rolls the jobs back with the services.
    expect(delivery.stages).toEqual(['Source', 'Build', 'Deploy', 'Record']);
  });

  test('THEN the step may pass only the job\'s task and execution roles, to ECS tasks, and tag only its family\'s revisions', () => {
    const jobStatements = statements(template, 'DeliveryScheduledJobsProjectRole');
    const passRole = jobStatements.filter((st: any) => st.Action === 'iam:PassRole');
    expect(passRole).toHaveLength(1);
    expect(passRole[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    const roles = passRole[0].Resource.map((r: any) => r['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''));
    expect(roles).toEqual(['CleanupTaskDefinitionTaskRole', 'CleanupTaskDefinitionExecutionRole']);
    expect(jobStatements.find((st: any) => st.Action === 'ecs:TagResource')).toMatchObject({
      Resource: { 'Fn::Join': ['', expect.arrayContaining([`:task-definition/${family}:*`])] },
      Condition: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    });
    expect(jobStatements.find((st: any) => [st.Action].flat().includes('ecs:RegisterTaskDefinition')).Action)
      .toEqual(['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition']);
  });

  test('THEN the job\'s schedule names the family, so its next run starts the revision the release registered', () => {
    const [rule] = Object.values<any>(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(5 minutes)' } }));
    expect(text(rule.Properties.Targets[0].EcsParameters.TaskDefinitionArn)).toBe(`arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/${family}`);
  });

  test('THEN a pipeline with no job is unchanged: no jobs step, only the ECS deploy actions', () => {
    const plain = build().template;
    expect(deliveryOf(plain).deploy.map((a: any) => a.ActionTypeId.Provider)).toEqual(['ECS']);
    expect(Object.keys(plain.findResources('AWS::CodeBuild::Project')).filter(id => id.includes('ScheduledJobs'))).toEqual([]);
  });

  test('THEN a job of another repository, a job added twice, and a job without imageRepository are refused by name', () => {
    const other = withJob(ecr.Repository.fromRepositoryName(new Stack(), 'Other', 'reports'));
    expect(() => other.pipeline.addScheduledJob(other.job))
      .toThrow(/invalid addScheduledJob\(job\) "TestStack\/Cleanup": its image is not from the pipeline's repository/);
    expect(() => pipeline.addScheduledJob(job)).toThrow(/invalid addScheduledJob\(job\) "TestStack\/Cleanup": the pipeline already moves this job/);
    const given = withJob();
    const unowned = new CleanupJobScheduler(given.stack, 'Unowned', { cluster: given.service.cluster, image: given.service.containerImage, command: ['node', 'cleanup.js'] });
    expect(() => given.pipeline.addScheduledJob(unowned)).toThrow(/invalid addScheduledJob\(job\) "TestStack\/Unowned": its image is not from the pipeline's repository/);
  });
});

describe('GIVEN a platform with the cleanup job, an added job and a worker of another repository', () => {
  const stack = new Stack(new App(), 'Backend');
  const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', cleanupJob: { command: ['node', 'cleanup.js'] } });
  platform.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], taskType: 'REPORT' });
  platform.addWorker('Reports', { queue: {}, image: ServiceImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'ReportsRepository', 'reports')) });
  const template = Template.fromStack(stack);
  const pipelines = Object.entries<any>(template.findResources('AWS::CodePipeline::Pipeline'));
  const familyOf = (prefix: string) => template.toJSON().Resources[refOf(template, 'AWS::ECS::TaskDefinition', prefix)].Properties.Family;

  test('THEN the platform image\'s pipeline moves both jobs, and the other repository\'s pipeline none', () => {
    const jobsStep = (id: string) => pipelines.find(([pid]) => pid.startsWith(id))![1].Properties.Stages
      .find((st: any) => st.Name === 'Deploy').Actions.filter((a: any) => a.Name === 'ScheduledJobs');
    const [main] = jobsStep('BackendPipeline');
    expect(JSON.parse(variables(main).JOB_CONTAINERS)).toEqual({ [familyOf('BackendCleanupJobTaskDefinition')]: ['job'], [familyOf('BackendNightlyReportTaskDefinition')]: ['job'] });
    expect(jobsStep('BackendReportsWorkerPipeline')).toEqual([]);
  });
});
