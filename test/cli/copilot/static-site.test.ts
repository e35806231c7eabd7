import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { convertWorkspace, synthErrors, synthGeneratedApp } from './generated-app';
import { Workspace } from '../../../src/cli/copilot';

/** A workspace with environment `test`: a web service on the platform's hosted zone, and the static site `manifest`. */
function workspace(site: string, web = 'http:\n  path: \'/\'\n  alias: api.example.com\n  hosted_zone: Z0123456789ABC\n'): Workspace {
  return {
    application: 'shop',
    environmentNames: ['test'],
    manifests: [
      { path: 'web/manifest.yml', text: `name: web\ntype: Load Balanced Web Service\nimage:\n  build: Dockerfile\n  port: 8080\n${web}` },
      { path: 'front-end/manifest.yml', text: `name: front-end\ntype: Static Site\n${site}` },
    ],
  };
}

const finding = (conversion: ReturnType<typeof convertWorkspace>, path: string) =>
  conversion.findings.find(f => f.type === 'Static Site' && f.path === path);

describe('import-copilot: a Static Site', () => {
  const manifest = 'http:\n  alias: www.example.com\n  certificate: arn:aws:acm:us-east-1:123456789012:certificate/abc\n'
    + 'files:\n  - source: ./frontend/dist\n    destination: /dist\n  - source: ./foo\n    recursive: false\n    destination: /code\n    exclude: "*"\n    reinclude: "*.jpg"\n';
  const conversion = convertWorkspace(workspace(manifest), {});

  test('becomes addStaticSite with its domain and certificate, every field reported', () => {
    expect(conversion.failed).toEqual([]);
    expect(conversion.app).toContain('platform.addStaticSite(\'FrontEnd\', {');
    expect(conversion.app).toContain('acm.Certificate.fromCertificateArn(stack, \'FrontEndCertificate\', \'arn:aws:acm:us-east-1:123456789012:certificate/abc\')');
    expect(finding(conversion, 'http.alias')?.status).toBe('mapped');
    expect(finding(conversion, 'http.certificate')?.status).toBe('mapped');
    for (const field of ['source', 'destination', 'recursive', 'exclude', 'reinclude']) {
      expect(finding(conversion, `files[].${field}`)?.status).toBe('mapped-differently');
    }
  });

  test('the notes give the upload command of each files entry, with Copilot\'s filters', () => {
    expect(conversion.notes).toContain('test: static site FrontEnd: upload ./frontend/dist after deploying with aws s3 sync ./frontend/dist '
      + 's3://<ShopTest stack output PlatformFrontEndBucketName>/dist (a file: sync its directory with --exclude \'*\' --include \'<file>\'), '
      + 'or give content: [SiteContent.fromDirectory(\'./frontend/dist\', { destination: \'dist\' })]');
    expect(conversion.notes.find(note => note.includes('upload ./foo'))).toContain('aws s3 sync ./foo s3://<ShopTest stack output PlatformFrontEndBucketName>/code --exclude \'*/*\' --exclude \'*\' --include \'*.jpg\'');
  });

  test('the generated app synthesizes: the site\'s distribution answers at its alias, with the records in the platform\'s zone', () => {
    const app = synthGeneratedApp(conversion.app);
    const stack = app.node.children.find((child): child is Stack => child instanceof Stack)!;
    expect(synthErrors(stack)).toEqual([]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { Aliases: ['www.example.com'], DefaultRootObject: 'index.html', ViewerCertificate: { AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' } },
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'www.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABC' });
    template.hasOutput('PlatformFrontEndBucketName', {});
  });

  test.each([
    ['a wildcard alias', 'http:\n  alias: \'*.example.com\'\n', /the wildcard alias \*\.example\.com is not supported/],
    ['an alias outside the platform\'s zone', 'http:\n  alias: www.example.org\n', /www\.example\.org is outside the platform's hosted zone example\.com/],
    ['a certificate outside us-east-1', 'http:\n  alias: www.example.com\n  certificate: arn:aws:acm:eu-west-1:123456789012:certificate/abc\n', /is not in us-east-1/],
  ])('%s is reported as not supported, with the reason, and the app still synthesizes', (_name, site, reason) => {
    const converted = convertWorkspace(workspace(site), {});
    const unsupported = converted.findings.filter(f => f.type === 'Static Site' && f.status === 'unsupported');
    expect(unsupported.map(f => f.note)).toEqual([expect.stringMatching(reason)]);
    const stack = synthGeneratedApp(converted.app).node.children.find((child): child is Stack => child instanceof Stack)!;
    expect(synthErrors(stack)).toEqual([]);
  });
});
