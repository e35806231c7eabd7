import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './compliance';
import { removalPolicyOf } from './teardown';

/** Sends an alarm's ALARM and OK transitions to a topic, when there is one. */
export function notify(alarm: cloudwatch.Alarm, topic: sns.ITopic | undefined): cloudwatch.Alarm {
  if (topic) {
    alarm.addAlarmAction(new actions.SnsAction(topic));
    alarm.addOkAction(new actions.SnsAction(topic));
  } else {
    acknowledge(alarm, [{ id: 'cloudwatch_alarm_action_check', reason: 'Given no topic, the construct exposes its alarms for InfraMonitoring or the caller to route (BackendPlatform routes every one to its alarm topic).' }]);
  }
  return alarm;
}

/** An encrypted, TLS-only dead-letter queue that keeps failed events for 14 days. */
export function createDeadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: removalPolicyOf(scope),
  });
  acknowledge(queue, [
    { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue.' },
    { id: 'sqs_dlq_check', reason: 'This queue is itself the dead-letter queue.' },
  ]);
  return queue;
}

/**
 * Alarm on a single occurrence of a failure count in one period. No data means nothing was attempted, which is
 * not a failure.
 */
export function anyOccurrenceAlarm(scope: Construct, id: string, description: string, metric: cloudwatch.IMetric): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** Alarm when any message waits in a dead-letter queue: something failed after all retries. */
export function deadLetterQueueAlarm(scope: Construct, id: string, queue: sqs.IQueue, what: string): cloudwatch.Alarm {
  return anyOccurrenceAlarm(scope, id, `${what}: events failed after all retries and wait in the dead-letter queue`,
    queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }));
}

/** An EventBridge rule metric (`Invocations`, `FailedInvocations`, ...), summed over 5 minutes. */
export function ruleMetric(ruleName: string, metricName: string, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/Events', metricName, dimensionsMap: { RuleName: ruleName }, statistic: 'Sum', period: Duration.minutes(5), label });
}

/** Alarm on EventBridge failing to deliver a rule's events to its target. */
export function failedInvocationsAlarm(scope: Construct, id: string, ruleName: string, what: string): cloudwatch.Alarm {
  return anyOccurrenceAlarm(scope, id, `${what}: EventBridge failed to invoke the target`, ruleMetric(ruleName, 'FailedInvocations'));
}
