import * as fs from 'fs';
import { Arn, ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as deployment from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SiteContent, StaticSiteProps } from './static-site-options';
import { logDataBucketAccess } from '../data/data-bucket-resources';
import { acknowledge, inlinePolicyAcknowledgements, smallFunctionAcknowledgements } from '../private/compliance';
import { checkAll } from '../private/errors';
import { claimPhysicalName } from '../private/naming';
import { checkPropTypes } from '../private/prop-types';
import { createBucket, declareTeardown } from '../private/teardown';
import { invalidProp, isToken, validateDomainName } from '../private/validation';
import { zoneNameOf } from '../service/aliases';
import { CLOUDFRONT_REGION, CloudFrontWebAcl, validateWebAcl } from '../service/cloudfront-web-acl';
import { cloudFrontCertificate } from '../service/domain-certificate';
import { createAccessLogsBucket } from '../service/edge';

const DEFAULT_ROOT_OBJECT = 'index.html';
/** Memory of aws-cdk-lib's upload function: `aws s3 sync` of a few thousand files needs more than Lambda's 128 MB. */
const UPLOAD_MEMORY_MIB = 512;

/**
 * A static website (Copilot's Static Site): files in a private S3 bucket served by a CloudFront distribution
 * through Origin Access Control, HTTPS only (TLS 1.2 on a custom domain), with security headers, a default root
 * object, optionally a single-page-app fallback, a web ACL, and a custom domain with its certificate and alias
 * records. Use it for a front end beside the backend; `BackendPlatform.addStaticSite` adds one to a platform.
 *
 * The bucket is encrypted, TLS-only, versioned and logged; it is retained on `cdk destroy` unless the enclosing
 * platform's teardown policy destroys data. `content` uploads directories on each deploy and never deletes an object.
 */
export class StaticSite extends Construct {
  /** The bucket holding the site's files: upload to it with `aws s3 sync <dir> s3://<bucketName>`. */
  public readonly bucket: s3.Bucket;
  /** The distribution serving the bucket. */
  public readonly distribution: cloudfront.Distribution;
  /** The site URL: `https://<domainName>`, or the distribution's `*.cloudfront.net` name. */
  public readonly url: string;
  /** The bucket receiving the distribution's and the bucket's access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The certificate of `domainName`, if the site has one. */
  public readonly certificate?: acm.ICertificate;
  /** One upload per `content` entry, in order. */
  public readonly contentDeployments: deployment.BucketDeployment[];

