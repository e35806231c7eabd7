import { Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { platform } from './builders';
import { givenStack } from './fixtures';
import { CleanupJobScheduler, CleanupJobSchedulerProps } from '../src';
import { maxRulesInvokingOneFunction } from '../src/private/quotas';
import { RUNTIME_GUARD_SOURCE } from '../src/scheduled/runtime-guard';

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

/** The constant part of the event the job's guard rule sends (the cluster's ARN left out). */
function guardInput(template: Template): { family: string; maxRuntimeSeconds: string } {
  const [rule] = Object.values<any>(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 minute)' } }));
  return JSON.parse(`{"cluster":"${rule.Properties.Targets[0].Input['Fn::Join'][1][2]}`);
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

    test('THEN its small task definition runs the command exactly as given (nothing added to it), with TASK_TYPE=CLEANUP', () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        Cpu: '512',
        Memory: '1024',
        ContainerDefinitions: [Match.objectLike({
          Command: ['npx', 'tsx', 'cleanup-job.ts'],
          EntryPoint: Match.absent(),
          Environment: [{ Name: 'NODE_ENV', Value: 'production' }, { Name: 'TASK_TYPE', Value: 'CLEANUP' }],
        })],
      });
    });

    test('THEN a runtime guard outside the task stops runs after 4 minutes (80 % of the rate): a function every minute, on the job\'s family and cluster', () => {
      const family = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties.Family;
      const [fnId] = Object.entries<any>(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('CleanupRuntimeGuard'))!;
      const [rule] = Object.values<any>(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 minute)' } }));
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })]);
      // The rule names the job: the function holds no job of its own (a platform's jobs share it, docs/adr/0016).
      const input = rule.Properties.Targets[0].Input['Fn::Join'];
      expect(input[0]).toBe('');
      expect(input[1]).toEqual(['{"cluster":"', { 'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'Arn'] }, `","family":"${family}","maxRuntimeSeconds":"240"}`]);
      const [policy] = Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CleanupRuntimeGuard')).map(([, r]) => r);
      const statements = policy.Properties.PolicyDocument.Statement;
      expect(statements.map((st: any) => st.Action)).toEqual(['ecs:ListTasks', ['ecs:DescribeTasks', 'ecs:StopTask']]);
      for (const st of statements) expect(st.Condition.ArnEquals['ecs:cluster']['Fn::GetAtt'][0]).toMatch(/^Cluster/);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^CleanupRuntimeGuardFunction') } }], AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }] });
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
            $or: [{ containers: { exitCode: [{ 'anything-but': 0 }] } }, { stopCode: ['TaskFailedToStart'] }, { stoppedReason: [{ prefix: 'Stopped by the runtime guard' }] }],
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

  test('GIVEN a cron schedule and no maxRuntime THEN there is no runtime guard', () => {
    const { template } = build({ schedule: events.Schedule.cron({ minute: '0', hour: '3' }) });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Command: ['npx', 'tsx', 'cleanup-job.ts'] })] });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('GIVEN maxRuntime 0 THEN the guard is off; GIVEN a cron schedule and maxRuntime THEN the guard stops runs after it', () => {
    build({ maxRuntime: Duration.seconds(0) }).template.resourceCountIs('AWS::Lambda::Function', 0);
    const { template } = build({ schedule: events.Schedule.cron({ minute: '0', hour: '3' }), maxRuntime: Duration.hours(2) });
    expect(guardInput(template)).toMatchObject({ maxRuntimeSeconds: '7200' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Command: ['npx', 'tsx', 'cleanup-job.ts'] })] });
  });

  test('GIVEN a new runtime limit THEN only the guard changes: the task definition (a revision of the family) stays as it was', () => {
    const taskDefinition = (template: Template) => Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'))[0];
    const before = build({ maxRuntime: Duration.minutes(3) }).template;
    const after = build({ maxRuntime: Duration.minutes(2) }).template;
    expect(taskDefinition(after)).toEqual(taskDefinition(before));
    expect(guardInput(after)).toMatchObject({ maxRuntimeSeconds: '120' });
  });

  test('GIVEN a command known only at deploy time THEN it is used as given under the guard (nothing needs to prepend to it)', () => {
    const command = Token.asList(Fn.split(',', Fn.importValue('JobCommand')));
    const { template } = build({ command });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Command: { 'Fn::Split': [',', { 'Fn::ImportValue': 'JobCommand' }] } })] });
    expect(guardInput(template)).toMatchObject({ maxRuntimeSeconds: '240' });
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

