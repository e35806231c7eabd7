import { Duration, Fn } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { addListenerRule } from './routes';
import { SMOKE_TEST_SOURCE } from './smoke-test';
import { anyOccurrenceAlarm, notify } from '../private/alarms';
import { acknowledge, inlinePolicyAcknowledgements } from '../private/compliance';
import { createLogGroup } from '../private/log-group';
import { addRollbackAlarms, ROLLS_BACK } from '../private/rollback-alarms';
import { requireSubnets } from '../private/subnets';

/** Blue/green settings with their defaults applied (docs/adr/0008). */
export interface BlueGreenSettings {
  readonly bakeTime: Duration;
  readonly smokeTestPath: string;
  readonly smokeTestTimeout: Duration;
}

/** What the deployment part needs of the service's edge and logs. */
export interface BlueGreenEdge {
  readonly vpc: ec2.IVpc;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The load balancer's security group that admits the smoke tests (not the CloudFront one: docs/adr/0009). */
  readonly testListenerSecurityGroup: ec2.SecurityGroup;
  /** The production listener; its certificate, if any, also serves the test listener. */
  readonly listener: elbv2.ApplicationListener;
  /** Host name of the certificate, when there is one: the smoke test calls it so TLS verifies. */
  readonly loadBalancerDomainName?: string;
  readonly certificate?: elbv2.IListenerCertificate;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
  /** The service, when it shares another one's edge: its rules and test listener are created under it. */
  readonly sharingService?: Construct;
  /** Added to the base test listener port: 0 for the edge's own service, its priority block's offset for a sharer. */
  readonly testPortOffset: number;
}

/** Test listener ports: never the production listener's, never admitted from CloudFront. */
export const TEST_LISTENER_PORTS = { https: 8443, http: 8080 } as const;

/** One container's production and test routes under blue/green. */
export interface BlueGreenRoute {
  readonly name: string;
  readonly primary: elbv2.ApplicationTargetGroup;
  readonly alternate: elbv2.ApplicationTargetGroup;
  /** Conditions of the production rule (origin header, paths); the test rule takes the paths only. */
  readonly productionConditions: elbv2.ListenerCondition[];
  readonly testConditions: elbv2.ListenerCondition[];
  readonly priority: number;
  /** Construct ID of the production rule (under the listener, `<id>Rule`), as the rolling service names it. */
  readonly ruleId: string;
}

/**
 * The private part of a web service that makes ECS native blue/green deployments work end to end: the test
 * listener (its port admitted only from the smoke-test function's security group, so neither CloudFront nor the
 * VPC reaches it), the production and test rules that ECS shifts between the primary and alternate target groups,
 * the role ECS uses for both, the smoke-test lifecycle hook and the deployment alarms that roll back during the
 * bake time. Resources are created directly under the service construct (their IDs are its contract).
 */
export class BlueGreenDeployment {
  public readonly testListener: elbv2.ApplicationListener;
  /** Role ECS assumes to move listener rules and target groups and to invoke the hook. */
  public readonly role: iam.Role;
  public readonly smokeTestFunction: lambda.Function;
  public readonly smokeTestSecurityGroup: ec2.SecurityGroup;
  public readonly smokeTestLogGroup: logs.LogGroup;
  /** Alarms of the deployment machinery: the hook's errors, and unhealthy hosts in either target group. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(private readonly scope: Construct, private readonly edge: BlueGreenEdge, private readonly settings: BlueGreenSettings) {
    const https = edge.certificate !== undefined;
    const port = (https ? TEST_LISTENER_PORTS.https : TEST_LISTENER_PORTS.http) + edge.testPortOffset;
    const listener: elbv2.BaseApplicationListenerProps = {
      port,
      protocol: https ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      certificates: https ? [edge.certificate!] : undefined,
      sslPolicy: https ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' }),
    };
    this.testListener = edge.sharingService
      ? new elbv2.ApplicationListener(edge.sharingService, 'TestListener', { ...listener, loadBalancer: edge.loadBalancer })
      : edge.loadBalancer.addListener('TestListener', listener);
    if (!https) {
      acknowledge(this.testListener, [{ id: 'alb_http_to_https_redirection_check', reason: 'The blue/green test listener of a VPC origin without a hosted zone: no certificate can exist for the internal ALB\'s name; only the smoke-test function\'s security group can reach the port, inside the VPC.' }]);
    }

    this.role = new iam.Role(scope, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'ECS blue/green: shift listener rules between target groups and invoke the smoke-test hook',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers')],
    });

    this.smokeTestSecurityGroup = new ec2.SecurityGroup(scope, 'SmokeTestSecurityGroup', {
      vpc: edge.vpc, description: 'Blue/green smoke test: to the test listener only', allowAllOutbound: false,
    });
    this.smokeTestSecurityGroup.connections.allowTo(edge.testListenerSecurityGroup, ec2.Port.tcp(port), 'Smoke test to the blue/green test listener');
    this.smokeTestLogGroup = createLogGroup(scope, 'SmokeTestLogGroup', edge.logRetention, edge.logEncryptionKey);
    const host = edge.loadBalancerDomainName ?? edge.loadBalancer.loadBalancerDnsName;
    this.smokeTestFunction = new lambda.Function(scope, 'SmokeTestFunction', {
      description: 'Blue/green lifecycle hook: GET the new tasks through the test listener; non-2xx or timeout rolls back',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(SMOKE_TEST_SOURCE),
      timeout: settings.smokeTestTimeout.plus(Duration.seconds(10)),
      memorySize: 256,
      vpc: edge.vpc,
      vpcSubnets: requireSubnets(scope, edge.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 1, 'the smoke-test function'),
      securityGroups: [this.smokeTestSecurityGroup],
      logGroup: this.smokeTestLogGroup,
      environment: {
        SMOKE_TEST_URL: `${https ? 'https' : 'http'}://${host}:${port}${settings.smokeTestPath}`,
        SMOKE_TEST_TIMEOUT_MS: String(settings.smokeTestTimeout.toMilliseconds()),
      },
    });
    this.smokeTestFunction.grantInvoke(this.role);
    this.alarms.push(notify(anyOccurrenceAlarm(scope, 'SmokeTestErrorsAlarm', 'The blue/green smoke-test hook itself failed (not a failed smoke test): the deployment was rolled back',
      this.smokeTestFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })), undefined));
    this.acknowledgeFindings();
  }

  /** What the Fargate service takes: the strategy, the bake time and the smoke-test hook. */
  public serviceOptions(): Pick<ecs.FargateServiceProps, 'deploymentController' | 'deploymentStrategy' | 'bakeTime' | 'lifecycleHooks'> {
    return {
      // Named explicitly as the circuit breaker names it for rolling updates: a changed controller replaces the service.
      deploymentController: { type: ecs.DeploymentControllerType.ECS },
      deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
      bakeTime: this.settings.bakeTime,
      lifecycleHooks: [new ecs.DeploymentLifecycleLambdaTarget(this.smokeTestFunction, 'SmokeTestHook', {
        role: this.role,
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      })],
    };
  }

