import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { checkCompliance, describe as describeFindings } from './compliance';
import { FargateBackendStack } from '../examples/seeds/seed-000-fargate-backend';
import { SalonApiStack } from '../examples/seeds/seed-001-salon-api';
import { ScalableBackendStack } from '../examples/seeds/seed-002-scalable-backend';
import { TaskTrackerStack } from '../examples/seeds/seed-003-task-tracker';
import { ModularInfraStack } from '../examples/seeds/seed-004-modular-infra';

/** Each seed system as a short app: it synthesizes, the library's parts are compliant, and the seed's facts hold. */
function synth<T extends Stack>(make: (app: App) => T) {
  const app = new App();
  const stack = make(app);
  const report = checkCompliance(app, [stack]);
  // Buckets the example apps create themselves are the apps' business; everything the library made must be clean.
  const library = (findings: typeof report.nagErrors) => findings
    .filter(f => /^\/?[^/]+\/(Backend|DownloadAgents)\//.test(f.resource) || /^(Backend|DownloadAgents)/.test(f.resource));
  const findings = describeFindings(library([...report.nagErrors, ...report.nagWarnings, ...report.guardViolations]));
  return { stack, template: Template.fromStack(stack), findings };
}

const serviceContainer = (template: Template) => {
  const [[, taskDefinition]] = Object.entries<any>(template.findResources('AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith('BackendServiceTaskDefinition'));
  return { taskDefinition: taskDefinition.Properties, container: taskDefinition.Properties.ContainerDefinitions[0] };
};

describe('seed 000: Fargate backend with cleanup job and monitoring', () => {
  const { template, findings } = synth(app => new FargateBackendStack(app, 'Seed000'));

  test('THEN the library parts have zero unacknowledged nag and guard findings', () => expect(findings).toEqual([]));

  test('THEN 4096 CPU / 8192 MiB, image tag from /total-ctl/prod/backend/ecr-imgTag, Mongo as a secret, 2..4 tasks', () => {
    const { taskDefinition, container } = serviceContainer(template);
    expect(taskDefinition).toMatchObject({ Cpu: '4096', Memory: '8192' });
    expect(JSON.stringify(container.Image)).toContain('{{resolve:ssm:/total-ctl/prod/backend/ecr-imgTag}}');
    expect(container.Secrets.map((s: any) => s.Name)).toContain('MONGODB_CONNECTION_STRING');
    expect(JSON.stringify(container.Environment)).not.toContain('mongodb');
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 4 });
  });

  test('THEN a cleanup job every 5 minutes and the service URL and name in SSM', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    for (const name of ['service-url', 'service-name']) template.hasResourceProperties('AWS::SSM::Parameter', { Name: `/total-ctl/prod/backend/${name}` });
  });
});

describe('seed 001: salon API with Redis, external RDS, scheduled calls, CI and CD', () => {
  const { template, findings } = synth(app => new SalonApiStack(app, 'Seed001'));

  test('THEN the library parts have zero unacknowledged nag and guard findings', () => expect(findings).toEqual([]));

  test('THEN four scheduled calls with the seed schedules', () => {
    for (const expression of ['cron(0 8 * * ? *)', 'rate(1 minute)', 'rate(30 minutes)', 'rate(15 minutes)']) {
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: expression });
    }
    template.resourceCountIs('AWS::Events::ApiDestination', 4);
  });

  test('THEN the external database SG admits the service and the migration runs as the service', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 5432 });
    const { container } = serviceContainer(template);
    expect(container.Secrets.map((s: any) => s.Name)).toEqual(expect.arrayContaining(['DB_HOST', 'DB_USER', 'DB_PASSWORD', 'REDIS_PASSWORD']));
    expect(container.Environment.map((e: any) => e.Name)).toEqual(expect.arrayContaining(['REDIS_HOST', 'REDIS_PORT']));
  });

  test('THEN a CI pipeline from GitHub and a CD pipeline Source -> Migrate -> Build -> Deploy -> Record', () => {
    const pipelines = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline')).map(p => p.Properties.Stages.map((s: any) => s.Name));
    expect(pipelines).toEqual(expect.arrayContaining([['Source', 'Migrate', 'Build', 'Deploy', 'Record'], ['Source', 'Build']]));
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { TransitEncryptionEnabled: true });
  });
});

