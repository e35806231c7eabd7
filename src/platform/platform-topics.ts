import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PlatformTopicSubscription } from './platform-options';
import { IContainerConnection } from '../data/container-connection';
import { acknowledge } from '../private/compliance';
import { checkAll } from '../private/errors';
import { createKey } from '../private/kms';
import { pascal } from '../private/naming';
import { FILTER_POLICY_QUOTAS, MAX_FILTER_POLICIES_PER_TOPIC } from '../private/quotas';
import { invalidProp, isToken, validateUnique } from '../private/validation';
import { filterPoliciesOf, subscribeQueue } from '../workers/topic-subscription';
import { WorkerService } from '../workers/worker-service';

const TOPIC_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The environment a publisher receives (the topics' ARNs) and its grant. */
export interface TopicPublisher extends IContainerConnection {
  grantPublish(taskRole: iam.IRole): void;
}

/** The variable holding a topic's ARN: `orders` and `ordersTopic` give `ORDERS_TOPIC_ARN`, `order-events` `ORDER_EVENTS_TOPIC_ARN`. */
export function topicArnVariable(name: string): string {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase().replace(/_TOPIC$/, '');
  return `${snake}_TOPIC_ARN`;
}

/**
 * The platform's SNS topics, one per name a workload publishes to, created on first use under `Topics`: KMS-encrypted
 * (the profile's key choice), TLS-only, with a name CloudFormation generates (docs/adr/0020). A publisher gets
 * `sns:Publish` on its topics only and each ARN in `<NAME>_TOPIC_ARN`; a worker's queue subscribes with a filter policy.
 */
export class PlatformTopics extends Construct {
  private readonly byName = new Map<string, sns.Topic>();
  private readonly published = new Set<string>();
  private readonly subscribed: Array<{ readonly prop: string; readonly topic: string }> = [];
  private key?: kms.IKey;

  constructor(scope: Construct, id: string, private readonly sharedKey: kms.IKey | undefined) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.refuseUnpublishedAndOverfull() });
  }

  /** The topics created so far, by name. */
  public get topics(): { [name: string]: sns.Topic } {
    return Object.fromEntries(this.byName);
  }

  /**
   * What a workload publishing to `names` receives: each topic's ARN in its environment, and `sns:Publish` (with the
   * key's data-key actions) on those topics only, granted by `allowFrom`.
   */
  public publisher(prop: string, names: string[] | undefined): TopicPublisher | undefined {
    if (names === undefined) return undefined;
    checkAll([
      () => validateUnique(this, prop, names),
      ...names.map((name, i) => () => this.validateName(`${prop}[${i}]`, name)),
      () => validateUnique(this, `${prop} (their variables)`, [...new Set(names)].map(topicArnVariable)),
    ]);
    const topics = names.map(name => this.topic(name));
    names.forEach(name => this.published.add(name));
    return {
      containerEnvironment: Object.fromEntries(names.map((name, i) => [topicArnVariable(name), topics[i].topicArn])),
      containerSecrets: {},
      allowFrom: () => {},
      grantPublish: taskRole => {
        topics.forEach(topic => topic.grantPublish(taskRole));
        acknowledge(taskRole, [{
          id: 'AwsSolutions-IAM5',
          reason: 'kms:GenerateDataKey* on the topics\' key only: the data-key actions SNS documents for publishers to an encrypted topic.',
          appliesTo: ['Action::kms:GenerateDataKey*'],
        }], { recursive: true });
      },
    };
  }

  /** Subscribes the worker's queue to each named topic; a name no workload publishes is refused at synth. */
  public subscribe(prop: string, worker: WorkerService, subscriptions: PlatformTopicSubscription[] | undefined): void {
    if (subscriptions === undefined) return;
    checkAll([
      () => { if (!worker.queue) invalidProp(this, prop, 'PlatformTopicSubscription[]', 'a worker receives a topic\'s messages in its queue; add queue: {}'); },
      () => validateUnique(this, `${prop}[].topic`, subscriptions.map(s => s.topic)),
      ...subscriptions.map((s, i) => () => this.validateName(`${prop}[${i}].topic`, s.topic)),
    ]);
    subscriptions.forEach(({ topic, ...options }, i) => {
      this.subscribed.push({ prop: `${prop}[${i}].topic`, topic });
      subscribeQueue(this, `${prop}[${i}]`, worker.queue!, this.topic(topic), options);
    });
  }

  private topic(name: string): sns.Topic {
    const existing = this.byName.get(name);
    if (existing) return existing;
    const topic = new sns.Topic(this, pascal(name), {
      displayName: name,
      masterKey: this.topicKey(),
      enforceSSL: true,
    });
    this.byName.set(name, topic);
    return topic;
  }

  /** The profile's shared key, or one key for all of the platform's topics (SNS's AWS managed key admits no other service). */
  private topicKey(): kms.IKey {
    this.key ??= this.sharedKey ?? createKey(this, 'Key', 'Backend platform topics');
    return this.key;
  }

  private validateName(prop: string, name: string): void {
    if (isToken(name)) invalidProp(this, prop, name, 'a topic name is part of construct IDs and variable names; give it as text');
    if (typeof name !== 'string' || !TOPIC_NAME.test(name)) {
      invalidProp(this, prop, name, 'use 1-64 letters, digits, hyphens or underscores, starting with a letter (e.g. "orders")');
    }
    const taken = [...this.byName.keys()].find(other => other !== name && pascal(other) === pascal(name));
    if (taken) invalidProp(this, prop, name, `it names the same topic as "${taken}" once hyphens and underscores are dropped; use "${taken}" or another name`);
  }

  private refuseUnpublishedAndOverfull(): string[] {
    checkAll([
      ...this.subscribed.map(({ prop, topic }) => () => {
        if (!this.published.has(topic)) {
          invalidProp(this, prop, topic, `no workload of the platform publishes this topic; add publishes: ['${topic}'] to the one that does, or subscribe your own topic with worker.subscribe(topic)`);
        }
      }),
      ...[...this.byName].map(([name, topic]) => () => {
        const policies = filterPoliciesOf(this, topic);
        if (policies > MAX_FILTER_POLICIES_PER_TOPIC) {
          invalidProp(this, `topic ${name}`, `${policies} filter policies`, `SNS holds at most ${MAX_FILTER_POLICIES_PER_TOPIC} filter policies per topic by default (${FILTER_POLICY_QUOTAS}); raise the quota first or subscribe fewer queues with a filter`);
        }
      }),
    ]);
    return [];
  }
}
