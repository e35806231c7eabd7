import { Duration, Stack, Tags } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { InternalLoadBalancer } from './internal-load-balancer';
import { subscribeQueue } from './topic-subscription';
import { resolveWorkerConfig, WORKER_CONTAINER, WORKER_TARGET_DEFAULTS, WorkerConfig } from './worker-config';
import { TopicSubscriptionOptions, WorkerServiceProps } from './worker-options';
import { createWorkerQueue, workerAlarms } from './worker-queue';
import { EcrImageContainer, IDeployableService } from '../delivery/deployable-service';
import { IMonitoredWorker } from '../monitoring/monitored';
import { notify } from '../private/alarms';
import { admitClient } from '../private/connections';
import { ensureFargateSpot } from '../private/fargate';
import { claimPhysicalName, deployedPath } from '../private/naming';
import { checkPropTypes } from '../private/prop-types';
import { requireSubnets } from '../private/subnets';
import { acknowledgeApplicationTaskDefinition, acknowledgeTaskRoles } from '../private/task-definition';
import { invalidProp } from '../private/validation';
import { WORKLOAD_TAG } from '../private/workload-tag';
import { claimAliasNames } from '../service/aliases';
import { RotationRedeploy, validateRedeployedSecret } from '../service/rotation-redeploy';
import { claimPaths } from '../service/routes';
import { SERVICE_DEFAULTS } from '../service/service-config';
import { ServiceImage } from '../service/service-image';
import { addSidecars } from '../service/sidecars';
import { ServiceTask } from '../service/task';
import { addVolumes } from '../service/volumes';

/** The listener rule priority of a worker that answers every path: the last one an ALB evaluates. */
const CATCH_ALL_PRIORITY = 50000;

/**
 * A Fargate service with no load balancer, for the work of a backend that is not an HTTP request from the internet.
 *
 * Queue mode (`queue`): it consumes an SQS queue (a new encrypted, TLS-only one with a dead-letter queue, or yours),
 * gets `QUEUE_URL` in its environment, and scales on the backlog per running task, down to `minCapacity` (0 allowed).
 * Internal mode (`port`): other workloads reach it by name through ECS Service Connect, never from the internet, and
 * with `internalLoadBalancer` also through an internal load balancer's URL (docs/adr/0023).
 * Same task, secret, log and compliance defaults as the web service.
 */