describe('seed 002: scalable backend with data bucket and download agents', () => {
  const { template, findings } = synth(app => new ScalableBackendStack(app, 'Seed002'));

  test('THEN the library parts have zero unacknowledged nag and guard findings', () => expect(findings).toEqual([]));

  test('THEN 2..10 backend tasks, a PostgreSQL database, and download agents as a queue worker admitted to the database', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 10 });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBName: 'downloads' });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 900, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendDownloadAgentsSecurityGroup'), 'GroupId'] },
    });
    const agents = Object.entries<any>(template.findResources('AWS::ECS::Service')).filter(([id]) => id.startsWith('BackendDownloadAgents'));
    expect(agents).toHaveLength(1);
    expect(agents[0][1].Properties.LoadBalancers).toBeUndefined();
  });

  test('THEN the backend may enqueue downloads and knows the queue; the agents read the data bucket', () => {
    const { container } = serviceContainer(template);
    expect(container.Environment).toContainEqual({ Name: 'DOWNLOAD_QUEUE_URL', Value: { Ref: expect.stringMatching(/^BackendDownloadAgentsQueue/) } });
    const agents = Object.entries<any>(template.findResources('AWS::ECS::TaskDefinition')).find(([id]) => id.startsWith('BackendDownloadAgents'))![1];
    expect(agents.Properties.ContainerDefinitions[0].Environment.map((e: any) => e.Name).sort())
      .toEqual(['DATA_BUCKET', 'DB_HOST', 'DB_NAME', 'DB_PORT', 'QUEUE_URL']);
  });

  test('THEN the user alarm goes to the platform topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'NumberOfObjects', AlarmActions: [{ Ref: Match.stringLikeRegexp('^BackendMonitoringAlarmTopic') }],
    });
  });
});

