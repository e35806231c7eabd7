import * as path from 'path';
import { fakeSessionManagerPlugin, Moto, MOTO_START_TIMEOUT_MS, runTool, startMoto } from './moto';
import { portForwardingArgs } from '../../src/cli/verbs/db';
import { executeCommandArgs } from '../../src/cli/verbs/exec';

// Every call starts the AWS CLI against moto: slow on a loaded 2-core CI machine.
jest.setTimeout(180_000);
let moto: Moto;
let withPlugin: NodeJS.ProcessEnv;
beforeAll(async () => {
  moto = await startMoto('running-tasks');
  withPlugin = { ...moto.env, PATH: `${fakeSessionManagerPlugin()}${path.delimiter}${moto.env.PATH}` };
}, MOTO_START_TIMEOUT_MS);
afterAll(() => moto?.stop());

test('exec without the Session Manager plugin says what is missing, before any AWS call', async () => {
  const run = await runTool(['exec', 'mailer', '--stack', 'ShopStack'], { ...moto.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^cdk-backend-platform: "exec" needs the Session Manager plugin for the AWS CLI, and session-manager-plugin is not on PATH: install it \(https:\/\/docs\.aws\.amazon\.com\/systems-manager\/.+\) and retry$/);
  expect(run.interactive).toEqual([]);
});

test('exec opens aws ecs execute-command on the worker\'s running task, main container, /bin/sh by default', async () => {
  const run = await runTool(['exec', 'mailer', '--stack', 'ShopStack', '--region', 'eu-west-1'], withPlugin);
  expect(run.stderr).toContain(`opening /bin/sh in mailer, task ${moto.fixture.mailerTask.split('/').pop()}, container worker`);
  expect(run.code).toBe(0);
  expect(run.interactive).toEqual([['aws', 'ecs', 'execute-command', '--cluster', 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop-cluster',
    '--task', moto.fixture.mailerTask, '--container', 'worker', '--interactive', '--command', '/bin/sh', '--region', 'eu-west-1']]);
});

test('exec is refused on a service without ECS Exec, on a job, on an unknown task or container', async () => {
  const backend = await runTool(['exec', 'backend', '--stack', 'ShopStack'], withPlugin);
  expect(backend.stderr).toBe(`cdk-backend-platform: ECS Exec is not enabled on backend (service ${moto.fixture.backendService}), which "exec" needs: `
    + 'set enableExecuteCommand: true on the workload, deploy, then retry');
  const job = await runTool(['exec', 'cleanupjob', '--stack', 'ShopStack'], withPlugin);
  expect(job.stderr).toBe('cdk-backend-platform: cleanupjob is a scheduled job, with no task running between runs: start one with "cdk-backend-platform run cleanupjob -- <command>"');
  const task = await runTool(['exec', 'mailer', '--stack', 'ShopStack', '--task', 'nope', '--container', 'x'], withPlugin);
  expect(task.stderr).toBe(`cdk-backend-platform: no running task "nope" in mailer: use --task with one of ${moto.fixture.mailerTask.split('/').pop()}`);
  expect([backend.code, job.code, task.code]).toEqual([1, 1, 1]);
  expect([...backend.interactive, ...job.interactive, ...task.interactive]).toEqual([]);
});

test('db finds the stack\'s database and goes through a running task; moto\'s tasks have no container runtime ID, which the target needs', async () => {
  const run = await runTool(['db', 'mailer', '--stack', 'ShopStack'], withPlugin);
  expect(run.stderr).toBe(`cdk-backend-platform: container worker of task ${moto.fixture.mailerTask.split('/').pop()} has no runtime ID yet (is it running?): retry in a minute, or pass --container`);
  const backend = await runTool(['db', '--stack', 'ShopStack'], withPlugin);
  expect(backend.stderr).toMatch(/^cdk-backend-platform: ECS Exec is not enabled on backend .*which "db" needs/);
});

test('the port forwarding session targets ecs:<cluster>_<task id>_<runtime id> with the remote-host document', () => {
  const task = {
    taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/shop-cluster/0f1e2d3c4b5a',
    containers: [{ name: 'app', runtimeId: '0f1e2d3c4b5a-1234567890' }],
  };
  expect(portForwardingArgs('arn:aws:ecs:eu-west-1:123456789012:cluster/shop-cluster', task, 'app', 'shop-db.abc.eu-west-1.rds.amazonaws.com', 5432, 15432, ['--profile', 'prod']))
    .toEqual(['ssm', 'start-session', '--target', 'ecs:shop-cluster_0f1e2d3c4b5a_0f1e2d3c4b5a-1234567890',
      '--document-name', 'AWS-StartPortForwardingSessionToRemoteHost',
      '--parameters', '{"host":["shop-db.abc.eu-west-1.rds.amazonaws.com"],"portNumber":["5432"],"localPortNumber":["15432"]}',
      '--profile', 'prod']);
  expect(executeCommandArgs('c', 't', 'app', 'bash', [])).toEqual(['ecs', 'execute-command', '--cluster', 'c', '--task', 't', '--container', 'app', '--interactive', '--command', 'bash']);
});