describe('The runtime guard of a platform\'s jobs (docs/adr/0016)', () => {
  const p = platform({ cleanupJob: { command: ['node', 'cleanup.js'] } });
  const report = p.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], schedule: events.Schedule.rate(Duration.hours(1)) });
  const archive = p.addScheduledJob('Archive', { command: ['node', 'archive.js'], schedule: events.Schedule.rate(Duration.hours(6)), ownStack: true });
  const template = Template.fromStack(Stack.of(p));

  test('THEN every job, in the platform\'s stack or one of its own, is guarded by the platform\'s one function, which names no job', () => {
    const guards = Object.entries<any>(template.findResources('AWS::Lambda::Function')).filter(([id]) => /RuntimeGuard/.test(id));
    expect(guards.map(([id]) => id)).toEqual([expect.stringMatching(/^PlatformRuntimeGuardFunction[0-9A-F]{8}$/)]);
    expect(guards[0][1].Properties.Environment).toBeUndefined();
    expect(new Set([p.cleanupJob!, report, archive].map(job => job.runtimeGuardFunction))).toEqual(new Set([p.node.findChild('RuntimeGuard').node.findChild('Function')]));
    // The job in a stack of its own invokes it through the function's ARN passed down; its rule and permission stay in its stack.
    expect(Stack.of(archive)).not.toBe(Stack.of(p));
    const nested = Template.fromStack(Stack.of(archive));
    const [rule] = Object.values<any>(nested.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 minute)' } }));
    expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/RuntimeGuardFunction/) });
    expect(JSON.stringify(rule.Properties.Targets[0].Input)).toContain('\\"maxRuntimeSeconds\\":\\"17280\\"');
    nested.resourceCountIs('AWS::Lambda::Permission', 1);
  });

  test('THEN its one errors alarm pages the monitoring topic and joins no job\'s alarms', () => {
    const alarms = Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => /RuntimeGuard/.test(id));
    expect(alarms.map(([id]) => id)).toEqual([expect.stringMatching(/^PlatformRuntimeGuardErrorsAlarm/)]);
    expect(alarms[0][1].Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^PlatformMonitoringAlarmTopic/) }]);
    expect([p.cleanupJob!, report, archive].flatMap(job => job.alarms).map(a => a.node.path)).not.toContainEqual(expect.stringMatching(/RuntimeGuard/));
  });

  test('GIVEN more job rules than permissions fit the function\'s resource-based policy THEN the platform is refused at synth, naming maxRuntime and the quota', () => {
    const crowded = platform({ cleanupJob: { command: ['node', 'cleanup.js'] } });
    const shared = (crowded as any).runtimeGuardFunction;
    for (let i = shared.invokers.length; i <= maxRulesInvokingOneFunction(); i++) {
      shared.invokers.push(new events.Rule(Stack.of(crowded), `Extra${i}`, { schedule: events.Schedule.rate(Duration.hours(1)) }));
    }
    expect(() => Template.fromStack(Stack.of(crowded))).toThrow(/maxRuntime.*41 rules .* runtime guard function, over the 40 whose permissions fit Lambda's 20 KB resource-based policy \(https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/gettingstarted-limits\.html\); put some jobs in another platform/);
  });
});