describe('seed 003: Task Tracker, frontend and backend containers in one task, database for the backend only', () => {
  const { template, findings } = synth(app => new TaskTrackerStack(app, 'Seed003'));
  const { taskDefinition } = serviceContainer(template);
  const containers = Object.fromEntries(taskDefinition.ContainerDefinitions.map((c: any) => [c.Name, c]));
  const targetGroup = (prefix: string) => Object.entries<any>(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).find(([id]) => id.startsWith(prefix))!;

  test('THEN the library parts have zero unacknowledged nag and guard findings', () => expect(findings).toEqual([]));

  test('THEN one 256 CPU / 512 MiB task runs the frontend on 80 and the backend on 3001, each from its own repository and tag parameter', () => {
    expect(taskDefinition).toMatchObject({ Cpu: '256', Memory: '512' });
    expect(Object.keys(containers).sort()).toEqual(['app', 'backend']);
    expect(containers.app.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 80 })]);
    expect(containers.backend.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 3001 })]);
    const image = (name: string) => JSON.stringify(containers[name].Image);
    expect(image('app')).toMatch(/tasktracker-frontend:\{\{resolve:ssm:\/tasktracker\/dev\/backend\/ecr-imgTag\}\}/);
    expect(image('backend')).toMatch(/tasktracker-backend:\{\{resolve:ssm:\/tasktracker\/dev\/backend\/ecr-imgTag\/backend\}\}/);
    const tagParameters = Object.values<any>(template.findResources('AWS::SSM::Parameter')).map(p => p.Properties.Name).filter(name => name.includes('ecr-imgTag'));
    expect(tagParameters.sort()).toEqual(['/tasktracker/dev/backend/ecr-imgTag', '/tasktracker/dev/backend/ecr-imgTag/backend']);
  });

  test('THEN the frontend is the default route and the backend serves /api/* and /health, checked on /health', () => {
    const [frontendId, frontend] = targetGroup('BackendServiceAppTargetGroup');
    const [backendId, backend] = targetGroup('BackendServiceBackendTargetGroup');
    expect(frontend.Properties).toMatchObject({ Port: 80, HealthCheckPath: '/' });
    expect(backend.Properties).toMatchObject({ Port: 3001, HealthCheckPath: '/health' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: frontendId } }] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*', '/health'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: backendId } }],
    });
  });

  test('THEN only the backend receives the tasktracker database connection', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBName: 'tasktracker', Engine: 'postgres' });
    const names = (container: any) => [...(container.Environment ?? []), ...(container.Secrets ?? [])].map((e: any) => e.Name).sort();
    expect(names(containers.backend)).toEqual(['DB_HOST', 'DB_NAME', 'DB_PASSWORD', 'DB_PORT', 'DB_USER', 'PORT']);
    expect(names(containers.app)).toEqual([]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendServiceServiceSecurityGroup'), 'GroupId'] },
    });
  });

  test('THEN each repository has its own pipeline, rolling out its own container only, and neither runs anything in the images (the seed has no migrations)', () => {
    const pipelines = Object.entries<any>(template.findResources('AWS::CodePipeline::Pipeline'));
    const stages = (prefix: string) => pipelines.find(([id]) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id))![1].Properties.Stages;
    const stage = (prefix: string, name: string) => stages(prefix).find((s: any) => s.Name === name);
    expect(pipelines).toHaveLength(2);
    expect(stage('BackendPipeline', 'Source').Actions[0].Configuration.RepositoryName).toBe('tasktracker-frontend');
    expect(stage('BackendServiceBackendPipeline', 'Source').Actions[0].Configuration.RepositoryName).toBe('tasktracker-backend');
    expect(stages('BackendPipeline').map((s: any) => s.Name)).toEqual(['Source', 'Build', 'Deploy', 'Record']);
    expect(stages('BackendServiceBackendPipeline').map((s: any) => s.Name)).toEqual(['Source', 'Build', 'Deploy', 'Record']);
    const build = (prefix: string) => JSON.stringify(stage(prefix, 'Build').Actions[0].Configuration);
    expect(build('BackendPipeline')).toMatch(/imagedefinitions-Service.json\\+":\[\\+"app\\+"\]\}/);
    expect(build('BackendServiceBackendPipeline')).toMatch(/imagedefinitions-Service.json\\+":\[\\+"backend\\+"\]\}/);
    const record = (prefix: string) => JSON.stringify(stage(prefix, 'Record').Actions[0].Configuration).match(/BackendService\w*ImageTagParameter/g);
    expect(record('BackendPipeline')).toEqual(['BackendServiceImageTagParameter']);
    expect(record('BackendServiceBackendPipeline')).toEqual(['BackendServiceBackendImageTagParameter']);
    const dashboard = JSON.stringify(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(dashboard.match(/## Deploy pipeline[\w ]*/g)).toEqual(['## Deploy pipeline', '## Deploy pipeline ServiceBackendPipeline']);
  });
});

describe('seed 004: modular infrastructure in the development profile', () => {
  const { template, findings } = synth(app => new ModularInfraStack(app, 'Seed004'));

  test('THEN the library parts have zero unacknowledged nag and guard findings', () => expect(findings).toEqual([]));

  test('THEN a NAT instance instead of gateways, a single-AZ database with 7-day backups and a nightly dump job', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Instance', 1);
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, BackupRetentionPeriod: 7 });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 2 * * ? *)' });
  });

  test('THEN an AWS Backup plan (daily 35 days, monthly 12 months) backs up the database, in a retained vault', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 35 } }), Match.objectLike({ Lifecycle: { DeleteAfterDays: 365 } })],
      }),
    });
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    template.resourceCountIs('AWS::Backup::BackupSelection', 1);
  });

  test('THEN the seed\'s Prometheus is the platform\'s workspace, deleted with the development teardown, written by the service\'s collector', () => {
    const workspaces = template.findResources('AWS::APS::Workspace');
    expect(Object.entries<any>(workspaces).map(([id, w]) => [id, w.DeletionPolicy])).toEqual([[expect.stringMatching(/^BackendMetricsWorkspace[0-9A-F]{8}$/), 'Delete']]);
    const [definition] = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition', { Properties: { Family: Match.stringLikeRegexp('Service') } }));
    expect(definition.Properties.ContainerDefinitions.map((c: any) => c.Name)).toEqual(['app', 'otel_collector']);
  });
});
