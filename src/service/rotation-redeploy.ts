import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { anyOccurrenceAlarm, notify } from '../private/alarms';
import { acknowledge, inlinePolicyAcknowledgements, smallFunctionAcknowledgements } from '../private/compliance';
import { createLogGroup } from '../private/log-group';
import { invalidProp } from '../private/validation';

/**
 * Source of the function that redeploys one ECS service after a secret its tasks read at start changed. Plain
 * JavaScript for the Node.js runtime, shipped inline (no asset) and evaluated as a module by its unit test, which
 * hands it a fake `require`. The AWS SDK v3 ECS client ships with the runtime.
 *
 * One UpdateService call with `forceNewDeployment`: ECS starts a deployment of the service's current task definition
 * under the service's own strategy, so the circuit breaker (rolling) or the smoke test, bake time and rollback alarms
 * (blue/green) guard it like any other. A failed call throws: the function's error alarm pages, and Lambda retries
 * the event twice. One JSON line logs the secret, its new version and the deployment started.
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
  const { ECSClient, UpdateServiceCommand } = require('@aws-sdk/client-ecs');
  const client = new ECSClient({});
  const changed = { secret: event && event.resources && event.resources[0], versionId: event && event.detail && event.detail.versionId };
  try {
    const result = await redeploy(process.env.CLUSTER_ARN, process.env.SERVICE_NAME, input => client.send(new UpdateServiceCommand(input)));
    console.log(JSON.stringify({ ...changed, ...result }));
    return result;
  } catch (error) {
    console.log(JSON.stringify({ ...changed, service: process.env.SERVICE_NAME, error: String(error && error.name) + ': ' + String(error && error.message) }));
    throw error;
  }
};
`;

/** What a service's rotation redeploy needs: the service, where its function logs, where its alarm goes. */
/** The secret given to `redeployOnRotation`, checked before use: from plain JavaScript it may be anything. */
export function validateRedeployedSecret(scope: IConstruct, secret: secretsmanager.ISecret): void {
  const arn = (secret as Partial<secretsmanager.ISecret> | undefined)?.secretArn;
  if (typeof secret !== 'object' || secret === null || typeof arn !== 'string') {
    invalidProp(scope, 'redeployOnRotation(secret)', secret, 'give an ISecret, e.g. secretsmanager.Secret.fromSecretNameV2(this, \'StripeKey\', \'stripe/key\')');
  }
}

export interface RotationRedeployProps {
  readonly service: ecs.FargateService;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
  /** Topic of the function's error alarm; without one the alarm is left for the caller to route. */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The private part that redeploys a service (forces a new deployment) whenever a secret its tasks read at start gets
 * a new current value: after a successful rotation or a value set by hand (docs/adr/0010). One EventBridge rule per
 * secret on Secrets Manager's native `Secret Label Updated` event for the `AWSCURRENT` label (no CloudTrail trail
 * needed; AWSPENDING moves during a rotation are not sent, so a half-finished rotation never redeploys), one small
 * function allowed `ecs:UpdateService` on this one service, and an alarm on the function's errors.
 */
export class RotationRedeploy extends Construct {
  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  /** The function failed: a secret changed and the service still runs with the old value. */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** The rule of each watched secret, in the order they were added. */
  public readonly rules: events.Rule[] = [];
  private readonly watched: secretsmanager.ISecret[] = [];

  constructor(scope: Construct, id: string, props: RotationRedeployProps) {
    super(scope, id);
    this.logGroup = createLogGroup(this, 'LogGroup', props.logRetention, props.logEncryptionKey);
    this.function = new lambda.Function(this, 'Function', {
      description: 'Redeploys the ECS service after a secret its tasks read at start changed (rotation or manual update)',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(ROTATION_REDEPLOY_SOURCE),
      timeout: Duration.seconds(30),
      memorySize: 128,
      logGroup: this.logGroup,
      environment: { CLUSTER_ARN: props.service.cluster.clusterArn, SERVICE_NAME: props.service.serviceName },
    });
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [props.service.serviceArn] }));
    this.errorsAlarm = notify(anyOccurrenceAlarm(this, 'ErrorsAlarm',
      'A secret the service reads at task start changed, but forcing its new deployment failed: tasks still run with the old value',
      this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })), props.alarmTopic);
    this.acknowledgeFindings();
  }

  /** Redeploy the service when the secret's current value changes; a secret watched twice gets one rule. */
  public watch(secret: secretsmanager.ISecret): void {
    if (this.watched.includes(secret)) return;
    this.watched.push(secret);
    const rule = new events.Rule(this, `Secret${this.watched.length}Rule`, {
      description: 'A secret the service reads at task start has a new AWSCURRENT value: force a new deployment',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['Secret Label Updated'],
        // A secret imported by name has no full ARN (its suffix is unknown): match its name, unique in the account and region.
        ...(secret.secretFullArn
          ? { resources: [secret.secretFullArn], detail: { labelUpdated: ['AWSCURRENT'] } }
          : { detail: { labelUpdated: ['AWSCURRENT'], name: [secret.secretName] } }),
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });
    this.rules.push(rule);
  }

  private acknowledgeFindings(): void {
    const managed = 'The AWS managed basic execution policy (CloudWatch Logs) is the least privilege a Lambda function needs and follows AWS\'s changes.';
    acknowledge(this.function.role!, [
      { id: 'AwsSolutions-IAM4', reason: managed, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
    ], { recursive: true });
    const inline = 'ecs:UpdateService on this one service: a managed policy for it would outlive the service.';
    acknowledge(this.function.role!, inlinePolicyAcknowledgements(inline), { recursive: true });
    const vpc = 'It calls only the ECS API (UpdateService) and reaches no resource in the VPC.';
    const concurrency = 'It runs once per changed secret; reserving concurrency would take from the account\'s unreserved pool (and fails in accounts at the minimum).';
    const dlq = 'A failed redeploy raises the function\'s error alarm after Lambda\'s retries; the event itself holds nothing to replay (the next deployment reads the new value anyway).';
    acknowledge(this.function, smallFunctionAcknowledgements({ vpc, concurrency, dlq }));
  }
}
