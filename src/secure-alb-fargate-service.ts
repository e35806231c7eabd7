import { Arn, ArnFormat, CfnDynamicReference, CfnDynamicReferenceService, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { enableAlbAccessLogs } from './private/alb-access-logs';
import { cloudFrontOriginFacingPrefixListId } from './private/cloudfront-prefix-list';
import { acknowledge } from './private/compliance';
import { ensureFargateSpot, validateFargateSize, validateSpotArchitecture } from './private/fargate';
import { createLogGroup } from './private/log-group';
import { backendParameterName, defaultAppName } from './private/naming';
import { createSharedSecret } from './private/secret';
import { requireSubnets } from './private/subnets';
import { acknowledgeApplicationTaskDefinition } from './private/task-definition';
import {
  invalidProp, isToken, validateDnsLabel, validateDomainName, validateIntegerRange, validateMinMax, validateNonEmpty, validatePath, validateUnique,
} from './private/validation';
import { warnOnCredentialNamedEnvironment, warnWeakenedDefault } from './private/warnings';
import { ServiceImage } from './service-image';

/** A container of the service beside the main one, reached through its own path-based routing rule. */
export interface RoutedContainerOptions {
  /** Container name, unique in the task. */
  readonly name: string;
  /** Port the container listens on. */
  readonly containerPort: number;
  /** Path patterns routed to this container (e.g. `/api/*`); at most 4 with CloudFront (the origin header takes one condition slot). */
  readonly pathPatterns: string[];
  /**
   * Image of the container.
   * @default - the service's image
   */
  readonly image?: ServiceImage;
  /**
   * Health check path of this container's target group.
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /**
   * Command override.
   * @default - the image's command
   */
  readonly command?: string[];
  /**
   * Plain environment variables.
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * Secrets injected as environment variables.
   * @default - none
   */
  readonly secrets?: { [key: string]: ecs.Secret };
}

/** Props of `SecureAlbFargateService`. */
export interface SecureAlbFargateServiceProps {
  /** VPC of the load balancer (public subnets) and tasks (private subnets with egress). */
  readonly vpc: ec2.IVpc;
  /** Hosted zone where the load balancer's DNS name and certificate validation records are created. */
  readonly hostedZone: route53.IHostedZone;
  /** Environment name, a DNS label such as `prod`; names the ALB host `<environmentName>-lb.<baseDomainName>` and the SSM paths. */
  readonly environmentName: string;
  /** Image of the main container. */
  readonly image: ServiceImage;
  /**
   * Application name used in SSM parameter paths `/<appName>/<environmentName>/backend/...`.
   * @default - the stack name, lower-cased
   */
  readonly appName?: string;
  /**
   * Base domain of the load balancer host name.
   * @default - the hosted zone's name
   */
  readonly baseDomainName?: string;
  /**
   * ECS cluster to run in.
   * @default - a new cluster with Container Insights in `vpc`
   */
  readonly cluster?: ecs.ICluster;
  /**
   * Port the main container listens on.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Health check path of the main container.
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /**
   * Command override of the main container.
   * @default - the image's command
   */
  readonly command?: string[];
  /**
   * Plain environment variables of the main container.
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * Secrets injected into the main container as environment variables.
   * @default - none
   */
  readonly secrets?: { [key: string]: ecs.Secret };
  /**
   * More containers in the task, each reached through path-based routing rules.
   * @default - none
   */
  readonly routedContainers?: RoutedContainerOptions[];
  /**
   * Task CPU units (256, 512, 1024, 2048, 4096, 8192 or 16384).
   * @default 1024
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB, legal for the chosen `cpu`.
   * @default 2048
   */
  readonly memoryLimitMiB?: number;
  /**
   * CPU architecture of the task.
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Run tasks beyond `onDemandBaseCapacity` on Fargate Spot. A given cluster defined in this app gets the FARGATE_SPOT
   * capacity provider; an imported one must have it.
   * @default false
   */
  readonly spot?: boolean;
  /**
   * With `spot`, how many tasks always run on on-demand Fargate (0 puts every task on Spot: fine for development,
   * where an interruption only restarts a task).
   * @default - minCapacity
   */
  readonly onDemandBaseCapacity?: number;
  /**
   * Minimum number of tasks.
   * @default 2
   */
  readonly minCapacity?: number;
  /**
   * Maximum number of tasks.
   * @default 4
   */
  readonly maxCapacity?: number;
  /**
   * Target average CPU utilization of the service, in percent.
   * @default 80
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Target average memory utilization of the service, in percent.
   * @default 80
   */
  readonly targetMemoryUtilizationPercent?: number;
  /**
   * Put a CloudFront distribution in front of the load balancer. The ALB then only serves requests carrying
   * the distribution's secret origin header; others get 403. Turning it off warns at synth.
   * @default true
   */
  readonly cloudFront?: boolean;
  /**
   * Host name users reach the service at through CloudFront (e.g. `api.example.com`), inside the hosted zone: an
   * A/AAAA alias to the distribution is created and it becomes the service URL. Needs `domainCertificate`.
   * @default - the distribution's `*.cloudfront.net` name
   */
  readonly domainName?: string;
  /**
   * Certificate covering `domainName`, issued in us-east-1 as CloudFront requires (e.g. an `acm.Certificate` of a
   * us-east-1 stack, referenced with `crossRegionReferences: true`).
   * @default - none
   */
  readonly domainCertificate?: acm.ICertificate;
  /**
   * ID of an AWS WAF web ACL (CLOUDFRONT scope, in us-east-1) to attach to the distribution.
   * @default - no web ACL
   */
  readonly webAclId?: string;
  /**
   * ID of the CloudFront origin-facing managed prefix list in this region.
   * @default - the built-in ID of the stack's region (a deploy-time map for environment-agnostic stacks)
   */
  readonly cloudFrontPrefixListId?: string;
  /**
   * Health check interval of the target groups.
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval?: Duration;
  /**
   * Consecutive successful checks before a task counts as healthy.
   * @default 2
   */
  readonly healthyThresholdCount?: number;
  /**
   * Time the ALB keeps draining a deregistering task.
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Time ECS ignores failing load balancer health checks after a task starts.
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;
  /**
   * Allow `aws ecs execute-command` into the containers. Turning it on warns at synth.
   * @default false
   */
  readonly enableExecuteCommand?: boolean;
  /**
   * Retention of the container log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key that encrypts the container log groups; its key policy must allow the CloudWatch Logs service.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Bucket that receives ALB and CloudFront access logs (under `alb/` and `cloudfront/`).
   * @default - a new encrypted, TLS-only, retained bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Protect the load balancer against deletion. Turning it off warns at synth.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

const DEFAULT_PORT = 8080;
const DEFAULT_HEALTH_PATH = '/health';
const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';
const MAX_RULE_CONDITION_VALUES = 5;
/** RFC 5280 limit on a certificate's common name, which ACM applies to the domain name. */
const MAX_CERTIFICATE_DOMAIN_LENGTH = 64;
const MAIN_CONTAINER = 'app';

/**
 * A production web service on ECS Fargate behind an internet-facing ALB that only CloudFront can reach.
 *
 * Use it for any HTTP backend: TLS end to end, no 0.0.0.0/0 ingress, zero-downtime rolling deploys with
 * automatic rollback, autoscaling on CPU and memory, and the service URL and name published in SSM.
 */
export class SecureAlbFargateService extends Construct {
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
  /** The internet-facing load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The HTTPS listener. */
  public readonly httpsListener: elbv2.ApplicationListener;
  /** Target group of the main container. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Target group of each routed container, by container name, the main one (`app`) first. */
  public readonly targetGroups: { [containerName: string]: elbv2.ApplicationTargetGroup } = {};
  /** Security group of the load balancer. */
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** Security group of the tasks. */
  public readonly serviceSecurityGroup: ec2.SecurityGroup;
  /** Certificate of the load balancer host name. */
  public readonly certificate: acm.Certificate;
  /** Host name of the load balancer, `<environmentName>-lb.<baseDomainName>`. */
  public readonly loadBalancerDomainName: string;
  /** The CloudFront distribution, when enabled. */
  public readonly distribution?: cloudfront.Distribution;
  /** Public HTTPS URL of the service (CloudFront's when enabled). */
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

  constructor(scope: Construct, id: string, props: SecureAlbFargateServiceProps) {
    super(scope, id);
    this.appName = props.appName ?? defaultAppName(this);
    this.environmentName = props.environmentName;
    this.image = props.image;
    validateProps(this, props, this.appName);
    warnOnWeakenedDefaults(this, props);

    const baseDomainName = props.baseDomainName ?? props.hostedZone.zoneName;
    this.loadBalancerDomainName = `${props.environmentName}-lb.${baseDomainName}`;
    const withCloudFront = props.cloudFront ?? true;

    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    if (props.spot) ensureFargateSpot(this.cluster);

    this.accessLogsBucket = props.accessLogsBucket ?? this.createAccessLogsBucket();
    this.loadBalancerSecurityGroup = this.createLoadBalancerSecurityGroup(props);
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: requireSubnets(this, props.vpc, ec2.SubnetType.PUBLIC, 2, 'the internet-facing load balancer'),
      securityGroup: this.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? true,
    });
    if (props.deletionProtection === false) {
      acknowledge(this.loadBalancer, [{ id: 'elbv2_deletion_protection_enabled_check', reason: 'Deletion protection was turned off explicitly (deletionProtection: false), e.g. by the development profile.' }]);
    }
    enableAlbAccessLogs(this.loadBalancer, this.accessLogsBucket, 'alb');

    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: this.loadBalancerDomainName,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
    new route53.ARecord(this, 'LoadBalancerAlias', {
      zone: props.hostedZone,
      recordName: this.loadBalancerDomainName,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
    });

    this.httpsListener = this.loadBalancer.addListener('HttpsListener', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [this.certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' }),
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });

    ({ executionRole: this.executionRole, taskRole: this.taskRole } = this.createRoles());
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 1024,
      memoryLimitMiB: props.memoryLimitMiB ?? 2048,
      executionRole: this.executionRole,
      taskRole: this.taskRole,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    this.imageTagParameter = this.createImageTagParameter(props.image);
    this.logGroups = {};
    this.container = this.addContainer(props, {
      name: MAIN_CONTAINER,
      containerPort: props.containerPort ?? DEFAULT_PORT,
      pathPatterns: [],
      image: props.image,
      healthCheckPath: props.healthCheckPath,
      command: props.command,
      environment: props.environment,
      secrets: props.secrets,
    });

    this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: props.vpc,
      description: 'Fargate tasks: ingress from the load balancer only',
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: requireSubnets(this, props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 1, 'the tasks (they pull images and reach AWS APIs through NAT)'),
      assignPublicIp: false,
      securityGroups: [this.serviceSecurityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Duration.seconds(60),
      enableExecuteCommand: props.enableExecuteCommand ?? false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      capacityProviderStrategies: capacityProviders(props),
    });

    const originHeader = withCloudFront ? this.createOriginVerifySecret() : undefined;
    this.targetGroup = this.routeTo(props, MAIN_CONTAINER, props.containerPort ?? DEFAULT_PORT, props.healthCheckPath, [], originHeader, 50000);
    (props.routedContainers ?? []).forEach((routed, index) => {
      this.addContainer(props, routed);
      this.routeTo(props, routed.name, routed.containerPort, routed.healthCheckPath, routed.pathPatterns, originHeader, 100 + index * 10);
    });

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: props.minCapacity ?? 2, maxCapacity: props.maxCapacity ?? 4 });
    this.scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: props.targetCpuUtilizationPercent ?? 80 });
    this.scaling.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: props.targetMemoryUtilizationPercent ?? 80 });

    if (withCloudFront && originHeader) {
      this.distribution = this.createDistribution(props, originHeader);
      this.serviceUrl = `https://${props.domainName ?? this.distribution.distributionDomainName}`;
      if (props.domainName) this.aliasDomain(props.hostedZone, props.domainName, this.distribution);
    } else {
      this.serviceUrl = `https://${this.loadBalancerDomainName}`;
    }

    new ssm.StringParameter(this, 'ServiceUrlParameter', {
      ...parameterNameProps(backendParameterName(this.appName, props.environmentName, 'service-url')),
      stringValue: this.serviceUrl,
      description: 'Public HTTPS URL of the backend service',
    });
    new ssm.StringParameter(this, 'ServiceNameParameter', {
      ...parameterNameProps(backendParameterName(this.appName, props.environmentName, 'service-name')),
      stringValue: this.service.serviceName,
      description: 'Name of the backend ECS service',
    });
    this.acknowledgeFindings();
  }

  /** The main container's image as rendered in this stack (same SSM tag), for jobs and migrations that reuse it. */
  public get containerImage(): ecs.ContainerImage {
    return this.image.containerImage(this.imageTag(this.image));
  }

  /** Allow the service's tasks to connect to something (a database, a cache) on its default port. */
  public get connections(): ec2.Connections {
    return this.service.connections;
  }

  private createAccessLogsBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogsBucket', {
      // ALB access logs only support SSE-S3; CloudFront standard logs need ACLs (bucket owner preferred).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const loop = 'This bucket is the access-log destination; logging or notifying on it would loop or add nothing.';
    acknowledge(bucket, [
      { id: 'AwsSolutions-S1', reason: loop },
      { id: 's3_bucket_logging_enabled_check', reason: loop },
      { id: 's3_event_notifications_enabled_check', reason: loop },
      { id: 's3_bucket_default_encryption_kms_check', reason: 'ALB access logging only supports SSE-S3 (AES256) destination buckets.' },
      { id: 's3_bucket_object_lock_enabled_check', reason: 'Object Lock would stop the lifecycle rule from expiring old access logs.' },
    ]);
    return bucket;
  }

  private createLoadBalancerSecurityGroup(props: SecureAlbFargateServiceProps): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: 'ALB: HTTPS from the CloudFront origin-facing prefix list only',
      allowAllOutbound: false,
    });
    const prefixListId = props.cloudFrontPrefixListId ?? cloudFrontOriginFacingPrefixListId(this, 'cloudFrontPrefixListId');
    // Port 80 stays closed: CloudFront redirects viewers to HTTPS, and the prefix list weighs ~55 rules of the 60-rule quota.
    securityGroup.addIngressRule(ec2.Peer.prefixList(prefixListId), ec2.Port.tcp(443), 'HTTPS from CloudFront origin-facing servers');
    return securityGroup;
  }

  private createRoles(): { executionRole: iam.Role; taskRole: iam.Role } {
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'ECS agent: pull the image, write logs, read secrets',
    });
    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Application code of the backend service',
    });
    return { executionRole, taskRole };
  }

  private imageTagParameterName(image: ServiceImage): string {
    return image.ecrOptions?.tagParameterName ?? backendParameterName(this.appName, this.environmentName, 'ecr-imgTag');
  }

  private createImageTagParameter(image: ServiceImage): ssm.StringParameter | undefined {
    if (!image.repository) return undefined;
    return new ssm.StringParameter(this, 'ImageTagParameter', {
      ...parameterNameProps(this.imageTagParameterName(image)),
      stringValue: image.ecrOptions?.initialTag ?? 'latest',
      description: 'Image tag the service deploys; written by the deploy pipeline, read at each deploy',
    });
  }

  private addContainer(props: SecureAlbFargateServiceProps, options: RoutedContainerOptions): ecs.ContainerDefinition {
    const image = options.image ?? props.image;
    const logGroup = createLogGroup(this, `${pascal(options.name)}LogGroup`, props.logRetention, props.logEncryptionKey);
    this.logGroups[options.name] = logGroup;
    const container = this.taskDefinition.addContainer(options.name, {
      image: image.containerImage(this.imageTag(image)),
      command: image.isPlaceholder ? placeholderCommand(options.containerPort, options.healthCheckPath ?? DEFAULT_HEALTH_PATH) : options.command,
      environment: options.environment,
      secrets: options.secrets,
      portMappings: [{ containerPort: options.containerPort, name: options.name }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: options.name }),
      readonlyRootFilesystem: false,
    });
    if (image.repository) {
      image.repository.grantPull(this.executionRole);
      this.taskDefinition.node.addDependency(this.imageTagParameter!);
    }
    return container;
  }

  /** Tag of an ECR image: a dynamic reference to the tag parameter, resolved by CloudFormation at each deploy. */
  private imageTag(image: ServiceImage): string {
    if (!image.repository) return 'latest';
    return new CfnDynamicReference(CfnDynamicReferenceService.SSM, this.imageTagParameterName(image)).toString();
  }

  private routeTo(
    props: SecureAlbFargateServiceProps, containerName: string, containerPort: number, healthCheckPath: string | undefined,
    pathPatterns: string[], originHeader: secretsmanager.Secret | undefined, priority: number,
  ): elbv2.ApplicationTargetGroup {
    const interval = props.healthCheckInterval ?? Duration.seconds(10);
    const targetGroup = new elbv2.ApplicationTargetGroup(this, `${pascal(containerName)}TargetGroup`, {
      vpc: props.vpc,
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
      healthCheck: {
        path: healthCheckPath ?? DEFAULT_HEALTH_PATH,
        interval,
        // The ALB requires the timeout to be shorter than the interval.
        timeout: interval.isUnresolved() ? Duration.seconds(5) : Duration.seconds(Math.min(5, interval.toSeconds() - 1)),
        healthyThresholdCount: props.healthyThresholdCount ?? 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200-399',
      },
      targets: [this.service.loadBalancerTarget({ containerName, containerPort })],
    });
    this.targetGroups[containerName] = targetGroup;
    this.serviceSecurityGroup.connections.allowFrom(this.loadBalancerSecurityGroup, ec2.Port.tcp(containerPort), `ALB to ${containerName}`);
    const conditions: elbv2.ListenerCondition[] = [];
    if (originHeader) {
      conditions.push(elbv2.ListenerCondition.httpHeader(ORIGIN_VERIFY_HEADER, [originHeader.secretValue.unsafeUnwrap()]));
    }
    if (pathPatterns.length > 0) conditions.push(elbv2.ListenerCondition.pathPatterns(pathPatterns));
    if (conditions.length === 0) {
      this.httpsListener.addAction('Default', { action: elbv2.ListenerAction.forward([targetGroup]) });
    } else {
      this.httpsListener.addAction(`${pascal(containerName)}Route`, { priority, conditions, action: elbv2.ListenerAction.forward([targetGroup]) });
    }
    return targetGroup;
  }

  private createOriginVerifySecret(): secretsmanager.Secret {
    return createSharedSecret(this, 'OriginVerifySecret',
      'Header value CloudFront adds to origin requests; the ALB rejects requests without it',
      'The value is shared by the CloudFront origin and the ALB rule through dynamic references; rotating it needs both updated in one deploy, so it is rotated by changing the secret and redeploying.');
  }

  private createDistribution(props: SecureAlbFargateServiceProps, originHeader: secretsmanager.Secret): cloudfront.Distribution {
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${this.appName} ${props.environmentName} backend`,
      defaultBehavior: {
        origin: new origins.HttpOrigin(this.loadBalancerDomainName, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          customHeaders: { [ORIGIN_VERIFY_HEADER]: originHeader.secretValue.unsafeUnwrap() },
          readTimeout: Duration.seconds(60),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      webAclId: props.webAclId,
      domainNames: props.domainName ? [props.domainName] : undefined,
      certificate: props.domainCertificate,
    });
    const defaultCertificate = 'The service URL is the distribution default *.cloudfront.net domain, whose certificate and viewer TLS policy CloudFront fixes; origin traffic is TLS 1.2 only. A custom domain needs a us-east-1 certificate that the user brings.';
    acknowledge(distribution, [
      { id: 'AwsSolutions-CFR1', reason: 'An API backend serves its users wherever they are; geo restriction is an application choice.' },
      ...(props.domainCertificate ? [] : [{ id: 'AwsSolutions-CFR4', reason: defaultCertificate }]),
      ...(props.webAclId ? [] : [
        { id: 'AwsSolutions-CFR2', reason: 'WAF is opt-in (webAclId): a CLOUDFRONT-scope web ACL must live in us-east-1 and is priced per request.' },
      ]),
      ...(props.domainCertificate ? [] : [
        { id: 'cloudfront_custom_ssl_certificate_check', reason: defaultCertificate },
        { id: 'cloudfront_sni_enabled_check', reason: defaultCertificate },
        { id: 'cloudfront_security_policy_check', reason: defaultCertificate },
      ]),
      { id: 'cloudfront_default_root_object_configured_check', reason: 'The origin is an API, not a static site: there is no root object to serve.' },
      { id: 'cloudfront_origin_failover_enabled_check', reason: 'The single origin is a multi-AZ ALB; there is no second origin to fail over to.' },
    ]);
    return distribution;
  }

  private aliasDomain(zone: route53.IHostedZone, domainName: string, distribution: cloudfront.Distribution): void {
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
    new route53.ARecord(this, 'DomainAlias', { zone, recordName: domainName, target });
    new route53.AaaaRecord(this, 'DomainAliasIpv6', { zone, recordName: domainName, target });
  }

  private acknowledgeFindings(): void {
    acknowledge(this.executionRole, [
      { id: 'AwsSolutions-IAM5', reason: 'ecr:GetAuthorizationToken and the log-stream actions CDK grants have no narrower resource.', appliesTo: ['Resource::*'] },
    ], { recursive: true });
    acknowledge(this.taskRole, [
      { id: 'AwsSolutions-IAM5', reason: 'ECS Exec session channels (ssmmessages:*) cannot be scoped to a resource.', appliesTo: ['Resource::*'] },
    ], { recursive: true });
    acknowledgeApplicationTaskDefinition(this.taskDefinition);
  }
}

function capacityProviders(props: SecureAlbFargateServiceProps): ecs.CapacityProviderStrategy[] | undefined {
  if (!props.spot) return undefined;
  return [
    { capacityProvider: 'FARGATE', base: props.onDemandBaseCapacity ?? props.minCapacity ?? 2, weight: props.onDemandBaseCapacity === 0 ? 0 : 1 },
    { capacityProvider: 'FARGATE_SPOT', weight: 1 },
  ];
}

/** BusyBox httpd serving an empty page on the port and the health check path. */
function placeholderCommand(port: number, healthCheckPath: string): string[] {
  const file = `/www${healthCheckPath.replace(/\*.*$/, '')}`;
  const dir = file.slice(0, file.lastIndexOf('/')) || '/www';
  return ['sh', '-c', `mkdir -p ${dir} && echo ok > ${file} && echo ok > /www/index.html && exec httpd -f -p ${port} -h /www`];
}

/** CDK cannot tell the ARN separator of a name holding tokens (e.g. an environment name from context); a leading "/" tells it. */
function parameterNameProps(parameterName: string): { parameterName: string; simpleName?: boolean } {
  return isToken(parameterName) ? { parameterName, simpleName: !parameterName.startsWith('/') } : { parameterName };
}

function pascal(name: string): string {
  return name.split(/[^a-zA-Z0-9]/).filter(Boolean).map(part => part[0].toUpperCase() + part.slice(1)).join('');
}

function warnOnWeakenedDefaults(scope: Construct, props: SecureAlbFargateServiceProps): void {
  warnOnCredentialNamedEnvironment(scope, 'environment', props.environment);
  (props.routedContainers ?? []).forEach((routed, i) => warnOnCredentialNamedEnvironment(scope, `routedContainers[${i}].environment`, routed.environment));
  if (props.deletionProtection === false) {
    warnWeakenedDefault(scope, 'deletionProtection', false, 'a stack update or removal can delete the load balancer', 'keep the default (true) outside throw-away environments');
  }
  if (props.cloudFront === false) {
    warnWeakenedDefault(scope, 'cloudFront', false, 'the load balancer no longer requires the origin-verify header, so any CloudFront distribution can reach it',
      'keep the default (true), or front it with your own distribution and AWS WAF');
  }
  if (props.enableExecuteCommand) {
    warnWeakenedDefault(scope, 'enableExecuteCommand', true, 'whoever may call ecs:ExecuteCommand gets a shell in the running containers',
      'turn it on only while debugging');
  }
}

function validateProps(scope: Construct, props: SecureAlbFargateServiceProps, appName: string): void {
  validateDnsLabel(scope, 'environmentName', props.environmentName);
  validateDnsLabel(scope, 'appName', appName);
  if (props.baseDomainName !== undefined) validateDomainName(scope, 'baseDomainName', props.baseDomainName);
  const loadBalancerDomainName = `${props.environmentName}-lb.${props.baseDomainName ?? props.hostedZone.zoneName}`;
  if (!isToken(loadBalancerDomainName) && loadBalancerDomainName.length > MAX_CERTIFICATE_DOMAIN_LENGTH) {
    invalidProp(scope, 'environmentName', props.environmentName, `the load balancer host name ${loadBalancerDomainName} has ${loadBalancerDomainName.length} `
      + `characters and ACM certificates take at most ${MAX_CERTIFICATE_DOMAIN_LENGTH}; shorten environmentName or set a shorter baseDomainName`);
  }
  validateFargateSize(scope, 'cpu', props.cpu ?? 1024, 'memoryLimitMiB', props.memoryLimitMiB ?? 2048);
  validateIntegerRange(scope, 'minCapacity', props.minCapacity, 1, 1000);
  validateIntegerRange(scope, 'maxCapacity', props.maxCapacity, 1, 1000);
  validateMinMax(scope, 'minCapacity', props.minCapacity ?? 2, 'maxCapacity', props.maxCapacity ?? 4);
  validateIntegerRange(scope, 'targetCpuUtilizationPercent', props.targetCpuUtilizationPercent, 10, 95);
  validateIntegerRange(scope, 'targetMemoryUtilizationPercent', props.targetMemoryUtilizationPercent, 10, 95);
  validateIntegerRange(scope, 'containerPort', props.containerPort, 1, 65535);
  validateIntegerRange(scope, 'onDemandBaseCapacity', props.onDemandBaseCapacity, 0, 1000);
  validateSpotArchitecture(scope, 'spot', props.spot, props.cpuArchitecture);
  if (props.onDemandBaseCapacity !== undefined && !props.spot) {
    invalidProp(scope, 'onDemandBaseCapacity', props.onDemandBaseCapacity, 'it only applies with spot: true; set spot or drop onDemandBaseCapacity');
  }
  validateIntegerRange(scope, 'healthyThresholdCount', props.healthyThresholdCount, 2, 10);
  if (props.healthCheckPath !== undefined) validatePath(scope, 'healthCheckPath', props.healthCheckPath);
  if (props.command !== undefined) validateNonEmpty(scope, 'command', props.command);
  validateCustomDomain(scope, props);

  const routed = props.routedContainers ?? [];
  validateUnique(scope, 'routedContainers[].name', [MAIN_CONTAINER, ...routed.map(r => r.name)]);
  const maxPaths = MAX_RULE_CONDITION_VALUES - ((props.cloudFront ?? true) ? 1 : 0);
  routed.forEach((r, i) => {
    const prop = `routedContainers[${i}]`;
    validateDnsLabel(scope, `${prop}.name`, r.name);
    validateIntegerRange(scope, `${prop}.containerPort`, r.containerPort, 1, 65535);
    validateNonEmpty(scope, `${prop}.pathPatterns`, r.pathPatterns);
    if (r.pathPatterns.length > maxPaths) {
      invalidProp(scope, `${prop}.pathPatterns`, r.pathPatterns, `an ALB rule takes at most ${maxPaths} path patterns here; split them over two routed containers or use wider patterns`);
    }
    r.pathPatterns.forEach((p, j) => validatePath(scope, `${prop}.pathPatterns[${j}]`, p));
    if (r.healthCheckPath !== undefined) validatePath(scope, `${prop}.healthCheckPath`, r.healthCheckPath);
  });
}

/** The custom domain is CloudFront's, lives in the hosted zone, and needs a us-east-1 certificate. */
function validateCustomDomain(scope: Construct, props: SecureAlbFargateServiceProps): void {
  const { domainName, domainCertificate } = props;
  if (domainName === undefined) {
    if (domainCertificate) invalidProp(scope, 'domainCertificate', 'ICertificate', 'it only serves domainName; set domainName or drop domainCertificate');
    return;
  }
  if (!domainCertificate) invalidProp(scope, 'domainName', domainName, 'CloudFront needs a certificate for it; set domainCertificate (issued in us-east-1)');
  if (props.cloudFront === false) invalidProp(scope, 'domainName', domainName, 'the domain is served by CloudFront; drop domainName or keep cloudFront on');
  if (isToken(domainName)) return;
  validateDomainName(scope, 'domainName', domainName);
  const zoneName = props.hostedZone.zoneName;
  if (!isToken(zoneName) && domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
    invalidProp(scope, 'domainName', domainName, `it must be inside the hosted zone ${zoneName}, where its alias record goes`);
  }
  if (domainName === `${props.environmentName}-lb.${props.baseDomainName ?? zoneName}`) {
    invalidProp(scope, 'domainName', domainName, 'that is the load balancer\'s own host name; pick another name for the service URL');
  }
  const certificateRegion = isToken(domainCertificate.certificateArn)
    ? (domainCertificate instanceof acm.Certificate ? Stack.of(domainCertificate).region : undefined)
    : Arn.split(domainCertificate.certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region;
  if (certificateRegion && !isToken(certificateRegion) && certificateRegion !== 'us-east-1') {
    invalidProp(scope, 'domainCertificate', certificateRegion, 'CloudFront only takes certificates issued in us-east-1; issue it there');
  }
}
