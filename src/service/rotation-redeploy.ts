import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { anyOccurrenceAlarm } from '../private/alarms';
import { acknowledge, BASIC_EXECUTION_POLICY_ACKNOWLEDGEMENT, inlinePolicyAcknowledgements, smallFunctionAcknowledgements } from '../private/compliance';
import { createLogGroup } from '../private/log-group';
import { SharedByCluster } from '../private/shared-by-cluster';
import { invalidProp } from '../private/validation';

/**
 * Source of the function that redeploys ECS services after a secret their tasks read at start changed. Plain
 * JavaScript for the Node.js runtime, shipped inline (no asset) and evaluated as a module by its unit test, which
 * hands it a fake `require`. The AWS SDK v3 ECS client ships with the runtime.
 *
 * One function serves every workload of a platform: each workload's rule passes its cluster and service as the
 * event (an input transformer, constant but for the secret and its version), so the function holds no list of
 * services and a secret change redeploys exactly the services whose rules matched. One UpdateService call with
 * `forceNewDeployment`: ECS starts a deployment of the service's current task definition under the service's own
 * strategy, so the circuit breaker (rolling) or the smoke test, bake time and rollback alarms (blue/green) guard it
 * like any other. A failed call throws: the function's error alarm pages, and Lambda retries the event twice. One
 * JSON line logs the service, the secret, its new version and the deployment started.
 */
export const ROTATION_REDEPLOY_SOURCE = `'use strict';
async function redeploy(cluster, service, updateService) {
  const response = await updateService({ cluster, service, forceNewDeployment: true });
  const deployments = (response && response.service && response.service.deployments) || [];
  const primary = deployments.find(d => d.status === 'PRIMARY') || {};
  return { cluster, service, deploymentId: primary.id };
}
exports.redeploy = redeploy;
exports.handler = async (event) => {
  const { cluster, service, secret, versionId } = event || {};
  if (typeof cluster !== 'string' || typeof service !== 'string') {
    throw new Error('The event names no cluster and service: only the rules of the workloads invoke this function, with both');
  }
  const { ECSClient, UpdateServiceCommand } = require('@aws-sdk/client-ecs');
  const client = new ECSClient({});
  try {
    const result = await redeploy(cluster, service, input => client.send(new UpdateServiceCommand(input)));
    console.log(JSON.stringify({ secret, versionId, ...result }));
    return result;
  } catch (error) {
    console.log(JSON.stringify({ secret, versionId, cluster, service, error: String(error && error.name) + ': ' + String(error && error.message) }));
    throw error;
  }
};
`;

/** The secret given to `redeployOnRotation`, checked before use: from plain JavaScript it may be anything. */
export function validateRedeployedSecret(scope: IConstruct, secret: secretsmanager.ISecret): void {
  const arn = (secret as Partial<secretsmanager.ISecret> | undefined)?.secretArn;
  if (typeof secret !== 'object' || secret === null || typeof arn !== 'string') {
    invalidProp(scope, 'redeployOnRotation(secret)', secret, 'give an ISecret, e.g. secretsmanager.Secret.fromSecretNameV2(this, \'StripeKey\', \'stripe/key\')');
  }
}

/** Where a redeploy function logs and what it may update. */
export interface RedeployFunctionProps {
  /** The services it may update: every service of this cluster (a platform's shared function)... */
  readonly cluster?: ecs.ICluster;
  /** ... or this one service (a standalone workload's own function). */
  readonly service?: ecs.FargateService;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * The function that forces new deployments after secret changes, its log group and its errors alarm (routed by the
 * caller: a standalone workload adds it to its alarms, a platform to its topic). Its children are created directly
 * in `scope` (`Function`, `LogGroup`, `ErrorsAlarm`), the IDs a workload's own function always had.
 */
export class RedeployFunction {
  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  /** The function failed: a secret changed and a service still runs with the old value (its log names which). */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** The rules that invoke it, one Lambda permission each (the function's resource policy is bounded, docs/adr/0016). */
  public readonly invokers: events.Rule[] = [];

  constructor(scope: Construct, props: RedeployFunctionProps) {
    this.logGroup = createLogGroup(scope, 'LogGroup', props.logRetention, props.logEncryptionKey);
    this.function = new lambda.Function(scope, 'Function', {
      description: 'Redeploys the ECS service its rule names after a secret the service\'s tasks read at start changed (rotation or manual update)',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(ROTATION_REDEPLOY_SOURCE),
      timeout: Duration.seconds(30),
      memorySize: 128,
      logGroup: this.logGroup,
    });
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [updatableServices(props)] }));
    this.errorsAlarm = anyOccurrenceAlarm(scope, 'ErrorsAlarm',
      'A secret a service reads at task start changed, but forcing its new deployment failed: tasks still run with the old value (the function\'s log names the service)',
      this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }));
    this.acknowledgeFindings(props.cluster !== undefined);
  }

  private acknowledgeFindings(wholeCluster: boolean): void {
    const role = this.function.role!;
    acknowledge(role, [BASIC_EXECUTION_POLICY_ACKNOWLEDGEMENT], { recursive: true });
    const inline = wholeCluster
      ? 'ecs:UpdateService on the services of the platform\'s cluster: a managed policy for it would outlive the platform.'
      : 'ecs:UpdateService on this one service: a managed policy for it would outlive the service.';
    acknowledge(role, inlinePolicyAcknowledgements(inline), { recursive: true });
    if (wholeCluster) {
      acknowledge(role, [{
        id: 'AwsSolutions-IAM5',
        reason: 'ecs:UpdateService on the services of the platform\'s own cluster only (service/<cluster>/*): the workloads in stacks of their own cannot name their services in this stack\'s policy without a dependency cycle, and each rule passes the one service it redeploys (docs/adr/0016).',
        appliesTo: ['/^Resource::arn:<AWS::Partition>:ecs:(<AWS::Region>|[^:]+):(<AWS::AccountId>|[^:]+):service/<[^>]*Cluster[^>]*>/\\*$/'],
      }], { recursive: true });
    }
    const vpc = 'It calls only the ECS API (UpdateService) and reaches no resource in the VPC.';
    const concurrency = 'It runs once per changed secret and service; reserving concurrency would take from the account\'s unreserved pool (and fails in accounts at the minimum).';
    const dlq = 'A failed redeploy raises the function\'s error alarm after Lambda\'s retries; the event itself holds nothing to replay (the next deployment reads the new value anyway).';
    acknowledge(this.function, smallFunctionAcknowledgements({ vpc, concurrency, dlq }));
  }
}

