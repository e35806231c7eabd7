import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FIXTURES, synthErrors, synthGeneratedApp } from './generated-app';
import { convertWorkspace, importCopilot, readWorkspace, Workspace } from '../../../src/cli/copilot';

/** Runs the command with stdout and stderr captured. */
async function run(argv: string[], env: { [name: string]: string } = {}) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; });
  try {
    const code = await importCopilot(argv, env);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A copilot/ folder: `.workspace`, a service, an environment, a pipeline. */
function workspaceDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copilot-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  write('.workspace', 'application: shop\n');
  write('api/manifest.yml', fs.readFileSync(path.join(FIXTURES, 'e2e/app-with-domain/copilot/hello/manifest.yml'), 'utf8'));
  write('mailer/manifest.yml', 'name: mailer\ntype: Worker Service\nimage:\n  build: Dockerfile\nsubscribe:\n  topics:\n    - name: orders\n      service: api\n');
  write('environments/test/manifest.yml', 'name: test\ntype: Environment\n');
  write('environments/prod/manifest.yml', 'name: prod\ntype: Environment\nobservability:\n  container_insights: true\n');
  write('pipelines/release/manifest.yml', 'name: release\nversion: 1\nsource:\n  provider: GitHub\n  properties:\n    repository: acme/shop\nstages:\n  - name: test\n  - name: prod\n    requires_approval: true\n');
  return dir;
}

describe('import-copilot <copilot/ folder> [--out <dir>]', () => {
  test('reads the workspace: .workspace, services, environments, pipelines', () => {
    const workspace = readWorkspace(workspaceDir());
    expect(workspace.application).toBe('shop');
    expect(workspace.environmentNames).toEqual(['prod', 'test']);
    expect(workspace.manifests.map(m => m.path)).toEqual([
      'api/manifest.yml', 'mailer/manifest.yml', 'environments/prod/manifest.yml', 'environments/test/manifest.yml', 'pipelines/release/manifest.yml',
    ]);
  });

  test('writes app.ts, cdk.json and IMPORT-REPORT.md, and prints every unsupported field with its reason', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'out-')), 'infra');
    const result = await run([workspaceDir(), '--out', out], { DOMAINNAME: 'example.com' });
    expect(result.code).toBe(0);
    const app = fs.readFileSync(path.join(out, 'app.ts'), 'utf8');
    expect(app).toContain('new Stack(app, \'ShopProd\'');
    expect(app).toContain('new Stack(app, \'ShopTest\'');
    expect(app).toContain('domainName: \'prod.example.com\''); // the prod override of http.alias
    expect(app).toContain('domainName: \'test.example.com\'');
    expect(app).toContain('platform.addWorker(\'Mailer\'');
    expect(app).toMatch(/environmentName: 'prod',[\s\S]*manualApproval: true/);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'cdk.json'), 'utf8'))).toEqual({ app: 'npx tsx app.ts' });
    const report = fs.readFileSync(path.join(out, 'IMPORT-REPORT.md'), 'utf8');
    expect(result.stdout).toContain(report);
    expect(report).toContain('- mailer/manifest.yml: `subscribe.topics[].name`: prod: topic orders: no manifest of the workspace publishes it (publish.topics), and a platform topic needs a publisher; not subscribed');
    expect(report).toContain('| Worker Service | 2 | 2 | 1 |'); // name, type; image.build, subscribe.topics[].service; subscribe.topics[].name
    expect(report).toContain('CERTIFICATE_ARNS[\'prod.example.com\'] is a placeholder');
  });

  test('an unset ${VAR} is left as written and named in the report', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'out-'));
    const result = await run([workspaceDir(), '--out', out], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('environment variables not set, left as written: ${DOMAINNAME}');
  });

  test('a manifest that is not YAML is named, and the exit code is 1', async () => {
    const dir = workspaceDir();
    fs.writeFileSync(path.join(dir, 'api/manifest.yml'), 'name: [unclosed\n');
    const result = await run([dir, '--out', fs.mkdtempSync(path.join(os.tmpdir(), 'out-'))]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('api/manifest.yml: not read');
  });

  test.each([
    [[], 'give one copilot/ folder'],
    [['a', 'b'], 'give one copilot/ folder'],
    [['--out'], '--out needs a folder'],
    [['--force', 'x'], 'unknown option --force'],
    [['/nonexistent/copilot'], 'is not a folder'],
  ])('usage error %j: exit code 2', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: cdk-backend-platform import-copilot');
  });

  test('a folder without manifests is a usage error', async () => {
    const result = await run([fs.mkdtempSync(path.join(os.tmpdir(), 'empty-'))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has no manifest.yml');
  });
});

describe('import-copilot on a workspace of Backend Services, workers and jobs only (no Load Balanced Web Service)', () => {
  const workspace: Workspace = {
    application: 'jobs',
    environmentNames: ['prod'],
    manifests: [
      { path: 'mailer/manifest.yml', text: 'name: mailer\ntype: Worker Service\nimage:\n  build: Dockerfile\n' },
      { path: 'pricing/manifest.yml', text: 'name: pricing\ntype: Backend Service\nimage:\n  build: Dockerfile\n  port: 8080\n' },
      { path: 'report/manifest.yml', text: 'name: report\ntype: Scheduled Job\nimage:\n  build: Dockerfile\non:\n  schedule: "@daily"\n' },
      { path: 'environments/prod/manifest.yml', text: 'name: prod\ntype: Environment\n' },
    ],
  };
  const converted = convertWorkspace(workspace, {});

  test('THEN the platform is generated without web service (service: { enabled: false }), not with a dummy one', () => {
    expect(converted.failed).toEqual([]);
    expect(converted.app).toMatch(/service: \{\s*enabled: false,?\s*\}/);
    expect(converted.app).not.toContain('ServiceImage.placeholder()');
    expect(converted.notes.join('\n')).toContain('prod: no Load Balanced Web Service: the platform has no web service (service: { enabled: false })');
  });

  test('THEN the app synthesizes: no distribution, no load balancer, the workers and the job in the platform\'s own cluster', () => {
    const app = synthGeneratedApp(converted.app);
    const [stack] = app.node.children.filter((c): c is Stack => c instanceof Stack);
    expect(synthErrors(stack)).toEqual([]);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::ECS::Service', 2);
    expect(stack.node.findAll().some(c => c.node.path.endsWith('/Platform/Cluster'))).toBe(true);
    expect(Object.values<any>(template.findResources('AWS::Events::Rule')).some(rule => rule.Properties.ScheduleExpression === 'cron(0 0 * * ? *)')).toBe(true);
  });
});
