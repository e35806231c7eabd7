import { Annotations, Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { addAliasRecords, EdgeAliases, EdgeDomain } from './aliases';
import { EdgeUsage } from './capacity-checks';
import { CloudFrontWebAcl } from './cloudfront-web-acl';
import { cloudFrontCertificate } from './domain-certificate';
import { EdgeMode, EdgeOptions } from './service-options';
import { enableAlbAccessLogs } from '../private/alb-access-logs';
import { cloudFrontOriginFacingPrefixListId, ORIGIN_FACING_PREFIX_LIST_WEIGHT } from '../private/cloudfront-prefix-list';
import { acknowledge } from '../private/compliance';
import { createHardenedLoadBalancer } from '../private/load-balancers';
import { createSharedSecret } from '../private/secret';
import { requireSubnets } from '../private/subnets';
import { createBucket } from '../private/teardown';
import { libraryWarningId } from '../private/warnings';

/** The edge options with what the service resolved: the mode, where the ALB lives, its host name and its log bucket. */
export interface EdgeSettings extends EdgeOptions {
  /** The custom domain the aliases of the edge's services join. */
  readonly domain: EdgeDomain;
  readonly edgeMode: EdgeMode;
  readonly cloudFront: boolean;
  readonly vpc: ec2.IVpc;
  readonly hostedZone?: route53.IHostedZone;
  /** The load balancer's host name in the hosted zone; none without a zone. */
  readonly loadBalancerDomainName?: string;
  readonly accessLogsBucket: s3.IBucket;
}

/** Header CloudFront adds to every origin request of a public ALB; the ALB's rules require its secret value. */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';

/**
 * The edge of a web service: the ALB (internal behind a CloudFront VPC origin, or internet-facing behind the
 * prefix list and a secret origin header), its certificate and DNS name when there is a hosted zone, its listener,
 * and the distribution in front of it. Resources are created directly under the service construct (their IDs are
 * its contract).
 */
export class ServiceEdge {
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The load balancer's certificate; none without a hosted zone. */
  public readonly certificate?: acm.Certificate;
  /** HTTPS on 443, or HTTP on 80 when no certificate can exist (a VPC origin without a hosted zone). */
  public readonly listener: elbv2.ApplicationListener;
  /** The secret origin header value, when CloudFront fronts a public ALB. */
  public readonly originVerifySecret?: secretsmanager.Secret;
  /** What the services on this edge use of its load balancer's and security groups' quotas. */
  public readonly usage = new EdgeUsage();
  /** The host names the services on this edge answer at besides `domainName`. */
  public readonly aliases: EdgeAliases;
  private readonly vpcOrigin: boolean;
  private testListenerGroup?: ec2.SecurityGroup;

  constructor(private readonly scope: Construct, private readonly options: EdgeSettings) {
    this.vpcOrigin = options.edgeMode === EdgeMode.VPC_ORIGIN;
    this.aliases = new EdgeAliases(options.domain);
    if (this.vpcOrigin && options.vpc.publicSubnets.length === 0) {
      Annotations.of(scope).addWarningV2(libraryWarningId('vpcOriginInternetGateway'), 'vpc has no public subnets: CloudFront creates a VPC origin only '
        + 'in a VPC with an internet gateway attached (the load balancer stays internal); make sure this VPC has one');
    }
    this.loadBalancerSecurityGroup = this.createLoadBalancerSecurityGroup();
    this.loadBalancer = createHardenedLoadBalancer(scope, 'LoadBalancer', {
      vpc: options.vpc,
      internetFacing: !this.vpcOrigin,
      vpcSubnets: this.vpcOrigin
        ? requireSubnets(scope, options.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 2, 'the internal load balancer')
        : requireSubnets(scope, options.vpc, ec2.SubnetType.PUBLIC, 2, 'the internet-facing load balancer'),
      securityGroup: this.loadBalancerSecurityGroup,
      deletionProtection: options.deletionProtection,
    });
    enableAlbAccessLogs(this.loadBalancer, options.accessLogsBucket, 'alb');

    const { hostedZone, loadBalancerDomainName } = options;
    if (hostedZone && loadBalancerDomainName) {
      this.certificate = new acm.Certificate(scope, 'Certificate', {
        domainName: loadBalancerDomainName,
        validation: acm.CertificateValidation.fromDns(hostedZone),
      });
      new route53.ARecord(scope, 'LoadBalancerAlias', {
        zone: hostedZone,
        recordName: loadBalancerDomainName,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
      });
    }
    const forbidden = elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' });
    if (this.certificate) {
      this.listener = this.loadBalancer.addListener('HttpsListener', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [this.certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultAction: forbidden,
      });
    } else {
      this.listener = this.loadBalancer.addListener('HttpListener', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: forbidden });
      const reason = 'A VPC origin without a hosted zone: no certificate can be issued for the internal ALB\'s amazonaws.com name, so CloudFront reaches it over HTTP inside AWS\'s network; the synth warning says so and a hostedZone turns TLS on.';
      acknowledge(this.listener, [{ id: 'alb_http_to_https_redirection_check', reason }]);
    }
    this.usage.claim(scope, 'edgeMode', options.edgeMode, { listeners: this.vpcOrigin ? 1 : 2, cloudFrontGroupInbound: ORIGIN_FACING_PREFIX_LIST_WEIGHT });
    if (!this.vpcOrigin) {
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
      if (options.cloudFront) {
        this.originVerifySecret = createSharedSecret(scope, 'OriginVerifySecret',
          'Header value CloudFront adds to origin requests; the ALB rejects requests without it',
          'The value is shared by the CloudFront origin and the ALB rule through dynamic references; rotating it needs both updated in one deploy, so it is rotated by changing the secret and redeploying.');
      }
    }
  }

  /**
   * The load balancer's second security group, created with the first blue/green service on the edge: it admits each
   * smoke-test function to its test listener, so the CloudFront group keeps only its prefix-list rule (55 of its 60
   * inbound rules) however many blue/green services share the load balancer.
   */
  public get testListenerSecurityGroup(): ec2.SecurityGroup {
    if (!this.testListenerGroup) {
      this.testListenerGroup = new ec2.SecurityGroup(this.scope, 'TestListenerSecurityGroup', {
        vpc: this.options.vpc, description: 'ALB: blue/green test listeners, from the smoke-test functions only', allowAllOutbound: false,
      });
      // On the resource only, not on the load balancer's connections: those open every target to each of its groups,
      // and the CloudFront group's rules to the tasks already serve the test listener's traffic.
      const cfn = this.loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer;
      cfn.securityGroups = [this.loadBalancerSecurityGroup.securityGroupId, this.testListenerGroup.securityGroupId];
    }
    return this.testListenerGroup;
  }

  /** The listener condition every forward rule carries when CloudFront fronts a public ALB. */
  public originConditions(): elbv2.ListenerCondition[] {
    if (!this.originVerifySecret) return [];
    return [elbv2.ListenerCondition.httpHeader(ORIGIN_VERIFY_HEADER, [this.originVerifySecret.secretValue.unsafeUnwrap()])];
  }

  /**
   * The distribution in front of the ALB, with its web ACL and alias records for the custom domain if there is one,
   * and for `ownAliases` (the aliases of the service that owns the edge).
   */
  public createDistribution(comment: string, ownAliases: string[]): cloudfront.Distribution {
    const { domainName, hostedZone, cachedPathPatterns = [] } = this.options;
    const origin = this.createOrigin();
    const domainCertificate = this.domainCertificate();
    const webAclId = this.webAclArn();
    const distribution = new cloudfront.Distribution(this.scope, 'Distribution', {
      comment,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: this.aliases.originRequestPolicy(this.scope),
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      additionalBehaviors: Object.fromEntries(cachedPathPatterns.map(pattern => [pattern, {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      }])),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.options.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      webAclId,
      domainNames: domainName ? this.aliases.distributionNames() : undefined,
      certificate: domainCertificate,
    });
    acknowledgeDistribution(distribution, domainCertificate !== undefined, webAclId !== undefined);
    if (domainName && hostedZone) {
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
      new route53.ARecord(this.scope, 'DomainAlias', { zone: hostedZone, recordName: domainName, target });
      new route53.AaaaRecord(this.scope, 'DomainAliasIpv6', { zone: hostedZone, recordName: domainName, target });
      addAliasRecords(this.scope, hostedZone, distribution, ownAliases);
    }
    return distribution;
  }

  /** TLS to the origin on the load balancer's certificate wherever one exists. */
  private createOrigin(): cloudfront.IOrigin {
    const readTimeout = Duration.seconds(60);
    const originSslProtocols = [cloudfront.OriginSslPolicy.TLS_V1_2];
    if (this.vpcOrigin && !this.certificate) {
      return origins.VpcOrigin.withApplicationLoadBalancer(this.loadBalancer, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
        originSslProtocols,
        readTimeout,
      });
    }
    if (this.vpcOrigin) {
      // CloudFront refuses to update a VPC origin a distribution uses (aws/aws-cdk#35765): the HTTPS origin is a
      // resource of its own, so adding a hosted zone later creates it, moves the distribution, and deletes the HTTP one.
      const httpsOrigin = new cloudfront.VpcOrigin(this.scope, 'HttpsVpcOrigin', {
        endpoint: cloudfront.VpcOriginEndpoint.applicationLoadBalancer(this.loadBalancer),
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols,
      });
      return origins.VpcOrigin.withVpcOrigin(httpsOrigin, { domainName: this.options.loadBalancerDomainName, readTimeout });
    }
    return new origins.HttpOrigin(this.options.loadBalancerDomainName!, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols,
      customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originVerifySecret!.secretValue.unsafeUnwrap() },
      readTimeout,
    });
  }

  /** The user's certificate, or one issued in us-east-1 (here or in a companion stack) and validated in the hosted zone. */
  private domainCertificate(): acm.ICertificate | undefined {
    const { domainName, domainCertificate, hostedZone } = this.options;
    if (!domainName || domainCertificate) return domainCertificate;
    return cloudFrontCertificate(this.scope, domainName, hostedZone!, this.aliases.alternativeNames());
  }

  private webAclArn(): string | undefined {
    const { webAcl, webAclId } = this.options;
    if (webAcl?.managedProps) return new CloudFrontWebAcl(this.scope, 'WebAcl', webAcl.managedProps).webAclArn;
    return webAcl?.webAclArn ?? webAclId;
  }

  private createLoadBalancerSecurityGroup(): ec2.SecurityGroup {
    const prefixListId = this.options.cloudFrontPrefixListId ?? cloudFrontOriginFacingPrefixListId(this.scope, 'cloudFrontPrefixListId');
    const tls = this.options.hostedZone !== undefined;
    // Internal: only CloudFront's VPC-origin network interfaces, whose traffic comes from the origin-facing prefix
    // list, reach it. Public: port 80 stays closed (CloudFront redirects viewers to HTTPS, and the prefix list weighs
    // ~55 rules of the 60-rule quota).
    const rule = this.vpcOrigin
      ? { group: 'Internal ALB: CloudFront VPC origin traffic (origin-facing prefix list) only', port: tls ? 443 : 80, description: `${tls ? 'HTTPS' : 'HTTP'} from CloudFront VPC origins` }
      : { group: 'ALB: HTTPS from the CloudFront origin-facing prefix list only', port: 443, description: 'HTTPS from CloudFront origin-facing servers' };
    const securityGroup = new ec2.SecurityGroup(this.scope, 'LoadBalancerSecurityGroup', { vpc: this.options.vpc, description: rule.group, allowAllOutbound: false });
    securityGroup.addIngressRule(ec2.Peer.prefixList(prefixListId), ec2.Port.tcp(rule.port), rule.description);
    return securityGroup;
  }
}

