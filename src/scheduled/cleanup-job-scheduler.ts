import { Duration, IResolvable, IResolveContext, PhysicalName, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RUNTIME_GUARD_REASON, RuntimeGuard } from './runtime-guard';
import { IDeployableJob } from '../delivery/deployable-service';
import { IMonitoredScheduledWork } from '../monitoring/monitored';
import { anyOccurrenceAlarm, createDeadLetterQueue, deadLetterQueueAlarm, failedInvocationsAlarm, notify, ruleMetric } from '../private/alarms';
import { acknowledge } from '../private/compliance';
import { ensureFargateSpot, validateFargateSize } from '../private/fargate';
import { createLogGroup } from '../private/log-group';
import { checkPropTypes } from '../private/prop-types';
import { ratePeriod, validateSchedule } from '../private/schedule';
import { requireSubnets } from '../private/subnets';
import { acknowledgeApplicationTaskDefinition } from '../private/task-definition';
import { invalidProp, validateIntegerRange, validateNonEmpty, validateSeconds } from '../private/validation';
import { warnOnCredentialNamedEnvironment } from '../private/warnings';
import { WORKLOAD_TAG } from '../private/workload-tag';

/** What a scheduled task runs, when, and at what size. The platform's `cleanupJob` takes the same options. */
export interface ScheduledTaskOptions {
  /** Command run by the job, e.g. `['npx', 'tsx', 'cleanup-job.ts']`. */
  readonly command: string[];
  /**
   * When the job runs.
   * @default events.Schedule.rate(Duration.minutes(5))
   */
  readonly schedule?: events.Schedule;
  /**
   * Runs still going after this long are stopped, so slow runs never pile up: a runtime guard outside the task
   * (a function run every minute, docs/adr/0013) stops them with ECS StopTask (SIGTERM, then SIGKILL after 30
   * seconds) within a minute of the limit; the command runs as given. Must be shorter than a rate schedule's
   * period. `Duration.seconds(0)` turns the guard off.
   * @default - 80 % of a rate schedule's period; no limit for cron schedules
   */
  readonly maxRuntime?: Duration;
  /**
   * Task CPU units.
   * @default 512
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;
  /**
   * Value of the `TASK_TYPE` environment variable, so one image can tell its jobs apart.
   * @default 'CLEANUP'
   */
  readonly taskType?: string;
  /**
   * Environment variables; `TASK_TYPE` (see `taskType`) is always added.
   * @default - only TASK_TYPE
   */
  readonly environment?: { [key: string]: string };
  /**
   * Secrets injected as environment variables.
   * @default - none
   */
  readonly secrets?: { [key: string]: ecs.Secret };
  /**
   * Times EventBridge retries a failed task launch.
   * @default 2
   */
  readonly retryAttempts?: number;
}

/** Props of `CleanupJobScheduler`. */
export interface CleanupJobSchedulerProps extends ScheduledTaskOptions {
  /** Cluster the job runs on; its VPC's private subnets host the task. */
  readonly cluster: ecs.ICluster;
  /** Image of the job, usually the service's (`SecureAlbFargateService.containerImage`). */
  readonly image: ecs.ContainerImage;
  /**
   * The ECR repository `image` comes from, so that repository's deploy pipeline moves the job with each release
   * (`EcrToEcsPipeline.addScheduledJob`). Give it with the service's image, which reads the tag parameter the
   * pipeline records, so a later `cdk deploy` renders the released image as well.
   * @default - no pipeline moves the job: its image changes with `cdk deploy` only
   */
  readonly imageRepository?: ecr.IRepository;
  /**
   * Run the job on Fargate Spot. A cluster defined in this app gets the FARGATE_SPOT capacity provider; an imported
   * one must have it. An interrupted run is simply the next run's work.
   * @default false
   */
  readonly spot?: boolean;
  /**
   * CPU architecture of the job's image; give the service's when the job reuses its image.
   * @default - X86_64 (Fargate's default)
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Topic that receives the alarms (failed launches, dead letters, failed runs).
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Retention of the job's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key that encrypts the job's log group; its key policy must allow the CloudWatch Logs service.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

const DEFAULT_TASK_TYPE = 'CLEANUP';

/**
 * A scheduled Fargate task (default every 5 minutes) that reuses the service image with a command override,
 * in its own small task definition and security group, and that fails loudly: retries, a dead-letter queue,
 * a runtime guard and alarms on failed launches, tasks that never start and failed runs. The schedule runs the
 * newest revision of the task definition's family, so a deploy pipeline that registers one moves the job.
 */
export class CleanupJobScheduler extends Construct implements IMonitoredScheduledWork, IDeployableJob {
  /** The job's task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The job's container. */
  public readonly container: ecs.ContainerDefinition;
  /** Security group of the job's tasks; admit it where the job must connect (e.g. `database.allowFrom(job)`). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The schedule rule. */
  public readonly rule: events.Rule;
  /** Dead-letter queue of launches that failed after all retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The job's log group. */
  public readonly logGroup: logs.LogGroup;
  /** Alarms of the job: failed launches, dead letters, failed runs. */
  public readonly alarms: cloudwatch.Alarm[];
  /** The ECR repository of the job's image, when given: its pipeline moves the job. */
  public readonly imageRepository?: ecr.IRepository;
  /** The function that stops runs older than `maxRuntime` (docs/adr/0013), shared by the jobs of a platform. None without a limit. */
  public readonly runtimeGuardFunction?: lambda.IFunction;
  /** ARN of the task definition family without a revision: what the schedule runs (the newest ACTIVE revision). */
  private readonly familyArn: string;

