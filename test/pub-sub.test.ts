import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { givenStack } from './fixtures';
import { BackendPlatform, BackendPlatformProps, EnvironmentProfile, ServiceImage, WorkerService, WorkerServiceProps } from '../src';

const resources = (template: Template, type: string) => Object.entries<any>(template.findResources(type));
const statements = (template: Template) => resources(template, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

/** A platform whose web service publishes `orders`, and a worker of it subscribed with a filter policy. */
function platformWith(extend: (platform: BackendPlatform) => void = () => {}, props: Partial<BackendPlatformProps> = {}) {
  const stack = new Stack(new App(), 'Shop');
  const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', alarmEmails: ['ops@example.com'], ...props });
  extend(platform);
  return { platform, stack, template: Template.fromStack(stack) };
}

const ordersAndFulfilment = (platform: BackendPlatform) => {
  platform.addWorker('Fulfilment', {
    queue: {},
    subscriptions: [{ topic: 'orders', filterPolicy: { event: sns.SubscriptionFilter.stringFilter({ allowlist: ['placed', 'paid'] }) }, rawMessageDelivery: true }],
  });
};

describe('GIVEN a web service that publishes a topic and a queue worker that subscribes to it with a filter policy', () => {
  const { template, platform } = platformWith(ordersAndFulfilment, { service: { publishes: ['orders'] } });

  test('THEN the platform creates one topic, encrypted with a key of its own in production, TLS-only, with a generated name', () => {
    const topics = resources(template, 'AWS::SNS::Topic').filter(([id]) => id.startsWith('BackendTopics'));
    expect(topics).toHaveLength(1);
    const [[topicId, topic]] = topics;
    expect(topicId).toMatch(/^BackendTopicsOrders[0-9A-F]{8}$/);
    expect(topic.Properties.TopicName).toBeUndefined();
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackendTopicsKey[0-9A-F]{8}$/), 'Arn'] });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    expect(platform.topics.orders).toBeDefined();
  });

  test('THEN the web service gets ORDERS_TOPIC_ARN and sns:Publish on that topic only, with the key\'s data-key actions', () => {
    const [, web] = resources(template, 'AWS::ECS::TaskDefinition').find(([id]) => /^BackendServiceTaskDefinition/.test(id))!;
    const app = web.Properties.ContainerDefinitions.find((c: any) => c.Name === 'app');
    expect(app.Environment).toEqual(expect.arrayContaining([{ Name: 'ORDERS_TOPIC_ARN', Value: { Ref: expect.stringMatching(/^BackendTopicsOrders/) } }]));
    const publish = statements(template).filter((s: any) => [s.Action].flat().includes('sns:Publish') && s.Effect === 'Allow');
    expect(publish).toEqual([expect.objectContaining({ Resource: { Ref: expect.stringMatching(/^BackendTopicsOrders/) } })]);
    const keyUse = statements(template).filter((s: any) => [s.Action].flat().includes('kms:GenerateDataKey*')
      && JSON.stringify(s.Resource).includes('BackendTopicsKey'));
    expect(keyUse).toHaveLength(1);
    // The worker only consumes: it may not publish.
    const fulfilmentPolicies = resources(template, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('BackendFulfilment'));
    expect(JSON.stringify(fulfilmentPolicies)).not.toContain('sns:Publish');
  });

  test('THEN the worker\'s queue subscribes with the filter policy and raw delivery, and its policy admits SNS from that topic only', () => {
    const [[, subscription]] = resources(template, 'AWS::SNS::Subscription').filter(([id]) => id.startsWith('BackendFulfilment'));
    expect(subscription.Properties).toEqual({
      Protocol: 'sqs',
      TopicArn: { Ref: expect.stringMatching(/^BackendTopicsOrders/) },
      Endpoint: { 'Fn::GetAtt': [expect.stringMatching(/^BackendFulfilmentQueue/), 'Arn'] },
      FilterPolicy: { event: ['placed', 'paid'] },
      RawMessageDelivery: true,
    });
    const [[, policy]] = resources(template, 'AWS::SQS::QueuePolicy').filter(([id]) => id.startsWith('BackendFulfilmentQueuePolicy'));
    const fromSns = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Principal?.Service === 'sns.amazonaws.com');
    expect(fromSns).toEqual([expect.objectContaining({
      Effect: 'Allow', Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': { Ref: expect.stringMatching(/^BackendTopicsOrders/) } } },
    })]);
  });
});

test('GIVEN the development profile THEN topics share the platform\'s key (no key of their own)', () => {
  const { template } = platformWith(ordersAndFulfilment, { profile: EnvironmentProfile.DEVELOPMENT, service: { publishes: ['orders'] } });
  expect(resources(template, 'AWS::KMS::Key').filter(([id]) => id.startsWith('BackendTopics'))).toEqual([]);
  const [[, topic]] = resources(template, 'AWS::SNS::Topic').filter(([id]) => id.startsWith('BackendTopics'));
  expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackendLogsKey/), 'Arn'] });
});

