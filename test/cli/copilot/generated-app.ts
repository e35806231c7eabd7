import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import { convertWorkspace, ManifestFile, readWorkspace, Workspace } from '../../../src/cli/copilot';

export const FIXTURES = path.join(__dirname, 'fixtures', 'copilot-cli');
const SRC_INDEX = path.join(__dirname, '..', '..', '..', 'src', 'index.ts');

/** Values for the `${VAR}` names the collected manifests use (Copilot's e2e tests set them in the shell). */
export const FIXTURE_ENV = {
  DOMAINNAME: 'example.com',
  TIMENOW: '1700000000',
  BUCKETNAME: 'assets',
  IMPORTED_CERT_ARN: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
  SSM_NAME: '/demo/ssm',
  SECRETS_MANAGER_NAME: 'demo/secret',
  TAG: 'v1',
};

export function fixtureFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.yml')) files.push(path.relative(FIXTURES, full));
  });
  walk(FIXTURES);
  return files.sort();
}

/**
 * Every collected manifest in one workspace, each renamed after its file so that names do not collide; pipelines
 * under pipelines/, environments under environments/ (their deployed environments are `test` and `prod`).
 */
export function combinedWorkspace(): Workspace {
  const manifests: ManifestFile[] = fixtureFiles().map(file => {
    const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    const slug = file.replace(/\/manifest\.yml$|\.yml$/, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
    if (/^type: Environment$/m.test(text)) return { path: `environments/${slug}/manifest.yml`, text };
    if (/^stages:/m.test(text)) return { path: `pipelines/${slug}/manifest.yml`, text };
    return { path: `${slug}/manifest.yml`, text: text.replace(/^name: .*$/m, `name: ${slug}`) };
  });
  return { application: 'fixtures', environmentNames: ['prod', 'test'], manifests };
}

/**
 * The combined workspace cut into workspaces of at most `size` workloads with one environment each (alternately
 * `test` and `prod`, so both kinds of override are synthesized), each with one of the environment manifests
 * renamed to it; the pipelines go with the first. A platform of every collected workload would pass 500 resources.
 */
export function synthGroups(size: number): Workspace[] {
  const all = combinedWorkspace().manifests;
  const workloads = all.filter(m => !m.path.startsWith('environments/') && !m.path.startsWith('pipelines/'));
  const environments = all.filter(m => m.path.startsWith('environments/'));
  const groups: Workspace[] = [];
  for (let i = 0; i * size < workloads.length; i++) {
    const name = i % 2 === 0 ? 'test' : 'prod';
    const manifests = workloads.slice(i * size, (i + 1) * size);
    environments.filter((_, j) => j % Math.ceil(workloads.length / size) === i)
      .forEach(env => manifests.push({ path: `environments/${name}/manifest.yml`, text: env.text.replace(/^name: .*$/m, `name: ${name}`) }));
    if (i === 0) manifests.push(...all.filter(m => m.path.startsWith('pipelines/')));
    groups.push({ application: `group${i}`, environmentNames: [name], manifests: manifests.filter((m, j) => !m.path.startsWith('environments/') || manifests.findIndex(o => o.path === m.path) === j) });
  }
  return groups;
}

/** Each collected manifest as its source has it: the e2e and regression tests' copilot/ folders, every other manifest alone. */
export function standaloneWorkspaces(): Workspace[] {
  const folders = new Set<string>();
  const singles: string[] = [];
  for (const file of fixtureFiles()) {
    const copilot = /^(.*\/copilot)\//.exec(file);
    if (copilot) folders.add(copilot[1]);
    else singles.push(file);
  }
  return [
    ...[...folders].map(folder => ({ ...readWorkspace(path.join(FIXTURES, folder)), application: folder })),
    ...singles.map(singleManifestWorkspace),
  ];
}

/** One manifest alone, as Copilot's docs show it. */
export function singleManifestWorkspace(file: string): Workspace {
  const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
  const isPipeline = /^stages:/m.test(text);
  const where = isPipeline ? 'pipelines/p/manifest.yml' : /^type: Environment$/m.test(text) ? 'environments/e/manifest.yml' : 'svc/manifest.yml';
  return { application: file, manifests: [{ path: where, text }] };
}

/** Runs a generated app in this process against the library's sources; returns its App (already synthesized). */
export function synthGeneratedApp(source: string): cdk.App {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-copilot-'));
  const apps: cdk.App[] = [];
  class RecordedApp extends cdk.App {
    constructor(props: cdk.AppProps = {}) {
      super({ ...props, outdir });
      apps.push(this);
    }
  }
  // The generated app's imports: the library from src/, aws-cdk-lib with an App that synthesizes to outdir.
  const requireFor = (name: string) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (name === 'cdk-backend-platform') return require(SRC_INDEX);
    if (name === 'aws-cdk-lib') return { ...cdk, App: RecordedApp };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name);
  };
  const previous = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
  process.env.CDK_DEFAULT_REGION = 'eu-west-1';
  try {
    const module = { exports: {} };
    new Function('require', 'module', 'exports', js)(requireFor, module, module.exports);
  } finally {
    process.env.CDK_DEFAULT_ACCOUNT = previous.account;
    process.env.CDK_DEFAULT_REGION = previous.region;
    if (previous.account === undefined) delete process.env.CDK_DEFAULT_ACCOUNT;
    if (previous.region === undefined) delete process.env.CDK_DEFAULT_REGION;
  }
  return apps[0];
}

/**
 * The error annotations of a synthesized stack, read from the assembly the app already wrote: what
 * `Annotations.fromStack(stack).findError('*', Match.anyValue())` finds, without the second synthesis it forces.
 */
export function synthErrors(stack: cdk.Stack): string[] {
  const assembly = (stack.node.root as cdk.App).synth();
  return assembly.getStackArtifact(stack.artifactId).messages
    .filter(message => message.level === 'error')
    .map(message => `${message.id}: ${String(message.entry.data)}`);
}

/** Type-checks a generated app with the library's sources as `cdk-backend-platform`. */
export function typeCheckGeneratedApp(source: string, more: string[] = []): string[] {
  // Inside the repository (so aws-cdk-lib resolves from its node_modules), in a dot folder no tsconfig glob takes.
  const scratch = path.join(__dirname, '..', '..', '..', '.scratch');
  fs.mkdirSync(scratch, { recursive: true });
  const dir = fs.mkdtempSync(path.join(scratch, 'import-copilot-tsc-'));
  const files = [source, ...more].map((text, i) => {
    const file = path.join(dir, `app${i}.ts`);
    fs.writeFileSync(file, text);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    baseUrl: dir,
    paths: { 'cdk-backend-platform': [SRC_INDEX] },
  });
  // Only the generated files are checked (the library's own sources are type-checked by the build): with the
  // options' and global diagnostics, the same errors `getPreEmitDiagnostics` gives for them, without checking src/.
  const checked = files.map(file => program.getSourceFile(file)!);
  return [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap(file => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ]
    .filter(diagnostic => !diagnostic.file || files.includes(diagnostic.file.fileName))
    .map(diagnostic => `${diagnostic.file ? path.basename(diagnostic.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
}

export { convertWorkspace };
