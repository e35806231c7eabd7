import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { anyOccurrenceAlarm } from '../private/alarms';
import { acknowledge, BASIC_EXECUTION_POLICY_ACKNOWLEDGEMENT, inlinePolicyAcknowledgements, smallFunctionAcknowledgements } from '../private/compliance';
import { createLogGroup } from '../private/log-group';
import { SharedByCluster } from '../private/shared-by-cluster';

/** Start of the reason the guard gives StopTask: the job's failed-run rule matches it. */
export const RUNTIME_GUARD_REASON = 'Stopped by the runtime guard';

/**
 * Source of the function that stops a scheduled job's runs that outlived `maxRuntime` (docs/adr/0013). Plain
 * JavaScript for the Node.js runtime, shipped inline and evaluated as a module by its unit test with a fake
 * `require`; the AWS SDK v3 ECS client ships with the runtime.
 *
 * One function serves every job of a platform (docs/adr/0016): each job's rule passes its cluster, family and limit
 * as the event, so the function holds no list of jobs. It lists the RUNNING tasks of that family on that cluster,
 * describes them 100 at a time, and stops each one that started (or, not started yet, was created) the limit or
 * more ago; an event without the three is refused. StopTask sends SIGTERM and,
 * after the container's stop timeout, SIGKILL: nothing runs in the job's container. One JSON line per stopped task.
 */
export const RUNTIME_GUARD_SOURCE = `'use strict';
async function stopOverdue(input, ecs) {
  const { cluster, family, maxRuntimeSeconds, now } = input;
  const arns = [];
  let nextToken;
  do {
    const page = await ecs.listTasks({ cluster, family, desiredStatus: 'RUNNING', nextToken });
    arns.push(...((page && page.taskArns) || []));
    nextToken = page && page.nextToken;
  } while (nextToken);
  const stopped = [];
  for (let i = 0; i < arns.length; i += 100) {
    const described = await ecs.describeTasks({ cluster, tasks: arns.slice(i, i + 100) });
    for (const task of (described && described.tasks) || []) {
      const since = task.startedAt || task.createdAt;
      if (!since) continue;
      const seconds = Math.floor((now - new Date(since).getTime()) / 1000);
      if (seconds < maxRuntimeSeconds) continue;
      await ecs.stopTask({ cluster, task: task.taskArn, reason: '${RUNTIME_GUARD_REASON}: ran ' + seconds + ' s, maxRuntime is ' + maxRuntimeSeconds + ' s' });
      stopped.push({ task: task.taskArn, runningSeconds: seconds });
    }
  }
  return stopped;
}
exports.stopOverdue = stopOverdue;
exports.handler = async (event) => {
  const input = { cluster: event && event.cluster, family: event && event.family, maxRuntimeSeconds: Number(event && event.maxRuntimeSeconds), now: Date.now() };
  if (!input.cluster || !input.family || !(input.maxRuntimeSeconds > 0)) throw new Error("expected { cluster, family, maxRuntimeSeconds } from a job's rule, got " + JSON.stringify(event));
  const sdk = require('@aws-sdk/client-ecs');
  const client = new sdk.ECSClient({});
  const call = Command => request => client.send(new Command(request));
  const ecs = { listTasks: call(sdk.ListTasksCommand), describeTasks: call(sdk.DescribeTasksCommand), stopTask: call(sdk.StopTaskCommand) };
  const stopped = await stopOverdue(input, ecs);
  for (const entry of stopped) console.log(JSON.stringify({ family: input.family, maxRuntimeSeconds: input.maxRuntimeSeconds, ...entry }));
  return { stopped: stopped.length };
};
`;

/** Where a runtime guard function logs, and the cluster whose tasks it may stop. */
export interface RuntimeGuardFunctionProps {
  readonly cluster: ecs.ICluster;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * The function that stops a cluster's overdue job runs, its log group and its errors alarm (routed by the caller: a
 * standalone job adds it to its alarms, a platform to its topic). Its children are created directly in `scope`
 * (`Function`, `LogGroup`, `ErrorsAlarm`): a standalone job's guard keeps the paths it always had.
 */