  constructor(scope: Construct, id: string, props: CleanupJobSchedulerProps) {
    super(scope, id);
    checkPropTypes(this, 'CleanupJobSchedulerProps', props);
    const schedule = props.schedule ?? events.Schedule.rate(Duration.minutes(5));
    const maxRuntime = validateProps(this, props, schedule);
    warnOnCredentialNamedEnvironment(this, 'environment', props.environment);
    this.imageRepository = props.imageRepository;
    // How the command-line tool tells workloads apart (the task definition carries it); tags update in place.
    Tags.of(this).add(WORKLOAD_TAG, id.toLowerCase().replace(/[^a-z0-9-]/g, '-'));

    this.logGroup = createLogGroup(this, 'LogGroup', props.logRetention, props.logEncryptionKey);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      // Set only when asked, so existing jobs keep their task definition.
      runtimePlatform: props.cpuArchitecture
        ? { cpuArchitecture: props.cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX }
        : undefined,
    });
    this.container = this.taskDefinition.addContainer('job', {
      image: props.image,
      command: props.command,
      environment: { ...props.environment, TASK_TYPE: props.taskType ?? DEFAULT_TASK_TYPE },
      secrets: props.secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'cleanup' }),
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: 'Cleanup job: no ingress, outbound only',
      allowAllOutbound: true,
    });

    this.familyArn = Stack.of(this).formatArn({ service: 'ecs', resource: 'task-definition', resourceName: this.taskDefinition.family });
    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue');
    this.rule = new events.Rule(this, 'Schedule', {
      schedule,
      description: 'Runs the cleanup job',
      targets: [new targets.EcsTask({
        cluster: props.cluster,
        taskDefinition: this.taskDefinition,
        subnetSelection: requireSubnets(this, props.cluster.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 1, 'the job (it pulls its image through NAT)'),
        securityGroups: [this.securityGroup],
        assignPublicIp: false,
        launchType: ecs.LaunchType.FARGATE,
        platformVersion: ecs.FargatePlatformVersion.LATEST,
        propagateTags: ecs.PropagatedTagSource.TASK_DEFINITION,
        retryAttempts: props.retryAttempts ?? 2,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
        role: this.createEventsRole(props.cluster).withoutPolicyUpdates(),
      })],
    });
    // A revision ARN would pin the job to the image of the last `cdk deploy`; the family runs the newest ACTIVE
    // revision (RunTask), which is the one a release registers.
    (this.rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.EcsParameters.TaskDefinitionArn', this.familyArn);

    if (props.spot) {
      ensureFargateSpot(props.cluster);
      this.runOnSpot();
    }

    // A platform's jobs share its guard function, whose alarm the platform routes (docs/adr/0016).
    const guard = maxRuntime ? new RuntimeGuard(this, 'RuntimeGuard', {
      cluster: props.cluster,
      family: this.taskDefinition.family,
      maxRuntimeSeconds: secondsText(maxRuntime),
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
    }) : undefined;
    this.runtimeGuardFunction = guard?.guardFunction.function;

    this.alarms = [
      failedInvocationsAlarm(this, 'FailedLaunchAlarm', this.rule.ruleName, 'Cleanup job'),
      deadLetterQueueAlarm(this, 'DeadLetterAlarm', this.deadLetterQueue, 'Cleanup job'),
      this.failedRunAlarm(props.alarmTopic),
      ...(guard?.ownsFunction ? [guard.guardFunction.errorsAlarm] : []),
    ].map(alarm => notify(alarm, props.alarmTopic));
    this.acknowledgeFindings();
  }

  /** The job's schedule rule, by the job's construct ID. */
  public get scheduleRules(): { [name: string]: events.Rule } {
    return { [this.node.id]: this.rule };
  }

  /** The job's network connections, to admit it to a database or cache. */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }

  /**
   * The role EventBridge runs the task with, at the scope and ID aws-cdk-lib gives its own (an existing job keeps
   * its role). RunTask is granted on every revision of the family (`:*`, which ECS requires since 2024), on this
   * cluster; the job's roles may be passed to ECS tasks only.
   */
  private createEventsRole(cluster: ecs.ICluster): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this.taskDefinition, 'EventsRole', {
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:RunTask'],
      resources: [`${this.familyArn}:*`],
      conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: [`arn:${stack.partition}:ecs:${cluster.env.region}:*:task/${cluster.clusterName}/*`],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.taskDefinition.obtainExecutionRole().roleArn, this.taskDefinition.taskRole.roleArn],
      conditions: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    acknowledge(role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The schedule runs the newest revision of the job\'s own family, which each release registers; ECS authorizes RunTask on the resolved revision, '
        + 'so every revision of that one family is granted (aws/aws-cdk#30390), on the job\'s cluster only.',
      appliesTo: ['/^Resource::arn:<AWS::Partition>:ecs:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):task-definition\\/[^*/]+:\\*$/'],
    }], { recursive: true });
    return role;
  }

  /** The EcsTask target of this CDK version has no capacity providers; a launch type and a strategy exclude each other. */
  private runOnSpot(): void {
    const rule = this.rule.node.defaultChild as events.CfnRule;
    rule.addPropertyDeletionOverride('Targets.0.EcsParameters.LaunchType');
    rule.addPropertyOverride('Targets.0.EcsParameters.CapacityProviderStrategy', [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
  }

  /**
   * Counts runs of any revision of the family that stopped with a non-zero exit code, that the runtime guard
   * stopped, or that never started (stop code TaskFailedToStart: image pull, secrets, network; such a task's containers
   * have no exit code), through the MatchedEvents metric of a rule on ECS task state changes; the events also go to
   * the alarm topic, if any. A launch RunTask refuses outright is a failed invocation of the schedule (its own alarm).
   */
  private failedRunAlarm(alarmTopic: sns.ITopic | undefined): cloudwatch.Alarm {
    const failedRuns = new events.Rule(this, 'FailedRunRule', {
      description: 'Cleanup job tasks that stopped with a non-zero exit code or failed to start',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          lastStatus: ['STOPPED'],
          taskDefinitionArn: [{ prefix: `${this.familyArn}:` }],
          $or: [
            { containers: { exitCode: [{ 'anything-but': 0 }] } },
            { stopCode: ['TaskFailedToStart'] },
            // A run the guard stopped counts even if it exited 0 on SIGTERM.
            { stoppedReason: [{ prefix: RUNTIME_GUARD_REASON }] },
          ],
        },
      },
    });
    if (alarmTopic) failedRuns.addTarget(new targets.SnsTopic(alarmTopic));
    return anyOccurrenceAlarm(this, 'FailedRunAlarm',
      'Cleanup job: a run exited with a non-zero code, was stopped by its runtime guard, or failed to start (image, secrets, network)',
      ruleMetric(failedRuns.ruleName, 'MatchedEvents'));
  }

  private acknowledgeFindings(): void {
    acknowledgeApplicationTaskDefinition(this.taskDefinition);
    acknowledge(this, [
      { id: 'AwsSolutions-IAM5', reason: 'CDK grants ecr:GetAuthorizationToken and log-stream actions, which have no narrower resource.', appliesTo: ['Resource::*'] },
      { id: 'AwsSolutions-IAM5', reason: 'EventBridge may tag and describe the tasks it starts, whose IDs are only known at run time.', appliesTo: ['/^Resource::arn:<AWS::Partition>:ecs:(<AWS::Region>|[a-z0-9-]+):\\*:task\\/.+\\/\\*$/'] },
    ], { recursive: true });
  }
}

