import { Annotations, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { addAliasRecords, claimAliasNames, registerEdgeDomain } from './aliases';
import { BlueGreenDeployment, taskDefinitionRevision } from './deployment';
import { createAccessLogsBucket, ServiceEdge } from './edge';
import { RotationRedeploy, validateRedeployedSecret } from './rotation-redeploy';
import { addListenerRule, claimPaths, derivedBlock, MAX_PRIORITY_BLOCK, OWNER_BLOCK, PathClaim, pinnedBlock, PriorityBlock, rulePriority } from './routes';
import { loadBalancerDomainNameProp, MAIN_CONTAINER, resolveServiceConfig, SERVICE_DEFAULTS, ServiceConfig } from './service-config';
import { ServiceImage } from './service-image';
import { EdgeMode, RoutedContainerOptions, SecureAlbFargateServiceProps } from './service-options';
import { addSidecars } from './sidecars';
import { ServiceTask } from './task';
import { addVolumes } from './volumes';
import { EcrImageContainer, IDeployableService } from '../delivery/deployable-service';
import { IMonitoredWebService } from '../monitoring/monitored';
import { notify } from '../private/alarms';
import { createFargateCluster, ensureFargateSpot } from '../private/fargate';
import { backendParameterName, claimPhysicalName, deployedPath, pascal, ssmParameterName } from '../private/naming';
import { checkPropTypes } from '../private/prop-types';
import { addRollbackAlarms, rollbackAlarmsOf } from '../private/rollback-alarms';
import { requireSubnets } from '../private/subnets';
import { acknowledgeApplicationTaskDefinition, acknowledgeTaskRoles } from '../private/task-definition';
import { invalidProp } from '../private/validation';
import { warnWeakenedDefault } from '../private/warnings';
import { WORKLOAD_TAG } from '../private/workload-tag';

/** The SSM parameters every service publishes under `/<app>/<env>/backend/`. */
const SSM_OUTPUTS = ['service-url', 'service-name'];

/**
 * A production web service on ECS Fargate behind an ALB that only CloudFront can reach: by default an internal
 * ALB behind a CloudFront VPC origin, or an internet-facing one (`EdgeMode.PUBLIC_ALB`).
 *
 * Use it for any HTTP backend: no internet ingress but CloudFront, no 0.0.0.0/0 anywhere, optional AWS WAF,
 * zero-downtime rolling deploys with automatic rollback, autoscaling on CPU and memory (and, when asked, on requests
 * per task and response time), target health checks you can tune, and the service URL and
 * name published in SSM. A hosted zone is optional: without one the service answers at the distribution's domain.
 */
export class SecureAlbFargateService extends Construct implements IDeployableService, IMonitoredWebService {
  /** The cluster the service runs in. */
  public readonly cluster: ecs.ICluster;
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The task definition of the service. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** Role ECS uses to pull the image, write logs and read secrets. */
  public readonly executionRole: iam.Role;
  /** Role the application code runs as; grant it what the application needs. */
  public readonly taskRole: iam.Role;
  /** The load balancer: internal (`EdgeMode.VPC_ORIGIN`) or internet-facing (`EdgeMode.PUBLIC_ALB`). */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The load balancer's listener: HTTPS on 443, or HTTP on 80 for a VPC origin without a hosted zone. */
  public readonly listener: elbv2.ApplicationListener;
  /**
   * The load balancer's listener.
   * @deprecated use `listener` (it is HTTP for a VPC origin without a hosted zone)
   */
  public readonly httpsListener: elbv2.ApplicationListener;
  /** Where the load balancer sits and how CloudFront reaches it. */
  public readonly edgeMode: EdgeMode;
  /** Target group of the main container. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Target group of each routed container, by container name, the main one (`app`) first. */
  public readonly targetGroups: { [containerName: string]: elbv2.ApplicationTargetGroup } = {};
  /** Security group of the load balancer. */
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** Security group of the tasks. */
  public readonly serviceSecurityGroup: ec2.SecurityGroup;
  /** Certificate of the load balancer host name; none without a hosted zone. */
  public readonly certificate?: acm.Certificate;
  /** Host name of the load balancer: `<environmentName>-lb.<baseDomainName>` with a hosted zone, its own DNS name without. */
  public readonly loadBalancerDomainName: string;
  /** The CloudFront distribution, when enabled. */
  public readonly distribution?: cloudfront.Distribution;
  /** Public HTTPS URL of the service: the custom domain, the distribution's domain, or the public ALB's host name. */
  public readonly serviceUrl: string;
  /** Bucket receiving access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /** Log group of each container, by container name. */
  public readonly logGroups: { [containerName: string]: logs.LogGroup };
  /** The SSM parameter holding the image tag, when the image comes from ECR. */
  public readonly imageTagParameter?: ssm.StringParameter;
  /** Application name used in SSM paths. */
  public readonly appName: string;
  /** Environment name. */
  public readonly environmentName: string;
  /** The image of the main container, for jobs and pipelines that reuse it. */
  public readonly image: ServiceImage;
  /** Scalable task count, to add more scaling policies. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** How new task definitions roll out: `ROLLING` or `BLUE_GREEN`. */
  public readonly deploymentStrategy: ecs.DeploymentStrategy;
  /** Alternate target group of each routed container under blue/green, by container name; empty for rolling. */
  public readonly alternateTargetGroups: { [containerName: string]: elbv2.ApplicationTargetGroup } = {};
  /** Blue/green's test listener, reachable only from the smoke-test function; none for rolling. */
  public readonly testListener?: elbv2.ApplicationListener;
  /** Blue/green's smoke-test lifecycle hook; none for rolling. */
  public readonly smokeTestFunction?: lambda.IFunction;
  /**
   * Alarms of the deployment machinery (blue/green: the hook's errors, unhealthy hosts in either target group, which
   * also roll deployments back; the rotation redeploy's errors once `redeployOnRotation` was called); route them to
   * your topic (`InfraMonitoring`'s `deployment`). Empty for rolling without rotation redeploys.
   */
  public readonly deploymentAlarms: cloudwatch.Alarm[];
  /** The containers whose image comes from ECR, each with the tag parameter of its repository (what a pipeline deploys). */
  public readonly ecrContainers: EcrImageContainer[];
  /** The file system holding the service's `volumes`, if it has any. */
  public readonly fileSystem?: efs.IFileSystem;
  private readonly task: ServiceTask;
  private readonly blueGreen?: BlueGreenDeployment;
  /** The edge this service created, or the one of the service it shares. */
  private readonly edge: ServiceEdge;
  /** The priority blocks taken on this service's edge, by the service that took each. */
  private readonly blocks = new Map<string, SecureAlbFargateService>();
  /** Whether this service shares another one's edge. */
  private readonly sharesEdge: boolean;
  /** Where this service's listener rules sit (and its test listener port). */
  private readonly block: PriorityBlock;
  private readonly logOptions: Pick<SecureAlbFargateServiceProps, 'logRetention' | 'logEncryptionKey'>;
  private rotationRedeploy?: RotationRedeploy;

  constructor(scope: Construct, id: string, props: SecureAlbFargateServiceProps) {
    super(scope, id);
    checkPropTypes(this, 'SecureAlbFargateServiceProps', props);
    const config = resolveServiceConfig(this, props);
    this.appName = config.appName;
    this.environmentName = config.environmentName;
    this.image = props.image;
    this.edgeMode = config.edgeMode;
    this.logOptions = { logRetention: props.logRetention, logEncryptionKey: props.logEncryptionKey };
    this.claimPhysicalNames(props, config);
    // How the command-line tool tells workloads apart; tags update in place (ECS service and task definition included).
    Tags.of(this).add(WORKLOAD_TAG, config.workloadName);

    const owner = props.shareEdgeWith;
    this.sharesEdge = owner !== undefined;
    this.block = owner ? owner.addSharer(this, props.priorityBlock) : OWNER_BLOCK;
    this.cluster = props.cluster ?? owner?.cluster ?? createFargateCluster(this, props.vpc, props.containerInsights ?? ecs.ContainerInsights.ENABLED);
    if (props.spot) ensureFargateSpot(this.cluster);
    this.accessLogsBucket = owner?.accessLogsBucket ?? props.accessLogsBucket ?? createAccessLogsBucket(this);
    if (!owner) registerEdgeDomain(this, config.domain);
    const edge = owner?.edge ?? new ServiceEdge(this, { ...props, ...config, accessLogsBucket: this.accessLogsBucket });
    this.edge = edge;
    edge.aliases.claim(this, config.aliases, this.sharesEdge);
    claimAliasNames(this, config.domain.hostedZone, config.aliases);
    ({ loadBalancer: this.loadBalancer, loadBalancerSecurityGroup: this.loadBalancerSecurityGroup } = edge);
    ({ certificate: this.certificate, listener: this.listener } = edge);
    this.httpsListener = this.listener;
    this.loadBalancerDomainName = config.loadBalancerDomainName ?? this.loadBalancer.loadBalancerDnsName;
    claimPaths(this.listener, this.pathClaims(config));
    this.claimEdgeQuotas(props, config);

    this.task = new ServiceTask(this, {
      ...config,
      image: props.image,
      healthCheckPath: SERVICE_DEFAULTS.healthCheckPath,
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      logging: props.logging,
    });
    ({ executionRole: this.executionRole, taskRole: this.taskRole, taskDefinition: this.taskDefinition } = this.task);
    this.imageTagParameter = this.task.imageTagParameter;
    this.logGroups = this.task.logGroups;
    this.ecrContainers = this.task.ecrContainers;
    this.container = this.task.addContainer(config.main);

    this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: props.vpc, description: 'Fargate tasks: ingress from the load balancer only', allowAllOutbound: true,
    });
    this.deploymentStrategy = config.blueGreen ? ecs.DeploymentStrategy.BLUE_GREEN : ecs.DeploymentStrategy.ROLLING;
    if (config.blueGreen) {
      this.blueGreen = new BlueGreenDeployment(this, {
        vpc: props.vpc,
        loadBalancer: this.loadBalancer,
        testListenerSecurityGroup: edge.testListenerSecurityGroup,
        listener: this.listener,
        loadBalancerDomainName: config.loadBalancerDomainName,
        certificate: this.certificate,
        logRetention: props.logRetention,
        logEncryptionKey: props.logEncryptionKey,
        sharingService: this.ruleScope,
        testPortOffset: this.block.testPortOffset,
      }, config.blueGreen);
      this.testListener = this.blueGreen.testListener;
      this.smokeTestFunction = this.blueGreen.smokeTestFunction;
    }
    this.service = this.createService(props, config);
    this.fileSystem = addVolumes(this, props, {
      vpc: props.vpc, taskDefinition: this.taskDefinition, container: this.container, securityGroup: this.serviceSecurityGroup, service: this.service,
    });
    this.targetGroup = this.route(props.vpc, config, config.main, rulePriority(this.block));
    config.routed.forEach((routed, index) => {
      this.task.addContainer(routed);
      this.route(props.vpc, config, routed, rulePriority(this.block, index));
    });
    addSidecars(this, this.task, props, this.container, { name: config.workloadName, appName: this.appName, environmentName: this.environmentName });
    this.blueGreen?.watchTargetGroups(pascal(MAIN_CONTAINER), [this.targetGroup, this.alternateTargetGroups[MAIN_CONTAINER]], this.service);
    this.deploymentAlarms = this.blueGreen?.alarms ?? [];
    this.scaling = this.service.autoScaleTaskCount({ minCapacity: config.minCapacity, maxCapacity: config.maxCapacity });
    this.autoscale(props, config);

    if (owner) {
      this.distribution = owner.distribution;
      this.serviceUrl = config.aliases.length > 0 ? `https://${config.aliases[0]}` : owner.serviceUrl;
      const zone = config.domain.hostedZone;
      if (zone && this.distribution) addAliasRecords(this, zone, this.distribution, config.aliases);
    } else if (config.cloudFront) {
      this.distribution = edge.createDistribution(`${this.appName} ${this.environmentName} backend`, config.aliases);
      this.serviceUrl = `https://${props.domainName ?? this.distribution.distributionDomainName}`;
    } else {
      this.serviceUrl = `https://${this.loadBalancerDomainName}`;
    }
    this.publishParameters(config);
    this.acknowledgeFindings();
  }

  /** Where a service sharing another's edge creates its listener rules and test listener; none for the edge's own service. */
  private get ruleScope(): Construct | undefined {
    return this.sharesEdge ? this : undefined;
  }

  /**
   * Joins this service's edge; returns the sharer's priority block (its rules and test listener port): the pinned one,
   * or the one derived from its construct path below the stack, which no other service's presence changes.
   */
  private addSharer(sharer: SecureAlbFargateService, pinned: number | undefined): PriorityBlock {
    if (this.sharesEdge) {
      invalidProp(sharer, 'shareEdgeWith', this.node.path, 'that service shares another one\'s edge itself; share the edge of the service that created it');
    }
    const block = pinned !== undefined ? pinnedBlock(pinned) : derivedBlock(deployedPath(sharer));
    const taken = this.blocks.get(block.key);
    // The same path is an earlier attempt at this service that the platform refused and removed (docs/adr/0017).
    if (taken && taken.node.path !== sharer.node.path) {
      const free = Array.from({ length: MAX_PRIORITY_BLOCK }, (_, i) => i + 1).find(k => !this.blocks.has(pinnedBlock(k).key));
      invalidProp(sharer, 'priorityBlock', pinned, `${pinned === undefined ? 'the listener rule priority block derived from its construct path' : `block ${pinned}`} `
        + `is already taken by ${taken.node.path} on this load balancer; pin this service's priorityBlock to a free block${free ? `, e.g. ${free}` : ''} (leave the other one as it is: its rules are deployed)`);
    }
    this.blocks.set(block.key, sharer);
    return block;
  }

  /**
   * What this service adds to its load balancer, counted before anything is created so the service that would cross
   * a quota is refused by name: per container a rule and a target group (two of each under blue/green, whose test
   * listener and smoke-test rule come on top), and one outbound rule of the CloudFront group per container port.
   */
  private claimEdgeQuotas(props: SecureAlbFargateServiceProps, config: ServiceConfig): void {
    const containers = 1 + config.routed.length;
    const blueGreen = config.blueGreen !== undefined;
    // The rolling main container of the edge's own service with no condition to check is the listener's default action.
    const defaultAction = !blueGreen && !this.sharesEdge && config.main.pathPatterns.length === 0 && this.edge.originConditions().length === 0;
    const ports = new Set([config.main, ...config.routed].flatMap(c => [c.containerPort, c.healthCheckPort ?? c.containerPort]));
    const [prop, value] = blueGreen ? ['deployment', props.deployment] : config.routed.length > 0 ? ['routedContainers', props.routedContainers] : ['pathPatterns', props.pathPatterns];
    this.edge.usage.claim(this, prop, value, {
      listenerRules: (blueGreen ? 2 : 1) * containers - (defaultAction ? 1 : 0),
      targetGroups: (blueGreen ? 2 : 1) * containers,
      listeners: blueGreen ? 1 : 0,
      testGroupInbound: blueGreen ? 1 : 0,
      cloudFrontGroupOutbound: ports.size,
    });
  }

  /** The path patterns this service's rules take, each with its rule's priority and the prop that names it. */
  private pathClaims(config: ServiceConfig): PathClaim[] {
    // A list token (`Lazy.list`) is known at deploy time only: nothing to claim at synth.
    const hosts = config.hostNames.length > 0 ? config.hostNames : undefined;
    const claims = (prop: string, priority: number, patterns: string[]) => (Token.isUnresolved(patterns) ? []
      : patterns.map((pattern, i) => ({ pattern, priority, scope: this, prop: `${prop}[${i}]`, hosts })));
    // A main container routed by host alone answers every path of its hosts.
    const hostOnly = hosts && config.main.pathPatterns.length === 0 ? [{ pattern: '/*', priority: rulePriority(this.block), scope: this, prop: 'aliases', hosts }] : [];
    // The main container of the edge's own service without paths answers every path no other rule takes.
    const catchAll = !this.sharesEdge && config.main.pathPatterns.length === 0
      ? [{ pattern: '/*', priority: rulePriority(OWNER_BLOCK), scope: this, prop: 'pathPatterns', label: `the catch-all of ${this.node.path} (every path no other rule takes)` }]
      : [];
    return [
      ...catchAll,
      ...hostOnly,
      ...claims('pathPatterns', rulePriority(this.block), config.main.pathPatterns),
      ...config.routed.flatMap((routed, r) => claims(`routedContainers[${r}].pathPatterns`, rulePriority(this.block, r), routed.pathPatterns)),
    ];
  }

  /** The main container's image as rendered in this stack (same SSM tag), for jobs and migrations that reuse it. */
  public get containerImage(): ecs.ContainerImage {
    return this.task.containerImage(this.image);
  }

  /** Allow the service's tasks to connect to something (a database, a cache) on its default port. */
  public get connections(): ec2.Connections {
    return this.service.connections;
  }

  /** The function that redeploys the service after a secret changed, once `redeployOnRotation` was called. */
  public get rotationRedeployFunction(): lambda.IFunction | undefined {
    return this.rotationRedeploy?.redeployFunction.function;
  }

  /**
   * The alarms that roll the service's deployments back (`DeploymentConfiguration.Alarms`): blue/green's unhealthy
   * hosts, `InfraMonitoring`'s 5xx and latency alarms, and those given to `addRollbackAlarm`.
   */
  public get rollbackAlarms(): cloudwatch.IAlarm[] {
    return [...rollbackAlarmsOf(this.service)];
  }

  /**
   * Roll the service's deployments back when this alarm fires during a deployment (and a blue/green one's bake time).
   * Use it rather than `service.enableDeploymentAlarms`, which keeps only the first call's alarms (aws/aws-cdk#36308).
   * An alarm on the service's own metrics needs a fixed `alarmName`: its `Ref` would make the alarm and the service
   * depend on each other.
   */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    addRollbackAlarms(this.service, [alarm]);
  }

  /**
   * Redeploy the service whenever the secret's current value changes (a successful rotation, or a value set by
   * hand): its tasks read secrets only at start. The new deployment is guarded like any other (circuit breaker, or
   * blue/green's smoke test and rollback alarms). The redeploy function's error alarm joins `deploymentAlarms`:
   * call this before handing them to `InfraMonitoring`. `BackendPlatform` calls it for the secrets it injects; its
   * workloads share one function, whose alarm the platform routes.
   */
  public redeployOnRotation(secret: secretsmanager.ISecret): void {
    validateRedeployedSecret(this, secret);
    if (!this.rotationRedeploy) {
      this.rotationRedeploy = new RotationRedeploy(this, 'RotationRedeploy', { service: this.service, ...this.logOptions });
      // A platform's shared function has one alarm, which the platform routes (docs/adr/0016).
      if (this.rotationRedeploy.ownsFunction) this.deploymentAlarms.push(notify(this.rotationRedeploy.redeployFunction.errorsAlarm, undefined));
    }
    this.rotationRedeploy.watch(secret);
  }

  /**
   * The service follows the newest ACTIVE revision of its task definition family, so a `cdk deploy` that changes
   * only the service keeps the revision the pipeline deployed; the deployment nonce is CloudFormation's own revision
   * number, so a change of the task definition itself still rolls out (docs/adr/0008).
   */
  private createService(props: SecureAlbFargateServiceProps, config: ServiceConfig): ecs.FargateService {
    const service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: requireSubnets(this, props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 1, 'the tasks (they pull images and reach AWS APIs through NAT)'),
      assignPublicIp: false,
      securityGroups: [this.serviceSecurityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // Fails a deployment whose tasks never start or never pass health checks within minutes, rolling or blue/green
      // (ECS "Deployment failure detection"); without it ECS keeps launching them and the pipeline waits its hour.
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? SERVICE_DEFAULTS.healthCheckGracePeriod,
      enableExecuteCommand: props.enableExecuteCommand ?? false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      capacityProviderStrategies: config.capacityProviderStrategies,
      taskDefinitionRevision: ecs.TaskDefinitionRevision.LATEST,
      ...this.blueGreen?.serviceOptions(),
    });
    service.forceNewDeployment(taskDefinitionRevision(this.taskDefinition));
    return service;
  }

  /**
   * A target group for one container, reachable from the ALB only, and the listener rule that forwards to it; under
   * blue/green also the alternate target group and the test route (docs/adr/0008).
   */
  private route(
    vpc: ec2.IVpc, config: ServiceConfig, container: RoutedContainerOptions, priority: number,
  ): elbv2.ApplicationTargetGroup {
    const { name, containerPort } = container;
    const target = { containerName: name, containerPort };
    const paths = container.pathPatterns.length > 0 ? [elbv2.ListenerCondition.pathPatterns(container.pathPatterns)] : [];
    const hosts = config.hostNames.length > 0 ? [elbv2.ListenerCondition.hostHeaders(config.hostNames)] : [];
    const conditions = [...this.edge.originConditions(), ...hosts, ...paths];
    const allowFromLoadBalancer = () => {
      this.serviceSecurityGroup.connections.allowFrom(this.loadBalancerSecurityGroup, ec2.Port.tcp(containerPort), `ALB to ${name}`);
      const healthCheckPort = container.healthCheckPort;
      if (healthCheckPort !== undefined && healthCheckPort !== containerPort) {
        this.serviceSecurityGroup.connections.allowFrom(this.loadBalancerSecurityGroup, ec2.Port.tcp(healthCheckPort), `ALB health checks of ${name}`);
      }
    };
    if (this.blueGreen) {
      const primary = this.createTargetGroup(`${pascal(name)}TargetGroup`, vpc, config, container);
      const alternate = this.createTargetGroup(`${pascal(name)}AlternateTargetGroup`, vpc, config, container);
      // ECS shifts weights of listener rules, so the main container's catch-all is a rule too, not the default action;
      // on the service's own test listener the main container answers every path its routed containers do not.
      const everyPath = [elbv2.ListenerCondition.pathPatterns(['/*'])];
      const main = name === MAIN_CONTAINER;
      const alternateTarget = this.blueGreen.route({
        name,
        primary,
        alternate,
        priority,
        ruleId: `${pascal(name)}Route`,
        productionConditions: [...this.edge.originConditions(), ...hosts, ...(paths.length > 0 || hosts.length > 0 ? paths : everyPath)],
        testConditions: main ? everyPath : paths,
      });
      primary.addTarget(this.service.loadBalancerTarget({ ...target, alternateTarget }));
      this.targetGroups[name] = primary;
      this.alternateTargetGroups[name] = alternate;
      allowFromLoadBalancer();
      return primary;
    }
    const targetGroup = this.createTargetGroup(`${pascal(name)}TargetGroup`, vpc, config, container, [this.service.loadBalancerTarget(target)]);
    this.targetGroups[name] = targetGroup;
    allowFromLoadBalancer();
    const action = elbv2.ListenerAction.forward([targetGroup]);
    if (conditions.length === 0) {
      // Without an origin header to check, the service is the listener's default instead of the 403 the edge starts with.
      this.listener.addAction('Default', { action });
      Annotations.of(this.listener).acknowledgeWarning('@aws-cdk/aws-elbv2:listenerExistingDefaultActionReplaced', 'the service replaces the edge\'s 403 default on purpose');
    } else {
      addListenerRule(this.listener, this.ruleScope, `${pascal(name)}Route`, { priority, conditions, action });
    }
    return targetGroup;
  }

  private createTargetGroup(
    id: string, vpc: ec2.IVpc, config: ServiceConfig, container: RoutedContainerOptions, targets?: elbv2.IApplicationLoadBalancerTarget[],
  ): elbv2.ApplicationTargetGroup {
    return new elbv2.ApplicationTargetGroup(this, id, {
      vpc,
      port: container.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: config.deregistrationDelay,
      healthCheck: {
        path: container.healthCheckPath ?? SERVICE_DEFAULTS.healthCheckPath,
        port: container.healthCheckPort !== undefined ? String(container.healthCheckPort) : undefined,
        interval: config.healthCheckInterval,
        timeout: config.healthCheckTimeout,
        healthyThresholdCount: config.healthyThresholdCount,
        unhealthyThresholdCount: config.unhealthyThresholdCount,
        healthyHttpCodes: container.healthCheckSuccessCodes ?? SERVICE_DEFAULTS.healthCheckSuccessCodes,
      },
      targets,
    });
  }

  /**
   * Target tracking on CPU and memory (each off at 0) and on requests per task; response time scales out in steps
   * and never in, as it does not fall in proportion to the task count, which target tracking needs (Application Auto
   * Scaling user guide). Under blue/green it is read from both target groups: production moves at each deployment.
   */
  private autoscale(props: SecureAlbFargateServiceProps, config: ServiceConfig): void {
    const cooldowns = { scaleInCooldown: props.scaleInCooldown, scaleOutCooldown: props.scaleOutCooldown };
    const cpu = props.targetCpuUtilizationPercent ?? SERVICE_DEFAULTS.targetUtilizationPercent;
    const memory = props.targetMemoryUtilizationPercent ?? SERVICE_DEFAULTS.targetUtilizationPercent;
    if (cpu !== 0) this.scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: cpu, ...cooldowns });
    if (memory !== 0) this.scaling.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: memory, ...cooldowns });
    if (props.targetRequestsPerTaskPerMinute !== undefined) {
      this.scaling.scaleOnRequestCount('RequestScaling', { requestsPerTarget: props.targetRequestsPerTaskPerMinute, targetGroup: this.targetGroup, ...cooldowns });
    }
    const threshold = props.scaleOutResponseTime;
    if (threshold !== undefined) {
      const period = Duration.minutes(1);
      const groups = [this.targetGroup, this.alternateTargetGroups[MAIN_CONTAINER]].filter(group => group !== undefined);
      const [primary, alternate] = groups.map(group => group.metrics.targetResponseTime({ period, statistic: 'Average' }));
      // A target group without requests has no datapoint: the other one carries production.
      const metric = alternate
        ? new cloudwatch.MathExpression({ expression: 'MAX([FILL(primary, 0), FILL(alternate, 0)])', usingMetrics: { primary, alternate }, period, label: 'Target response time (production target group)' })
        : primary;
      const seconds = threshold.toMilliseconds() / 1000;
      this.scaling.scaleOnMetric('ResponseTimeScaling', {
        metric,
        adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        scalingSteps: [{ lower: seconds, change: +1 }, { lower: seconds * 2, change: +3 }],
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        cooldown: props.scaleOutCooldown ?? Duration.seconds(60),
      });
    }
    const off = cpu === 0 && memory === 0 && props.targetRequestsPerTaskPerMinute === undefined && threshold === undefined;
    if (off && config.minCapacity !== config.maxCapacity) {
      warnWeakenedDefault(this, 'targetCpuUtilizationPercent', 0, 'with memory scaling off too and no request or response-time target, nothing scales the service '
        + 'between minCapacity and maxCapacity', 'keep a target, set minCapacity equal to maxCapacity, or add your own policy to `scaling`');
    }
  }

  /** Two services of one app may not share a DNS name or an SSM parameter: they would overwrite each other at deploy. */
  private claimPhysicalNames(props: SecureAlbFargateServiceProps, config: ServiceConfig): void {
    if (props.hostedZone && config.loadBalancerDomainName && !props.shareEdgeWith) {
      const host = loadBalancerDomainNameProp(props);
      claimPhysicalName(this, 'DNS name', props.hostedZone.hostedZoneId, config.loadBalancerDomainName, host.prop, host.value);
    }
    const stack = Stack.of(this);
    const parameters = [...SSM_OUTPUTS.map(name => backendParameterName(this.appName, this.environmentName, name, config.workloadName)),
      ...(props.image.repository ? [config.imageTagParameterName] : [])];
    for (const parameter of parameters) {
      if (props.shareEdgeWith) {
        claimPhysicalName(this, 'SSM parameter', `${stack.account}/${stack.region}`, parameter, 'id', this.node.id);
      } else {
        claimPhysicalName(this, 'SSM parameter', `${stack.account}/${stack.region}`, parameter, 'environmentName', props.environmentName);
      }
    }
  }

  private publishParameters(config: ServiceConfig): void {
    new ssm.StringParameter(this, 'ServiceUrlParameter', {
      ...ssmParameterName(backendParameterName(this.appName, this.environmentName, 'service-url', config.workloadName)),
      stringValue: this.serviceUrl,
      description: 'Public HTTPS URL of the backend service',
    });
    new ssm.StringParameter(this, 'ServiceNameParameter', {
      ...ssmParameterName(backendParameterName(this.appName, this.environmentName, 'service-name', config.workloadName)),
      stringValue: this.service.serviceName,
      description: 'Name of the backend ECS service',
    });
  }

  private acknowledgeFindings(): void {
    acknowledgeTaskRoles(this.executionRole, this.taskRole);
    acknowledgeApplicationTaskDefinition(this.taskDefinition);
  }
}
