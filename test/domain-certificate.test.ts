import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { checkCompliance, describe as describeFindings } from './compliance';
import { BackendPlatform, EnvironmentProfile, ServiceImage } from '../src';

/** The first hour's app with a custom domain, in a stack outside us-east-1. */
function build(stackProps = { env: { region: 'eu-west-1' } }, domainName = 'api.example.com') {
  const app = new App();
  const stack = new Stack(app, 'MyBackendDev', stackProps);
  const platform = new BackendPlatform(stack, 'Backend', {
    environmentName: 'dev',
    profile: EnvironmentProfile.DEVELOPMENT,
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' }),
    service: { domainName },
    image: ServiceImage.placeholder(),
  });
  const companion = app.node.tryFindChild('MyBackendDevCloudFrontCertificates') as Stack;
  return { app, stack, platform, companion };
}

describe('GIVEN service.domainName in a stack outside us-east-1', () => {
  const { stack, platform, companion } = build();
  const template = Template.fromStack(stack);
  const certificates = Template.fromStack(companion);
  const parameterName = '/cdk-backend-platform/MyBackendDev/MyBackendDevBackendService55B3A6B1/api.example.com/certificate-arn';

  test('THEN a companion stack in us-east-1 issues the certificate, DNS-validated in the hosted zone, and publishes its ARN', () => {
    expect(companion.region).toBe('us-east-1');
    expect(stack.dependencies).toContain(companion);
    certificates.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'api.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z0123456789ABC' }],
    });
    certificates.hasResourceProperties('AWS::SSM::Parameter', { Name: parameterName, Value: { Ref: Match.stringLikeRegexp('Certificate') } });
    template.resourceCountIs('AWS::CertificateManager::Certificate', 1); // the load balancer's own, regional one
  });

  test('THEN the distribution serves the domain on the certificate read from us-east-1, and the service URL is the domain', () => {
    template.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(Match.objectLike({ service: 'SSM', action: 'getParameter', region: 'us-east-1', parameters: { Name: parameterName } })),
      Update: Match.serializedJson(Match.objectLike({ region: 'us-east-1', parameters: { Name: parameterName } })),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['api.example.com'],
        ViewerCertificate: Match.objectLike({
          AcmCertificateArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DomainCertificateArn'), 'Parameter.Value'] },
          SslSupportMethod: 'sni-only',
          MinimumProtocolVersion: 'TLSv1.2_2021',
        }),
      }),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABC' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Type: 'AAAA' });
    expect(platform.service.serviceUrl).toBe('https://api.example.com');
  });

  test('THEN the reader may read that one parameter and nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Action: 'ssm:GetParameter',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:', { Ref: 'AWS::AccountId' }, `:parameter${parameterName}`]] },
        })],
      },
    });
  });

  test('THEN a new domain is a new parameter, so the reader reads the new certificate (no cross-region export pins the old one)', () => {
    const renamed = Template.fromStack(build(undefined, 'www.example.com').stack).toJSON();
    const reader = (t: any) => Object.values(t.Resources).find((r: any) => r.Type === 'Custom::AWS') as any;
    expect(JSON.stringify(reader(renamed).Properties.Update)).toContain('/www.example.com/certificate-arn');
    expect(JSON.stringify(template.toJSON())).not.toContain('ExportsReader');
  });
});

test('GIVEN the custom domain outside us-east-1 THEN the companion and the reader leave no unacknowledged finding', () => {
  const { app, stack, companion } = build();
  const report = checkCompliance(app, [stack, companion]);
  expect(describeFindings([...report.nagErrors, ...report.guardViolations].filter(f => /DomainCertificate|AWS679f53fac002430cb0da5b7982bd2287|CloudFrontCertificates/.test(f.resource + f.message)))).toEqual([]);
});

test('GIVEN service.domainName in a stack without a region THEN synth names the region to give', () => {
  // The platform reports its problems at synth (docs/adr/0017).
  expect(() => build({} as any).app.synth()).toThrow(/invalid service.domainName "api\.example\.com": CloudFront needs its certificate issued in us-east-1.*give the stack its region \(env: \{ region: 'eu-west-1' \}\)/);
});

test('GIVEN service.domainName in a us-east-1 stack THEN the certificate is issued in that stack, no companion', () => {
  const app = new App();
  const stack = new Stack(app, 'East', { env: { region: 'us-east-1' } });
  new BackendPlatform(stack, 'Backend', {
    environmentName: 'dev',
    profile: EnvironmentProfile.DEVELOPMENT,
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' }),
    service: { domainName: 'api.example.com' },
    image: ServiceImage.placeholder(),
  });
  expect(app.node.tryFindChild('EastCloudFrontCertificates')).toBeUndefined();
  Template.fromStack(stack).hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'api.example.com' });
});

test('GIVEN a hosted zone created in the app and a stack outside us-east-1 THEN synth asks for an imported zone', () => {
  const app = new App();
  const stack = new Stack(app, 'West', { env: { region: 'eu-west-1' } });
  expect(() => new BackendPlatform(stack, 'Backend', {
    environmentName: 'dev',
    profile: EnvironmentProfile.DEVELOPMENT,
    hostedZone: new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' }),
    service: { domainName: 'api.example.com' },
    image: ServiceImage.placeholder(),
  })).toThrow(/invalid hostedZone "a zone created in this app": .*import the zone with route53.HostedZone.fromHostedZoneAttributes/);
});
