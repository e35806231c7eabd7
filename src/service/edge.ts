import { Duration } from 'aws-cdk-lib';
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
import { EdgeOptions } from './service-options';
import { enableAlbAccessLogs } from '../private/alb-access-logs';
import { cloudFrontOriginFacingPrefixListId } from '../private/cloudfront-prefix-list';
import { acknowledge } from '../private/compliance';
import { createSharedSecret } from '../private/secret';
import { requireSubnets } from '../private/subnets';
import { createBucket } from '../private/teardown';

/** The edge options with what the service resolved: where the ALB lives, its host name and its log bucket. */
export interface EdgeSettings extends EdgeOptions {
  readonly vpc: ec2.IVpc;
  readonly hostedZone: route53.IHostedZone;
  readonly loadBalancerDomainName: string;
  readonly accessLogsBucket: s3.IBucket;
}

/** Header CloudFront adds to every origin request; the ALB's rules require its secret value. */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';

/**
 * The edge of a web service: an internet-facing ALB that admits HTTPS only from CloudFront's origin-facing prefix
 * list, its certificate and DNS name, and the distribution with the secret origin header in front of it.
 * Resources are created directly under the service construct (their IDs are its contract).
 */
export class ServiceEdge {
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly certificate: acm.Certificate;
  public readonly httpsListener: elbv2.ApplicationListener;
  /** The secret origin header value, when CloudFront fronts the ALB. */
  public readonly originVerifySecret?: secretsmanager.Secret;

  constructor(private readonly scope: Construct, private readonly options: EdgeSettings) {
    this.loadBalancerSecurityGroup = this.createLoadBalancerSecurityGroup();
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
      vpc: options.vpc,
      internetFacing: true,
      vpcSubnets: requireSubnets(scope, options.vpc, ec2.SubnetType.PUBLIC, 2, 'the internet-facing load balancer'),
      securityGroup: this.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: options.deletionProtection ?? true,
    });
    if (options.deletionProtection === false) {
      acknowledge(this.loadBalancer, [{ id: 'elbv2_deletion_protection_enabled_check', reason: 'Deletion protection was turned off explicitly (deletionProtection: false), e.g. by the development profile.' }]);
    }
    enableAlbAccessLogs(this.loadBalancer, options.accessLogsBucket, 'alb');

    this.certificate = new acm.Certificate(scope, 'Certificate', {
      domainName: options.loadBalancerDomainName,
      validation: acm.CertificateValidation.fromDns(options.hostedZone),
    });
    new route53.ARecord(scope, 'LoadBalancerAlias', {
      zone: options.hostedZone,
      recordName: options.loadBalancerDomainName,
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
    if (options.cloudFront ?? true) {
      this.originVerifySecret = createSharedSecret(scope, 'OriginVerifySecret',
        'Header value CloudFront adds to origin requests; the ALB rejects requests without it',
        'The value is shared by the CloudFront origin and the ALB rule through dynamic references; rotating it needs both updated in one deploy, so it is rotated by changing the secret and redeploying.');
    }
  }

  /** The listener condition every forward rule carries when CloudFront fronts the ALB. */
  public originConditions(): elbv2.ListenerCondition[] {
    if (!this.originVerifySecret) return [];
    return [elbv2.ListenerCondition.httpHeader(ORIGIN_VERIFY_HEADER, [this.originVerifySecret.secretValue.unsafeUnwrap()])];
  }

  /** The distribution in front of the ALB, with an alias record for the custom domain if there is one. */
  public createDistribution(comment: string): cloudfront.Distribution {
    const { domainName, domainCertificate, webAclId, hostedZone } = this.options;
    const distribution = new cloudfront.Distribution(this.scope, 'Distribution', {
      comment,
      defaultBehavior: {
        origin: new origins.HttpOrigin(this.options.loadBalancerDomainName, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originVerifySecret!.secretValue.unsafeUnwrap() },
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
      logBucket: this.options.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      webAclId,
      domainNames: domainName ? [domainName] : undefined,
      certificate: domainCertificate,
    });
    acknowledgeDistribution(distribution, domainCertificate !== undefined, webAclId !== undefined);
    if (domainName) {
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
      new route53.ARecord(this.scope, 'DomainAlias', { zone: hostedZone, recordName: domainName, target });
      new route53.AaaaRecord(this.scope, 'DomainAliasIpv6', { zone: hostedZone, recordName: domainName, target });
    }
    return distribution;
  }

  private createLoadBalancerSecurityGroup(): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this.scope, 'LoadBalancerSecurityGroup', {
      vpc: this.options.vpc,
      description: 'ALB: HTTPS from the CloudFront origin-facing prefix list only',
      allowAllOutbound: false,
    });
    const prefixListId = this.options.cloudFrontPrefixListId ?? cloudFrontOriginFacingPrefixListId(this.scope, 'cloudFrontPrefixListId');
    // Port 80 stays closed: CloudFront redirects viewers to HTTPS, and the prefix list weighs ~55 rules of the 60-rule quota.
    securityGroup.addIngressRule(ec2.Peer.prefixList(prefixListId), ec2.Port.tcp(443), 'HTTPS from CloudFront origin-facing servers');
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
  const defaultCertificate = 'The service URL is the distribution default *.cloudfront.net domain, whose certificate and viewer TLS policy CloudFront fixes; origin traffic is TLS 1.2 only. A custom domain needs a us-east-1 certificate that the user brings.';
  acknowledge(distribution, [
    { id: 'AwsSolutions-CFR1', reason: 'An API backend serves its users wherever they are; geo restriction is an application choice.' },
    ...(customCertificate ? [] : [{ id: 'AwsSolutions-CFR4', reason: defaultCertificate }]),
    ...(webAcl ? [] : [
      { id: 'AwsSolutions-CFR2', reason: 'WAF is opt-in (webAclId): a CLOUDFRONT-scope web ACL must live in us-east-1 and is priced per request.' },
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
