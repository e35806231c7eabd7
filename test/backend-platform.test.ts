import { Annotations as CoreAnnotations, App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { synthesized } from './builders';
import { BackendPlatform, BackendPlatformProps, EdgeWebAcl, EnvironmentProfile, PlatformStore, ServiceDeployment, ServiceImage } from '../src';

/** The headline example of the README, with overrides. */
function build(overrides: Partial<BackendPlatformProps> = {}, stackProps: StackProps = {}) {
  const stack = new Stack(new App(), 'Backend', stackProps);
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
  const platform = new BackendPlatform(stack, 'Backend', {
    environmentName: 'prod',
    hostedZone: zone,
    database: {},
    cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
    scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
    alarmEmails: ['ops@example.com'],
    service: { deployment: ServiceDeployment.blueGreen() },
    pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] },
    ...overrides,
  });
  return { platform, template: Template.fromStack(stack) };
}

describe('BackendPlatform', () => {
  describe('GIVEN the headline example (production profile)', () => {
    const { template, platform } = build();

    test('THEN a 2-AZ VPC with a NAT gateway per AZ, three subnet tiers and encrypted flow logs', () => {
      template.resourceCountIs('AWS::EC2::NatGateway', 2);
      template.resourceCountIs('AWS::EC2::Subnet', 6);
      template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    });

    test('THEN the service receives the database connection and the scheduler key as secrets', () => {
      const [taskDef] = Object.values(template.findResources('AWS::ECS::TaskDefinition', { Properties: { Cpu: '1024' } })) as any[];
      const container = taskDef.Properties.ContainerDefinitions[0];
      expect(container.Environment.map((e: any) => e.Name).sort()).toEqual(['DB_HOST', 'DB_NAME', 'DB_PORT']);
      expect(container.Secrets.map((e: any) => e.Name).sort()).toEqual(['DB_PASSWORD', 'DB_USER', 'SCHEDULER_API_KEY']);
      expect(platform.service.loadBalancer).toBeDefined();
    });

    test('THEN the database admits the service and the cleanup job, nothing else', () => {
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties)
        .filter(p => JSON.stringify(p.GroupId).includes('DatabaseSecurityGroup'));
      expect(ingress.map(p => p.SourceSecurityGroupId['Fn::GetAtt'][0]).sort()).toEqual([
        expect.stringMatching(/^BackendCleanupJobSecurityGroup/), expect.stringMatching(/^BackendServiceServiceSecurityGroup/),
      ]);
    });

    test('THEN the scheduled calls target the CloudFront service URL', () => {
      template.hasResourceProperties('AWS::Events::ApiDestination', {
        InvocationEndpoint: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('Distribution'), 'DomainName'] }, '/salons/reset-queue']] },
      });
    });

    test('THEN job and call alarms go to the monitoring topic', () => {
      const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')) as Array<[string, any]>;
      expect(alarms.length).toBeGreaterThanOrEqual(14);
      for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^BackendMonitoringAlarmTopic/) }]);
    });

    test('THEN outputs give the URL, repository URI and database endpoint', () => {
      const outputs = Object.keys(template.toJSON().Outputs);
      expect(outputs).toEqual(expect.arrayContaining([expect.stringMatching(/ServiceUrl/), expect.stringMatching(/RepositoryUri/), expect.stringMatching(/DatabaseEndpoint/)]));
    });

    test('THEN stateful resources keep their logical IDs and are retained', () => {
      const ids = (type: string) => Object.keys(template.findResources(type)).sort();
      expect(ids('AWS::RDS::DBInstance')).toEqual(['BackendDatabaseInstance88833583']);
      expect(ids('AWS::ECR::Repository')).toEqual(['BackendRepository2FE8F27E']);
      expect(ids('AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual(['BackendServiceLoadBalancerA3D09705']);
      expect(ids('AWS::Logs::LogGroup')).toEqual([
        'BackendCleanupJobLogGroup02EB7E84',
        // The platform's one redeploy function and one runtime guard (ADR 0016) replaced the service's and the job's own.
        'BackendFlowLogs8481AC00', 'BackendPipelineBuildLogGroup79FFB771', 'BackendRotationRedeployLogGroup0B30DB75',
        'BackendRuntimeGuardLogGroupC4D03274',
        'BackendServiceAppLogGroupA6A362E0', 'BackendServiceSmokeTestLogGroup7EFC78AB',
      ]);
      expect(ids('AWS::S3::Bucket')).toEqual(['BackendPipelineArtifactBucketEADFA0B1', 'BackendServiceAccessLogsBucketEA8D36F5']);
      for (const type of ['AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::S3::Bucket']) {
        for (const resource of Object.values(template.findResources(type)) as any[]) expect(resource.DeletionPolicy).toBe('Retain');
      }
    });

    test('THEN no security group anywhere admits 0.0.0.0/0 or ::/0, and no load balancer is internet-facing', () => {
      const ingress = [
        ...Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress')).map(r => r.Properties),
        ...Object.values<any>(template.findResources('AWS::EC2::SecurityGroup')).flatMap(r => r.Properties.SecurityGroupIngress ?? []),
      ];
      expect(ingress.length).toBeGreaterThan(0);
      expect(ingress.filter(rule => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0')).toEqual([]);
      expect(Object.values<any>(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')).map(lb => lb.Properties.Scheme)).toEqual(['internal']);
    });

    test('THEN the composed template matches the reviewed snapshot', () => {
      expect(template.toJSON()).toMatchSnapshot();
    });
  });

  describe('GIVEN the headline example THEN the deploy pipeline', () => {
    const { template, platform } = build();

    test('runs the migration command it was given before deploying, on pushes of latest', () => {
      expect(platform.pipeline).toBeDefined();
      const [pipeline] = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'));
      expect(pipeline.Properties.Stages.map((stage: any) => stage.Name)).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
    });

    test('deploys into a repository whose tags are immutable except the trigger tag', () => {
      template.hasResourceProperties('AWS::ECR::Repository', {
        ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' }],
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS' },
      });
    });

    test('publishes failures to the alarm topic', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ source: ['aws.codepipeline'] }),
        Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^BackendMonitoringAlarmTopic') } })],
      });
    });
  });

  test('GIVEN no database THEN the pipeline skips the migration stage', () => {
    const { template } = build({ database: undefined, cleanupJob: undefined, pipeline: undefined });
    const [pipeline] = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'));
    expect(pipeline.Properties.Stages.map((stage: any) => stage.Name)).toEqual(['Source', 'Build', 'Deploy', 'Record']);
  });

  describe('GIVEN the first-hour app after step 3 (a database, an ECR image, no migration command)', () => {
    const stack = new Stack(new App(), 'MyBackendDev');
    const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'dev', profile: EnvironmentProfile.DEVELOPMENT, database: {} });
    const template = Template.fromStack(stack);

    test('THEN the pipeline runs nothing in the image: no Migrate stage, no migration project, role, alarm or RunTask grant', () => {
      const [pipeline] = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'));
      expect(pipeline.Properties.Stages.map((stage: any) => stage.Name)).toEqual(['Source', 'Build', 'Deploy', 'Record']);
      expect(platform.pipeline!.migrationProject).toBeUndefined();
      expect(Object.keys(template.toJSON().Resources).filter(id => /Migrat/.test(id))).toEqual([]);
      const actions = Object.values<any>(template.findResources('AWS::IAM::Policy')).flatMap(r => r.Properties.PolicyDocument.Statement).flatMap(st => [st.Action].flat());
      expect(actions).not.toContain('ecs:RunTask');
      expect(JSON.stringify(template.toJSON())).not.toContain('migration:run');
    });

    test('THEN the outputs are named ServiceUrl, RepositoryUri and DatabaseEndpoint after the platform, as the README names them', () => {
      expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(['BackendDatabaseEndpoint', 'BackendRepositoryUri', 'BackendServiceUrl']);
    });

    test('THEN synth warns that its alarms reach a topic nobody subscribes to, with the count and the fix', () => {
      const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length;
      expect(alarms).toBeGreaterThan(5);
      const warnings = Annotations.fromStack(stack).findWarning('/MyBackendDev/Backend/Monitoring/AlarmTopic', Match.stringLikeRegexp('alarms reach this SNS topic'));
      expect(warnings.map(w => w.entry.data)).toEqual([expect.stringContaining(
        `the platform's ${alarms} alarms reach this SNS topic (platform.monitoring.alarmTopic), which nobody subscribes to, so no one is told when they fire; `
        + 'give alarmEmails (e.g. alarmEmails: [\'ops@example.com\']) or subscribe to the topic (e.g. platform.monitoring.alarmTopic.addSubscription(')]);
    });
  });

  test('GIVEN alarmEmails, a subscription added after construction, or the warning acknowledged THEN no unsubscribed-alarms warning', () => {
    const warned = (configure: (stack: Stack) => void) => {
      const stack = new Stack(new App(), 'Alarms');
      configure(stack);
      return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('nobody subscribes')).length;
    };
    expect(warned(stack => new BackendPlatform(stack, 'Backend', { environmentName: 'dev' }))).toBe(1);
    expect(warned(stack => new BackendPlatform(stack, 'Backend', { environmentName: 'dev', alarmEmails: ['ops@example.com'] }))).toBe(0);
    expect(warned(stack => {
      const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'dev' });
      platform.monitoring.alarmTopic.addSubscription(new subscriptions.UrlSubscription('https://hooks.example.com/alarms'));
    })).toBe(0);
    expect(warned(stack => {
      const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'dev' });
      CoreAnnotations.of(platform).acknowledgeWarning('cdk-backend-platform:unsubscribedAlarms', 'alarms are read on the dashboard');
    })).toBe(0);
  });

  test('GIVEN two platforms in one stack, one nested in a construct, THEN each names its outputs after its own path; the same name twice is refused', () => {
    const stack = new Stack(new App(), 'Two');
    new BackendPlatform(stack, 'Shop', { environmentName: 'prod', appName: 'shop', database: {} });
    new BackendPlatform(new Construct(stack, 'Internal'), 'admin-api', { environmentName: 'prod', appName: 'admin' });
    expect(Object.keys(Template.fromStack(stack).toJSON().Outputs).sort()).toEqual([
      'InternalAdminApiRepositoryUri', 'InternalAdminApiServiceUrl', 'ShopDatabaseEndpoint', 'ShopRepositoryUri', 'ShopServiceUrl',
    ]);
    const clash = new Stack(new App(), 'Clash');
    new BackendPlatform(clash, 'ShopApi', { environmentName: 'prod', appName: 'one' });
    expect(() => new BackendPlatform(new Construct(clash, 'Shop'), 'Api', { environmentName: 'prod', appName: 'two' })).toThrow(
      'Clash/Shop/Api: invalid id "Api": the stack output ShopApiServiceUrl is already created by Clash/ShopApi; give this one another id');
  });

  describe('GIVEN pipeline.migrationCommand and the database connected to a routed container of its own repository', () => {
    const stack = new Stack(new App(), 'Tasks');
    const backend = ecr.Repository.fromRepositoryName(stack, 'BackendRepository', 'tasks-backend');
    new BackendPlatform(stack, 'Backend', {
      environmentName: 'dev',
      database: {},
      pipeline: { migrationCommand: ['node', 'dist/migrate.js'] },
      service: {
        routedContainers: [{ name: 'backend', containerPort: 3001, pathPatterns: ['/api/*'], image: ServiceImage.fromEcrRepository(backend) }],
        connectedContainers: ['backend'],
      },
    });
    const template = Template.fromStack(stack);
    const pipelines = Object.entries<any>(template.findResources('AWS::CodePipeline::Pipeline'));
    const stages = (prefix: string) => pipelines.find(([id]) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id))![1].Properties.Stages;

    test('THEN only the pipeline of that container\'s repository migrates, in that container, with the command given', () => {
      expect(stages('BackendPipeline').map((st: any) => st.Name)).toEqual(['Source', 'Build', 'Deploy', 'Record']);
      const migrating = stages('BackendServiceBackendPipeline');
      expect(migrating.map((st: any) => st.Name)).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
      expect(JSON.stringify(migrating.find((st: any) => st.Name === 'Migrate').Actions[0].Configuration)).toMatch(/CONTAINER\W+type\W+PLAINTEXT\W+value\W+backend\W/);
      const projects = Object.values<any>(template.findResources('AWS::CodeBuild::Project')).filter(p => p.Properties.Description.startsWith('Runs database migrations'));
      expect(projects.map(p => p.Properties.Environment.EnvironmentVariables.find((v: any) => v.Name === 'MIGRATION_COMMAND').Value)).toEqual(['["node","dist/migrate.js"]']);
    });
  });

  test('GIVEN the deprecated pipeline.runMigrations true THEN the former default command runs, and synth says to give migrationCommand', () => {
    const stack = new Stack(new App(), 'Legacy');
    new BackendPlatform(stack, 'Backend', { environmentName: 'dev', database: {}, pipeline: { runMigrations: true } });
    const [migration] = Object.values<any>(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
      .filter(p => p.Properties.Description.startsWith('Runs database migrations'));
    expect(migration.Properties.Environment.EnvironmentVariables).toContainEqual({ Name: 'MIGRATION_COMMAND', Type: 'PLAINTEXT', Value: '["npm","run","migration:run"]' });
    expect(Annotations.fromStack(stack).findWarning('/Legacy/Backend', Match.stringLikeRegexp(
      '^pipeline.runMigrations is true: it is deprecated and true runs the former default \\["npm","run","migration:run"\\]; migrations run exactly when pipeline.migrationCommand is set'))).toHaveLength(1);
  });

  test('GIVEN pipeline.enabled false THEN there is no pipeline', () => {
    const { template, platform } = build({ pipeline: { enabled: false } });
    expect(platform.pipeline).toBeUndefined();
    template.resourceCountIs('AWS::CodePipeline::Pipeline', 0);
  });

  test('GIVEN a cache THEN service and cleanup job get its connection and are admitted, and the dashboard watches it', () => {
    const { template, platform } = build({ cache: {} });
    const [taskDefinition] = Object.entries<any>(template.findResources('AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith('BackendServiceTaskDefinition'));
    const container = taskDefinition[1].Properties.ContainerDefinitions[0];
    expect(container.Environment.map((e: any) => e.Name)).toEqual(expect.arrayContaining(['REDIS_HOST', 'REDIS_PORT', 'REDIS_TLS', 'DB_HOST']));
    expect(container.Secrets.map((e: any) => e.Name)).toEqual(expect.arrayContaining(['REDIS_PASSWORD', 'DB_PASSWORD', 'SCHEDULER_API_KEY']));
    const toCache = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter(r => JSON.stringify(r.Properties.GroupId).includes('BackendCacheSecurityGroup')).map(r => JSON.stringify(r.Properties.SourceSecurityGroupId));
    expect(toCache).toEqual([expect.stringContaining('BackendServiceServiceSecurityGroup'), expect.stringContaining('BackendCleanupJobSecurityGroup')]);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { NumCacheClusters: 2, AutomaticFailoverEnabled: true });
    expect(platform.monitoring.alarms.CacheMemoryHigh).toBeDefined();
  });

  test('GIVEN the development profile THEN a NAT instance, single-AZ micro database, destroyable ALB, 1..2 small Spot tasks', () => {
    const { template } = build({ environmentName: 'dev', profile: EnvironmentProfile.DEVELOPMENT });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      SourceDestCheck: false,
      Monitoring: true,
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 8 } }],
      // The public subnets map no public IPs: without its own the NAT forwards nothing.
      NetworkInterfaces: [Match.objectLike({ DeviceIndex: '0', AssociatePublicIpAddress: true, SubnetId: { Ref: Match.stringLikeRegexp('^BackendVpcpublicSubnet1') } })],
      UserData: { 'Fn::Base64': Match.stringLikeRegexp('for attempt in .*dnf install -y iptables-services && break[\\s\\S]*iptables-save > /etc/sysconfig/iptables') },
    });
    const natIngress = Object.values<any>(template.findResources('AWS::EC2::SecurityGroup'))
      .filter(sg => /NAT/i.test(sg.Properties.GroupDescription)).flatMap(sg => sg.Properties.SecurityGroupIngress ?? []);
    expect(natIngress).toEqual([expect.objectContaining({ CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^BackendVpc/), 'CidrBlock'] }, IpProtocol: '-1' })]);
    template.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 0, Weight: 0 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }], LaunchType: Match.absent() }) })],
    });
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, DBInstanceClass: 'db.t4g.micro', DeletionProtection: false });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]) });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 2 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
  });

  test('GIVEN ARM64 in the development profile THEN service and cleanup job run on Graviton Fargate Spot (ECS supports it since 2024-09)', () => {
    const { template } = build({ environmentName: 'dev', profile: EnvironmentProfile.DEVELOPMENT, service: { cpuArchitecture: ecs.CpuArchitecture.ARM64 } });
    const taskDefinitions = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'));
    expect(taskDefinitions.map(t => t.Properties.RuntimePlatform?.CpuArchitecture)).toEqual(['ARM64', 'ARM64']);
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 0, Weight: 0 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ CapacityProviderStrategy: [Match.objectLike({ CapacityProvider: 'FARGATE_SPOT' })] }) })],
    });
  });

  test('GIVEN Spot with ARM64 on the standalone service and job THEN both are accepted', () => {
    const { template } = build({ service: { spot: true, cpuArchitecture: ecs.CpuArchitecture.ARM64 } });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    expect(JSON.stringify(template.toJSON())).toContain('FARGATE_SPOT');
  });

  test('GIVEN a region without a built-in prefix list THEN service.cloudFrontPrefixListId is the way, and the error says so', () => {
    const env = { region: 'ap-southeast-4' };
    expect(() => build({}, { env })).toThrow(/set cloudFrontPrefixListId \(service\.cloudFrontPrefixListId on BackendPlatform\)/);

    const { template } = build({ service: { cloudFrontPrefixListId: 'pl-0123456789abcdef0' } }, { env });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { SourcePrefixListId: 'pl-0123456789abcdef0', FromPort: 443, ToPort: 443 });
  });

  test('GIVEN a routed container THEN its target group is watched too, and its alarm pages the topic', () => {
    const { template } = build({ service: { routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'] }] } });
    const unhealthy = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'UnHealthyHostCount' } }));
    expect(unhealthy).toHaveLength(2);
    unhealthy.forEach(alarm => expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^BackendMonitoringAlarmTopic/) }]));
  });

  test('GIVEN database.rotation THEN the password rotates every 30 days', () => {
    build({ database: { rotation: true } }).template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    build().template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  test('GIVEN service.domainName THEN the service URL, its SSM parameter and the output use it', () => {
    const domainCertificate = acm.Certificate.fromCertificateArn(new Stack(), 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-0123-0123-0123-0123456789ab');
    const { platform, template } = build({ service: { domainName: 'api.example.com', domainCertificate } });
    expect(platform.service.serviceUrl).toBe('https://api.example.com');
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ Aliases: ['api.example.com'] }) });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: Match.stringLikeRegexp('/service-url$'), Value: 'https://api.example.com' });
    expect(Object.values<any>(template.toJSON().Outputs).map(output => output.Value)).toContain('https://api.example.com');
  });

  test('GIVEN service.webAclId THEN the distribution is protected by that web ACL', () => {
    const webAclId = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/backend/0123abcd-0123-0123-0123-0123456789ab';
    build({ service: { webAclId } }).template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ WebACLId: webAclId }) });
  });

  test('GIVEN service.webAcl THEN the distribution is protected by it and the production warning is gone', () => {
    const webAclArn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0123abcd-0123-0123-0123-0123456789ab';
    const { platform, template } = build({ service: { webAcl: EdgeWebAcl.fromArn(webAclArn) } });
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ WebACLId: webAclArn }) });
    expect(Annotations.fromStack(Stack.of(platform)).findWarning('*', Match.stringLikeRegexp('webAcl'))).toEqual([]);
  });

  test('GIVEN each workload names its stores THEN each gets exactly those connections and security-group rules', () => {
    const stack = new Stack(new App(), 'Stores');
    const platform = new BackendPlatform(stack, 'Backend', {
      environmentName: 'prod',
      database: {},
      cache: {},
      service: { stores: [PlatformStore.CACHE] },
      cleanupJob: { command: ['node', 'cleanup.js'], stores: [] },
    });
    platform.addWorker('Mailer', { queue: {}, stores: [PlatformStore.DATABASE] });
    const template = Template.fromStack(stack);
    const containerOf = (prefix: string) => Object.entries<any>(template.findResources('AWS::ECS::TaskDefinition'))
      .find(([id]) => id.startsWith(prefix))![1].Properties.ContainerDefinitions[0];
    const names = (prefix: string) => [...(containerOf(prefix).Environment ?? []), ...(containerOf(prefix).Secrets ?? [])].map((e: any) => e.Name);
    const stores = (prefix: string) => names(prefix).filter(n => /^(DB|REDIS)_/.test(n)).sort();
    expect(stores('BackendServiceTaskDefinition')).toEqual(['REDIS_HOST', 'REDIS_PASSWORD', 'REDIS_PORT', 'REDIS_TLS']);
    expect(stores('BackendCleanupJob')).toEqual([]);
    expect(stores('BackendMailer')).toEqual(['DB_HOST', 'DB_NAME', 'DB_PASSWORD', 'DB_PORT', 'DB_USER']);
    const sources = (port: number) => Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { FromPort: port } }))
      .map(r => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''));
    expect(sources(5432)).toEqual(['BackendMailerSecurityGroup']);
    expect(sources(6379)).toEqual(['BackendServiceServiceSecurityGroup']);
  });

  test('GIVEN addScheduledJob THEN a second job runs the service image with its own TASK_TYPE, schedule, stores and paging alarms', () => {
    const stack = new Stack(new App(), 'Jobs');
    const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', database: {}, cleanupJob: { command: ['node', 'cleanup.js'] } });
    const report = platform.addScheduledJob('NightlyReport', {
      command: ['node', 'report.js'], taskType: 'REPORT', schedule: events.Schedule.cron({ minute: '0', hour: '2' }),
    });
    const template = Template.fromStack(stack);
    const environmentOf = (prefix: string) => Object.entries<any>(template.findResources('AWS::ECS::TaskDefinition'))
      .find(([id]) => id.startsWith(prefix))![1].Properties.ContainerDefinitions[0].Environment;
    expect(environmentOf('BackendCleanupJob')).toContainEqual({ Name: 'TASK_TYPE', Value: 'CLEANUP' });
    expect(environmentOf('BackendNightlyReport')).toContainEqual({ Name: 'TASK_TYPE', Value: 'REPORT' });
    expect(environmentOf('BackendNightlyReport')).toContainEqual({ Name: 'DB_NAME', Value: 'app' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendNightlyReportSecurityGroup'), 'GroupId'] },
    });
    expect(report.alarms.length).toBeGreaterThan(0);
    for (const alarm of report.alarms) {
      expect(Stack.of(alarm).resolve((alarm.node.defaultChild as any).alarmActions)).toEqual([{ Ref: expect.stringMatching(/^BackendMonitoringAlarmTopic/) }]);
    }
    expect(() => platform.addScheduledJob('NightlyReport', { command: ['x'] })).toThrow(
      'Jobs/Backend: invalid addScheduledJob id "NightlyReport": the platform already has a part or workload with that id; pick another');
    expect(synthesized(() => platform.addScheduledJob('Empty', { command: ['node', 'x.js'], taskType: '' }))).toThrow('invalid addScheduledJob(\'Empty\').taskType ""');
  });

  test('GIVEN a worker and a second job THEN each gets its own dashboard row, and no alarm pages twice', () => {
    const stack = new Stack(new App(), 'Rows');
    const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', database: {} });
    platform.addWorker('Mailer', { queue: {} });
    platform.addScheduledJob('NightlyReport', { command: ['node', 'report.js'] });
    const template = Template.fromStack(stack);
    const body = JSON.stringify(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain('## Worker Mailer');
    expect(body).toContain('## Scheduled job NightlyReport');
    for (const metric of ['RunningTaskCount', 'ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible', 'FailedInvocations']) expect(body).toContain(metric);
    for (const alarm of Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'))) {
      const actions = JSON.stringify(alarm.Properties.AlarmActions ?? []);
      expect(actions.split('AlarmTopic').length - 1).toBeLessThanOrEqual(1);
    }
  });

  test('GIVEN dataBucket THEN a private, versioned, access-logged bucket whose name and read/write reach the workloads that connect to it', () => {
    const stack = new Stack(new App(), 'Data');
    const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', database: {}, dataBucket: { infrequentAccessAfter: Duration.days(60) } });
    platform.addWorker('Agents', { queue: {}, stores: [PlatformStore.DATA_BUCKET] });
    platform.addWorker('Mailer', { queue: {}, stores: [PlatformStore.DATABASE] });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^BackendServiceAccessLogsBucket') }, LogFilePrefix: 's3/data/' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 60 }], NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      }),
      DeletionPolicy: 'Retain',
    });
    const environment = (prefix: string) => Object.entries<any>(template.findResources('AWS::ECS::TaskDefinition'))
      .find(([id]) => id.startsWith(prefix))![1].Properties.ContainerDefinitions[0].Environment.map((e: any) => e.Name);
    expect(environment('BackendServiceTaskDefinition')).toContain('DATA_BUCKET');
    expect(environment('BackendAgents')).toContain('DATA_BUCKET');
    expect(environment('BackendMailer')).not.toContain('DATA_BUCKET');
    const policiesOf = (rolePrefix: string) => JSON.stringify(Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes(rolePrefix)).map(p => p.Properties.PolicyDocument));
    expect(policiesOf('BackendAgentsTaskRole')).toMatch(/s3:GetObject","s3:PutObject","s3:DeleteObject"].*BackendDataBucket/);
    expect(policiesOf('BackendMailerTaskRole')).not.toContain('BackendDataBucket');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    expect(synthesized(() => new BackendPlatform(new Stack(new App(), 'Bad'), 'Backend', { environmentName: 'prod', dataBucket: { infrequentAccessAfter: Duration.days(10) } })))
      .toThrow('Bad/Backend: invalid dataBucket.infrequentAccessAfter');
  });

  describe('GIVEN workers built from the platform image and from a repository of their own', () => {
    const stack = new Stack(new App(), 'Workers');
    const platform = new BackendPlatform(stack, 'Backend', {
      environmentName: 'prod', database: {}, service: { deployment: ServiceDeployment.blueGreen() }, pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] },
    });
    platform.addWorker('Mailer', { queue: {} });
    const reportsRepository = ecr.Repository.fromRepositoryName(stack, 'ReportsRepository', 'reports');
    platform.addWorker('Reports', { port: 8080, image: ServiceImage.fromEcrRepository(reportsRepository) });
    const template = Template.fromStack(stack);
    const pipelines = Object.entries<any>(template.findResources('AWS::CodePipeline::Pipeline'));
    const stagesOf = (prefix: string) => pipelines.find(([id]) => id.startsWith(prefix))![1].Properties.Stages;
    const stage = (prefix: string, name: string) => stagesOf(prefix).find((s: any) => s.Name === name);

    test('THEN one push of the platform image rolls out the web service and the worker: two deploy actions reading two files, one migration', () => {
      expect(stagesOf('BackendPipeline').map((s: any) => s.Name)).toEqual(['Source', 'Migrate', 'Build', 'Deploy', 'Record']);
      expect(stage('BackendPipeline', 'Migrate').Actions).toHaveLength(1);
      expect(stage('BackendPipeline', 'Deploy').Actions.map((a: any) => [a.Name, a.Configuration.FileName]))
        .toEqual([['Service', 'imagedefinitions-Service.json'], ['Mailer', 'imagedefinitions-Mailer.json']]);
      expect(JSON.stringify(stage('BackendPipeline', 'Build').Actions[0].Configuration))
        .toMatch(/imagedefinitions-Service.json\\+":\[\\+"app\\+"\],\\+"imagedefinitions-Mailer.json\\+":\[\\+"worker\\+"\]/);
    });

    test('THEN Record writes the deployed tag to the web service\'s and the worker\'s parameters', () => {
      const record = JSON.stringify(stage('BackendPipeline', 'Record').Actions[0].Configuration);
      expect(record).toMatch(/\{"Ref":"BackendServiceImageTagParameter[0-9A-F]{8}"\},\{"Ref":"BackendMailerImageTagParameter[0-9A-F]{8}"\}/);
    });

    test('THEN the worker of another repository is deployed by that repository\'s own pipeline, without migrations', () => {
      expect(platform.pipelines.map(p => p.node.id)).toEqual(['Pipeline', 'ReportsWorkerPipeline']);
      expect(stagesOf('BackendReportsWorkerPipeline').map((s: any) => s.Name)).toEqual(['Source', 'Build', 'Deploy', 'Record']);
      expect(stage('BackendReportsWorkerPipeline', 'Source').Actions[0].Configuration.RepositoryName).toBe('reports');
      expect(stage('BackendReportsWorkerPipeline', 'Deploy').Actions.map((a: any) => a.Name)).toEqual(['Reports']);
      const body = JSON.stringify(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
      expect(body).toContain('Backend/ReportsWorkerPipeline/Pipeline');
    });

    test('THEN each pipeline\'s deploy role may pass only the roles of the services it deploys', () => {
      const passed = (rolePrefix: string) => Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(rolePrefix))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement).filter((s: any) => s.Action === 'iam:PassRole')
        .flatMap((s: any) => s.Resource).map((r: any) => r['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '')).sort();
      expect(passed('BackendPipelineDeployRole')).toEqual(['BackendMailerExecutionRole', 'BackendMailerTaskRole', 'BackendServiceExecutionRole', 'BackendServiceTaskRole']);
      expect(passed('BackendReportsWorkerPipelineDeployRole')).toEqual(['BackendReportsExecutionRole', 'BackendReportsTaskRole']);
    });
  });

  describe('GIVEN no hosted zone (the cheapest first try)', () => {
    const { platform, template } = build({ hostedZone: undefined });
    const distributionUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceDistribution/), 'DomainName'] }]] };

    test('THEN the service URL, its SSM parameter, the output and the scheduled calls use the distribution\'s domain', () => {
      expect(Stack.of(platform).resolve(platform.service.serviceUrl)).toEqual(distributionUrl);
      const outputs = Object.values<any>(template.toJSON().Outputs).map(output => output.Value);
      expect(outputs).toContainEqual(distributionUrl);
      const endpoint = Object.values<any>(template.findResources('AWS::Events::ApiDestination'))[0].Properties.InvocationEndpoint;
      expect(JSON.stringify(endpoint)).toMatch(/BackendServiceDistribution[0-9A-F]+","DomainName"/);
    });

    test('THEN there is no DNS record, no certificate and no internet-facing load balancer', () => {
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    });

    test('THEN two such platforms share a stack without colliding', () => {
      const stack = new Stack(new App(), 'Two');
      new BackendPlatform(stack, 'Shop', { environmentName: 'prod', appName: 'shop' });
      new BackendPlatform(stack, 'Admin', { environmentName: 'prod', appName: 'admin' });
      const names = Object.values<any>(Template.fromStack(stack).findResources('AWS::SSM::Parameter')).map(p => p.Properties.Name);
      expect(new Set(names).size).toBe(names.length);
    });
  });

  test('GIVEN an existing database THEN its SSM details are injected and no instance is created', () => {
    const { template } = build({ database: undefined, existingDatabase: { securityGroupId: 'sg-0123456789abcdef0', hostParameterName: '/salon/db/host', usernameParameterName: '/salon/db/user', passwordParameterName: '/salon/db/password' } });
    template.resourceCountIs('AWS::RDS::DBInstance', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 5432 });
  });

  describe('GIVEN bad input THEN synth fails naming the prop', () => {
    test.each([
      [{ environmentName: 'Prod!' }, /invalid environmentName "Prod!"/],
      [{ environmentName: '' }, /invalid environmentName ""/],
      [{ alarmEmails: ['not-an-email'] }, /invalid alarmEmails\[0\] "not-an-email"/],
      [{ existingDatabase: { securityGroupId: 'sg-1', hostParameterName: '/h' } }, /invalid existingDatabase .*not both/],
      [{ scheduledApiCalls: [{ id: 'A', schedule: events.Schedule.rate(Duration.hours(1)), path: '/a' }, { id: 'A', schedule: events.Schedule.cron({ hour: '1' }), path: '/b' }] }, /invalid scheduledApiCalls\[\]\.id "A"/],
      [{ scheduledApiCalls: [{ id: 'A', schedule: events.Schedule.cron({ hour: '1' }), path: 'reset' }] }, /invalid scheduledApiCalls\[0\]\.path "reset"/],
      // The platform names its own props, not its children's.
      [{ cleanupJob: { command: [] } }, /^Backend\/Backend: invalid cleanupJob\.command \[\]: give at least one element$/],
      [{ service: { cpu: 256, memoryLimitMiB: 4096 } }, /^Backend\/Backend: invalid service\.memoryLimitMiB 4096: with service\.cpu 256, Fargate accepts/],
      [{ pipeline: { enabled: false, runMigrations: true } }, /^Backend\/Backend: invalid pipeline\.enabled false: the other pipeline options would be ignored/],
      [{ pipeline: { migrationTimeout: Duration.minutes(45) } }, /^Backend\/Backend: invalid pipeline\.migrationTimeout "Duration\.minutes\(45\)": no migrations run, so the timeout would be ignored; give pipeline\.migrationCommand/],
      [{ service: { minCapacity: 3, maxCapacity: 2 } }, /^Backend\/Backend: invalid service\.minCapacity 3: service\.minCapacity must not exceed service\.maxCapacity \(2\); raise service\.maxCapacity/],
    ] as Array<[Partial<BackendPlatformProps>, RegExp]>)('%#', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });
  });
});

describe('GIVEN a stack with an explicit env', () => {
  const AZ_CONTEXT = 'availability-zones:account=123456789012:region=eu-west-1';
  const synth = (context: { [key: string]: unknown }) => {
    const app = new App({ context });
    const stack = new Stack(app, 'Backend', { env: { account: '123456789012', region: 'eu-west-1' } });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone: zone });
    return { assembly: app.synth(), stack };
  };

  test('THEN without the availability-zone context the synth asks for exactly one lookup, the README\'s key', () => {
    expect(synth({}).assembly.manifest.missing?.map(m => m.key)).toEqual([AZ_CONTEXT]);
  });

  test('THEN with that context committed it synthesizes offline, in the listed zones', () => {
    const { assembly, stack } = synth({ [AZ_CONTEXT]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
    expect(assembly.manifest.missing ?? []).toEqual([]);
    const zones = Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map(s => s.Properties.AvailabilityZone);
    expect([...new Set(zones)].sort()).toEqual(['eu-west-1a', 'eu-west-1b']);
  });
});