/** `ecs:UpdateService`'s resource: the one service, or every service of the cluster (service ARNs name their cluster). */
function updatableServices(props: RedeployFunctionProps): string {
  if (props.service) return props.service.serviceArn;
  return Stack.of(props.cluster!).formatArn({
    service: 'ecs', resource: 'service', resourceName: `${props.cluster!.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

const sharedFunctions = new SharedByCluster<RedeployFunction>();

/**
 * Makes `provide`'s function (created under `owner`) the one that redeploys every service of `cluster` built in the
 * stack of `owner` or in a stack nested below it. `BackendPlatform` shares one function per platform (docs/adr/0016).
 */
export function shareRedeployFunction(cluster: ecs.ICluster, owner: Construct, provide: () => RedeployFunction): void {
  sharedFunctions.share(cluster, owner, provide);
}

/** What a service's rotation redeploy needs: the service, and where its own function logs (when no function is shared). */
export interface RotationRedeployProps {
  readonly service: ecs.FargateService;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * The private part that redeploys a service (forces a new deployment) whenever a secret its tasks read at start gets
 * a new current value: after a successful rotation or a value set by hand (docs/adr/0010). One EventBridge rule on
 * Secrets Manager's native `Secret Label Updated` event for the `AWSCURRENT` label of any of its secrets (no
 * CloudTrail trail needed; AWSPENDING moves during a rotation are not sent, so a half-finished rotation never
 * redeploys), a second one for secrets known only by name. Each rule invokes the platform's shared function with
 * this service's cluster and name (docs/adr/0016); a service outside a platform gets a function of its own, allowed
 * `ecs:UpdateService` on this one service.
 */
export class RotationRedeploy extends Construct {
  public readonly redeployFunction: RedeployFunction;
  /** Whether the function is this service's own (its errors alarm is then the service's to route). */
  public readonly ownsFunction: boolean;
  private readonly service: ecs.FargateService;
  private readonly watched: secretsmanager.ISecret[] = [];
  private byArn?: events.Rule;
  private byName?: events.Rule;

  constructor(scope: Construct, id: string, props: RotationRedeployProps) {
    super(scope, id);
    this.service = props.service;
    const shared = sharedFunctions.for(props.service.cluster, props.service);
    this.ownsFunction = shared === undefined;
    this.redeployFunction = shared
      ?? new RedeployFunction(this, { service: props.service, logRetention: props.logRetention, logEncryptionKey: props.logEncryptionKey });
  }

  /** The rules of the watched secrets: one for those with a full ARN, one for those known by name. */
  public get rules(): events.Rule[] {
    return [this.byArn, this.byName].filter((rule): rule is events.Rule => rule !== undefined);
  }

  /** Redeploy the service when the secret's current value changes; a secret watched twice is matched once. */
  public watch(secret: secretsmanager.ISecret): void {
    if (this.watched.includes(secret)) return;
    this.watched.push(secret);
    // A secret imported by name has no full ARN (its suffix is unknown): match its name, unique in the account and region.
    if (secret.secretFullArn) {
      this.byArn = this.match(this.byArn, 'SecretChangedRule', { resources: [secret.secretFullArn], detail: { labelUpdated: ['AWSCURRENT'] } });
    } else {
      this.byName = this.match(this.byName, 'NamedSecretChangedRule', { detail: { labelUpdated: ['AWSCURRENT'], name: [secret.secretName] } });
    }
  }

  /** Adds the secret's pattern to the rule (EventBridge matches any value of a list), creating the rule the first time. */
  private match(rule: events.Rule | undefined, id: string, pattern: events.EventPattern): events.Rule {
    if (rule) {
      rule.addEventPattern(pattern);
      return rule;
    }
    const created = new events.Rule(this, id, {
      description: 'A secret the service reads at task start has a new AWSCURRENT value: force a new deployment',
      eventPattern: { source: ['aws.secretsmanager'], detailType: ['Secret Label Updated'], ...pattern },
      targets: [new targets.LambdaFunction(this.redeployFunction.function, {
        event: events.RuleTargetInput.fromObject({
          cluster: this.service.cluster.clusterArn,
          service: this.service.serviceName,
          secret: events.EventField.fromPath('$.resources[0]'),
          versionId: events.EventField.fromPath('$.detail.versionId'),
        }),
        retryAttempts: 4,
        maxEventAge: Duration.hours(6),
      })],
    });
    this.redeployFunction.invokers.push(created);
    return created;
  }
}