export class WorkerService extends Construct implements ec2.IConnectable, IMonitoredWorker, IDeployableService {
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The cluster the worker runs in. */
  public readonly cluster: ecs.ICluster;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The worker's container. */
  public readonly container: ecs.ContainerDefinition;
  /** Role ECS uses to pull the image, write logs and read secrets. */
  public readonly executionRole: iam.Role;
  /** Role the worker's code runs as. */
  public readonly taskRole: iam.Role;
  /** The worker's log group. */
  public readonly logGroup: logs.LogGroup;
  /** Security group of the tasks (no ingress, except on `port` from clients admitted with `allowFrom`). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The same security group, by the name `IDeployableService` gives it (a migration task would run in it). */
  public readonly serviceSecurityGroup: ec2.SecurityGroup;
  /** The SSM parameter holding the image tag, when the image comes from ECR. */
  public readonly imageTagParameter?: ssm.StringParameter;
  /** The image of the worker. */
  public readonly image: ServiceImage;
  /** The worker's container when its image comes from ECR, with its tag parameter (what a pipeline deploys). */
  public readonly ecrContainers: EcrImageContainer[];
  /** Scalable task count. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** The queue the worker consumes (queue mode). */
  public readonly queue?: sqs.IQueue;
  /** The dead-letter queue of a queue the worker created. */
  public readonly deadLetterQueue?: sqs.Queue;
  /** The name other workloads reach the worker at through Service Connect (internal mode), e.g. `http://reports:8080`. */
  public readonly serviceConnectName?: string;
  /** The Service Connect namespace the worker is registered in (internal mode). */
  public readonly serviceConnectNamespace?: string;
  /**
   * Alarms: oldest message age and dead letters (queue mode), targets failing their health checks (behind an internal
   * load balancer); route them to your topic (the platform does).
   */
  public readonly alarms: cloudwatch.Alarm[];
  /** The internal load balancer the worker is reached through, with `internalLoadBalancer`. */
  public readonly internalLoadBalancer?: InternalLoadBalancer;
  /** The worker's target group on the internal load balancer, with `internalLoadBalancer`. */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * The URL callers reach the worker at through the internal load balancer, `http://<load balancer DNS name>/<path>`
   * (the first of `internalLoadBalancer.pathPatterns` without its wildcard), e.g. for a caller's `environment`.
   */
  public readonly internalLoadBalancerUrl?: string;
  /** The file system holding the worker's `volumes`, if it has any. */
  public readonly fileSystem?: efs.IFileSystem;
  private readonly config: WorkerConfig;
  private readonly redeployOptions: Pick<WorkerServiceProps, 'logRetention' | 'logEncryptionKey' | 'alarmTopic'>;
  private rotationRedeploy?: RotationRedeploy;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    checkPropTypes(this, 'WorkerServiceProps', props);
    this.config = resolveWorkerConfig(this, props);
    this.image = this.config.image;
    this.redeployOptions = { logRetention: props.logRetention, logEncryptionKey: props.logEncryptionKey, alarmTopic: props.alarmTopic };
    this.claimPhysicalNames(props);
    // How the command-line tool tells workloads apart; tags update in place (ECS service and task definition included).
    Tags.of(this).add(WORKLOAD_TAG, this.config.name);
    const cluster = props.cluster;
    this.cluster = cluster;
    if (props.spot) ensureFargateSpot(cluster);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc, description: 'Worker tasks: no ingress but from granted workloads', allowAllOutbound: true,
    });
    this.serviceSecurityGroup = this.securityGroup;
    const task = new ServiceTask(this, {
      ...this.config, healthCheckPath: '/health', logRetention: props.logRetention, logEncryptionKey: props.logEncryptionKey, logging: props.logging,
    });
    ({ executionRole: this.executionRole, taskRole: this.taskRole, taskDefinition: this.taskDefinition } = task);
    this.imageTagParameter = task.imageTagParameter;

    if (props.queue) {
      const created = props.queue.queue ? undefined : createWorkerQueue(this, props.queue);
      this.queue = props.queue.queue ?? created!.queue;
      this.deadLetterQueue = created?.deadLetterQueue;
      this.queue.grantConsumeMessages(this.taskRole);
    }
    this.container = task.addContainer({
      name: WORKER_CONTAINER,
      containerPort: props.port,
      image: this.image,
      command: props.command,
      environment: { ...props.environment, ...(this.queue ? { QUEUE_URL: this.queue.queueUrl } : {}) },
      secrets: props.secrets,
      healthCheck: props.healthCheckCommand ? {
        command: props.healthCheckCommand,
        interval: props.healthCheckInterval,
        timeout: props.healthCheckTimeout,
        retries: props.unhealthyThresholdCount,
      } : undefined,
    });
    addSidecars(this, task, props, this.container, { name: this.config.name, appName: this.config.appName, environmentName: props.environmentName });
    this.logGroup = task.logGroups[WORKER_CONTAINER];
    this.ecrContainers = task.ecrContainers;
    this.service = this.createService(props);
    this.fileSystem = addVolumes(this, props, {
      vpc: cluster.vpc, taskDefinition: this.taskDefinition, container: this.container, securityGroup: this.securityGroup, service: this.service,
    });
    if (props.internalLoadBalancer && props.port !== undefined) {
      this.internalLoadBalancer = props.loadBalancer ?? new InternalLoadBalancer(this, 'InternalLoadBalancer', { vpc: cluster.vpc });
      this.targetGroup = this.joinLoadBalancer(this.internalLoadBalancer, props, props.port);
      const prefix = this.config.loadBalancerPathPatterns[0].replace(/\/?\*.*$/, '');
      const alias = props.internalLoadBalancer.aliases?.[0];
      this.internalLoadBalancerUrl = `${alias !== undefined ? `https://${alias}` : this.internalLoadBalancer.url}${prefix}`;
    }
    this.serviceConnectName = props.port !== undefined ? this.config.name : undefined;
    this.serviceConnectNamespace = this.config.serviceConnectNamespace;
    this.scaling = this.service.autoScaleTaskCount({ minCapacity: this.config.minCapacity, maxCapacity: this.config.maxCapacity });
    if (this.queue) this.scaleOnBacklog(this.queue, this.config.messagesPerTask);
    else this.scaleOnUtilization(props);
    this.alarms = [
      ...(this.queue ? workerAlarms(this, this.queue, this.deadLetterQueue) : []),
      ...(this.targetGroup ? [unhealthyTargetsAlarm(this, this.targetGroup)] : []),
    ].map(alarm => notify(alarm, props.alarmTopic));
    this.acknowledgeFindings();
  }

  /** Network connections of the worker's tasks, to admit them to a database or cache. */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }

  /** The function that redeploys the worker after a secret changed, once `redeployOnRotation` was called. */
  public get rotationRedeployFunction(): lambda.IFunction | undefined {
    return this.rotationRedeploy?.redeployFunction.function;
  }

  /**
   * Redeploy the worker whenever the secret's current value changes (a successful rotation, or a value set by hand):
   * its tasks read secrets only at start. The redeploy function's error alarm goes to `alarmTopic` and joins `alarms`.
   * `BackendPlatform.addWorker` calls it for the secrets it injects; its workloads share one function, whose alarm the
   * platform routes.
   */
  public redeployOnRotation(secret: secretsmanager.ISecret): void {
    validateRedeployedSecret(this, secret);
    if (!this.rotationRedeploy) {
      this.rotationRedeploy = new RotationRedeploy(this, 'RotationRedeploy', { service: this.service, ...this.redeployOptions });
      // A platform's shared function has one alarm, which the platform routes (docs/adr/0016).
      const { ownsFunction, redeployFunction } = this.rotationRedeploy;
      if (ownsFunction) this.alarms.push(notify(redeployFunction.errorsAlarm, this.redeployOptions.alarmTopic));
    }
    this.rotationRedeploy.watch(secret);
  }

  /**
   * Deliver the messages of an SNS topic (those passing `filterPolicy`) to the worker's queue. The queue's policy
   * admits SNS from this topic only; a queue encrypted with a customer-managed key lets SNS use it. Needs queue mode
   * with a queue created in this app. `BackendPlatform.addWorker` calls it for `subscriptions`.
   */
  public subscribe(topic: sns.ITopic, options?: TopicSubscriptionOptions): sns.Subscription {
    if (!this.queue) throw invalidProp(this, 'queue', undefined, 'a worker receives a topic\'s messages in its queue; give queue: {}');
    return subscribeQueue(this, `subscribe(${topic.node.id})`, this.queue, topic, options);
  }

  /** Admit a client (the web service, another worker) on the worker's `port`, and to its internal load balancer if it has one. */
  public allowFrom(client: ec2.IConnectable): void {
    if (this.config.port === undefined) return;
    admitClient(this.securityGroup, client, ec2.Port.tcp(this.config.port), `Service Connect to ${this.config.name}`);
    this.internalLoadBalancer?.allowFrom(client);
  }

  /**
   * The worker's target group (IP targets on its port, the web service's health check defaults) and its listener rule,
   * counted against the load balancer's quotas and checked against the other workers' paths before anything exists.
   */
  private joinLoadBalancer(lb: InternalLoadBalancer, props: WorkerServiceProps, port: number): elbv2.ApplicationTargetGroup {
    const options = props.internalLoadBalancer!;
    const d = WORKER_TARGET_DEFAULTS;
    const ports = new Set([port, options.healthCheckPort ?? port]).size;
    const aliases = options.aliases ?? [];
    const certificates = lb._https?.certificatePerAlias ? aliases.length : 0;
    lb._usage.claim(this, 'internalLoadBalancer', options, {
      listenerRules: aliases.length > 0 ? 2 : 1, targetGroups: 1, internalGroupOutbound: ports, listenerCertificates: certificates,
    }, 'give further workers a load balancer of their own (loadBalancer), or reach them through Service Connect only');
    const patterns = this.config.loadBalancerPathPatterns;
    // A worker answering every path (Copilot's `path: '/'`) on every host is evaluated last, so it never hides another
    // worker's paths; on its own host names it hides nobody's.
    const catchAll = patterns.includes('/*') && aliases.length === 0;
    const pinned = catchAll && options.priority === undefined ? CATCH_ALL_PRIORITY : options.priority;
    const priority = pinned ?? derivedPriority(deployedPath(this));
    // Paths first: a path another worker routes is the problem to report, not the priority that follows from it.
    claimPaths(lb.listener, patterns.map((pattern, i) => ({
      pattern,
      priority,
      scope: this,
      prop: options.pathPatterns ? `internalLoadBalancer.pathPatterns[${i}]` : 'internalLoadBalancer',
      hosts: aliases.length > 0 ? aliases : undefined,
    })));
    lb._claimPriority(this, priority, options.priority !== undefined);
    const interval = options.healthCheckInterval ?? d.healthCheckInterval;
    const timeout = options.healthCheckTimeout ?? Duration.seconds(Math.min(5, interval.toSeconds() - 1));
    const targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: this.cluster.vpc,
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: options.deregistrationDelay ?? d.deregistrationDelay,
      healthCheck: {
        path: props.healthCheckPath ?? d.healthCheckPath,
        port: options.healthCheckPort !== undefined ? String(options.healthCheckPort) : undefined,
        interval,
        timeout,
        healthyThresholdCount: options.healthyThresholdCount ?? d.healthyThresholdCount,
        unhealthyThresholdCount: options.unhealthyThresholdCount ?? d.unhealthyThresholdCount,
        healthyHttpCodes: options.healthCheckSuccessCodes ?? d.healthCheckSuccessCodes,
      },
      targets: [this.service.loadBalancerTarget({ containerName: WORKER_CONTAINER, containerPort: port })],
    });
    const paths = elbv2.ListenerCondition.pathPatterns(patterns);
    if (aliases.length === 0) {
      new elbv2.ApplicationListenerRule(this, 'InternalRoute', { listener: lb.listener, priority, conditions: [paths], action: elbv2.ListenerAction.forward([targetGroup]) });
    } else {
      // Its host names answer HTTPS; on HTTP they redirect to it. The rule keeps its ID: adding aliases updates it in place.
      const hosts = elbv2.ListenerCondition.hostHeaders(aliases);
      new elbv2.ApplicationListenerRule(this, 'InternalRoute', {
        listener: lb.listener, priority, conditions: [hosts, paths], action: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
      new elbv2.ApplicationListenerRule(this, 'InternalHttpsRoute', {
        listener: lb.httpsListener!, priority, conditions: [hosts, paths], action: elbv2.ListenerAction.forward([targetGroup]),
      });
      this.addAliasRecords(lb, aliases);
    }
    // The service's load balancer target already opens the port to the load balancer's group (both directions).
    if (options.healthCheckPort !== undefined) {
      this.securityGroup.connections.allowFrom(lb.securityGroup, ec2.Port.tcp(options.healthCheckPort), 'Internal ALB health checks of the worker');
    }
    return targetGroup;
  }

  /**
   * An A record per alias to the load balancer and, unless the load balancer's certificate covers them, a certificate
   * per alias. IDs come from the names, never their positions: adding or removing one leaves the others in place.
   */
  private addAliasRecords(lb: InternalLoadBalancer, aliases: string[]): void {
    const { hostedZone, certificatePerAlias } = lb._https!;
    claimAliasNames(this, hostedZone, aliases, 'internalLoadBalancer.aliases');
    const target = route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(lb.loadBalancer));
    for (const alias of aliases) {
      new route53.ARecord(this, `Alias ${alias}`, { zone: hostedZone, recordName: alias, target });
      if (!certificatePerAlias) continue;
      const certificate = new acm.Certificate(this, `Certificate ${alias}`, { domainName: alias, validation: acm.CertificateValidation.fromDns(hostedZone) });
      // One certificate per resource, as CloudFormation's ListenerCertificate takes it.
      new elbv2.ApplicationListenerCertificate(this, `ListenerCertificate ${alias}`, { listener: lb.httpsListener!, certificates: [certificate] });
    }
  }

  /** A worker's image-tag parameter and Service Connect name may not be another workload's. */
  private claimPhysicalNames(props: WorkerServiceProps): void {
    const stack = Stack.of(this);
    if (this.image.repository) {
      claimPhysicalName(this, 'SSM parameter', `${stack.account}/${stack.region}`, this.config.imageTagParameterName, 'id', this.node.id);
    }
    if (props.port !== undefined && this.config.serviceConnectNamespace) {
      claimPhysicalName(this, 'DNS name', `service-connect:${this.config.serviceConnectNamespace}`, this.config.name, 'id', this.node.id);
    }
  }

  private createService(props: WorkerServiceProps): ecs.FargateService {
    return new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: requireSubnets(this, props.cluster.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 1, 'the worker tasks (they pull images and reach AWS APIs through NAT)'),
      assignPublicIp: false,
      securityGroups: [this.securityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: props.enableExecuteCommand ?? false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      capacityProviderStrategies: this.config.capacityProviderStrategies,
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? props.internalLoadBalancer?.healthCheckGracePeriod
        ?? (props.internalLoadBalancer ? WORKER_TARGET_DEFAULTS.healthCheckGracePeriod : undefined),
      serviceConnectConfiguration: props.port !== undefined ? {
        namespace: this.config.serviceConnectNamespace,
        services: [{ portMappingName: WORKER_CONTAINER, dnsName: this.config.name, port: props.port }],
      } : undefined,
    });
  }

  /** An internal worker scales on CPU (the web service's default target; off at 0), and on memory when a target other than 0 is given. */
  private scaleOnUtilization(props: WorkerServiceProps): void {
    const cooldowns = { scaleInCooldown: props.scaleInCooldown, scaleOutCooldown: props.scaleOutCooldown };
    const cpu = props.targetCpuUtilizationPercent ?? SERVICE_DEFAULTS.targetUtilizationPercent;
    const memory = props.targetMemoryUtilizationPercent ?? 0;
    if (cpu !== 0) this.scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: cpu, ...cooldowns });
    if (memory !== 0) this.scaling.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: memory, ...cooldowns });
  }

  /**
   * AWS's rule for queue workers: scale on the messages waiting per running task. Step scaling (not target tracking)
   * so that a worker at zero tasks starts when messages arrive.
   */
  private scaleOnBacklog(queue: sqs.IQueue, messagesPerTask: number): void {
    const period = Duration.minutes(1);
    const visible = queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' });
    const inFlight = queue.metricApproximateNumberOfMessagesNotVisible({ period, statistic: 'Maximum' });
    const running = new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      statistic: 'Average',
      period,
      dimensionsMap: { ClusterName: this.service.cluster.clusterName, ServiceName: this.service.serviceName },
    });
    // Messages being worked on count too, so no task is removed mid-job; with no task running, any message counts as
    // a full task's backlog, so that one starts. Without Container Insights data a running worker counts as one task.
    const backlog = '(FILL(visible, 0) + FILL(inFlight, 0))';
    const backlogPerTask = new cloudwatch.MathExpression({
      expression: `IF(FILL(running, 0) < 1, IF(${backlog} > 0, ${messagesPerTask}, 0), ${backlog} / FILL(running, 1))`,
      usingMetrics: { visible, inFlight, running },
      period,
      label: 'Messages per running task (waiting and in flight)',
    });
    this.scaling.scaleOnMetric('BacklogScaling', {
      metric: backlogPerTask,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: messagesPerTask, change: +1 },
        { lower: messagesPerTask * 4, change: +3 },
      ],
      cooldown: Duration.seconds(60),
    });
  }

  private acknowledgeFindings(): void {
    acknowledgeTaskRoles(this.executionRole, this.taskRole);
    acknowledgeApplicationTaskDefinition(this.taskDefinition);
  }
}

/**
 * The listener rule priority of a worker, from its construct path below its stack by a fixed polynomial hash (1-49999; 50000 is the catch-all's):
 * adding, removing or renaming other workers never moves it.
 */
function derivedPriority(name: string): number {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) % 2147483647;
  return 1 + (hash % (CATCH_ALL_PRIORITY - 1));
}

/** A worker behind an internal load balancer pages when its targets fail their health checks (3 of 5 minutes). */
function unhealthyTargetsAlarm(scope: Construct, targetGroup: elbv2.ApplicationTargetGroup): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, 'UnhealthyTargetsAlarm', {
    alarmDescription: 'Targets of the worker on the internal load balancer fail their health checks',
    metric: targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 0,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
