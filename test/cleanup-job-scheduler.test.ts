import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { givenStack } from './fixtures';
import { CleanupJobScheduler, CleanupJobSchedulerProps } from '../src';

function build(overrides: Partial<CleanupJobSchedulerProps> = {}) {
  const { stack, vpc, repository } = givenStack();
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const alarmTopic = new sns.Topic(stack, 'Alarms');
  const job = new CleanupJobScheduler(stack, 'Cleanup', {
    cluster,
    image: ecs.ContainerImage.fromEcrRepository(repository, 'v1'),
    command: ['npx', 'tsx', 'cleanup-job.ts'],
    alarmTopic,
    environment: { NODE_ENV: 'production' },
    ...overrides,
  });
  return { job, template: Template.fromStack(stack) };
}

describe('CleanupJobScheduler', () => {
  describe('GIVEN the seed job', () => {
    const { template } = build();

    test('THEN it runs every 5 minutes as a private Fargate task with its own security group', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [Match.objectLike({
          EcsParameters: Match.objectLike({
            LaunchType: 'FARGATE',
            NetworkConfiguration: { AwsVpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED', SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('CleanupSecurityGroup'), 'GroupId'] }] }) },
          }),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CleanupDeadLetterQueue'), 'Arn'] } },
        })],
      });
    });

    test('THEN its small task definition runs the command under a 4-minute guard with TASK_TYPE=CLEANUP', () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        Cpu: '512',
        Memory: '1024',
        ContainerDefinitions: [Match.objectLike({
          Command: ['timeout', '240', 'npx', 'tsx', 'cleanup-job.ts'],
          Environment: [{ Name: 'NODE_ENV', Value: 'production' }, { Name: 'TASK_TYPE', Value: 'CLEANUP' }],
        })],
      });
    });

    test('THEN failed launches, dead letters and failed runs alarm to the topic', () => {
      for (const metric of ['FailedInvocations', 'ApproximateNumberOfMessagesVisible', 'MatchedEvents']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric, AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }], OKActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
        });
      }
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ 'detail-type': ['ECS Task State Change'], 'detail': Match.objectLike({ lastStatus: ['STOPPED'] }) }),
      });
    });

    test('THEN the dead-letter queue is encrypted and the log group retained', () => {
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
    });
  });

  describe('GIVEN a release registered a newer revision of the job\'s family', () => {
    const { template } = build();
    const family = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties.Family;
    const familyArn = (suffix = '') => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:task-definition/${family}${suffix}`]] });

    test('THEN the schedule names the family, not CloudFormation\'s revision, so RunTask starts the newest ACTIVE revision', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ TaskDefinitionArn: familyArn() }) })],
      });
    });

    test('THEN EventBridge may run every revision of that family only, on the job\'s cluster, and pass only the job\'s roles to ECS tasks', () => {
      const [policy] = Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CleanupTaskDefinitionEventsRole')).map(([, r]) => r);
      const statements = policy.Properties.PolicyDocument.Statement;
      const runTask = statements.find((st: any) => st.Action === 'ecs:RunTask');
      expect(runTask.Resource).toEqual(familyArn(':*'));
      expect(runTask.Condition.ArnEquals['ecs:cluster']['Fn::GetAtt'][0]).toMatch(/^Cluster/);
      const passRole = statements.find((st: any) => st.Action === 'iam:PassRole');
      expect(passRole.Resource.map((r: any) => r['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''))).toEqual(['CleanupTaskDefinitionExecutionRole', 'CleanupTaskDefinitionTaskRole']);
      expect(passRole.Condition).toEqual({ StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
      // No grant is left on CloudFormation's own revision.
      expect(JSON.stringify(statements)).not.toMatch(/"Ref":"CleanupTaskDefinition[0-9A-F]{8}"/);
    });

    test('THEN the failed-run alarm watches every revision of the family, and a task that never started (no exit code) alarms too', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          'source': ['aws.ecs'],
          'detail-type': ['ECS Task State Change'],
          'detail': {
            lastStatus: ['STOPPED'],
            taskDefinitionArn: [{ prefix: familyArn(':') }],
            $or: [{ containers: { exitCode: [{ 'anything-but': 0 }] } }, { stopCode: ['TaskFailedToStart'] }],
          },
        },
      });
    });
  });

  test('GIVEN imageRepository THEN the job exposes it for that repository\'s pipeline; by default no pipeline owns the job', () => {
    const { stack, vpc, repository } = givenStack();
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const owned = new CleanupJobScheduler(stack, 'Owned', { cluster, image: ecs.ContainerImage.fromEcrRepository(repository, 'v1'), imageRepository: repository, command: ['x'] });
    expect(owned.imageRepository).toBe(repository);
    expect(build().job.imageRepository).toBeUndefined();
  });

  test('GIVEN spot on a cluster of this app without capacity providers THEN FARGATE_SPOT is associated with it', () => {
    const { template } = build({ spot: true });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: Match.arrayWith(['FARGATE_SPOT']) });
    build().template.resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 0);
  });

  test('GIVEN the service image is ARM64 THEN the job runs ARM64 too; by default its task definition names no platform', () => {
    build({ cpuArchitecture: ecs.CpuArchitecture.ARM64 }).template
      .hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    build().template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: Match.absent() });
  });

  test('GIVEN a cron schedule and no maxRuntime THEN the command is not wrapped', () => {
    const { template } = build({ schedule: events.Schedule.cron({ minute: '0', hour: '3' }) });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Command: ['npx', 'tsx', 'cleanup-job.ts'] })] });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
  });

  describe('GIVEN bad input THEN synth fails naming the prop', () => {
    test.each([
      [{ command: [] }, /invalid command \[\]/],
      [{ schedule: events.Schedule.expression('cron(0 8 * * *)') }, /invalid schedule "cron\(0 8 \* \* \*\)": an EventBridge cron has six fields/],
      [{ schedule: events.Schedule.expression('cron(0 8 1 * 1 *)') }, /one of day-of-month or day-of-week must be "\?"/],
      [{ schedule: events.Schedule.expression('rate(5 minute)') }, /invalid schedule "rate\(5 minute\)"/],
      [{ schedule: events.Schedule.expression('every 5 minutes') }, /invalid schedule "every 5 minutes"/],
      [{ maxRuntime: Duration.minutes(6) }, /invalid maxRuntime "6 minutes": runs would pile up: keep it below the schedule period \(5 minutes\)/],
      [{ cpu: 512, memoryLimitMiB: 512 }, /invalid memoryLimitMiB 512: with cpu 512/],
    ] as Array<[Partial<CleanupJobSchedulerProps>, RegExp]>)('%#: %s', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });
  });
});
