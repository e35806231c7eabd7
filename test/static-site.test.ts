import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { synthesized } from './builders';
import { originAccessControlAdmittedByBucketPolicy } from './deploy-readiness/rules/static-sites';
import { givenStack } from './fixtures';
import { BackendPlatform, EdgeWebAcl, EnvironmentProfile, SiteContent, StaticSite, StaticSiteProps, TeardownPolicy } from '../src';

const CONTENT = path.join(__dirname, 'site-content');
const SECURITY_HEADERS_POLICY = '67f7725c-6f97-4210-82d7-5512b31e9d03';
const WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/a1b2';

function site(props: StaticSiteProps = {}, region?: string) {
  const { stack, zone } = givenStack(region ? { env: { region } } : {});
  const built = new StaticSite(stack, 'Site', { hostedZone: zone, ...props });
  return { stack, site: built, template: Template.fromStack(stack) };
}

function distributionConfig(template: Template): any {
  const distributions = template.findResources('AWS::CloudFront::Distribution');
  expect(Object.keys(distributions)).toHaveLength(1);
  return Object.values<any>(distributions)[0].Properties.DistributionConfig;
}

describe('StaticSite on its own', () => {
  const { template, site: built, stack } = site();

  test('the bucket is private, encrypted, TLS-only, versioned, logged and retained', () => {
    const buckets = template.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.anyValue() } });
    const [id, bucket] = Object.entries<any>(buckets).find(([logicalId]) => logicalId.startsWith('SiteBucket'))!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LoggingConfiguration.LogFilePrefix).toMatch(/^sites\/TestStackSite[0-9A-F]{8}\/s3\/$/);
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName.Ref).toMatch(/^SiteAccessLogsBucket/);
    expect(stack.resolve(built.bucket.bucketName)).toEqual({ Ref: id });
  });

  test('the bucket policy denies plain HTTP and lets only this distribution read, through Origin Access Control', () => {
    const policies = Object.values<any>(template.findResources('AWS::S3::BucketPolicy'))
      .filter(policy => policy.Properties.Bucket.Ref.startsWith('SiteBucket'));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) } },
      }),
    ]));
    expect(JSON.stringify(statements)).not.toContain('OriginAccessIdentity');
  });

  test('the distribution reads the bucket through OAC, redirects to HTTPS, sends security headers and serves index.html at /', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const config = distributionConfig(template);
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0].OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SiteDistributionOrigin1S3OriginAccessControl/), 'Id'] });
    expect(config.Origins[0].S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      Compress: true,
      ResponseHeadersPolicyId: SECURITY_HEADERS_POLICY,
    });
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.Logging.Prefix).toMatch(/^sites\/TestStackSite[0-9A-F]{8}\/cloudfront\/$/);
    expect(config.WebACLId).toBeUndefined();
    expect(stack.resolve(built.url)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^SiteDistribution/), 'DomainName'] }]] });
  });

  test('the deploy-readiness rule on OAC reads this template: it holds, and fails once the bucket policy is gone', () => {
    const json = template.toJSON();
    expect(originAccessControlAdmittedByBucketPolicy.check(json)).toEqual([]);
    const withoutPolicy = { ...json, Resources: Object.fromEntries(Object.entries<any>(json.Resources).filter(([, r]) => r.Type !== 'AWS::S3::BucketPolicy')) };
    expect(originAccessControlAdmittedByBucketPolicy.check(withoutPolicy)).toEqual([
      expect.stringMatching(/^SiteDistribution[0-9A-F]{8} reads SiteBucket[0-9A-F]{8} through origin access control, but no bucket policy/),
    ]);
  });

  test('nothing is uploaded without content', () => {
    expect(template.findResources('Custom::CDKBucketDeployment')).toEqual({});
    expect(built.contentDeployments).toEqual([]);
  });
});

test('teardown DESTROY on its own empties and deletes the site bucket and its access-log bucket with the stack', () => {
  const { template } = site({ teardown: TeardownPolicy.DESTROY });
  const buckets = Object.entries<any>(template.findResources('AWS::S3::Bucket'));
  expect(buckets.map(([id, bucket]) => [id.replace(/[0-9A-F]{8}$/, ''), bucket.DeletionPolicy])).toEqual([['SiteAccessLogsBucket', 'Delete'], ['SiteBucket', 'Delete']]);
  expect(Object.values<any>(template.findResources('Custom::S3AutoDeleteObjects')).map(r => r.Properties.BucketName.Ref.replace(/[0-9A-F]{8}$/, '')).sort())
    .toEqual(['SiteAccessLogsBucket', 'SiteBucket']);
});

