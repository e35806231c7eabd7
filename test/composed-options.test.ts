import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { platform, synthesized } from './builders';
import { givenStack } from './fixtures';
import {
  BackendPlatform, EcrToEcsPipeline, EnvironmentProfile, IMonitoredScheduledWork, InfraMonitoring, PrivateCache, PrivateDatabase,
  SecureAlbFargateService, ServiceImage,
} from '../src';

/**
 * The platform's options extend the children's base structs: what a child takes, the platform passes on. These
 * tests set options the platform used to drop (they were not re-listed) and find them in the template.
 */
const templateOf = (p: BackendPlatform) => Template.fromStack(Stack.of(p));
const resources = (t: Template, type: string) => Object.values<any>(t.findResources(type)).map(r => r.Properties);

describe('GIVEN options of a child set through BackendPlatform', () => {
  const built = platform({
    service: {
      command: ['node', 'dist/main.js'],
      healthCheckInterval: Duration.seconds(15),
      healthyThresholdCount: 3,
      targetCpuUtilizationPercent: 60,
      deregistrationDelay: Duration.seconds(20),
    },
    database: { backupRetentionDays: 14, maxAllocatedStorageGiB: 200 },
    cache: { snapshotRetentionDays: 3 },
    cleanupJob: { command: ['node', 'cleanup.js'], retryAttempts: 1, environment: { JOB_BATCH: '100' } },
    pipeline: { migrationCommand: ['npm', 'run', 'migration:run'], migrationTimeout: Duration.minutes(45) },
  });
  const template = templateOf(built);

  test('THEN the service gets its command, health checks, scaling target and deregistration delay', () => {
    const [app] = resources(template, 'AWS::ECS::TaskDefinition').find(p => p.Cpu === '1024').ContainerDefinitions;
    expect(app.Command).toEqual(['node', 'dist/main.js']);
    const [targetGroup] = resources(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(targetGroup).toMatchObject({ HealthCheckIntervalSeconds: 15, HealthyThresholdCount: 3 });
    expect(targetGroup.TargetGroupAttributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '20' });
    const cpuPolicy = resources(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .find(p => p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType === 'ECSServiceAverageCPUUtilization');
    expect(cpuPolicy.TargetTrackingScalingPolicyConfiguration.TargetValue).toBe(60);
  });

  test('THEN the database and cache get their backup and storage options', () => {
    expect(resources(template, 'AWS::RDS::DBInstance')[0]).toMatchObject({ BackupRetentionPeriod: 14, MaxAllocatedStorage: 200 });
    expect(resources(template, 'AWS::ElastiCache::ReplicationGroup')[0].SnapshotRetentionLimit).toBe(3);
  });

  test('THEN the cleanup job gets its retries and its own environment next to the stores connections', () => {
    const target = resources(template, 'AWS::Events::Rule').flatMap(r => r.Targets ?? []).find((t: any) => t.EcsParameters);
    expect(target.RetryPolicy.MaximumRetryAttempts).toBe(1);
    const job = resources(template, 'AWS::ECS::TaskDefinition').find(p => p.Cpu === '512').ContainerDefinitions[0];
    expect(job.Environment.map((e: any) => e.Name).sort()).toEqual(['DB_HOST', 'DB_NAME', 'DB_PORT', 'JOB_BATCH', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_TLS', 'TASK_TYPE']);
  });

  test('THEN the migration project times out after the migration timeout plus start-up slack', () => {
    const migration = resources(template, 'AWS::CodeBuild::Project').find(p => p.Description.startsWith('Runs database migrations'));
    expect(migration.TimeoutInMinutes).toBe(50);
  });
});

describe('GIVEN the environment profile vocabulary', () => {
  test('THEN profile DEVELOPMENT and the deprecated production: false give the same database and cache', () => {
    const synth = (props: object) => {
      const { stack, vpc } = givenStack();
      new PrivateDatabase(stack, 'Db', { vpc, ...props });
      new PrivateCache(stack, 'Cache', { vpc, ...props });
      return Template.fromStack(stack).toJSON();
    };
    const development = synth({ profile: EnvironmentProfile.DEVELOPMENT });
    expect(development).toEqual(synth({ production: false }));
    expect(development).not.toEqual(synth({}));
    const [instance] = Object.values<any>(development.Resources).filter(r => r.Type === 'AWS::RDS::DBInstance');
    expect(instance.Properties).toMatchObject({ MultiAZ: false, DeletionProtection: false });
  });

  test.each([
    [() => { const { stack, vpc } = givenStack(); new PrivateDatabase(stack, 'Db', { vpc, profile: EnvironmentProfile.PRODUCTION, production: false }); },
      'TestStack/Db: invalid production false: it contradicts profile "production"; drop production (deprecated) and keep profile'],
    [() => { const { stack, vpc } = givenStack(); new PrivateCache(stack, 'Cache', { vpc, profile: 'dev' as EnvironmentProfile }); },
      'TestStack/Cache: invalid profile "dev": expected EnvironmentProfile.PRODUCTION or EnvironmentProfile.DEVELOPMENT (the values "production", "development")'],
    [() => platform({ profile: 'PRODUCTION' as EnvironmentProfile }),
      'TestStack/Platform: invalid profile "PRODUCTION": expected EnvironmentProfile.PRODUCTION or EnvironmentProfile.DEVELOPMENT (the values "production", "development")'],
  ])('THEN a profile that is not one of the enum values, or contradicts production, fails at synth (%#)', (build, message) => {
    expect(synthesized(build)).toThrow(message);
  });
});

describe('GIVEN the one name for the notification topic', () => {
  function delivery(topics: { alarmTopic?: string; notificationTopic?: string }) {
    const { stack, vpc, zone, repository } = givenStack();
    const service = new SecureAlbFargateService(stack, 'Web', { vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository) });
    const topic = (id?: string) => (id ? (stack.node.tryFindChild(id) as sns.ITopic | undefined) ?? new sns.Topic(stack, id) : undefined);
    new EcrToEcsPipeline(stack, 'Delivery', { service, manualApproval: true, alarmTopic: topic(topics.alarmTopic), notificationTopic: topic(topics.notificationTopic) });
    return Template.fromStack(stack).toJSON();
  }

  test('THEN the pipeline sends failures and approvals to alarmTopic, and notificationTopic is the same prop under its old name', () => {
    const withAlarmTopic = delivery({ alarmTopic: 'Topic' });
    const pipelineJson = JSON.stringify(Object.values<any>(withAlarmTopic.Resources).find(r => r.Type === 'AWS::CodePipeline::Pipeline'));
    expect(pipelineJson).toMatch(/"NotificationArn":\{"Ref":"Topic[0-9A-F]{8}"\}/);
    expect(Object.values<any>(withAlarmTopic.Resources).filter(r => r.Type === 'AWS::Events::Rule'
      && JSON.stringify(r.Properties.Targets).includes('"Ref":"Topic'))).toHaveLength(1);
    expect(withAlarmTopic).toEqual(delivery({ notificationTopic: 'Topic' }));
    expect(delivery({ alarmTopic: 'Topic', notificationTopic: 'Topic' })).toEqual(withAlarmTopic);
  });

  test('THEN two different topics under both names fail at synth', () => {
    expect(() => delivery({ alarmTopic: 'A', notificationTopic: 'B' }))
      .toThrow('TestStack/Delivery: invalid notificationTopic "TestStack/B": it is the deprecated name of alarmTopic, which names another topic; keep alarmTopic only');
  });
});

describe('GIVEN monitoring of work that is not one of the library classes', () => {
  test('THEN InfraMonitoring watches anything implementing IMonitoredScheduledWork', () => {
    const stack = new Stack(new App(), 'Own');
    class NightlyExport extends Construct implements IMonitoredScheduledWork {
      public readonly scheduleRules = { Export: new events.Rule(this, 'Rule', { schedule: events.Schedule.rate(Duration.days(1)) }) };
      public readonly deadLetterQueue = new sqs.Queue(this, 'Dlq');
      public readonly alarms = [new cloudwatch.Alarm(this, 'Failed', { metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(), threshold: 0, evaluationPeriods: 1 })];
    }
    const work = new NightlyExport(stack, 'Nightly');
    new InfraMonitoring(stack, 'Monitoring', { cleanupJobs: [work] });
    const template = Template.fromStack(stack);
    expect(resources(template, 'AWS::CloudWatch::Alarm')[0].AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }]);
    const body = JSON.stringify(resources(template, 'AWS::CloudWatch::Dashboard')[0].DashboardBody);
    expect(body).toContain('Scheduled jobs and API calls');
    expect(body).toContain('Export');
  });
});
