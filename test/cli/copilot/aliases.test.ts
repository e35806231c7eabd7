import { convertWorkspace } from '../../../src/cli/copilot';

const web = (name: string, http: string) => ({
  path: `${name}/manifest.yml`,
  text: `name: ${name}\ntype: Load Balanced Web Service\nimage:\n  build: Dockerfile\n  port: 8080\nhttp:\n${http}`,
});

describe('import-copilot: http.alias lists and host-routed services (ADR 0019)', () => {
  test('GIVEN an added service with an alias WHEN the main one has one THEN it is routed by host, with every path of its alias', () => {
    const { app, findings } = convertWorkspace({
      application: 'shop',
      environmentNames: ['test'],
      manifests: [web('api', '  path: \'/\'\n  alias: [api.example.com, www.example.com]\n'), web('shop', '  path: \'/\'\n  alias: shop.example.com\n')],
    }, {});
    expect(app).toContain('aliases: [\'www.example.com\']');
    expect(app).toMatch(/addService\('Shop', \{[^}]*aliases: \['shop\.example\.com'\]/s);
    expect(app).not.toContain('\'/shop/*\'');
    expect(findings.filter(f => f.path === 'http.alias').map(f => f.status)).toEqual(['mapped-differently', 'mapped-differently']);
  });

  test('GIVEN an added service with an alias WHEN the main one has none THEN the alias is reported unsupported, never dropped silently', () => {
    const { findings } = convertWorkspace({
      application: 'shop',
      environmentNames: ['test'],
      manifests: [web('api', '  path: \'/\'\n'), web('admin', '  path: admin\n  alias: admin.example.com\n')],
    }, {});
    expect(findings.find(f => f.path === 'http.alias')).toMatchObject({ status: 'unsupported', note: expect.stringMatching(/the platform's service has no alias/) });
  });
});