  /**
   * The production rule (on the listener) and the test rule (on the test listener) of one container, each
   * forwarding to the primary target group with weight 100 and the alternate with 0 until ECS shifts them; returns
   * what the service's load balancer target takes.
   */
  public route(route: BlueGreenRoute): ecs.IAlternateTarget {
    const action = () => elbv2.ListenerAction.weightedForward([
      { targetGroup: route.primary, weight: 100 },
      { targetGroup: route.alternate, weight: 0 },
    ]);
    const productionRule = addListenerRule(this.edge.listener, this.edge.sharingService, route.ruleId,
      { priority: route.priority, conditions: route.productionConditions, action: action() });
    const testRule = addListenerRule(this.testListener, undefined, route.ruleId,
      { priority: route.priority, conditions: route.testConditions, action: action() });
    return new ecs.AlternateTarget(`${route.ruleId}AlternateTarget`, {
      alternateTargetGroup: route.alternate,
      productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
      testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(testRule),
      role: this.role,
    });
  }

  /**
   * Unhealthy hosts in either target group of the main container roll the deployment back: after each blue/green
   * deployment production runs in the other one.
   */
  public watchTargetGroups(id: string, groups: elbv2.ApplicationTargetGroup[], service: ecs.FargateService): void {
    const alarms = groups.map((group, i) => notify(new cloudwatch.Alarm(this.scope, `${id}${i === 0 ? '' : 'Alternate'}UnhealthyHostsAlarm`, {
      alarmDescription: `Targets fail their health checks during or after a deployment: ${ROLLS_BACK}`,
      metric: group.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }), undefined));
    this.alarms.push(...alarms);
    addRollbackAlarms(service, alarms);
  }

  private acknowledgeFindings(): void {
    const fn = this.smokeTestFunction;
    const managed = 'The AWS managed Lambda policies (basic execution, VPC network interfaces) are the least privilege a VPC function needs and follow AWS\'s changes.';
    acknowledge(fn.role!, [
      { id: 'AwsSolutions-IAM4', reason: managed, appliesTo: ['/Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambda(Basic|VPCAccess)ExecutionRole/'] },
    ], { recursive: true });
    acknowledge(this.role, [
      { id: 'AwsSolutions-IAM4', reason: 'AmazonECSInfrastructureRolePolicyForLoadBalancers is the policy AWS defines for ECS blue/green to modify listener rules and target groups.', appliesTo: ['/Policy::arn:<AWS::Partition>:iam::aws:policy/.*AmazonECSInfrastructureRolePolicyForLoadBalancers/'] },
    ]);
    acknowledge(this.role, [
      { id: 'AwsSolutions-IAM5', reason: 'lambda:InvokeFunction on the smoke-test function and its versions (`:*`), which grantInvoke scopes to this one function.', appliesTo: ['/Resource::<.*SmokeTestFunction.*\\.Arn>:\\*/'] },
    ], { recursive: true });
    const concurrency = 'ECS invokes the hook once per deployment; reserving concurrency would take from the account\'s unreserved pool (and fails in accounts at the minimum).';
    const dlq = 'ECS invokes the hook synchronously and reads its result; an error already rolls the deployment back, so there is no event to keep.';
    acknowledge(fn, [
      { id: 'lambda_concurrency_check', reason: concurrency },
      { id: 'lambda_dlq_check', reason: dlq },
      ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap(pack => [
        { id: `${pack}-LambdaConcurrency`, reason: concurrency },
        { id: `${pack}-LambdaDLQ`, reason: dlq },
      ]),
    ]);
    const inline = 'The invoke permission names this one function (grantInvoke); a managed policy for it would outlive the service.';
    acknowledge(this.role, inlinePolicyAcknowledgements(inline), { recursive: true });
  }
}

/** The revision number of a task definition ARN (`...:task-definition/<family>:<revision>`): the service's deployment nonce. */
export function taskDefinitionRevision(taskDefinition: ecs.TaskDefinition): string {
  return Fn.select(6, Fn.split(':', taskDefinition.taskDefinitionArn));
}