test('GIVEN publishers of several kinds THEN each gets its own topics\' variables and grants, one topic per name', () => {
  const { template } = platformWith(platform => {
    platform.addWorker('Billing', { queue: {}, publishes: ['invoices', 'orderEvents'] });
    platform.addScheduledJob('Nightly', { command: ['node', 'nightly.js'], taskType: 'NIGHTLY', publishes: ['invoices'] });
    platform.addService('Admin', { pathPatterns: ['/admin/*'], publishes: ['order-events-v2'] });
  });
  const topics = resources(template, 'AWS::SNS::Topic').filter(([id]) => id.startsWith('BackendTopics')).map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
  expect(topics.sort()).toEqual(['BackendTopicsInvoices', 'BackendTopicsOrderEvents', 'BackendTopicsOrderEventsV2']);
  const variables = (prefix: RegExp) => resources(template, 'AWS::ECS::TaskDefinition').find(([id]) => prefix.test(id))![1]
    .Properties.ContainerDefinitions[0].Environment.map((e: any) => e.Name).filter((n: string) => n.endsWith('_TOPIC_ARN')).sort();
  expect(variables(/^BackendBilling/)).toEqual(['INVOICES_TOPIC_ARN', 'ORDER_EVENTS_TOPIC_ARN']);
  expect(variables(/^BackendNightly/)).toEqual(['INVOICES_TOPIC_ARN']);
  expect(variables(/^BackendAdmin/)).toEqual(['ORDER_EVENTS_V2_TOPIC_ARN']);
});

test('GIVEN a worker in a stack of its own THEN it subscribes to the platform\'s topic through a nested-stack parameter', () => {
  const { stack } = platformWith(platform => {
    platform.addWorker('Fulfilment', { queue: {}, ownStack: true, subscriptions: [{ topic: 'orders' }] });
  }, { service: { publishes: ['orders'] } });
  const nested = stack.node.findChild('Backend').node.findChild('Fulfilment') as Stack;
  const template = Template.fromStack(nested);
  const [[, subscription]] = resources(template, 'AWS::SNS::Subscription');
  expect(subscription.Properties.TopicArn).toEqual({ Ref: expect.stringMatching(/TopicsOrders/) });
  expect(subscription.Properties.FilterPolicy).toBeUndefined();
});

/** Standalone workers in one stack, on one cluster. */
function standalone() {
  const { stack, vpc, repository } = givenStack();
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const add = (id: string, props: Partial<WorkerServiceProps> = {}) => new WorkerService(stack, id, {
    cluster, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), queue: {}, ...props,
  });
  return { stack, add };
}