test('a single-page app answers 403 and 404 with the root object and status 200', () => {
  const config = distributionConfig(site({ singlePageApp: true, defaultRootObject: 'app.html' }).template);
  expect(config.DefaultRootObject).toBe('app.html');
  expect(config.CustomErrorResponses).toEqual([
    { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/app.html', ErrorCachingMinTTL: 10 },
    { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/app.html', ErrorCachingMinTTL: 10 },
  ]);
});

test('a custom domain in us-east-1 gets a DNS-validated certificate, TLS 1.2_2021 with SNI, and A/AAAA aliases in the zone', () => {
  const { template, site: built } = site({ domainName: 'www.example.com', webAcl: EdgeWebAcl.fromArn(WEB_ACL) }, 'us-east-1');
  template.hasResourceProperties('AWS::CertificateManager::Certificate', {
    DomainName: 'www.example.com', ValidationMethod: 'DNS', DomainValidationOptions: [{ DomainName: 'www.example.com', HostedZoneId: 'Z0123456789ABC' }],
  });
  const config = distributionConfig(template);
  expect(config.Aliases).toEqual(['www.example.com']);
  expect(config.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
  expect(config.WebACLId).toBe(WEB_ACL);
  for (const type of ['A', 'AAAA']) {
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'www.example.com.', Type: type, HostedZoneId: 'Z0123456789ABC' });
  }
  expect(built.url).toBe('https://www.example.com');
});

test('a custom domain outside us-east-1 takes its certificate from the companion us-east-1 stack', () => {
  const { stack } = site({ domainName: 'www.example.com' }, 'eu-west-1');
  const companion = stack.node.scope!.node.tryFindChild('TestStackCloudFrontCertificates') as Stack;
  expect(companion.region).toBe('us-east-1');
  Template.fromStack(companion).hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'www.example.com' });
  expect(Template.fromStack(stack).findResources('AWS::CertificateManager::Certificate')).toEqual({});
});

test('content is uploaded without pruning, kept on delete, filtered as given, then the distribution is invalidated', () => {
  const { template, site: built } = site({
    content: [
      SiteContent.fromDirectory(CONTENT, { exclude: ['*.map'], include: ['robots.txt'] }),
      SiteContent.fromDirectory(CONTENT, { destination: 'v2', recursive: false }),
    ],
  });
  expect(built.contentDeployments).toHaveLength(2);
  const uploads = Object.values<any>(template.findResources('Custom::CDKBucketDeployment')).map(upload => upload.Properties);
  expect(uploads).toHaveLength(2);
  expect(uploads[0]).toMatchObject({ Prune: false, RetainOnDelete: true, Exclude: ['*.map'], Include: ['robots.txt'], DistributionPaths: ['/*'] });
  expect(uploads[0].DestinationBucketKeyPrefix).toBeUndefined();
  expect(uploads[1]).toMatchObject({ Prune: false, RetainOnDelete: true, Exclude: ['*/*'], DestinationBucketKeyPrefix: 'v2' });
  template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512, Layers: Match.anyValue() });
});