  constructor(scope: Construct, id: string, props: StaticSiteProps = {}) {
    super(scope, id);
    checkPropTypes(this, 'StaticSiteProps', props);
    validateProps(this, props);
    if (props.teardown !== undefined) declareTeardown(this, props.teardown);
    const logPrefix = `sites/${Names.uniqueId(this)}/`;
    this.accessLogsBucket = props.accessLogsBucket ?? createAccessLogsBucket(this);
    this.bucket = createBucket(this, 'Bucket', {
      // Origin Access Control reads SSE-KMS objects only with a customer managed key whose policy admits the distribution.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });
    logDataBucketAccess(this.bucket, this.accessLogsBucket, `${logPrefix}s3/`);
    acknowledge(this.bucket, [
      { id: 's3_bucket_default_encryption_kms_check', reason: 'Public web content, read by CloudFront through Origin Access Control, which decrypts SSE-KMS objects only with a customer managed key whose policy admits the distribution; SSE-S3 encrypts at rest without that coupling.' },
      { id: 's3_bucket_object_lock_enabled_check', reason: 'Site files are overwritten on each release; versioning keeps replaced ones for 30 days instead of a write-once lock.' },
      { id: 's3_event_notifications_enabled_check', reason: 'Nothing reacts to site uploads; the bucket is exposed (site.bucket) to add notifications.' },
      { id: 's3_bucket_replication_enabled_check', reason: 'The files are a build output the pipeline or CLI can upload again; the bucket is exposed to add replication.' },
    ]);

    const domainName = props.domainName;
    this.certificate = domainName ? props.domainCertificate ?? cloudFrontCertificate(this, domainName, props.hostedZone!, () => []) : undefined;
    const webAclId = props.webAcl?.managedProps ? new CloudFrontWebAcl(this, 'WebAcl', props.webAcl.managedProps).webAclArn : props.webAcl?.webAclArn;
    const rootObject = props.defaultRootObject ?? DEFAULT_ROOT_OBJECT;
    const fallback = (httpStatus: number): cloudfront.ErrorResponse => ({ httpStatus, responseHttpStatus: 200, responsePagePath: `/${rootObject}`, ttl: Duration.seconds(10) });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Static site ${this.node.path}`.slice(0, 128),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
      defaultRootObject: rootObject,
      errorResponses: props.singlePageApp ? [fallback(403), fallback(404)] : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.accessLogsBucket,
      logFilePrefix: `${logPrefix}cloudfront/`,
      webAclId,
      domainNames: domainName ? [domainName] : undefined,
      certificate: this.certificate,
    });
    acknowledgeDistribution(this.distribution, this.certificate !== undefined, webAclId !== undefined);
    if (domainName && props.hostedZone) {
      claimPhysicalName(this, 'DNS name', props.hostedZone.hostedZoneId, domainName, 'domainName', domainName);
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
      new route53.ARecord(this, 'DomainAlias', { zone: props.hostedZone, recordName: domainName, target });
      new route53.AaaaRecord(this, 'DomainAliasIpv6', { zone: props.hostedZone, recordName: domainName, target });
    }
    this.url = `https://${domainName ?? this.distribution.distributionDomainName}`;
    this.contentDeployments = (props.content ?? []).map((content, i) => this.upload(`Content${i + 1}`, content));
  }

  /** A directory uploaded on each deploy; nothing is ever deleted (no prune, retained on delete), then the cache is invalidated. */
  private upload(id: string, content: SiteContent): deployment.BucketDeployment {
    const { destination, recursive, exclude = [], include } = content.options;
    const upload = new deployment.BucketDeployment(this, id, {
      destinationBucket: this.bucket,
      sources: [deployment.Source.asset(content.directory)],
      destinationKeyPrefix: destination,
      exclude: [...(recursive === false ? ['*/*'] : []), ...exclude],
      include,
      prune: false,
      retainOnDelete: true,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: UPLOAD_MEMORY_MIB,
    });
    acknowledgeUpload(this);
    return upload;
  }
}

/** Every problem of the props, together. */
function validateProps(scope: Construct, props: StaticSiteProps): void {
  checkAll([
    () => validateWebAcl(scope, 'webAcl', props.webAcl),
    () => validateRootObject(scope, props.defaultRootObject),
    () => validateDomain(scope, props),
    ...(props.content ?? []).map((content, i) => () => validateContent(scope, `content[${i}]`, content)),
  ]);
}

function validateRootObject(scope: Construct, rootObject: string | undefined): void {
  if (rootObject === undefined) return;
  if (isToken(rootObject)) invalidProp(scope, 'defaultRootObject', rootObject, 'the single-page-app fallback path is written at synth; give the object name as text');
  if (rootObject === '' || rootObject.startsWith('/') || rootObject.length > 255) {
    invalidProp(scope, 'defaultRootObject', rootObject, 'give an object key without a leading slash, at most 255 characters (e.g. \'index.html\')');
  }
}

/** The custom domain lives in the hosted zone if there is one, and has a us-east-1 certificate. */
function validateDomain(scope: Construct, props: StaticSiteProps): void {
  const { domainName, domainCertificate, hostedZone } = props;
  if (domainName === undefined) {
    if (domainCertificate) invalidProp(scope, 'domainCertificate', 'ICertificate', 'it only serves domainName; set domainName or drop domainCertificate');
    return;
  }
  if (isToken(domainName)) invalidProp(scope, 'domainName', domainName, 'its alias records and certificate are written at synth; give the name as text');
  validateDomainName(scope, 'domainName', domainName);
  const region = Stack.of(scope).region;
  if (!domainCertificate && !hostedZone) {
    invalidProp(scope, 'domainName', domainName, `CloudFront needs a certificate for it, issued in ${CLOUDFRONT_REGION}; give the hostedZone `
      + 'that holds the domain (on a platform, its hostedZone; the site issues a DNS-validated certificate) or set domainCertificate');
  }
  if (!domainCertificate && isToken(region)) {
    invalidProp(scope, 'domainName', domainName, `CloudFront needs its certificate issued in ${CLOUDFRONT_REGION}, and this stack has no region to tell `
      + 'whether it is there; give the stack its region (env: { region: \'eu-west-1\' }) or set domainCertificate');
  }
  if (!domainCertificate && hostedZone && region !== CLOUDFRONT_REGION && isToken(hostedZone.hostedZoneId)) {
    invalidProp(scope, 'hostedZone', 'a zone created in this app', `the domain's certificate is validated from a companion ${CLOUDFRONT_REGION} stack, `
      + 'which needs the zone\'s ID as text; import the zone with route53.HostedZone.fromHostedZoneAttributes, or set domainCertificate');
  }
  const zoneName = hostedZone ? zoneNameOf(hostedZone) : undefined;
  if (zoneName !== undefined && !isToken(zoneName) && domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
    invalidProp(scope, 'domainName', domainName, `it must be inside the hosted zone ${zoneName}, where its alias records and certificate validation go`);
  }
  const arn = domainCertificate?.certificateArn;
  const certificateRegion = arn === undefined ? undefined : isToken(arn)
    ? (domainCertificate instanceof acm.Certificate ? Stack.of(domainCertificate).region : undefined)
    : Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region;
  if (certificateRegion && !isToken(certificateRegion) && certificateRegion !== CLOUDFRONT_REGION) {
    invalidProp(scope, 'domainCertificate', certificateRegion, `CloudFront only takes certificates issued in ${CLOUDFRONT_REGION}; issue it there`);
  }
}

/** A directory that exists at synth, a prefix S3 keys can start with, and `aws s3 sync` patterns as text. */
function validateContent(scope: Construct, prop: string, content: SiteContent): void {
  if (!(content instanceof SiteContent)) invalidProp(scope, prop, content, 'give SiteContent.fromDirectory(\'./dist\')');
  const { directory, options } = content;
  checkAll([
    () => {
      if (typeof directory !== 'string' || isToken(directory)) invalidProp(scope, `${prop}.directory`, directory, 'give the path of a local directory as text');
      let stat: fs.Stats | undefined;
      try {
        stat = fs.statSync(directory);
      } catch {
        invalidProp(scope, `${prop}.directory`, directory, 'no such file or directory; build the site before cdk synth, or fix the path (relative paths start at the app\'s working directory)');
      }
      if (!stat.isDirectory()) {
        invalidProp(scope, `${prop}.directory`, directory, 'that is a file; give the directory that holds it (with include to pick it), the upload takes directories');
      }
    },
    () => {
      const destination = options.destination;
      if (destination === undefined) return;
      if (typeof destination !== 'string' || isToken(destination) || destination === '' || destination.startsWith('/') || destination.endsWith('/')) {
        invalidProp(scope, `${prop}.destination`, destination, 'give a key prefix as text without a leading or trailing slash (e.g. \'assets\'), or drop it for the bucket\'s root');
      }
    },
    () => {
      if (options.recursive !== undefined && typeof options.recursive !== 'boolean') invalidProp(scope, `${prop}.recursive`, options.recursive, 'give true or false');
    },
    ...(['exclude', 'include'] as const).map(name => () => {
      const patterns = options[name];
      if (patterns === undefined) return;
      if (!Array.isArray(patterns)) invalidProp(scope, `${prop}.${name}`, patterns, 'give a list of patterns, e.g. [\'*.map\']');
      patterns.forEach((pattern, i) => {
        if (typeof pattern !== 'string' || isToken(pattern) || pattern === '') invalidProp(scope, `${prop}.${name}[${i}]`, pattern, 'give an aws s3 sync pattern as text, e.g. \'*.map\'');
      });
    }),
  ]);
}

function acknowledgeDistribution(distribution: cloudfront.Distribution, customCertificate: boolean, webAcl: boolean): void {
  const defaultCertificate = 'The site URL is the distribution\'s default *.cloudfront.net domain, whose certificate and viewer TLS policy CloudFront fixes; setting domainName gives the distribution a certificate of its own.';
  acknowledge(distribution, [
    { id: 'AwsSolutions-CFR1', reason: 'A website serves its users wherever they are; geo restriction is an application choice.' },
    ...(customCertificate ? [] : [
      { id: 'AwsSolutions-CFR4', reason: defaultCertificate },
      { id: 'cloudfront_custom_ssl_certificate_check', reason: defaultCertificate },
      { id: 'cloudfront_sni_enabled_check', reason: defaultCertificate },
      { id: 'cloudfront_security_policy_check', reason: defaultCertificate },
    ]),
    ...(webAcl ? [] : [
      { id: 'AwsSolutions-CFR2', reason: 'WAF is opt-in (webAcl): a CLOUDFRONT-scope web ACL must live in us-east-1 and is priced per request; on a platform the site takes the web ACL of the platform\'s service.' },
    ]),
    { id: 'cloudfront_origin_failover_enabled_check', reason: 'The single origin is an S3 bucket, which S3 stores across availability zones; there is no second origin to fail over to.' },
  ]);
}

/** aws-cdk-lib's upload function (one per stack, shared by every BucketDeployment): it runs at deploy time only. */
function acknowledgeUpload(scope: Construct): void {
  const stack = Stack.of(scope);
  const why = 'aws-cdk-lib\'s BucketDeployment function copies the site\'s files from the CDK asset bucket to the site bucket and invalidates the distribution, at deploy time only.';
  const handler = stack.node.findAll().filter(c => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  handler.forEach(provider => acknowledge(provider, [
    { id: 'AwsSolutions-IAM4', reason: `${why} Its role has the AWS-managed basic execution policy (CloudWatch Logs only).`, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
    { id: 'AwsSolutions-IAM5', reason: `${why} aws-cdk-lib grants it the objects of the asset bucket and of the site bucket, whose keys the site chooses.` },
    { id: 'AwsSolutions-L1', reason: `${why} Its runtime is the one aws-cdk-lib pins and updates.` },
    { id: 'iam_role_managed_policy_check', reason: `${why} Its role has the AWS-managed basic execution policy.` },
    ...inlinePolicyAcknowledgements(`${why} aws-cdk-lib writes its policy.`),
    ...smallFunctionAcknowledgements({
      vpc: `${why} It calls only the S3 and CloudFront APIs and needs no VPC.`,
      concurrency: `${why} One invocation per upload per deploy needs no concurrency limit.`,
      dlq: `${why} CloudFormation calls it synchronously and reports a failure itself.`,
    }),
  ], { recursive: true }));
}
