import { execFileSync } from 'child_process';
import * as path from 'path';
import { isolatedEnv, runTool } from './moto';
import { main } from '../../src/cli/main';
import { VERBS } from '../../src/cli/verbs';

// Every call starts the AWS CLI against moto: slow on a loaded 2-core CI machine.
jest.setTimeout(180_000);
const VERB_NAMES = ['logs', 'exec', 'status', 'run', 'db'];

test('--help lists every verb and the global options; no arguments prints it to stderr and fails', async () => {
  const help = await runTool(['--help'], isolatedEnv());
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: cdk-backend-platform <verb> \[<workload>\] \[options\]/);
  for (const verb of VERB_NAMES) expect(help.stdout).toMatch(new RegExp(`^  ${verb} +\\S`, 'm'));
  for (const option of ['--stack <name>', '--region <region>', '--profile <profile>']) expect(help.stdout).toContain(option);
  const none = await runTool([], isolatedEnv());
  expect(none.code).toBe(1);
  expect(none.stderr).toBe(help.stdout);
});

test.each(VERB_NAMES)('%s --help prints its usage, options and what it needs, without calling AWS', async verb => {
  const help = await runTool([verb, '--help'], isolatedEnv({ PATH: '' }));
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(new RegExp(`^Usage: cdk-backend-platform ${verb} `));
  expect(help.stdout).toContain('--stack <name>');
  expect(help.stdout).toMatch(/Needs:\n {2}IAM: /);
  for (const option of VERBS.find(v => v.name === verb)!.options) expect(help.stdout).toContain(`--${option.name}`);
});

test('the verb table is the dispatcher: a verb added to it runs, with its own options', async () => {
  const seen: string[] = [];
  const code = await main(['hello', 'world', '--loud'], { out: () => undefined, err: () => undefined, env: {}, interactive: async () => 0, sleep: async () => undefined }, [
    ...VERBS,
    {
      name: 'hello',
      summary: 's',
      usage: '',
      description: [],
      needs: [],
      options: [{ name: 'loud', description: 'd' }],
      usesAws: false,
      run: async context => {
        seen.push(context.args.positionals[0], String(context.args.options.get('loud')));
        return 3;
      },
    },
  ]);
  expect([code, seen]).toEqual([3, ['world', 'true']]);
});

test('unknown verbs, unknown options, missing values and bad values are one-line errors with the fix', async () => {
  const env = isolatedEnv({ PATH: '' });
  expect((await runTool(['tail', 'backend'], env)).stderr).toBe('cdk-backend-platform: unknown verb "tail": use one of logs, exec, status, run, db, import-copilot (see "cdk-backend-platform --help")');
  expect((await runTool(['logs', 'backend', '--tail'], env)).stderr).toBe('cdk-backend-platform: unknown option --tail for "logs": see "cdk-backend-platform logs --help"');
  expect((await runTool(['logs', 'backend', '--since'], env)).stderr).toBe('cdk-backend-platform: --since needs a value (<duration>): e.g. --since 10m');
  expect((await runTool(['logs', 'backend', '--since', 'yesterday'], env)).stderr)
    .toBe('cdk-backend-platform: --since yesterday is neither a duration nor a date: use e.g. --since 30m, --since 2h or --since 2026-12-01T08:00:00Z');
});

test('without the AWS CLI, the error names it and where to get it', async () => {
  const run = await runTool(['status', '--stack', 'ShopStack'], isolatedEnv({ PATH: '/nonexistent' }));
  expect(run.code).toBe(1);
  expect(run.stderr).toBe('cdk-backend-platform: the AWS CLI (aws) is not on PATH: install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html) and retry');
});

test('missing credentials, a missing profile and a missing region are named, each with its fix', async () => {
  const noCredentials = await runTool(['status', '--stack', 'ShopStack'], isolatedEnv({ AWS_DEFAULT_REGION: 'us-east-1' }));
  expect(noCredentials.stderr).toBe('cdk-backend-platform: no AWS credentials found: run "aws configure" or "aws sso login", set AWS_PROFILE, or pass --profile <name>');
  const noProfile = await runTool(['status', '--stack', 'ShopStack', '--profile', 'prod'], isolatedEnv({ AWS_DEFAULT_REGION: 'us-east-1' }));
  expect(noProfile.stderr).toBe('cdk-backend-platform: AWS profile "prod" is not configured: run "aws configure --profile prod" (or "aws configure sso"), or pass another --profile');
  const noRegion = await runTool(['status', '--stack', 'ShopStack'], isolatedEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }));
  expect(noRegion.stderr).toBe('cdk-backend-platform: no AWS region: pass --region <name> (e.g. --region eu-west-1) or set AWS_REGION');
  expect([noCredentials.code, noProfile.code, noRegion.code]).toEqual([1, 1, 1]);
});

test('the bin entry runs main() when started as a script', () => {
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '../../src/cli/main.ts'), '--help'], {
    encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '../../tsconfig.dev.json') },
  });
  expect(out).toMatch(/^Usage: cdk-backend-platform <verb>/);
});
