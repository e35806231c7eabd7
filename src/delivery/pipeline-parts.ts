import { Duration, Fn, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { GitHubSourceOptions } from './delivery-options';
import { IDeployableService } from './deployable-service';
import { acknowledge } from '../private/compliance';
import { createBucket, destroysData } from '../private/teardown';
import { invalidProp, isToken } from '../private/validation';

/**
 * The parts both delivery pipelines (`EcrToEcsPipeline`, `PromotionPipeline`) are built from: the artifact bucket,
 * CodeBuild steps that only call AWS APIs, the Docker build, and their compliance acknowledgements.
 */

/**
 * Encrypted, TLS-only, versioned artifact bucket whose objects expire; `bucketName` lets other accounts name it. A named
 * bucket is emptied and deleted with its stack whatever the teardown: retained under a fixed name, it would make the
 * stack's next create fail with AlreadyExists, and it holds only transient artifacts.
 */
export function createArtifactBucket(scope: Construct, encryptionKey: kms.IKey, bucketName?: string): s3.Bucket {
  const bucket = createBucket(scope, 'ArtifactBucket', {
    bucketName,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    versioned: true,
    lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) }],
  }, bucketName !== undefined || destroysData(scope));
  // Server access logs would need an ACL-enabled log bucket (Control Tower CT.S3.PR.5 forbids ACLs).
  const onlyPipelines = 'Only the pipeline and build roles read and write these transient artifacts; their API calls are in CloudTrail.';
  acknowledge(bucket, [
    { id: 'AwsSolutions-S1', reason: onlyPipelines },
    { id: 's3_bucket_logging_enabled_check', reason: onlyPipelines },
    { id: 's3_event_notifications_enabled_check', reason: 'Nothing reacts to artifact objects; the pipelines read them directly.' },
    { id: 's3_bucket_object_lock_enabled_check', reason: 'Artifacts are transient; Object Lock would stop the lifecycle rule from expiring them.' },
  ]);
  return bucket;
}

/** A CodeBuild step of a pipeline: one bash script, its plain environment, its logs in the pipeline's log group. */
export interface StepProjectOptions {
  readonly description: string;
  readonly script: string;
  readonly environment?: { [name: string]: string };
  readonly outputFiles?: string[];
  readonly timeout?: Duration;
  /** Privileged Docker build with a local layer cache. */
  readonly dockerBuild?: boolean;
  /** Pipeline variables the script exports (CodeBuild `exported-variables`). */
  readonly exportedVariables?: string[];
  /** A physical name, for a project another account's pipeline names. */
  readonly projectName?: string;
}

export function createStepProject(
  scope: Construct, id: string, options: StepProjectOptions, encryptionKey: kms.IKey | undefined, logGroup: logs.ILogGroup,
): codebuild.PipelineProject {
  return new codebuild.PipelineProject(scope, `${id}Project`, {
    projectName: options.projectName,
    description: options.description,
    encryptionKey,
    timeout: options.timeout,
    logging: { cloudWatch: { logGroup, prefix: id } },
    environment: {
      buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
      computeType: options.dockerBuild ? codebuild.ComputeType.MEDIUM : codebuild.ComputeType.SMALL,
      privileged: options.dockerBuild,
    },
    cache: options.dockerBuild ? codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER) : undefined,
    environmentVariables: plainVariables(options.environment ?? {}),
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      env: options.exportedVariables ? { 'shell': 'bash', 'exported-variables': options.exportedVariables } : { shell: 'bash' },
      phases: { build: { commands: [options.script] } },
      ...(options.outputFiles ? { artifacts: { files: options.outputFiles } } : {}),
    }),
  });
}

/** What a pipeline action runs a step with: its input, its variables, and the role it assumes when not the default. */
export interface StepActionOptions {
  readonly input: codepipeline.Artifact;
  readonly variables: { [name: string]: string };
  readonly outputs?: codepipeline.Artifact[];
  readonly role?: iam.IRole;
  readonly runOrder?: number;
  readonly variablesNamespace?: string;
}

export function stepAction(actionName: string, project: codebuild.IProject, options: StepActionOptions): actions.CodeBuildAction {
  return new actions.CodeBuildAction({
    actionName,
    project,
    input: options.input,
    outputs: options.outputs,
    role: options.role,
    runOrder: options.runOrder,
    variablesNamespace: options.variablesNamespace,
    environmentVariables: plainVariables(options.variables),
  });
}

/** What a Docker build pushes: the script (which tags), the trigger tag, and the variables it exports. */
export interface DockerBuildOptions {
  readonly script: string;
  readonly tag: string;
  readonly exportedVariables?: string[];
}

/** A privileged Docker build of a GitHub checkout that pushes to the repository; the script decides the tags. */
export function createDockerBuildProject(
  scope: Construct, repository: ecr.IRepository, source: GitHubSourceOptions, options: DockerBuildOptions,
  encryptionKey: kms.IKey, logGroup: logs.ILogGroup,
): codebuild.PipelineProject {
  const project = createStepProject(scope, 'DockerBuild', {
    script: options.script,
    exportedVariables: options.exportedVariables,
    description: 'Builds the backend image from GitHub and pushes it to ECR',
    dockerBuild: true,
    environment: {
      REPOSITORY_URI: repository.repositoryUri,
      TAG: options.tag,
      DOCKERFILE: source.dockerfile ?? 'Dockerfile',
      BUILD_CONTEXT: source.buildContext ?? '.',
    },
  }, encryptionKey, logGroup);
  repository.grant(project, ...ECR_PULL_PUSH_ACTIONS);
  grantDockerLogin(scope, project);
  const dockerNeedsPrivileges = 'docker build inside CodeBuild needs privileged mode; the project only builds this repository\'s Dockerfile.';
  acknowledge(project, [
    { id: 'AwsSolutions-CB3', reason: dockerNeedsPrivileges },
    { id: 'codebuild_project_environment_privileged_check', reason: dockerNeedsPrivileges },
  ]);
  return project;
}