test('every bad prop is refused in one error, with its path, value and fix', () => {
  const { stack, zone } = givenStack({ env: { region: 'eu-west-1' } });
  let message = '';
  try {
    new StaticSite(stack, 'Site', {
      hostedZone: zone,
      domainName: 'www.example.org',
      defaultRootObject: '/index.html',
      webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/a1b2'),
      content: [
        SiteContent.fromDirectory(path.join(CONTENT, 'missing')),
        SiteContent.fromDirectory(path.join(CONTENT, 'index.html')),
        SiteContent.fromDirectory(CONTENT, { destination: '/assets/', exclude: [''] }),
      ],
    });
  } catch (error) {
    message = (error as Error).message;
  }
  const lines = message.split('\n');
  expect(lines).toEqual(expect.arrayContaining([
    expect.stringMatching(/^TestStack\/Site: invalid webAcl "arn:aws:wafv2:eu-west-1.*REGIONAL scope/),
    'TestStack/Site: invalid defaultRootObject "/index.html": give an object key without a leading slash, at most 255 characters (e.g. \'index.html\')',
    'TestStack/Site: invalid domainName "www.example.org": it must be inside the hosted zone example.com, where its alias records and certificate validation go',
    expect.stringMatching(/^TestStack\/Site: invalid content\[0\]\.directory ".*missing": no such file or directory/),
    expect.stringMatching(/^TestStack\/Site: invalid content\[1\]\.directory ".*index\.html": that is a file/),
    expect.stringMatching(/^TestStack\/Site: invalid content\[2\]\.destination "\/assets\/": give a key prefix as text without a leading or trailing slash/),
    'TestStack/Site: invalid content[2].exclude[0] "": give an aws s3 sync pattern as text, e.g. \'*.map\'',
  ]));
  expect(lines).toHaveLength(7);
});

test('a domain needs a certificate or a zone, and a user certificate must be in us-east-1', () => {
  const { stack } = givenStack({ env: { region: 'eu-west-1' } });
  expect(() => new StaticSite(stack, 'NoZone', { domainName: 'www.example.com' }))
    .toThrow(/invalid domainName "www.example.com": CloudFront needs a certificate for it, issued in us-east-1; give the hostedZone/);
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/0123abcd-0123-0123-0123-0123456789ab');
  expect(() => new StaticSite(stack, 'Elsewhere', { domainName: 'www.example.com', domainCertificate: certificate }))
    .toThrow(/invalid domainCertificate "eu-west-1": CloudFront only takes certificates issued in us-east-1/);
  expect(() => new StaticSite(stack, 'Unused', { domainCertificate: certificate })).toThrow(/invalid domainCertificate "ICertificate": it only serves domainName/);
  expect(() => new StaticSite(stack, 'Typo', { singlePageAp: true } as StaticSiteProps)).toThrow(/invalid singlePageAp true: StaticSiteProps has no such prop; did you mean singlePageApp\?/);
});

describe('BackendPlatform.addStaticSite', () => {
  function platformWithSite(profile: EnvironmentProfile, options: Parameters<BackendPlatform['addStaticSite']>[1] = {}) {
    const { stack, vpc, zone } = givenStack({ env: { region: 'us-east-1' } });
    const platform = new BackendPlatform(stack, 'Backend', {
      environmentName: profile === EnvironmentProfile.PRODUCTION ? 'prod' : 'dev', profile, vpc, hostedZone: zone, service: { webAcl: EdgeWebAcl.fromArn(WEB_ACL) },
    });
    const added = platform.addStaticSite('Docs', options);
    return { stack, platform, site: added, template: Template.fromStack(stack) };
  }

  test('production: the bucket is retained, logs go to the platform\'s access-log bucket, the service\'s web ACL guards the site, outputs name it', () => {
    const { template, platform, site: added, stack } = platformWithSite(EnvironmentProfile.PRODUCTION, { domainName: 'docs.example.com' });
    expect(added.node.path).toBe('TestStack/Backend/Docs');
    const bucket = template.toJSON().Resources[stack.getLogicalId(added.bucket.node.defaultChild as any)];
    expect(bucket.DeletionPolicy).toBe('Retain');
    const logs = stack.resolve(platform.service.accessLogsBucket.bucketName);
    expect(stack.resolve(bucket.Properties.LoggingConfiguration.DestinationBucketName)).toEqual(logs);
    const configs = Object.values<any>(template.findResources('AWS::CloudFront::Distribution')).map(d => d.Properties.DistributionConfig);
    const siteConfig = configs.find(config => config.Aliases?.includes('docs.example.com'));
    expect(siteConfig.WebACLId).toBe(WEB_ACL);
    expect(siteConfig.DefaultRootObject).toBe('index.html');
    template.hasOutput('BackendDocsUrl', { Value: 'https://docs.example.com' });
    template.hasOutput('BackendDocsBucketName', { Value: { Ref: stack.getLogicalId(added.bucket.node.defaultChild as any) } });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'docs.example.com.', Type: 'A' });
  });

  test('monitoring: a dashboard row from us-east-1 (CloudFront\'s metrics region), and a 5xx alarm when the stack is there', () => {
    const { template, stack } = platformWithSite(EnvironmentProfile.PRODUCTION);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 5,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [Match.objectLike({
        MetricStat: {
          Metric: { Namespace: 'AWS/CloudFront', MetricName: '5xxErrorRate', Dimensions: Match.arrayWith([{ Name: 'Region', Value: 'Global' }]) },
          Period: 60,
          Stat: 'Average',
        },
      })],
    });
    const body = JSON.stringify(stack.resolve((Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0]).Properties.DashboardBody));
    expect(body).toContain('## Static site Docs');
    expect(body).toMatch(/AWS\/CloudFront.*5xxErrorRate.*DistributionId/);

    const { stack: elsewhere, vpc, zone } = givenStack({ env: { region: 'eu-west-1' } });
    new BackendPlatform(elsewhere, 'Backend', { environmentName: 'prod', vpc, hostedZone: zone }).addStaticSite('Docs');
    const other = Template.fromStack(elsewhere);
    expect(JSON.stringify(other.findResources('AWS::CloudWatch::Alarm'))).not.toContain('AWS/CloudFront');
    const otherBody = JSON.stringify(Object.values<any>(other.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(otherBody).toMatch(/AWS\/CloudFront.*5xxErrorRate.*DistributionId.*region.*us-east-1/);
  });

  test('development: the bucket is emptied and deleted with the stack', () => {
    const { template, site: added, stack } = platformWithSite(EnvironmentProfile.DEVELOPMENT);
    const id = stack.getLogicalId(added.bucket.node.defaultChild as any);
    expect(template.toJSON().Resources[id].DeletionPolicy).toBe('Delete');
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: id } });
  });

  test('the managed web ACL of the service guards the site too', () => {
    const { stack, vpc, zone } = givenStack({ env: { region: 'us-east-1' } });
    const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', vpc, hostedZone: zone, service: { webAcl: EdgeWebAcl.managed() } });
    platform.addStaticSite('Docs');
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::WAFv2::WebACL'))).toHaveLength(1);
    const webAcls = Object.values<any>(template.findResources('AWS::CloudFront::Distribution')).map(d => d.Properties.DistributionConfig.WebACLId);
    expect(webAcls).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceWebAcl/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceWebAcl/), 'Arn'] }]);
  });

  test('options of the wrong type from plain JavaScript are refused by name, with the platform\'s other problems', () => {
    const js = (value: unknown) => value as any;
    const build = synthesized(() => {
      const { stack, vpc, zone } = givenStack();
      const p = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', vpc, hostedZone: zone });
      p.addStaticSite('Docs', { singlePageApp: js('yes'), content: js('./dist') });
      return p;
    });
    expect(build).toThrow(/invalid addStaticSite\('Docs'\)\.singlePageApp "yes": expected true or false/);
    expect(build).toThrow(/invalid addStaticSite\('Docs'\)\.content "\.\/dist": expected an array/);
    const { stack, vpc, zone } = givenStack();
    const p = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', vpc, hostedZone: zone });
    expect(() => p.addStaticSite('Docs', js('./dist')))
      .toThrow(/invalid addStaticSite\('Docs'\) options "\.\/dist": give the options, e\.g\. \{ content: \[SiteContent\.fromDirectory\('\.\/dist'\)\] \}/);
  });

  test('a domain on a platform without a hosted zone names the fix in the platform\'s terms', () => {
    const build = synthesized(() => {
      const { stack, vpc } = givenStack({ env: { region: 'eu-west-1' } });
      const p = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', vpc });
      p.addStaticSite('Docs', { domainName: 'docs.example.com' });
      return p;
    });
    expect(build).toThrow(/^TestStack\/Backend: invalid addStaticSite\('Docs'\)\.domainName "docs\.example\.com": CloudFront needs a certificate for it, issued in us-east-1; give the hostedZone that holds the domain \(on a platform, its hostedZone/);
  });

  test('a site domain another distribution of the platform answers at is refused at synth', () => {
    const build = synthesized(() => {
      const { stack, vpc, zone } = givenStack({ env: { region: 'us-east-1' } });
      const p = new BackendPlatform(stack, 'Backend', {
        environmentName: 'prod', vpc, hostedZone: zone, service: { domainName: 'api.example.com', aliases: ['www.example.com'] },
      });
      p.addStaticSite('Docs', { domainName: 'www.example.com' });
      p.addStaticSite('Api', { domainName: 'api.example.com' });
      p.addStaticSite('Other', { domainName: 'docs.example.com' });
      return p;
    });
    // An alias of the service is a DNS name it claims in the zone; the service's domainName is found on its distribution.
    expect(build).toThrow(/TestStack\/Backend: invalid addStaticSite\('Docs'\)\.domainName "www\.example\.com": the DNS name www\.example\.com is already created by TestStack\/Backend\/Service/);
    expect(build).toThrow(/invalid addStaticSite\('Api'\)\.domainName "api\.example\.com": the distribution TestStack\/Backend\/Service\/Distribution already answers at it/);
    expect(build).not.toThrow(/addStaticSite\('Other'\)/);
  });

  test('bad site options are refused at synth in the platform\'s names, with the platform\'s other problems', () => {
    const build = synthesized(() => {
      const { stack, vpc, zone } = givenStack({ env: { region: 'us-east-1' } });
      const p = new BackendPlatform(stack, 'Backend', { environmentName: 'Prod!', vpc, hostedZone: zone });
      p.addStaticSite('Docs', { domainName: 'docs.example.org', defaultRootObject: '/x.html' });
      p.addStaticSite('Docs', {});
      return p;
    });
    expect(build).toThrow(/TestStack\/Backend: invalid environmentName "Prod!"/);
    expect(build).toThrow(/TestStack\/Backend: invalid addStaticSite\('Docs'\)\.domainName "docs\.example\.org": it must be inside the hosted zone example\.com/);
    expect(build).toThrow(/TestStack\/Backend: invalid addStaticSite\('Docs'\)\.defaultRootObject "\/x\.html"/);
    expect(build).toThrow(/TestStack\/Backend: invalid addStaticSite id "Docs": the platform already has a part or workload with that id/);
  });
});
