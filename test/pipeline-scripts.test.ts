import { execFileSync, execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IMAGE_DEFINITIONS_SCRIPT, JOB_REVISIONS_SCRIPT, MIGRATE_SCRIPT, MIGRATE_SCRIPT_WITH_VOLUMES, RECORD_RELEASE_SCRIPT } from '../src/delivery/pipeline-scripts';

/**
 * Runs the pipeline's build scripts with bash and jq (as CodeBuild does) against a stub `aws` CLI that logs every call
 * and answers like the real one, so the migration and the release record are checked step by step without AWS.
 */
function ensureJq(): void {
  try {
    execSync('jq --version', { stdio: 'ignore' });
  } catch {
    execSync('(apt-get update -qq && apt-get install -y -qq jq) >/dev/null 2>&1 || (sudo apt-get update -qq && sudo apt-get install -y -qq jq) >/dev/null 2>&1');
  }
}

const STUB_AWS = `#!/bin/bash
echo "$*" >> "$WORK/calls.log"
case "$1 $2" in
  "ecs describe-task-definition") if [[ "$*" == *"--include TAGS"* ]]; then cat "$WORK/current-\$4.stub.json"; else cat "$WORK/service-task-definition.json"; fi ;;
  "ecs register-task-definition") cp "\${4#file://}" "$WORK/registered.json"; cp "\${4#file://}" "$WORK/registered-\$(basename "\${4#file://}")"
    echo "arn:aws:ecs:eu-west-1:123456789012:task-definition/Backend-migrate:7" ;;
  "ecs run-task") echo "arn:aws:ecs:eu-west-1:123456789012:task/cluster/abc" ;;
  "ecs describe-tasks") if [[ "$*" == *lastStatus* ]]; then echo STOPPED; else echo "$STUB_EXIT_CODE"; fi ;;
  "ecr batch-get-image") echo '{"imageManifest":"{\\"schemaVersion\\":2}","imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json"}' ;;
  "ecr put-image") if [ -n "$STUB_TAG_EXISTS" ]; then echo "An error occurred (ImageAlreadyExistsException)" >&2; exit 254; fi ;;
  "ssm put-parameter") ;;
  *) echo "unexpected call: $*" >&2; exit 1 ;;
esac
`;

const DIGEST = 'sha256:' + 'ab'.repeat(32);
/** Settings the migration task inherits from the service's task definition. */
const KEPT_SETTINGS = {
  taskRoleArn: 'arn:task-role',
  executionRoleArn: 'arn:execution-role',
  networkMode: 'awsvpc',
  cpu: '1024',
  memory: '2048',
  requiresCompatibilities: ['FARGATE'],
};
const SERVICE_TASK_DEFINITION = {
  taskDefinition: {
    family: 'Backend',
    ...KEPT_SETTINGS,
    revision: 12,
    status: 'ACTIVE',
    registeredAt: '2026-11-21',
    containerDefinitions: [
      { name: 'app', image: 'repo:latest', secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:secret' }], dependsOn: [{ containerName: 'admin', condition: 'START' }] },
      { name: 'admin', image: 'admin:1' },
    ],
  },
};

function run(
  script: string,
  env: { [name: string]: string },
  described: { [family: string]: object } = {},
  serviceTask: object = SERVICE_TASK_DEFINITION.taskDefinition,
) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-script-'));
  // What describe-task-definition --include TAGS answers for each job family.
  Object.entries(described).forEach(([family, answer]) => fs.writeFileSync(path.join(work, `current-${family}.stub.json`), JSON.stringify(answer)));
  fs.mkdirSync(path.join(work, 'bin'));
  fs.writeFileSync(path.join(work, 'bin', 'aws'), STUB_AWS, { mode: 0o755 });
  // The stub answers describe-task-definition with --query taskDefinition already applied.
  fs.writeFileSync(path.join(work, 'service-task-definition.json'), JSON.stringify(serviceTask));
  let status = 0;
  let output = '';
  try {
    output = execFileSync('bash', ['-c', script], {
      cwd: work,
      env: { ...process.env, PATH: `${path.join(work, 'bin')}:${process.env.PATH}`, WORK: work, STUB_EXIT_CODE: '0', ...env },
      stdio: 'pipe',
      encoding: 'utf8',
    });
  } catch (e: any) {
    status = e.status;
    output = `${e.stdout}${e.stderr}`;
  }
  const read = (file: string) => (fs.existsSync(path.join(work, file)) ? fs.readFileSync(path.join(work, file), 'utf8') : '');
  return { status, output, calls: read('calls.log').trim().split('\n'), read };
}

