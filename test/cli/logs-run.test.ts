import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Moto, MOTO_START_TIMEOUT_MS, runTool, startMoto } from './moto';
import { servicePlacement } from '../../src/cli/platform';

// Every call starts the AWS CLI against moto: slow on a loaded 2-core CI machine.
jest.setTimeout(180_000);
let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
}, MOTO_START_TIMEOUT_MS);
afterAll(() => moto?.stop());

/** An `aws` call of the test's own, to check what the tool did in moto. */
function aws(args: string[]): Promise<any> {
  return new Promise((resolve, reject) => execFile('aws', [...args, '--output', 'json'], { env: moto.env },
    (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(JSON.parse(stdout)))));
}

test('logs prints the last 10 minutes of the workload\'s log group, oldest first, with container and task', async () => {
  const run = await runTool(['logs', 'backend', '--stack', 'ShopStack'], moto.env);
  expect(run.code).toBe(0);
  const lines = run.stdout.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z app\/01234567 GET \/health 200$/);
  expect(lines[1]).toMatch(/ app\/01234567 ERROR payment failed$/);
  expect(run.stdout).not.toContain('an old line');
});

test('logs --since and --filter reach FilterLogEvents; --follow polls until stopped and prints no event twice', async () => {
  const since = await runTool(['logs', 'backend', '--stack', 'ShopStack', '--since', '3h', '--filter', 'ERROR'], moto.env);
  expect(since.stdout.split('\n')).toEqual([expect.stringMatching(/ERROR payment failed$/)]);

  const controller = new AbortController();
  let polls = 0;
  const follow = await runTool(['logs', 'mailer', '--stack', 'ShopStack', '--follow'], moto.env, {
    signal: controller.signal,
    sleep: async () => {
      if (++polls === 2) controller.abort();
    },
  });
  expect(follow.code).toBe(0);
  expect(polls).toBe(2);
  expect(follow.stdout.split('\n')).toEqual([expect.stringMatching(/ worker\/fedcba98 sent 3 mails$/)]);
});

test('run starts a task of the job\'s task definition in its network with the command override, waits and exits with its exit code', async () => {
  const run = await runTool(['run', 'cleanupjob', '--stack', 'ShopStack', '--', 'node', 'cleanup.js', '--dry-run'], moto.env);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const taskId = /started task (\S+) of cleanupjob \(shop-cleanup:1, container job: node cleanup.js --dry-run\)/.exec(run.stdout)?.[1];
  expect(taskId).toBeDefined();
  expect(run.stdout).toContain('  STOPPED');
  expect(run.stdout).toContain('  job: exit code 0');

  const task = (await aws(['ecs', 'describe-tasks', '--cluster', 'shop-cluster', '--tasks', taskId!])).tasks[0];
  expect(task.overrides.containerOverrides).toEqual([{ name: 'job', command: ['node', 'cleanup.js', '--dry-run'] }]);
  expect(task.startedBy).toBe('cdk-backend-platform');
  expect(task.launchType).toBe('FARGATE');
});

test('run --no-wait returns once the task started; a service\'s one-off task is placed like the service (moto\'s CloudFormation services are EC2, which moto cannot run)', async () => {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aws-calls-')), 'calls');
  const run = await runTool(['run', 'cleanupjob', '--stack', 'ShopStack', '--no-wait', '--container', 'job'], { ...moto.env, CDK_BACKEND_PLATFORM_TEST_AWS_LOG: log });
  const calls: string[][] = fs.readFileSync(log, 'utf8').trim().split('\n').map(line => JSON.parse(line));
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^started task \S+ of cleanupjob \(shop-cleanup:1, container job\)/);
  expect(run.stdout).not.toContain('exit code');
  // moto keeps no network of tasks of its CloudFormation task definitions: the RunTask arguments show the job's network.
  const runTask = calls.find(argv => argv[0] === 'ecs' && argv[1] === 'run-task')!;
  const option = (name: string) => runTask[runTask.indexOf(name) + 1];
  expect(JSON.parse(option('--network-configuration'))).toEqual({
    awsvpcConfiguration: { subnets: [moto.fixture.subnet], securityGroups: [moto.fixture.securityGroup], assignPublicIp: 'DISABLED' },
  });
  expect([option('--launch-type'), option('--cluster'), option('--task-definition')])
    .toEqual(['FARGATE', 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop-cluster', expect.stringMatching(/task-definition\/shop-cleanup:1$/)]);
  expect(servicePlacement({ launchType: 'FARGATE' })).toEqual(['--launch-type', 'FARGATE']);
  expect(servicePlacement({ launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }] }))
    .toEqual(['--capacity-provider-strategy', '[{"capacityProvider":"FARGATE_SPOT","weight":1,"base":0}]']);
});

test('run refuses a container the task definition does not have, naming the ones it has', async () => {
  const run = await runTool(['run', 'backend', '--stack', 'ShopStack', '--container', 'web', '--', 'true'], moto.env);
  expect(run.code).toBe(1);
  expect(run.stderr).toBe('cdk-backend-platform: backend has no container "web": use --container with one of app');
});
