import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, inlinePolicyAcknowledgements, smallFunctionAcknowledgements } from '../private/compliance';
import { createLogGroup } from '../private/log-group';

/** Start of the reason the guard gives StopTask: the job's failed-run rule matches it. */
export const RUNTIME_GUARD_REASON = 'Stopped by the runtime guard';

/**
 * Source of the function that stops a scheduled job's runs that outlived `maxRuntime` (docs/adr/0013). Plain
 * JavaScript for the Node.js runtime, shipped inline and evaluated as a module by its unit test with a fake
 * `require`; the AWS SDK v3 ECS client ships with the runtime.
 *
 * It lists the RUNNING tasks of the job's family on its cluster, describes them 100 at a time, and stops each one
 * that started (or, not started yet, was created) `MAX_RUNTIME_SECONDS` or more ago. StopTask sends SIGTERM and,
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
exports.handler = async () => {
  const sdk = require('@aws-sdk/client-ecs');
  const client = new sdk.ECSClient({});
  const call = Command => input => client.send(new Command(input));
  const ecs = { listTasks: call(sdk.ListTasksCommand), describeTasks: call(sdk.DescribeTasksCommand), stopTask: call(sdk.StopTaskCommand) };
  const input = { cluster: process.env.CLUSTER_ARN, family: process.env.FAMILY, maxRuntimeSeconds: Number(process.env.MAX_RUNTIME_SECONDS), now: Date.now() };
  const stopped = await stopOverdue(input, ecs);
  for (const entry of stopped) console.log(JSON.stringify({ family: input.family, maxRuntimeSeconds: input.maxRuntimeSeconds, ...entry }));
  return { stopped: stopped.length };
};
`;

/** What the guard watches: the job's cluster and family, and the runtime after which a run is stopped. */
export interface RuntimeGuardProps {
  readonly cluster: ecs.ICluster;
  readonly family: string;
  /** Seconds, as text (a deploy-time value stays a token). */
  readonly maxRuntimeSeconds: string;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * The private part of a scheduled job that enforces `maxRuntime` from outside the task: ECS and EventBridge have no
 * maximum runtime, and wrapping the command would run something in the user's container (an image with an
 * ENTRYPOINT breaks). Every minute a small function stops the job's runs older than the limit.
 */
export class RuntimeGuard extends Construct {
  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RuntimeGuardProps) {
    super(scope, id);
    this.logGroup = createLogGroup(this, 'LogGroup', props.logRetention, props.logEncryptionKey);
    this.function = new lambda.Function(this, 'Function', {
      description: 'Stops the scheduled job\'s runs that outlived its maxRuntime (ECS StopTask)',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(RUNTIME_GUARD_SOURCE),
      timeout: Duration.seconds(50),
      memorySize: 128,
      logGroup: this.logGroup,
      environment: { CLUSTER_ARN: props.cluster.clusterArn, FAMILY: props.family, MAX_RUNTIME_SECONDS: props.maxRuntimeSeconds },
    });
    const onCluster = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: onCluster }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: [Stack.of(this).formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` })],
      conditions: onCluster,
    }));
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the scheduled job\'s runtime guard',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      // A missed minute is covered by the next one: no retries that would pile up.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    const managed = 'The AWS managed basic execution policy (CloudWatch Logs) is the least privilege a Lambda function needs and follows AWS\'s changes.';
    acknowledge(this.function.role!, [
      { id: 'AwsSolutions-IAM4', reason: managed, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
      { id: 'AwsSolutions-IAM5', reason: 'ListTasks takes no task resource; DescribeTasks and StopTask name task IDs known only at run time. All three are limited to the job\'s cluster (ecs:cluster), and the function stops only its family\'s tasks.', appliesTo: ['Resource::*', '/^Resource::arn:<AWS::Partition>:ecs:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):task\\/.+\\/\\*$/'] },
    ], { recursive: true });
    const inline = 'ECS task permissions on this one cluster: a managed policy for them would outlive the job.';
    acknowledge(this.function.role!, inlinePolicyAcknowledgements(inline), { recursive: true });
    const vpc = 'It calls only the ECS API (ListTasks, DescribeTasks, StopTask) and reaches no resource in the VPC.';
    const concurrency = 'It runs once a minute for a few hundred milliseconds; reserving concurrency would take from the account\'s unreserved pool (and fails in accounts at the minimum).';
    const dlq = 'A missed run is covered by the next minute\'s; the scheduled event holds nothing to replay.';
    acknowledge(this.function, smallFunctionAcknowledgements({ vpc, concurrency, dlq }));
  }
}