describe('The runtime guard function', () => {
  function load() {
    const mod: any = {};
    new Function('exports', 'process', 'require', RUNTIME_GUARD_SOURCE)(mod, { env: {} }, () => { throw new Error('the test calls stopOverdue'); });
    return mod;
  }
  const now = Date.parse('2026-12-02T10:00:00Z');
  const task = (id: string, startedAt?: string, createdAt?: string) => ({ taskArn: `arn:aws:ecs:eu-west-1:1:task/c/${id}`, startedAt, createdAt });

  test('stops exactly the family\'s RUNNING tasks that started maxRuntime ago or more, over every page, with a reason naming the guard', async () => {
    const calls: any[] = [];
    const pages: any = { undefined: { taskArns: ['a', 'b'], nextToken: 'p2' }, p2: { taskArns: ['c', 'd'] } };
    const described: any = {
      a: task('a', '2026-12-02T09:55:00Z'), // 300 s: stopped
      b: task('b', '2026-12-02T09:56:01Z'), // 239 s: kept
      c: task('c', undefined, '2026-12-02T09:50:00Z'), // never started, created 600 s ago: stopped
      d: task('d', '2026-12-02T09:56:00Z'), // exactly 240 s: stopped
    };
    const api = {
      listTasks: async (input: any) => { calls.push(['list', input]); return pages[String(input.nextToken)]; },
      describeTasks: async (input: any) => ({ tasks: input.tasks.map((id: string) => described[id]) }),
      stopTask: async (input: any) => { calls.push(['stop', input]); return {}; },
    };
    const stopped = await load().stopOverdue({ cluster: 'arn:aws:ecs:eu-west-1:1:cluster/c', family: 'JobFamily', maxRuntimeSeconds: 240, now }, api);
    expect(stopped.map((s: any) => s.runningSeconds)).toEqual([300, 600, 240]);
    expect(calls.filter(([k]) => k === 'list').map(([, input]) => input)).toEqual([
      { cluster: 'arn:aws:ecs:eu-west-1:1:cluster/c', family: 'JobFamily', desiredStatus: 'RUNNING', nextToken: undefined },
      { cluster: 'arn:aws:ecs:eu-west-1:1:cluster/c', family: 'JobFamily', desiredStatus: 'RUNNING', nextToken: 'p2' },
    ]);
    const stops = calls.filter(([k]) => k === 'stop').map(([, input]) => input);
    expect(stops.map(s => s.task)).toEqual([described.a.taskArn, described.c.taskArn, described.d.taskArn]);
    expect(stops[0].reason).toBe('Stopped by the runtime guard: ran 300 s, maxRuntime is 240 s');
    for (const s of stops) expect(s.cluster).toBe('arn:aws:ecs:eu-west-1:1:cluster/c');
  });

  test('describes at most 100 tasks per call, and stops nothing when no run is overdue', async () => {
    const arns = Array.from({ length: 150 }, (_, i) => `t${i}`);
    const batches: number[] = [];
    const api = {
      listTasks: async () => ({ taskArns: arns }),
      describeTasks: async (input: any) => { batches.push(input.tasks.length); return { tasks: input.tasks.map((id: string) => task(id, '2026-12-02T09:59:00Z')) }; },
      stopTask: async () => { throw new Error('nothing is overdue'); },
    };
    expect(await load().stopOverdue({ cluster: 'c', family: 'f', maxRuntimeSeconds: 240, now }, api)).toEqual([]);
    expect(batches).toEqual([100, 50]);
  });

  test('fits inline (ZipFile) code limits', () => {
    expect(Buffer.byteLength(RUNTIME_GUARD_SOURCE)).toBeLessThan(4096);
  });

  test('refuses an event that does not name a cluster, a family and a positive limit, before calling ECS', async () => {
    const handler = load().handler;
    for (const event of [{}, { cluster: 'c', family: 'f' }, { cluster: 'c', family: 'f', maxRuntimeSeconds: '0' }, { family: 'f', maxRuntimeSeconds: '240' }]) {
      await expect(handler(event)).rejects.toThrow(/^expected \{ cluster, family, maxRuntimeSeconds \} from a job's rule/);
    }
  });
});
