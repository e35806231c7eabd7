import { Moto, MOTO_START_TIMEOUT_MS, runTool, startMoto } from './moto';

// Every call starts the AWS CLI against moto: slow on a loaded 2-core CI machine.
jest.setTimeout(180_000);
let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
}, MOTO_START_TIMEOUT_MS);
afterAll(() => moto?.stop());

test('status without a workload finds the platform stack by its outputs and lists every workload, nested stacks included', async () => {
  const run = await runTool(['status'], moto.env);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^stack ShopStack: 3 workloads/);
  // The web service by its service-name parameter, the worker (nested stack) by its tag, the job by its task definition's tag.
  expect(run.stdout).toMatch(/backend\s+service\s+\d+\/2 tasks running\s+shop-backend:1/);
  expect(run.stdout).toMatch(/cleanupjob\s+job\s+schedule shop-cleanup/);
  expect(run.stdout).toMatch(/mailer\s+service\s+\d+\/1 tasks running\s+shop-mailer:1/);
});

test('status of the web service: tasks, ECS Exec, deployments, target health, its alarms in ALARM only', async () => {
  const run = await runTool(['status', 'backend', '--stack', 'ShopStack', '--region', 'eu-west-1'], moto.env);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`backend (service ${moto.fixture.backendService}, cluster shop-cluster, stack ShopStack)`);
  expect(run.stdout).toMatch(/task definition\s+shop-backend:1/);
  expect(run.stdout).toMatch(/tasks\s+\d+ running \/ 2 desired/);
  expect(run.stdout).toMatch(/ECS Exec\s+off/);
  expect(run.stdout).toMatch(/PRIMARY\s+shop-backend:1/);
  expect(run.stdout).toContain('target health    targetgroup/shop-backend/');
  expect(run.stdout).toMatch(/10\.0\.1\.10:8080\s+\w+/);
  expect(run.stdout).toContain('shop-backend-cpu: shop-backend-cpu is ALARM');
  expect(run.stdout).toContain('shop-backend-5xx: shop-backend-5xx is ALARM');
  expect(run.stdout).not.toContain('shop-backend-memory');
  expect(run.stdout).not.toContain('other-app-cpu');
  expect(run.stdout).not.toContain('shop-mailer-oldest-message');
});

test('status of a worker in a nested stack: ECS Exec on, its queue\'s alarm', async () => {
  const run = await runTool(['status', 'mailer', '--stack', 'ShopStack'], moto.env);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`stack ${moto.fixture.nestedStack})`);
  expect(run.stdout).toMatch(/ECS Exec\s+on/);
  expect(run.stdout).toContain('shop-mailer-oldest-message: shop-mailer-oldest-message is ALARM');
  expect(run.stdout).not.toContain('shop-backend-cpu');
});

test('status of a scheduled job: schedule, the revision it runs, its alarms', async () => {
  const run = await runTool(['status', 'cleanupjob', '--stack', 'ShopStack'], moto.env);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('cleanupjob (scheduled job, rule shop-cleanup, cluster shop-cluster, stack ShopStack)');
  expect(run.stdout).toMatch(/schedule\s+rate\(5 minutes\) \(ENABLED\)/);
  expect(run.stdout).toMatch(/task definition\s+shop-cleanup:1/);
  expect(run.stdout).toContain('shop-cleanup-failed-launches');
});

test('an unknown workload is refused with the names that exist', async () => {
  const run = await runTool(['status', 'payments', '--stack', 'ShopStack'], moto.env);
  expect(run.code).toBe(1);
  expect(run.stderr).toBe('cdk-backend-platform: no workload "payments" in stack ShopStack: use one of backend, cleanupjob, mailer');
});

test('a stack that does not exist is refused with the platform stacks of the region', async () => {
  const run = await runTool(['status', '--stack', 'Shop'], moto.env);
  expect(run.code).toBe(1);
  expect(run.stderr).toBe('cdk-backend-platform: stack "Shop" does not exist in eu-west-1: check --stack and --region (platform stacks here: ShopStack)');
});
