import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack } from 'aws-cdk-lib';
import { constructCases } from './construct-cases';
import { createBaselineApp } from '../bench/baseline-app';
import { createApp } from '../examples/backend-app';

/**
 * An independent check nobody here wrote: cfn-lint (AWS's CloudFormation linter, Python) over every template the
 * project synthesizes: the examples, the construct cases, the bench baseline, and every integ app (seeds included)
 * as recorded in its snapshot. Zero errors and zero warnings but the acknowledged ones below, each with its reason.
 */
const INSTALL = 'pip install cfn-lint==1.51.0 (or: pipx install cfn-lint)';
const ACKNOWLEDGED: { [rule: string]: string } = {
  W3005: 'aws-cdk-lib adds an explicit DependsOn next to a GetAtt in its own constructs (pipeline roles, the default-security-group '
    + 'custom resource provider); the dependency is only stated twice.',
  W3691: 'A false positive of a rule added in cfn-lint 1.4x: PostgresEngineVersion.VER_17 renders the major version "17", which RDS '
    + 'accepts and resolves to a recent 17.x minor release; cfn-lint\'s version table lists full versions only.',
  W3010: 'A stack with an explicit account and region gets its VPC\'s zones from the context cdk looks up (cdk.context.json) and '
    + 'aws-cdk-lib writes them as literals; an environment-agnostic stack uses Fn::GetAZs. The library names no zone itself.',
};

function cfnLintVersion(): string | undefined {
  const result = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function synthesizedTemplates(dir: string): string[] {
  const written: string[] = [];
  const write = (name: string, app: App) => {
    const assembly = app.synth();
    for (const stack of assembly.stacks) {
      const file = path.join(dir, `${name}-${stack.stackName}.template.json`);
      fs.writeFileSync(file, JSON.stringify(stack.template));
      written.push(file);
    }
    // Workloads in stacks of their own (docs/adr/0015): each nested stack's template too.
    for (const nested of app.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)) {
      const file = path.join(dir, `${name}-${nested.node.path.replace(/[^A-Za-z0-9]+/g, '-')}.nested.template.json`);
      fs.copyFileSync(path.join(assembly.directory, nested.templateFile), file);
      written.push(file);
    }
  };
  const examples = new App();
  createApp(examples);
  write('example', examples);
  const baseline = new App();
  createBaselineApp(baseline);
  write('bench-baseline', baseline);
  for (const [name, build] of constructCases) {
    const app = new App();
    build(app);
    write(name.replace(/[^A-Za-z0-9]+/g, '-'), app);
  }
  return written;
}

test('cfn-lint is installed (the suite never skips it silently)', () => {
  if (!cfnLintVersion()) throw new Error(`cfn-lint is not on PATH; install it with: ${INSTALL}`);
});

test('every synthesized template passes cfn-lint with no error and only acknowledged warnings', () => {
  if (!cfnLintVersion()) throw new Error(`cfn-lint is not on PATH; install it with: ${INSTALL}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  try {
    const integ = path.join(__dirname, '..', 'integ');
    const snapshots = fs.readdirSync(integ).filter(d => d.endsWith('.snapshot'))
      .flatMap(d => fs.readdirSync(path.join(integ, d)).filter(f => f.endsWith('.template.json')).map(f => path.join(integ, d, f)));
    const templates = [...synthesizedTemplates(dir), ...snapshots];
    expect(snapshots.length).toBeGreaterThanOrEqual(22);
    let output = '';
    try {
      output = execFileSync('cfn-lint', ['--format', 'parseable', '--', ...templates], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    } catch (error: any) {
      // cfn-lint exits non-zero whenever it reports anything; the findings are judged below.
      output = String(error.stdout ?? '');
      if (!output && error.status !== 0) throw error;
    }
    const findings = output.split('\n').filter(Boolean).map(line => {
      const [file, , , , , rule, ...message] = line.split(':');
      return { file: path.basename(file), rule, message: message.join(':') };
    });
    const unacknowledged = findings.filter(f => !ACKNOWLEDGED[f.rule]).map(f => `${f.file}: ${f.rule} ${f.message}`);
    expect(unacknowledged).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
