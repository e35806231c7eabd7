import { CfnResource, CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

const SNS_PRINCIPAL = 'sns.amazonaws.com';
const FILTER_POLICY_CONSTRAINTS = 'https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html';

/** The SQS subscriptions of a template with the queue in the same template they deliver to. */
function sqsSubscriptions(template: CfnTemplate): Array<[string, CfnResource, string | undefined]> {
  return resourcesOfType(template, 'AWS::SNS::Subscription')
    .filter(([, s]) => s.Properties?.Protocol === 'sqs')
    .map(([id, s]) => [id, s, referencedId(s.Properties?.Endpoint)]);
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const hasAction = (statement: any, action: string) => listOf(statement.Action).some(a => a === action || a === '*'
  || (typeof a === 'string' && a.endsWith('*') && action.startsWith(a.slice(0, -1))));

export const snsToSqsQueuePolicyAdmitsTopic: TemplateRule = {
  id: 'sns-to-sqs-queue-policy-admits-topic',
  phase: 'create',
  rule: 'SNS delivers to an SQS queue only if the queue\'s policy allows sns.amazonaws.com sqs:SendMessage for that topic (aws:SourceArn); '
    + 'without it the subscription is created and confirmed, and every message is silently dropped.',
  source: 'https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html',
  check(template) {
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
    return sqsSubscriptions(template).flatMap(([id, subscription, queueId]) => {
      if (!queueId || template.Resources?.[queueId]?.Type !== 'AWS::SQS::Queue') return [];
      const topic = subscription.Properties.TopicArn;
      const admitted = policies.some(([, policy]) => listOf(policy.Properties?.Queues).some(q => referencedId(q) === queueId)
        && listOf(policy.Properties?.PolicyDocument?.Statement).some((s: any) => s.Effect === 'Allow'
          && listOf(s.Principal?.Service).includes(SNS_PRINCIPAL) && hasAction(s, 'sqs:SendMessage')
          && same(s.Condition?.ArnEquals?.['aws:SourceArn'] ?? s.Condition?.ArnLike?.['aws:SourceArn'], topic)));
      return admitted ? [] : [`${id}: the policy of queue ${queueId} does not let SNS send from topic ${JSON.stringify(topic)}`];
    });
  },
  counterexample: {
    Resources: {
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Sub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'sqs', TopicArn: { Ref: 'Topic' }, Endpoint: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
    },
  },
};

export const snsToEncryptedSqsCanUseQueueKey: TemplateRule = {
  id: 'sns-to-encrypted-sqs-can-use-queue-key',
  phase: 'create',
  rule: 'SNS writes to a KMS-encrypted queue only if the queue key\'s policy allows sns.amazonaws.com kms:GenerateDataKey and kms:Decrypt; '
    + 'the AWS managed key of SQS (alias/aws/sqs) cannot allow it, and deliveries fail with KMS.AccessDeniedException while the deploy succeeds.',
  source: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html',
  check(template) {
    const resources = template.Resources ?? {};
    return sqsSubscriptions(template).flatMap(([id, , queueId]) => {
      const queue = resources[queueId ?? ''];
      const keyRef = queue?.Type === 'AWS::SQS::Queue' ? queue.Properties?.KmsMasterKeyId : undefined;
      if (keyRef === undefined) return [];
      if (typeof keyRef === 'string' && keyRef.includes('alias/aws/sqs')) return [`${id}: queue ${queueId} is encrypted with alias/aws/sqs, which SNS cannot use`];
      const key = resources[referencedId(keyRef) ?? ''];
      if (key?.Type !== 'AWS::KMS::Key') return [];
      const allows = (action: string) => listOf(key.Properties?.KeyPolicy?.Statement).some((s: any) => s.Effect === 'Allow'
        && listOf(s.Principal?.Service).includes(SNS_PRINCIPAL) && hasAction(s, action));
      return ['kms:GenerateDataKey', 'kms:Decrypt'].filter(action => !allows(action))
        .map(action => `${id}: the key of queue ${queueId} does not allow SNS ${action}`);
    });
  },
  counterexample: {
    Resources: {
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] } } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
      Sub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'sqs', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Endpoint: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
    },
  },
};

export const snsPublishersCanUseTopicKey: TemplateRule = {
  id: 'sns-publishers-can-use-topic-key',
  phase: 'create',
  rule: 'A principal publishing to a KMS-encrypted topic needs kms:GenerateDataKey* and kms:Decrypt on the topic\'s key besides sns:Publish; '
    + 'without them Publish fails with KMS.AccessDeniedException at run time, not at deploy.',
  source: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html',
  check(template) {
    const resources = template.Resources ?? {};
    return resourcesOfType(template, 'AWS::IAM::Policy').flatMap(([id, policy]) => {
      const granted: any[] = listOf(policy.Properties?.PolicyDocument?.Statement).filter((s: any) => s.Effect === 'Allow');
      return granted.filter(s => hasAction(s, 'sns:Publish')).flatMap((s: any) => listOf(s.Resource).flatMap(topicRef => {
        const topic = resources[referencedId(topicRef) ?? ''];
        const keyRef = topic?.Type === 'AWS::SNS::Topic' ? topic.Properties?.KmsMasterKeyId : undefined;
        if (keyRef === undefined || typeof keyRef === 'string') return [];
        return ['kms:GenerateDataKey', 'kms:Decrypt']
          .filter(action => !granted.some(k => hasAction(k, action) && listOf(k.Resource).some(r => r === '*' || same(r, keyRef))))
          .map(action => `${id} may publish to ${referencedId(topicRef)} but not ${action} with its key`);
      }));
    });
  },
  counterexample: {
    Resources: {
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
      Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic' } }] } } },
    },
  },
};

export const snsFilterPoliciesWithinQuotas: TemplateRule = {
  id: 'sns-filter-policies-within-quotas',
  phase: 'create',
  rule: 'A filter policy has at most 5 attributes, 150 combinations of values and 256 KB; a topic holds at most 200 filter policies by default '
    + '(10,000 per account): SNS refuses the Subscribe or SetSubscriptionAttributes call past that, failing the deploy.',
  source: FILTER_POLICY_CONSTRAINTS,
  check(template) {
    const perTopic = new Map<string, number>();
    const findings = resourcesOfType(template, 'AWS::SNS::Subscription').flatMap(([id, s]) => {
      const policy = s.Properties?.FilterPolicy;
      if (policy === undefined || typeof policy !== 'object') return [];
      const topic = JSON.stringify(s.Properties.TopicArn);
      perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
      const combinations = Object.values<unknown>(policy).reduce<number>((product, values) => product * Math.max(listOf(values).length, 1), 1);
      return [
        ...(Object.keys(policy).length > 5 ? [`${id}: its filter policy has ${Object.keys(policy).length} attributes, over 5`] : []),
        ...(combinations > 150 ? [`${id}: its filter policy has ${combinations} combinations of values, over 150`] : []),
        ...(JSON.stringify(policy).length > 256 * 1024 ? [`${id}: its filter policy is over 256 KB`] : []),
      ];
    });
    const full = [...perTopic].filter(([, count]) => count > 200).map(([topic, count]) => `topic ${topic} has ${count} filter policies, over 200`);
    return [...findings, ...full];
  },
  counterexample: {
    Resources: {
      Sub: {
        Type: 'AWS::SNS::Subscription',
        Properties: { Protocol: 'sqs', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Endpoint: 'arn:aws:sqs:eu-west-1:123456789012:q', FilterPolicy: { a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] } },
      },
    },
  },
};