/** Seconds as text, as the guard's environment takes them; a deploy-time value stays a token. */
function secondsText(duration: Duration): string {
  const seconds = duration.toSeconds();
  if (!Token.isUnresolved(seconds)) return String(seconds);
  // A number token would render as a number where Lambda takes strings: a value known at synth is turned into one.
  const asText: IResolvable = {
    creationStack: [],
    resolve: (context: IResolveContext) => {
      const resolved = context.resolve(seconds);
      return typeof resolved === 'number' ? String(resolved) : resolved;
    },
  };
  return Token.asString(asText);
}

/** Validates the props and returns the effective runtime limit. */
function validateProps(scope: Construct, props: CleanupJobSchedulerProps, schedule: events.Schedule): Duration | undefined {
  validateNonEmpty(scope, 'command', props.command);
  validateSchedule(scope, 'schedule', schedule);
  validateFargateSize(scope, 'cpu', props.cpu ?? 512, 'memoryLimitMiB', props.memoryLimitMiB ?? 1024);
  validateIntegerRange(scope, 'retryAttempts', props.retryAttempts, 0, 185);
  if (props.taskType !== undefined) validateNonEmpty(scope, 'taskType', props.taskType);
  const period = ratePeriod(schedule);
  if (props.maxRuntime === undefined) {
    return period ? Duration.seconds(Math.floor(period.toSeconds() * 0.8)) : undefined;
  }
  if (props.maxRuntime.isUnresolved()) {
    try {
      props.maxRuntime.toSeconds();
    } catch {
      invalidProp(scope, 'maxRuntime', props.maxRuntime, 'a deploy-time duration cannot be converted to the seconds the runtime guard takes; give it as Duration.seconds(...)');
    }
    return props.maxRuntime;
  }
  validateSeconds(scope, 'maxRuntime', props.maxRuntime, 0, 365 * 24 * 3600);
  if (props.maxRuntime.toSeconds() === 0) return undefined;
  if (period && props.maxRuntime.toSeconds() >= period.toSeconds()) {
    invalidProp(scope, 'maxRuntime', props.maxRuntime.toHumanString(), `runs would pile up: keep it below the schedule period (${period.toHumanString()})`);
  }
  return props.maxRuntime;
}