/** The GitHub source action of a pipeline's first stage. */
export function gitHubSourceAction(source: GitHubSourceOptions, output: codepipeline.Artifact): actions.CodeStarConnectionsSourceAction {
  return new actions.CodeStarConnectionsSourceAction({
    actionName: 'GitHub', connectionArn: source.connectionArn, owner: source.owner, repo: source.repo, branch: source.branch ?? 'main', output,
  });
}

/**
 * `docker login` needs ecr:GetAuthorizationToken on `*`. It gets a policy of its own, acknowledged alone, so that any
 * other wildcard on the build role (a push widened to every repository) is still reported.
 */
function grantDockerLogin(scope: Construct, project: codebuild.PipelineProject): void {
  const login = new iam.Policy(scope, 'DockerLoginPolicy', {
    statements: [new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] })],
  });
  project.role!.attachInlinePolicy(login);
  acknowledge(login, [
    { id: 'AwsSolutions-IAM5', reason: 'ecr:GetAuthorizationToken (docker login) has no resource-level permission; this policy grants nothing else.', appliesTo: ['Resource::*'] },
  ]);
}

/** CDK's grants to a step or action role: on the artifacts, and on the project's own logs and reports. */
export function acknowledgeGeneratedGrants(scope: IConstruct): void {
  const generated = 'CDK-generated grants for pipeline artifacts (s3:GetObject*, s3:List*, kms:GenerateDataKey*, ...) '
    + 'on the artifact bucket and key only, and CodeBuild report groups / log streams of these projects.';
  acknowledge(scope, [
    { id: 'AwsSolutions-IAM5', reason: generated, appliesTo: ['/^Action::(s3|kms):.*\\*$/', '/^Resource::<.*ArtifactBucket.*\\.Arn>\\/\\*$/', '/^Resource::arn:<AWS::Partition>:(logs|codebuild):.*\\*$/'] },
  ], { recursive: true });
}

function plainVariables(variables: { [name: string]: string }): { [name: string]: codebuild.BuildEnvironmentVariable } {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, { value }]));
}

/** What `docker build` + `docker push` need on the repository itself (login is granted apart). */
const ECR_PULL_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage',
  'ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload',
];

/** What another account needs on the repository to run its images (its IAM then decides which role may). */
export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[a-zA-Z0-9-]+$/;

/** Refuses a connection ARN that is not one of CodeStar/CodeConnections. */
export function validateConnectionArn(scope: IConstruct, prop: string, source: GitHubSourceOptions | undefined): void {
  if (source && !isToken(source.connectionArn) && !CONNECTION_ARN.test(source.connectionArn)) {
    invalidProp(scope, prop, source.connectionArn,
      'use the ARN of a CodeStar connection, e.g. "arn:aws:codeconnections:eu-west-1:123456789012:connection/0123abcd-..."');
  }
}

/** Where a one-off task of the service runs: its family (copied), cluster, private subnets and security group. */
export function oneOffTaskEnvironment(service: IDeployableService): { [name: string]: string } {
  const subnets = service.cluster.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
  return {
    TASK_FAMILY: service.taskDefinition.family,
    CLUSTER: service.cluster.clusterArn,
    SUBNETS: Fn.join(',', subnets),
    SECURITY_GROUPS: service.serviceSecurityGroup.securityGroupId,
  };
}

/**
 * What a step running one-off tasks of the service needs: register the `<family>-<suffix>` copy (no resource-level
 * permission), run only that family on the service's cluster, watch only that cluster's tasks, pass only the
 * service's roles to ECS tasks.
 */
export function grantOneOffTasks(project: codebuild.PipelineProject, service: IDeployableService, suffix: string): void {
  const stack = Stack.of(project);
  const family = service.taskDefinition.family;
  project.addToRolePolicy(new iam.PolicyStatement({
    // Neither action supports resource-level permissions.
    actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
    resources: ['*'],
  }));
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ecs:RunTask'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${family}-${suffix}:*` })],
    conditions: { ArnEquals: { 'ecs:cluster': service.cluster.clusterArn } },
  }));
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ecs:DescribeTasks'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${service.cluster.clusterName}/*` })],
  }));
  project.addToRolePolicy(passToEcsTasks(service.taskRole.roleArn, service.executionRole.roleArn));
}

/** The wildcards of `grantOneOffTasks`, acknowledged (after the pipeline's generated grants, so their order in the metadata stays put). */
export function acknowledgeOneOffTasks(project: codebuild.PipelineProject, suffix: string): void {
  acknowledge(project, [{
    id: 'AwsSolutions-IAM5',
    reason: `DescribeTaskDefinition/RegisterTaskDefinition have no resource-level permissions; RunTask is limited to the -${suffix} family `
      + 'on this cluster and DescribeTasks to this cluster\'s tasks.',
    appliesTo: ['Resource::*', '/^Resource::arn:<AWS::Partition>:ecs:.*\\*$/'],
  }], { recursive: true });
}

/** iam:PassRole on these roles, to ECS tasks only: what registering or running their task definitions needs. */
export function passToEcsTasks(...roleArns: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: roleArns,
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  });
}