/**
 * The encrypted, TLS-only bucket that receives ALB and CloudFront access logs: retained, or emptied and deleted
 * with the stack when the teardown policy destroys data.
 */
export function createAccessLogsBucket(scope: Construct): s3.Bucket {
  const bucket = createBucket(scope, 'AccessLogsBucket', {
    // ALB access logs only support SSE-S3; CloudFront standard logs need ACLs (bucket owner preferred).
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    versioned: true,
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

function acknowledgeDistribution(distribution: cloudfront.Distribution, customCertificate: boolean, webAcl: boolean): void {
  const defaultCertificate = 'The service URL is the distribution\'s default *.cloudfront.net domain, whose certificate and viewer TLS policy CloudFront fixes; setting domainName gives the distribution a certificate of its own.';
  acknowledge(distribution, [
    { id: 'AwsSolutions-CFR1', reason: 'An API backend serves its users wherever they are; geo restriction is an application choice.' },
    ...(customCertificate ? [] : [{ id: 'AwsSolutions-CFR4', reason: defaultCertificate }]),
    ...(webAcl ? [] : [
      { id: 'AwsSolutions-CFR2', reason: 'WAF is opt-in (webAcl): a CLOUDFRONT-scope web ACL must live in us-east-1 and is priced per request; a production BackendPlatform without one warns at synth.' },
    ]),
    ...(customCertificate ? [] : [
      { id: 'cloudfront_custom_ssl_certificate_check', reason: defaultCertificate },
      { id: 'cloudfront_sni_enabled_check', reason: defaultCertificate },
      { id: 'cloudfront_security_policy_check', reason: defaultCertificate },
    ]),
    { id: 'cloudfront_default_root_object_configured_check', reason: 'The origin is an API, not a static site: there is no root object to serve.' },
    { id: 'cloudfront_origin_failover_enabled_check', reason: 'The single origin is a multi-AZ ALB; there is no second origin to fail over to.' },
  ]);
}