export class RuntimeGuardFunction {
  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  /** The guard failed: runs past their maxRuntime may keep running (its log names the family). */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** The rules that invoke it, one Lambda permission each (the function's resource policy is bounded, docs/adr/0016). */
  public readonly invokers: events.Rule[] = [];

  constructor(scope: Construct, props: RuntimeGuardFunctionProps) {
    this.logGroup = createLogGroup(scope, 'LogGroup', props.logRetention, props.logEncryptionKey);
    this.function = new lambda.Function(scope, 'Function', {
      description: 'Stops the runs of the scheduled job its rule names that outlived the job\'s maxRuntime (ECS StopTask)',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(RUNTIME_GUARD_SOURCE),
      timeout: Duration.seconds(50),
      memorySize: 128,
      logGroup: this.logGroup,
    });
    const onCluster = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: onCluster }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: [Stack.of(scope).formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` })],
      conditions: onCluster,
    }));
    this.errorsAlarm = anyOccurrenceAlarm(scope, 'ErrorsAlarm', 'A scheduled job\'s runtime guard failed, so runs past maxRuntime may keep running (the function\'s log names the job\'s family)',
      this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }));
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    acknowledge(this.function.role!, [
      BASIC_EXECUTION_POLICY_ACKNOWLEDGEMENT,
      { id: 'AwsSolutions-IAM5', reason: 'ListTasks takes no task resource; DescribeTasks and StopTask name task IDs known only at run time. All three are limited to the jobs\' cluster (ecs:cluster), and each job\'s rule names the one family whose overdue runs the function stops.', appliesTo: ['Resource::*', '/^Resource::arn:<AWS::Partition>:ecs:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):task\\/.+\\/\\*$/'] },
    ], { recursive: true });
    const inline = 'ECS task permissions on this one cluster: a managed policy for them would outlive the jobs.';
    acknowledge(this.function.role!, inlinePolicyAcknowledgements(inline), { recursive: true });
    const vpc = 'It calls only the ECS API (ListTasks, DescribeTasks, StopTask) and reaches no resource in the VPC.';
    const concurrency = 'It runs once a minute per job for a few hundred milliseconds; reserving concurrency would take from the account\'s unreserved pool (and fails in accounts at the minimum).';
    const dlq = 'A missed run is covered by the next minute\'s; the scheduled event holds nothing to replay.';
    acknowledge(this.function, smallFunctionAcknowledgements({ vpc, concurrency, dlq }));
  }
}

const sharedGuards = new SharedByCluster<RuntimeGuardFunction>();

/**
 * Makes `provide`'s function (created under `owner`) the runtime guard of every job of `cluster` built in the stack of
 * `owner` or in a stack nested below it. `BackendPlatform` shares one per platform (docs/adr/0016).
 */
export function shareRuntimeGuardFunction(cluster: ecs.ICluster, owner: Construct, provide: () => RuntimeGuardFunction): void {
  sharedGuards.share(cluster, owner, provide);
}

/** What the guard watches: the job's cluster and family, and the runtime after which a run is stopped. */
export interface RuntimeGuardProps {
  readonly cluster: ecs.ICluster;
  readonly family: string;
  /** Seconds, as text (a deploy-time value stays a token). */
  readonly maxRuntimeSeconds: string;
  /** Where the job's own function logs, when no function is shared. */
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * The private part of a scheduled job that enforces `maxRuntime` from outside the task: ECS and EventBridge have no
 * maximum runtime, and wrapping the command would run something in the user's container (an image with an
 * ENTRYPOINT breaks). Every minute the job's rule invokes the guard function with the job's family and limit: the
 * platform's shared function, or, for a job outside a platform, one of its own.
 */
export class RuntimeGuard extends Construct {
  public readonly guardFunction: RuntimeGuardFunction;
  /** Whether the function is this job's own (its errors alarm is then the job's to route). */
  public readonly ownsFunction: boolean;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RuntimeGuardProps) {
    super(scope, id);
    const shared = sharedGuards.for(props.cluster, this);
    this.ownsFunction = shared === undefined;
    this.guardFunction = shared ?? new RuntimeGuardFunction(this, props);
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the scheduled job\'s runtime guard',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      // A missed minute is covered by the next one: no retries that would pile up.
      targets: [new targets.LambdaFunction(this.guardFunction.function, {
        event: events.RuleTargetInput.fromObject({
          cluster: props.cluster.clusterArn, family: props.family, maxRuntimeSeconds: props.maxRuntimeSeconds,
        }),
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      })],
    });
    this.guardFunction.invokers.push(this.rule);
  }
}