describe('GIVEN a standalone worker', () => {
  test('THEN subscribe(topic) subscribes its queue, and a customer-managed queue key lets SNS use it', () => {
    const { stack, add } = standalone();
    const built = add('Worker');
    const key = new kms.Key(stack, 'QueueKey');
    const own = add('OwnWorker', { queue: { queue: new sqs.Queue(stack, 'Own', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true }) } });
    const topic = new sns.Topic(stack, 'Events', { enforceSSL: true, masterKey: new kms.Key(stack, 'TopicKey') });
    built.subscribe(topic);
    own.subscribe(topic, { filterPolicy: { kind: sns.SubscriptionFilter.existsFilter() } });
    const template = Template.fromStack(stack);
    expect(resources(template, 'AWS::SNS::Subscription')).toHaveLength(2);
    const keyPolicy = resources(template, 'AWS::KMS::Key').find(([id]) => id.startsWith('QueueKey'))![1].Properties.KeyPolicy.Statement;
    expect(keyPolicy).toEqual(expect.arrayContaining([expect.objectContaining({
      Principal: { Service: 'sns.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    })]));
  });

  test('THEN an imported queue, an AWS-managed-key queue, an internal worker and a too-wide filter are refused by name', () => {
    const { stack, add } = standalone();
    const topic = new sns.Topic(stack, 'Events');
    const imported = add('ImportedWorker', { queue: { queue: sqs.Queue.fromQueueArn(stack, 'Imported', 'arn:aws:sqs:eu-west-1:123456789012:jobs') } });
    expect(() => imported.subscribe(topic)).toThrow(/invalid subscribe\(Events\) "TestStack\/Imported": the queue's policy must admit the topic/);
    const managed = add('ManagedWorker', { queue: { queue: new sqs.Queue(stack, 'Managed', { encryption: sqs.QueueEncryption.KMS_MANAGED }) } });
    expect(() => managed.subscribe(topic)).toThrow(/invalid subscribe\(Events\) "QueueEncryption.KMS_MANAGED": SNS cannot encrypt messages with the AWS managed key of SQS/);
    const internal = add('Internal', { queue: undefined, port: 8080 });
    expect(() => internal.subscribe(topic)).toThrow(/invalid queue undefined: a worker receives a topic's messages in its queue; give queue: \{\}/);
    const filters = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map(k => [k, sns.SubscriptionFilter.existsFilter()]));
    const wide = add('Wide');
    expect(() => wide.subscribe(topic, { filterPolicy: filters })).toThrow(/invalid subscribe\(Events\).filterPolicy \["a","b","c","d","e","f"\]: SNS allows at most 5 attributes/);
    const values = (n: number) => sns.SubscriptionFilter.stringFilter({ allowlist: Array.from({ length: n }, (_, i) => `v${i}`) });
    expect(() => wide.subscribe(topic, { filterPolicy: { a: values(13), b: values(12) } })).toThrow(/invalid subscribe\(Events\).filterPolicy "156 combinations of values": SNS allows at most 150/);
  });
});

describe('GIVEN bad publish and subscribe input to the platform', () => {
  test('THEN every problem is named after the call, all at once', () => {
    expect(() => platformWith(platform => platform.addWorker('Billing', { queue: {}, publishes: ['orders', 'orders', '1st', 'ordersTopic'] }))).toThrow([
      'Shop/Backend: invalid addWorker(\'Billing\').publishes "orders": another entry already uses it; every entry must be unique, rename one of the duplicates',
      'Shop/Backend: invalid addWorker(\'Billing\').publishes[2] "1st": use 1-64 letters, digits, hyphens or underscores, starting with a letter (e.g. "orders")',
      'Shop/Backend: invalid addWorker(\'Billing\').publishes (their variables) "ORDERS_TOPIC_ARN": another entry already uses it; every entry must be unique, rename one of the duplicates',
    ].join('\n'));
  });

  test('THEN a subscription without a queue, twice the same topic, or to a topic no workload publishes is refused', () => {
    expect(() => platformWith(platform => platform.addWorker('Reports', { port: 8080, subscriptions: [{ topic: 'orders' }, { topic: 'orders' }] }))).toThrow([
      'Shop/Backend: invalid addWorker(\'Reports\').subscriptions "PlatformTopicSubscription[]": a worker receives a topic\'s messages in its queue; add queue: {}',
      'Shop/Backend: invalid addWorker(\'Reports\').subscriptions[].topic "orders": another entry already uses it; every entry must be unique, rename one of the duplicates',
    ].join('\n'));
    expect(() => platformWith(ordersAndFulfilment)).toThrow(
      'Shop/Backend: invalid addWorker(\'Fulfilment\').subscriptions[0].topic "orders": no workload of the platform publishes this topic; add publishes: [\'orders\'] to the one that does, or subscribe your own topic with worker.subscribe(topic)');
  });

  test('THEN names that would collide in construct IDs are refused', () => {
    expect(() => platformWith(platform => {
      platform.addWorker('Billing', { queue: {}, publishes: ['order-events'] });
      platform.addWorker('Audit', { queue: {}, publishes: ['order_events'] });
    })).toThrow(/invalid addWorker\('Audit'\).publishes\[0\] "order_events": it names the same topic as "order-events"/);
  });
});

test('GIVEN a deployed platform WHEN a subscriber is added THEN neither the topic nor any queue is replaced or touched but the new ones', () => {
  const publisher = { service: { publishes: ['orders'] } };
  const before = platformWith(platform => platform.addWorker('Fulfilment', { queue: {}, subscriptions: [{ topic: 'orders' }] }), publisher).template.toJSON();
  const after = platformWith(platform => {
    platform.addWorker('Fulfilment', { queue: {}, subscriptions: [{ topic: 'orders' }] });
    platform.addWorker('Audit', { queue: {}, subscriptions: [{ topic: 'orders', filterPolicy: { event: sns.SubscriptionFilter.existsFilter() } }] });
  }, publisher).template.toJSON();
  const touched: string[] = [];
  fullDiff(before, after).resources.forEachDifference((id, change) => {
    if (before.Resources[id] && ['AWS::SNS::Topic', 'AWS::SQS::Queue', 'AWS::SNS::Subscription', 'AWS::SQS::QueuePolicy'].includes(change.resourceType ?? '')) {
      touched.push(`${id} ${change.changeImpact}`);
    }
  });
  expect(touched).toEqual([]);
  const diff = fullDiff(before, after).resources;
  const added: string[] = [];
  diff.forEachDifference((id, change) => { if (change.changeImpact === ResourceImpact.WILL_CREATE) added.push(change.resourceType ?? id); });
  expect(added).toEqual(expect.arrayContaining(['AWS::SNS::Subscription', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy']));
});
