import { Names, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { TopicSubscriptionOptions } from './worker-options';
import { checkAll } from '../private/errors';
import { FILTER_POLICY_QUOTAS, MAX_FILTER_POLICY_ATTRIBUTES, MAX_FILTER_POLICY_COMBINATIONS } from '../private/quotas';
import { invalidProp } from '../private/validation';

/**
 * Subscribes `queue` to `topic`: the queue's policy lets SNS send only from that topic
 * (`aws:SourceArn`), and a customer-managed key of the queue lets SNS encrypt with it. Problems are named after `prop`.
 */
export function subscribeQueue(
  scope: IConstruct, prop: string, queue: sqs.IQueue, topic: sns.ITopic, options: TopicSubscriptionOptions = {},
): sns.Subscription {
  const filterPolicy = options.filterPolicy;
  checkAll([
    () => {
      // An imported queue's policy cannot be changed from here: SNS would be refused every delivery.
      if (!(queue instanceof sqs.Queue)) {
        invalidProp(scope, prop, queue.node.path, 'the queue\'s policy must admit the topic, which this library can only add to a queue created in this app; give a new queue (queue: {}) or an sqs.Queue');
      }
    },
    () => {
      // SNS cannot use the AWS managed key of SQS (alias/aws/sqs), whose policy no one can change (docs/adr/0020).
      if (queue.encryptionType === sqs.QueueEncryption.KMS_MANAGED) {
        invalidProp(scope, prop, 'QueueEncryption.KMS_MANAGED', 'SNS cannot encrypt messages with the AWS managed key of SQS; encrypt the queue with SQS_MANAGED or a customer-managed key (KMS)');
      }
    },
    () => {
      if (filterPolicy === undefined) return;
      const attributes = Object.keys(filterPolicy);
      if (attributes.length > MAX_FILTER_POLICY_ATTRIBUTES) {
        invalidProp(scope, `${prop}.filterPolicy`, attributes, `SNS allows at most ${MAX_FILTER_POLICY_ATTRIBUTES} attributes in a filter policy (${FILTER_POLICY_QUOTAS}); filter on fewer`);
      }
    },
    () => {
      if (filterPolicy === undefined) return;
      const values = Object.values(filterPolicy).map(filter => filter?.conditions);
      if (values.some(conditions => !Array.isArray(conditions) || Token.isUnresolved(conditions))) return;
      const combinations = values.reduce((product, conditions) => product * conditions.length, 1);
      if (combinations > MAX_FILTER_POLICY_COMBINATIONS) {
        invalidProp(scope, `${prop}.filterPolicy`, `${combinations} combinations of values`, `SNS allows at most ${MAX_FILTER_POLICY_COMBINATIONS} (the product of each attribute's number of values, ${FILTER_POLICY_QUOTAS}); list fewer values`);
      }
    },
  ]);
  return subscribe(queue as sqs.Queue, topic, options);
}

/**
 * What aws-cdk-lib's SqsSubscription writes, without the stack dependency it adds, which a queue in a workload's own
 * nested stack cannot take on the platform's stack (its parent): the queue's policy and key admit SNS from this topic
 * only, and the subscription waits for the policy so that no first message is refused.
 */
function subscribe(queue: sqs.Queue, topic: sns.ITopic, options: TopicSubscriptionOptions): sns.Subscription {
  const principal = new iam.ServicePrincipal('sns.amazonaws.com');
  const fromTopic = { ArnEquals: { 'aws:SourceArn': topic.topicArn } };
  const { policyDependable } = queue.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['sqs:SendMessage'], principals: [principal], resources: [queue.queueArn], conditions: fromTopic,
  }));
  queue.encryptionMasterKey?.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'], principals: [principal], resources: ['*'], conditions: fromTopic,
  }));
  const subscription = new sns.Subscription(queue, Names.nodeUniqueId(topic.node), {
    topic,
    endpoint: queue.queueArn,
    protocol: sns.SubscriptionProtocol.SQS,
    filterPolicy: options.filterPolicy,
    rawMessageDelivery: options.rawMessageDelivery ?? false,
  });
  if (policyDependable) subscription.node.addDependency(policyDependable);
  return subscription;
}

/** The subscriptions with a filter policy to `topic` in the app of `scope`, counted at synth (the same token in every stack). */
export function filterPoliciesOf(scope: IConstruct, topic: sns.ITopic): number {
  return scope.node.root.node.findAll()
    .filter(c => c instanceof sns.CfnSubscription && c.filterPolicy !== undefined && c.topicArn === topic.topicArn)
    .length;
}