const common = { REPOSITORY_URI: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend', CONTAINER: 'app', IMAGE_DIGEST: DIGEST };
const migration = {
  ...common,
  TASK_FAMILY: 'Backend',
  CLUSTER: 'arn:cluster',
  SUBNETS: 'subnet-1,subnet-2',
  SECURITY_GROUPS: 'sg-1',
  MIGRATION_COMMAND: '["npm","run","migration:run"]',
};

beforeAll(ensureJq);

describe('migration script', () => {
  test('GIVEN the migration exits 0 THEN it registered the main container with the pushed digest and ran it privately with the command', () => {
    const { status, calls, read } = run(MIGRATE_SCRIPT, migration);
    expect(status).toBe(0);
    const registered = JSON.parse(read('registered.json'));
    expect(registered).toEqual({
      family: 'Backend-migrate',
      ...KEPT_SETTINGS,
      containerDefinitions: [{ name: 'app', image: `${common.REPOSITORY_URI}@${DIGEST}`, secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:secret' }] }],
    });
    const runTask = calls.find(c => c.startsWith('ecs run-task'))!;
    expect(runTask).toContain('--task-definition arn:aws:ecs:eu-west-1:123456789012:task-definition/Backend-migrate:7');
    expect(runTask).toContain('awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=DISABLED}');
    expect(runTask).toContain('--overrides {"containerOverrides":[{"name":"app","command":["npm","run","migration:run"]}]}');
  });

  test('GIVEN a service with an EFS volume THEN the copy keeps the volume its container mounts (ECS refuses a mount point of an unknown volume)', () => {
    const volumes = [{ name: 'uploads', efsVolumeConfiguration: { fileSystemId: 'fs-1', transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: 'fsap-1', iam: 'ENABLED' } } }];
    const mountPoints = [{ sourceVolume: 'uploads', containerPath: '/var/uploads', readOnly: false }];
    const service = { ...SERVICE_TASK_DEFINITION.taskDefinition, volumes, containerDefinitions: [{ name: 'app', image: 'repo:latest', mountPoints }] };
    const withVolumes = JSON.parse(run(MIGRATE_SCRIPT_WITH_VOLUMES, migration, {}, service).read('registered.json'));
    expect(withVolumes.volumes).toEqual(volumes);
    expect(withVolumes.containerDefinitions[0].mountPoints).toEqual(mountPoints);
    // The script of a service without volumes registers none (and renders as before).
    expect(JSON.parse(run(MIGRATE_SCRIPT, migration).read('registered.json')).volumes).toBeUndefined();
  });

  test('GIVEN the migration exits 1 THEN the step fails (and the release is not deployed)', () => {
    const { status, output } = run(MIGRATE_SCRIPT, { ...migration, STUB_EXIT_CODE: '1' });
    expect(status).toBe(1);
    expect(output).toContain('Migration failed (exit code 1)');
  });
});

describe('image definitions script', () => {
  const image = `${common.REPOSITORY_URI}@${DIGEST}`;

  test('GIVEN one service THEN its file pins its container to the pushed digest', () => {
    const { status, read } = run(IMAGE_DEFINITIONS_SCRIPT, { ...common, IMAGE_DEFINITIONS: '{"imagedefinitions-Service.json":["app"]}' });
    expect(status).toBe(0);
    expect(JSON.parse(read('imagedefinitions-Service.json'))).toEqual([{ name: 'app', imageUri: image }]);
  });

  test('GIVEN a web service with two containers of the repository and a worker THEN one file each, listing only their containers', () => {
    const { status, read } = run(IMAGE_DEFINITIONS_SCRIPT, {
      ...common, IMAGE_DEFINITIONS: '{"imagedefinitions-Service.json":["app","admin"],"imagedefinitions-Mailer.json":["worker"]}',
    });
    expect(status).toBe(0);
    expect(JSON.parse(read('imagedefinitions-Service.json'))).toEqual([{ name: 'app', imageUri: image }, { name: 'admin', imageUri: image }]);
    expect(JSON.parse(read('imagedefinitions-Mailer.json'))).toEqual([{ name: 'worker', imageUri: image }]);
  });
});

describe('release record script', () => {
  const record = { ...common, REPOSITORY_NAME: 'backend', TAG_PARAMETERS: '/salon/prod/backend/ecr-imgTag' };

  test('THEN the digest is tagged sha256-<hex> and that tag is written to the service tag parameter', () => {
    const { status, calls } = run(RECORD_RELEASE_SCRIPT, record);
    expect(status).toBe(0);
    const tag = `sha256-${'ab'.repeat(32)}`;
    expect(calls.find(c => c.startsWith('ecr put-image'))).toContain(`--image-tag ${tag} --image-manifest {"schemaVersion":2} --image-manifest-media-type application/vnd.oci.image.manifest.v1+json`);
    expect(calls).toContain(`ssm put-parameter --name /salon/prod/backend/ecr-imgTag --value ${tag} --type String --overwrite`);
  });

  test('GIVEN a web service and a worker THEN the tag is written to both tag parameters', () => {
    const { status, calls } = run(RECORD_RELEASE_SCRIPT, { ...record, TAG_PARAMETERS: '/salon/prod/backend/ecr-imgTag /salon/prod/mailer/ecr-imgTag' });
    expect(status).toBe(0);
    const tag = `sha256-${'ab'.repeat(32)}`;
    expect(calls.filter(c => c.startsWith('ssm put-parameter'))).toEqual([
      `ssm put-parameter --name /salon/prod/backend/ecr-imgTag --value ${tag} --type String --overwrite`,
      `ssm put-parameter --name /salon/prod/mailer/ecr-imgTag --value ${tag} --type String --overwrite`,
    ]);
  });

  test('GIVEN the digest was already tagged (a redeploy) THEN the parameter is still written', () => {
    const { status, calls } = run(RECORD_RELEASE_SCRIPT, { ...record, STUB_TAG_EXISTS: '1' });
    expect(status).toBe(0);
    expect(calls.some(c => c.startsWith('ssm put-parameter'))).toBe(true);
  });
});

describe('scheduled jobs script', () => {
  const image = `${common.REPOSITORY_URI}@${DIGEST}`;
  /** A job's newest revision as ECS describes it: read-only fields, the job container and a sidecar of another image. */
  const jobRevision = (family: string) => ({
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:3`,
    family,
    ...KEPT_SETTINGS,
    revision: 3,
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: '2026-11-21T10:00:00Z',
    registeredBy: 'arn:aws:sts::123456789012:assumed-role/cfn',
    containerDefinitions: [
      { name: 'job', image: 'repo:sha256-old', command: ['timeout', '240', 'node', 'cleanup.js'], environment: [{ name: 'TASK_TYPE', value: 'CLEANUP' }] },
      { name: 'proxy', image: 'envoy:1' },
    ],
  });

  test('GIVEN a job THEN a copy of its newest revision is registered with the pushed digest in its container, tags kept, read-only fields dropped', () => {
    const { status, calls, read } = run(JOB_REVISIONS_SCRIPT, { ...common, JOB_CONTAINERS: '{"BackendCleanupJob":["job"]}' },
      { BackendCleanupJob: { taskDefinition: jobRevision('BackendCleanupJob'), tags: [{ key: 'team', value: 'salon' }] } });
    expect(status).toBe(0);
    expect(calls[0]).toBe('ecs describe-task-definition --task-definition BackendCleanupJob --include TAGS');
    expect(JSON.parse(read('registered-job-BackendCleanupJob.json'))).toEqual({
      family: 'BackendCleanupJob',
      ...KEPT_SETTINGS,
      containerDefinitions: [
        { name: 'job', image, command: ['timeout', '240', 'node', 'cleanup.js'], environment: [{ name: 'TASK_TYPE', value: 'CLEANUP' }] },
        { name: 'proxy', image: 'envoy:1' },
      ],
      tags: [{ key: 'team', value: 'salon' }],
    });
  });

  test('GIVEN two jobs without tags THEN each family gets its revision, and no empty tag list is sent', () => {
    const { status, calls, read } = run(JOB_REVISIONS_SCRIPT, { ...common, JOB_CONTAINERS: '{"Cleanup":["job"],"Report":["job"]}' },
      { Cleanup: { taskDefinition: jobRevision('Cleanup'), tags: [] }, Report: { taskDefinition: jobRevision('Report') } });
    expect(status).toBe(0);
    expect(calls.filter(c => c.startsWith('ecs register-task-definition'))).toHaveLength(2);
    for (const family of ['Cleanup', 'Report']) {
      const registered = JSON.parse(read(`registered-job-${family}.json`));
      expect(registered.family).toBe(family);
      expect(registered.containerDefinitions[0].image).toBe(image);
      expect(registered).not.toHaveProperty('tags');
    }
  });

  test('GIVEN the family cannot be described THEN the step fails (and the Deploy stage rolls back)', () => {
    const { status } = run(JOB_REVISIONS_SCRIPT, { ...common, JOB_CONTAINERS: '{"Missing":["job"]}' });
    expect(status).not.toBe(0);
  });
});
