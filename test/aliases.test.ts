import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { givenStack } from './fixtures';
import { BackendPlatform, BackendPlatformProps, EdgeMode, ServiceDeployment } from '../src';
import { synthesized } from './builders';

const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';
const ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** A platform in us-east-1 (its CloudFront certificate in the stack) with a custom domain. */
function platformIn(region: string, props: Partial<BackendPlatformProps> = {}, service: object = {}) {
  const { stack, zone } = givenStack({ env: { region, account: '123456789012' } });
  const platform = new BackendPlatform(stack, 'Platform', {
    environmentName: 'prod', hostedZone: zone, ...props, service: { domainName: 'api.example.com', ...service },
  });
  return { stack, platform };
}
const resources = (template: Template, type: string) => Object.entries<any>(template.findResources(type));
const hostRules = (template: Template) => resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')
  .map(([id, rule]) => ({ id, conditions: rule.Properties.Conditions as any[] }))
  .filter(rule => rule.conditions.some(c => c.Field === 'host-header'));

describe('aliases of web services (Copilot http.alias lists)', () => {
  describe('GIVEN a platform whose service has two aliases', () => {
    const { stack } = platformIn('us-east-1', {}, { aliases: ['www.example.com', 'example.com'] });
    const template = Template.fromStack(stack);

    test('THEN the distribution answers at the domain and both aliases, on one certificate that covers them', () => {
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ Aliases: ['api.example.com', 'www.example.com', 'example.com'] }),
      });
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.example.com',
        SubjectAlternativeNames: ['www.example.com', 'example.com'],
        DomainValidationOptions: ['api.example.com', 'www.example.com', 'example.com'].map(name => ({ DomainName: name, HostedZoneId: 'Z0123456789ABC' })),
      });
    });

    test('THEN each alias gets A and AAAA aliases to the distribution, named after the alias', () => {
      for (const type of ['A', 'AAAA']) {
        for (const name of ['www.example.com.', 'example.com.']) {
          template.hasResourceProperties('AWS::Route53::RecordSet', { Name: name, Type: type, AliasTarget: Match.objectLike({ HostedZoneId: Match.anyValue() }) });
        }
      }
      const ids = resources(template, 'AWS::Route53::RecordSet').map(([id]) => id);
      expect(ids.filter(id => id.startsWith('PlatformServiceAliaswwwexamplecom'))).toHaveLength(1);
    });

    test('THEN the service\'s own aliases route nothing by host: it stays the catch-all, and the origin keeps its own Host header', () => {
      expect(hostRules(template)).toEqual([]);
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ DefaultCacheBehavior: Match.objectLike({ OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST }) }),
      });
    });
  });

  describe('GIVEN a platform WHEN a service added to it answers at its own host name', () => {
    const { stack, platform } = platformIn('us-east-1');
    const admin = platform.addService('Admin', { aliases: ['admin.example.com'] });
    const reports = platform.addService('Reports', { aliases: ['reports.example.com'], pathPatterns: ['/v1/*'], deployment: ServiceDeployment.blueGreen() });
    const template = Template.fromStack(stack);

    test('THEN its rules match the host (with its paths where it has some), and it needs no paths', () => {
      const rules = hostRules(template);
      const adminRule = rules.find(rule => rule.id.startsWith('PlatformAdminAppRoute'))!;
      expect(adminRule.conditions).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: ['admin.example.com'] } }]);
      const reportsRule = rules.find(rule => rule.id.startsWith('PlatformReportsAppRoute'))!;
      expect(reportsRule.conditions).toEqual([
        { Field: 'host-header', HostHeaderConfig: { Values: ['reports.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/*'] } },
      ]);
    });

    test('THEN the distribution forwards the viewer\'s Host header and takes every alias, and the certificate covers them', () => {
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Aliases: ['api.example.com', 'admin.example.com', 'reports.example.com'],
          DefaultCacheBehavior: Match.objectLike({ OriginRequestPolicyId: ALL_VIEWER }),
        }),
      });
      template.hasResourceProperties('AWS::CertificateManager::Certificate', { SubjectAlternativeNames: ['admin.example.com', 'reports.example.com'] });
    });

    test('THEN its URL is its first alias, and its records live with it', () => {
      expect(admin.serviceUrl).toBe('https://admin.example.com');
      expect(reports.serviceUrl).toBe('https://reports.example.com');
      const ids = resources(template, 'AWS::Route53::RecordSet').map(([id]) => id);
      expect(ids.filter(id => id.startsWith('PlatformAdminAlias'))).toHaveLength(2);
    });
  });

  describe('GIVEN a platform outside us-east-1', () => {
    const parameterName = (stack: Stack) => {
      const companion = stack.node.scope!.node.findChild(`${stack.node.id}CloudFrontCertificates`) as Stack;
      const template = Template.fromStack(companion);
      return { template, name: resources(template, 'AWS::SSM::Parameter')[0][1].Properties.Name as string };
    };

    test('THEN the companion certificate covers the aliases, and its ARN parameter is named after them, so the service reads the new one', () => {
      const without = parameterName(platformIn('eu-west-1').stack);
      expect(without.name).toBe('/cdk-backend-platform/TestStack/TestStackPlatformService0CDE6491/api.example.com/certificate-arn');
      const { stack, platform } = platformIn('eu-west-1');
      platform.addService('Admin', { aliases: ['admin.example.com'] });
      const withAlias = parameterName(stack);
      expect(withAlias.name).toMatch(/^\/cdk-backend-platform\/TestStack\/TestStackPlatformService0CDE6491\/api\.example\.com\/aliases-[0-9a-f]{12}\/certificate-arn$/);
      withAlias.template.hasResourceProperties('AWS::CertificateManager::Certificate', { SubjectAlternativeNames: ['admin.example.com'] });
      const reader = resources(Template.fromStack(stack), 'Custom::AWS').map(([, r]) => JSON.stringify(r.Properties.Create))[0];
      expect(reader).toContain(withAlias.name);
    });
  });

  describe('GIVEN an existing platform without aliases', () => {
    test('THEN its distribution, certificate and origin request policy render as before', () => {
      const template = Template.fromStack(platformIn('us-east-1').stack);
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ Aliases: ['api.example.com'], DefaultCacheBehavior: Match.objectLike({ OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST }) }),
      });
      const [, certificate] = resources(template, 'AWS::CertificateManager::Certificate').find(([, c]) => c.Properties.DomainName === 'api.example.com')!;
      expect(certificate.Properties.SubjectAlternativeNames).toBeUndefined();
      expect(certificate.Properties.DomainValidationOptions).toEqual([{ DomainName: 'api.example.com', HostedZoneId: 'Z0123456789ABC' }]);
    });
  });

  describe('bad input', () => {
    type Build = (platform: BackendPlatform) => void;
    const refused = (build: Build, props: Partial<BackendPlatformProps> = {}, service: object = {}) => synthesized(() => {
      const { platform } = platformIn('us-east-1', props, service);
      build(platform);
      return platform;
    });

    test.each<[string, object, RegExp]>([
      ['not in the zone', { aliases: ['www.other.org'] }, /invalid service\.aliases\[0\] "www\.other\.org": it must be inside the hosted zone example\.com/],
      ['a wildcard', { aliases: ['*.example.com'] }, /invalid service\.aliases\[0\] "\*\.example\.com": a wildcard alias is not supported/],
      ['not a domain name', { aliases: ['Not A Name'] }, /invalid service\.aliases\[0\] "Not A Name": use a lower-case fully qualified domain name/],
      ['twice', { aliases: ['www.example.com', 'www.example.com'] }, /invalid service\.aliases "www\.example\.com": another entry already uses it/],
      ['the domain itself', { aliases: ['api.example.com'] }, /invalid service\.aliases\[0\] "api\.example\.com": another service of this edge \(or the edge's domainName\) already answers at it/],
      ['not a list (plain JavaScript)', { aliases: 'www.example.com' }, /invalid service\.aliases "www\.example\.com": expected/],
    ])('THEN an alias %s is refused, naming it', (_, service, error) => {
      expect(refused(() => {}, {}, service)).toThrow(error);
    });

    test('THEN aliases without a custom domain are refused', () => {
      const { stack, zone } = givenStack({ env: { region: 'us-east-1' } });
      expect(synthesized(() => new BackendPlatform(stack, 'Platform', { environmentName: 'prod', hostedZone: zone, service: { aliases: ['www.example.com'] } })))
        .toThrow(/invalid service\.aliases \["www\.example\.com"\]: aliases join the distribution's custom domain; set domainName/);
    });

    test('THEN eleven names on the certificate are refused by ACM\'s quota, at synth', () => {
      const aliases = Array.from({ length: 10 }, (_, i) => `a${i}.example.com`);
      expect(refused(() => {}, {}, { aliases })).toThrow(/the distribution's certificate would cover 11 domain names \(domainName and every alias of the edge\), over ACM's default quota of 10/);
    });

    test('THEN an alias another added service answers at is refused on the second one', () => {
      expect(refused(platform => {
        platform.addService('Admin', { aliases: ['admin.example.com'] });
        platform.addService('Backoffice', { aliases: ['admin.example.com'] });
      })).toThrow(/invalid addService\('Backoffice'\)\.aliases\[0\] "admin\.example\.com": another service of this edge/);
    });

    test('THEN a host-routed service with more aliases and paths than a rule takes is refused, naming the quota', () => {
      expect(refused(platform => platform.addService('Admin', { aliases: ['a.example.com', 'b.example.com', 'c.example.com'], pathPatterns: ['/x/*', '/y/*', '/z/*'] })))
        .toThrow(/invalid addService\('Admin'\)\.pathPatterns \[.*\]: an ALB rule takes at most 2 path patterns here beside its 3 aliases/);
      expect(refused(platform => platform.addService('Admin', { aliases: ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com', 'e.example.com'] }), {}, { edgeMode: EdgeMode.PUBLIC_ALB }))
        .toThrow(/invalid addService\('Admin'\)\.aliases \[.*\]: an ALB rule takes at most 5 condition values .*, one of them the origin-verify header here/);
    });

    test('THEN host routing on an edge that caches paths is refused (cached requests skip the Host header)', () => {
      expect(refused(platform => platform.addService('Admin', { aliases: ['admin.example.com'] }), {}, { cachedPathPatterns: ['/static/*'] }))
        .toThrow(/invalid addService\('Admin'\)\.aliases \["admin\.example\.com"\]: the edge caches paths \(cachedPathPatterns\) without the Host header/);
    });

    test('THEN one path on two services of different hosts is allowed', () => {
      expect(refused(platform => {
        platform.addService('Admin', { aliases: ['admin.example.com'], pathPatterns: ['/v1/*'] });
        platform.addService('Legacy', { aliases: ['legacy.example.com'], pathPatterns: ['/v1/*'] });
      })).not.toThrow();
    });

    test('THEN a host-routed path that a rule on every host takes first is refused (it would never be reached)', () => {
      const routedContainers = [{ name: 'api', containerPort: 9000, pathPatterns: ['/v1/*'] }];
      expect(refused(platform => platform.addService('Admin', { aliases: ['admin.example.com'], pathPatterns: ['/v1/*'] }), {}, { routedContainers }))
        .toThrow(/invalid addService\('Admin'\)\.pathPatterns\[0\] "\/v1\/\*": .* routes "\/v1\/\*", which the load balancer evaluates first and which takes every request of this pattern/);
    });
  });

  test('GIVEN two platforms of one app in one zone WHEN both take one alias THEN the second is refused', () => {
    const app = new App();
    const build = (id: string, domainName: string) => {
      const stack = new Stack(app, id, { env: { region: 'us-east-1' } });
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
      return new BackendPlatform(stack, 'Platform', {
        environmentName: id.toLowerCase(), hostedZone: zone, service: { domainName, aliases: ['www.example.com'] },
      });
    };
    build('Blue', 'blue.example.com');
    expect(synthesized(() => build('Green', 'green.example.com'))).toThrow(/the DNS name www\.example\.com is already created by Blue\/Platform\/Service/);
  });
});
