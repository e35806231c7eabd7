import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WorkerQueueOptions } from './worker-options';
import { createDeadLetterQueue, deadLetterQueueAlarm } from '../private/alarms';
import { removalPolicyOf } from '../private/teardown';

/** The worker's own queue: SQS-encrypted, TLS-only, retained (unless the teardown policy destroys data), with a dead-letter queue after `maxReceiveCount` tries. */
export function createWorkerQueue(scope: Construct, options: WorkerQueueOptions): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
  const deadLetterQueue = createDeadLetterQueue(scope, 'DeadLetterQueue');
  const queue = new sqs.Queue(scope, 'Queue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: options.visibilityTimeout ?? Duration.minutes(5),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: options.maxReceiveCount ?? 5 },
    removalPolicy: removalPolicyOf(scope),
  });
  return { queue, deadLetterQueue };
}

/** A queue worker pages when messages wait too long (it is down or too slow) and when messages land in its DLQ. */
export function workerAlarms(scope: Construct, queue: sqs.IQueue, deadLetterQueue: sqs.IQueue | undefined): cloudwatch.Alarm[] {
  const oldest = new cloudwatch.Alarm(scope, 'OldestMessageAlarm', {
    alarmDescription: 'Messages wait more than 15 minutes: the worker is down, failing or too slow for its backlog',
    metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 15 * 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return deadLetterQueue ? [oldest, deadLetterQueueAlarm(scope, 'DeadLetterAlarm', deadLetterQueue, 'Worker')] : [oldest];
}
