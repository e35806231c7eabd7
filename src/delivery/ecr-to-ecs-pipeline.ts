import { Duration, Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { EcrToEcsPipelineProps, GitHubSourceOptions } from './delivery-options';
import { EcrImageContainer, IDeployableJob, IDeployableService } from './deployable-service';
import { migrationChecks, migrationCommandOf } from './migrations';
import {
  acknowledgeGeneratedGrants, acknowledgeOneOffTasks, createArtifactBucket, createDockerBuildProject, createStepProject, gitHubSourceAction,
  grantOneOffTasks, oneOffTaskEnvironment, passToEcsTasks, stepAction, StepProjectOptions, validateConnectionArn,
} from './pipeline-parts';
import { DOCKER_BUILD_SCRIPT, IMAGE_DEFINITIONS_SCRIPT, JOB_REVISIONS_SCRIPT, MIGRATE_SCRIPT, MIGRATE_SCRIPT_WITH_VOLUMES, RECORD_RELEASE_SCRIPT } from './pipeline-scripts';
import { IMonitoredPipeline } from '../monitoring/monitored';
import { anyOccurrenceAlarm, notify } from '../private/alarms';
import { addLateCheck } from '../private/collected-problems';
import { acknowledge, inlinePolicyAcknowledgements } from '../private/compliance';
import { checkAll } from '../private/errors';
import { createKey } from '../private/kms';
import { createLogGroup } from '../private/log-group';
import { checkPropTypes } from '../private/prop-types';
import { CODEPIPELINE_QUOTAS, MAX_ACTIONS_PER_STAGE } from '../private/quotas';
import { mutableTagsIfImmutable, sameRepository } from '../private/repositories';
import { invalidProp, requireSynthValue, validateIntegerRange, validateNonEmpty, validateTriggerTag } from '../private/validation';
import { hasEfsVolumes } from '../service/volumes';

/** IAM's default quota of managed policies attached to a role; aws-cdk-lib moves a role's policy beyond 10,000 characters into such policies. */
const MAX_MANAGED_POLICIES_PER_ROLE = 10;
const IAM_QUOTAS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html';

/**
 * Continuous delivery of the services built from one ECR repository: a push of the tag starts a CodePipeline (V2)
 * that runs `migrationCommand`, when given, once, as a one-off Fargate task of the first service's task definition
 * with the new image, writes one image definitions file per service (every container whose image comes from the
 * repository), rolls every service in parallel (and registers a revision of each scheduled job with the new image, see
 * `addScheduledJob`), and records the deployed digest in each service's SSM tag parameter of that repository, so a
 * later `cdk deploy` never rolls an image back. With `manualApproval` nothing touches production before the
 * approval: the migration runs after it. Containers of other repositories keep their image: give each repository
 * its own pipeline. Optionally a CI pipeline builds the image from GitHub.
 */
export class EcrToEcsPipeline extends Construct implements IMonitoredPipeline {
  /** The deploy pipeline: Source, [Migrate], Build, Deploy, Record; with an approval Source, Build, Approve, [Migrate], Deploy, Record. */
  public readonly pipeline: codepipeline.Pipeline;
  /** The CI pipeline, when `source` is given. */
  public readonly ciPipeline?: codepipeline.Pipeline;
  /** The migration step's CodeBuild project, when `migrationCommand` is given. */
  public readonly migrationProject?: codebuild.PipelineProject;
  /** Encrypted, TLS-only, retained artifact bucket shared by both pipelines. */
  public readonly artifactBucket: s3.Bucket;
  /** Key of artifacts and build outputs. */
  public readonly encryptionKey: kms.IKey;
  /** The repository the pipelines read and write. */
  public readonly repository: ecr.IRepository;
  /** Log group of every build step (one stream prefix per project). */
  public readonly logGroup: logs.LogGroup;
  /** Alarms of this pipeline (migration failures), for InfraMonitoring. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** Role of the ECS deploy actions: it may pass only the deployed services' task and execution roles. */
  public readonly deployRole: iam.Role;

  private readonly deployments: Deployment[] = [];
  private readonly deployStage: codepipeline.IStage;
  private readonly definitions = new codepipeline.Artifact('ImageDefinitions');
  private readonly recordProject: codebuild.PipelineProject;
  private readonly recordedParameters = new Set<ssm.IStringParameter>();
  private readonly jobs: MovedJob[] = [];
  /** The roles each service or job adds statements to, with the last call that added some: the one a full role names. */
  private readonly lastGrowth = new Map<iam.Role, { readonly prop: string; readonly value: string }>();
  /** The Deploy stage's action that moves the scheduled jobs, once a job is added. */
  private jobsAction?: { readonly name: string; readonly project: codebuild.PipelineProject };
  private readonly image = new codepipeline.Artifact('Image');
  private readonly sourceVariables: { [name: string]: string };

  constructor(scope: Construct, id: string, props: EcrToEcsPipelineProps) {
    super(scope, id);
    checkPropTypes(this, 'EcrToEcsPipelineProps', props);
    const repository = props.repository ?? props.service.image.repository;
    if (!repository) {
      invalidProp(this, 'service', props.service.node.path, 'the service image must come from ECR: use ServiceImage.fromEcrRepository(repository)');
    }
    this.repository = repository;
    const migrationContainer = this.containersOf(props.service, 'service')[0];
    validateProps(this, props);
    const migrationCommand = migrationCommandOf(this, '', props);
    checkAll((props.additionalServices ?? []).map((service, i) => () => this.containersOf(service, `additionalServices[${i}]`)));
    const alarmTopic = props.alarmTopic ?? props.notificationTopic;
    const tag = props.tag ?? 'latest';

    this.encryptionKey = props.encryptionKey ?? createKey(this, 'ArtifactsKey', 'Backend pipeline artifacts and build outputs');
    this.artifactBucket = createArtifactBucket(this, this.encryptionKey);
    this.logGroup = createLogGroup(this, 'BuildLogGroup', props.logRetention, props.logEncryptionKey);
    this.pipeline = this.createPipeline('Pipeline');

    const image = this.image;
    const source = new actions.EcrSourceAction({ actionName: 'Image', repository, imageTag: tag, output: image });
    this.pipeline.addStage({ stageName: 'Source', actions: [source] });
    const common = { REPOSITORY_URI: repository.repositoryUri, IMAGE_DIGEST: source.variables.imageDigest };
    this.sourceVariables = common;

    // No Migrate stage, project, role or alarm unless the user gave a command: nothing else runs in their image.
    if (migrationCommand) {
      this.migrationProject = this.createMigrationProject(props, migrationCommand);
      this.alarms.push(anyOccurrenceAlarm(this, 'MigrationFailedAlarm', 'Database migration of a release failed: the release was not deployed',
        this.migrationProject.metricFailedBuilds({ period: Duration.minutes(5), statistic: 'Sum' })));
    }
    const migrate = (project: codebuild.PipelineProject | undefined) => {
      if (!project) return;
      this.pipeline.addStage({ stageName: 'Migrate', actions: [stepAction('Migrate', project, { input: image, variables: { ...common, CONTAINER: migrationContainer.containerName } })] });
    };
    // A migration changes the production database: with an approval it waits for it (Build only writes files).
    if (!props.manualApproval) migrate(this.migrationProject);

    const buildProject = this.createProject('ImageDefinitions', {
      description: 'Writes one image definitions file per service for the ECS deploy actions', script: IMAGE_DEFINITIONS_SCRIPT, outputFiles: ['imagedefinitions-*.json'],
    });
    // Files are listed lazily: services added with addService after construction are in them too.
    const definitionFiles = Lazy.string({ produce: () => JSON.stringify(Object.fromEntries(this.deployments.map(d => [d.file, d.containers]))) });
    this.pipeline.addStage({
      stageName: 'Build', actions: [stepAction('ImageDefinitions', buildProject, { input: image, variables: { ...common, IMAGE_DEFINITIONS: definitionFiles }, outputs: [this.definitions] })],
    });
    if (props.manualApproval) {
      this.pipeline.addStage({ stageName: 'Approve', actions: [new actions.ManualApprovalAction({ actionName: 'Approve', notificationTopic: alarmTopic })] });
      migrate(this.migrationProject);
    }
    this.deployRole = this.createDeployRole();
    // A failed deploy leaves its task definition revision the newest ACTIVE one of the family, which a later
    // service-only `cdk deploy` would deploy again: rolling the stage back registers the last good release as newer.
    this.deployStage = this.pipeline.addStage({ stageName: 'Deploy', onFailure: { result: codepipeline.Result.ROLLBACK } });
    this.recordProject = this.createRecordProject();
    const tagParameters = Lazy.string({ produce: () => Fn.join(' ', [...this.recordedParameters].map(parameter => parameter.parameterName)) });
    this.pipeline.addStage({
      stageName: 'Record',
      actions: [stepAction('RecordRelease', this.recordProject, { input: image, variables: { ...common, REPOSITORY_NAME: repository.repositoryName, TAG_PARAMETERS: tagParameters } })],
    });
    [props.service, ...(props.additionalServices ?? [])].forEach((service, i) => this.deploy(service, i === 0 ? 'service' : `additionalServices[${i - 1}]`));

    if (props.source) this.ciPipeline = this.createCiPipeline(props.source, tag);
    if (alarmTopic) {
      this.notifyOnFailure(alarmTopic);
    } else {
      this.alarms.forEach(alarm => notify(alarm, undefined));
    }
    this.acknowledgeFindings();
    this.refuseOverfullRoles();
  }

  /**
   * Roll out one more service from each push (e.g. a worker built from the same image): it gets its own deploy
   * action beside the others, after the one migration, and its tag parameter of this repository is recorded.
   * The service must run a container of this pipeline's repository.
   */
  public addService(service: IDeployableService): void {
    this.deploy(service, 'addService(service)');
  }

  /**
   * Move a scheduled job with each release (e.g. `CleanupJobScheduler` with the service's image and `imageRepository`).
   * One action beside the deploy actions registers a new revision of each job's task definition family, a copy of the
   * newest one with the pushed image in the job's container; the job's schedule names the family, so its next run
   * starts that revision. A failed Deploy stage rolls the jobs back with the services, and a later `cdk deploy` that
   * changes a job renders the tag Record wrote. The job's image must come from this pipeline's repository.
   */
  public addScheduledJob(job: IDeployableJob): void {
    const prop = 'addScheduledJob(job)';
    if (typeof job !== 'object' || job === null || !job.node || !job.taskDefinition || !job.container) {
      invalidProp(this, prop, job, 'give a job that implements IDeployableJob (CleanupJobScheduler)');
    }
    if (!sameRepository(job.imageRepository, this.repository)) {
      invalidProp(this, prop, job.node.path, 'its image is not from the pipeline\'s repository: give the job imageRepository: pipeline.repository with that repository\'s image, '
        + 'or move it with the pipeline of its own repository');
    }
    const other = jobMovers.get(job);
    if (other) {
      invalidProp(this, prop, job.node.path, other === this ? 'the pipeline already moves this job; add it once'
        : `${other.node.path} already moves it; two pipelines would race to register its revisions: keep one`);
    }
    if (!this.jobsAction) this.refuseFullDeployStage(prop, job.node.path);
    jobMovers.set(job, this);
    const { project } = this.jobsAction ?? this.addJobsAction();
    this.lastGrowth.set(project.role as iam.Role, { prop, value: job.node.path });
    const family = job.taskDefinition.family;
    this.jobs.push({ family, containers: [job.container.containerName] });
    project.addToRolePolicy(passToEcsTasks(job.taskDefinition.taskRole.roleArn, job.taskDefinition.obtainExecutionRole().roleArn));
    // The copy keeps the revision's tags; tagging on register needs TagResource on the new revision.
    project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: [Stack.of(this).formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${family}:*` })],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }));
  }

  /**
   * The Deploy stage's action that registers the jobs' revisions: in the stage, so a failed release that rolls the
   * stage back (with the last good execution's variables) registers the last good image for the jobs too.
   */
  private addJobsAction(): { readonly name: string; readonly project: codebuild.PipelineProject } {
    const project = this.createProject('ScheduledJobs', {
      description: 'Registers a revision of each scheduled job\'s task definition with the released image', script: JOB_REVISIONS_SCRIPT,
    });
    // Neither action supports resource-level permissions (aws/containers-roadmap#929); PassRole names the jobs' roles.
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], resources: ['*'] }));
    acknowledge(project, [{
      id: 'AwsSolutions-IAM5',
      reason: 'DescribeTaskDefinition/RegisterTaskDefinition have no resource-level permissions; PassRole is limited to the jobs\' task and execution roles '
        + 'and tagging to new revisions of the jobs\' families.',
      appliesTo: ['Resource::*', '/^Resource::arn:<AWS::Partition>:ecs:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):task-definition\\/[^*/]+:\\*$/'],
    }], { recursive: true });
    const inline = 'The jobs step\'s permissions name this pipeline\'s jobs (their roles and families); a managed policy for them would outlive the pipeline.';
    acknowledge(project, [
      ...inlinePolicyAcknowledgements(inline),
      { id: 'HIPAA.Security-CodeBuildProjectSourceRepoUrl', reason: 'The project\'s source is the pipeline\'s artifact (CODEPIPELINE): no repository URL, no credentials.' },
    ], { recursive: true });
    const jobContainers = Lazy.string({ produce: () => JSON.stringify(Object.fromEntries(this.jobs.map(j => [j.family, j.containers]))) });
    const name = this.uniqueActionName('ScheduledJobs');
    this.deployStage.addAction(stepAction(name, project, {
      input: this.image, variables: { ...this.sourceVariables, JOB_CONTAINERS: jobContainers },
    }));
    // Created after construction: the constructor's acknowledgements did not reach it, nor its action's role.
    acknowledgeGeneratedGrants(project);
    acknowledge(this.pipeline.node.findChild('Deploy').node.findChild(name), inlinePolicyAcknowledgements(inline), { recursive: true });
    this.jobsAction = { name, project };
    return this.jobsAction;
  }

  /**
   * CodePipeline's 50 actions per stage: the Deploy stage holds one deploy action per service and one for the jobs. The
   * call that would add the 51st is refused; the pipeline's six stages at most stay under the quota of 50 stages.
   */
  private refuseFullDeployStage(prop: string, value: string): void {
    const actionCount = this.deployStage.actions.length + 1;
    if (actionCount > MAX_ACTIONS_PER_STAGE) {
      invalidProp(this, prop, value, `the pipeline's Deploy stage would hold ${actionCount} actions (one per service, one for the scheduled jobs), over CodePipeline's `
        + `${MAX_ACTIONS_PER_STAGE} per stage (${CODEPIPELINE_QUOTAS}); give this workload an image from another ECR repository (a pipeline of its own), or put it in another platform`);
    }
  }

  /**
   * IAM's 10 managed policies per role: each service and job adds statements to a role of the pipeline (the deploy role,
   * the jobs step's), and aws-cdk-lib moves what exceeds its inline policy into managed policies, a warning at synth
   * but a failed deploy. Counted at synth, after aws-cdk-lib's split.
   */
  private refuseOverfullRoles(): void {
    addLateCheck(this, () => {
      const stack = Stack.of(this);
      const managed = this.node.findAll().filter((c): c is iam.CfnManagedPolicy => c instanceof iam.CfnManagedPolicy);
      checkAll([...this.lastGrowth].map(([role, { prop, value }]) => () => {
        const name = JSON.stringify(stack.resolve(role.roleName));
        const attached = (stack.resolve((role.node.defaultChild as iam.CfnRole).managedPolicyArns) ?? []).length
        + managed.filter(policy => (stack.resolve(policy.roles) ?? []).some((r: unknown) => JSON.stringify(r) === name)).length;
        if (attached > MAX_MANAGED_POLICIES_PER_ROLE) {
          invalidProp(this, prop, value, `the policy of ${role.node.path} would take ${attached} managed policies (aws-cdk-lib's overflow of its inline policy), `
          + `over IAM's default quota of ${MAX_MANAGED_POLICIES_PER_ROLE} per role (${IAM_QUOTAS}); move some workloads to an image of another ECR repository `
          + '(a pipeline of its own) or to another platform');
        }
      }));
    });
  }

  /** An action name of the Deploy stage no deploy action (named after its service) nor the jobs action has yet. */
  private uniqueActionName(base: string): string {
    const used = new Set([...this.deployments.map(d => d.name), ...(this.jobsAction ? [this.jobsAction.name] : [])]);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}${n}`;
    return name;
  }

  /** A deploy action for the service, its containers of this repository in its image definitions file, its tag parameters recorded. */
  private deploy(service: IDeployableService, prop: string): void {
    if (this.deployments.some(d => d.service === service)) {
      invalidProp(this, prop, service.node.path, 'the pipeline already deploys this service; add it once');
    }
    this.refuseFullDeployStage(prop, service.node.path);
    const containers = this.containersOf(service, prop);
    const name = this.uniqueActionName(service.node.id.replace(/[^A-Za-z0-9.@_-]/g, '-').slice(0, 90));
    const file = `imagedefinitions-${name}.json`;
    this.deployments.push({ service, name, file, containers: containers.map(c => c.containerName) });
    deployers.set(service, [...(deployers.get(service) ?? []), { pipeline: this, repository: this.repository }]);
    this.deployStage.addAction(new actions.EcsDeployAction({
      actionName: name,
      service: service.service,
      imageFile: this.definitions.atPath(file),
      deploymentTimeout: Duration.minutes(60),
      // The action would add iam:PassRole on every role; the deploy role carries the narrow grants instead.
      role: this.deployRole.withoutPolicyUpdates(),
    }));
    this.lastGrowth.set(this.deployRole, { prop, value: service.node.path });
    this.lastGrowth.set(this.recordProject.role as iam.Role, { prop, value: service.node.path });
    this.deployRole.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [service.service.serviceArn] }));
    this.deployRole.addToPolicy(passToEcsTasks(service.taskRole.roleArn, service.executionRole.roleArn));
    for (const parameter of new Set(containers.map(c => c.imageTagParameter))) {
      if (this.recordedParameters.has(parameter)) continue;
      this.recordedParameters.add(parameter);
      parameter.grantWrite(this.recordProject);
    }
  }

  /** The service's containers whose image comes from this pipeline's repository; refused by name when there are none. */
  private containersOf(service: IDeployableService, prop: string): EcrImageContainer[] {
    if (typeof service !== 'object' || service === null || !service.service || !service.node || !Array.isArray(service.ecrContainers)) {
      invalidProp(this, prop, service, 'give a service that implements IDeployableService (SecureAlbFargateService, WorkerService)');
    }
    const containers = service.ecrContainers.filter(c => sameRepository(c.repository, this.repository));
    if (containers.length === 0) {
      invalidProp(this, prop, service.node.path, 'no container of it runs an image of the pipeline\'s repository: give it ServiceImage.fromEcrRepository(pipeline.repository), '
        + 'or deploy it with a pipeline of its own repository');
    }
    const other = deployers.get(service)?.find(d => d.pipeline !== this && sameRepository(d.repository, this.repository))?.pipeline;
    if (other) {
      invalidProp(this, prop, service.node.path, `${other.node.path} already deploys its containers of this repository; two pipelines would race to roll them out `
        + 'and write their tag parameters: deploy it with that pipeline only (addService)');
    }
    return containers;
  }

  /** One role for every ECS deploy action of the pipeline, assumed by the pipeline's role only. */
  private createDeployRole(): iam.Role {
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ArnPrincipal(this.pipeline.role.roleArn),
      description: 'ECS deploy actions: register the new revisions and update the services of this pipeline',
    });
    role.addToPolicy(new iam.PolicyStatement({
      // What aws-cdk-lib's ECS deploy action grants besides UpdateService and PassRole, which are narrowed per service.
      actions: ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition', 'ecs:TagResource'],
      resources: ['*'],
    }));
    this.artifactBucket.grantRead(role);
    acknowledge(role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The ECS deploy action registers task definitions and describes services and tasks (no resource-level permission); '
        + 'UpdateService is limited to the deployed services and PassRole to their task and execution roles.',
      appliesTo: ['Resource::*'],
    }], { recursive: true });
    return role;
  }

  /**
   * Publish failed executions of the pipelines, and the pipeline's alarms, to a topic
   * (EventBridge and CloudWatch must be allowed to use its KMS key).
   */
  public notifyOnFailure(topic: sns.ITopic): void {
    this.alarms.forEach(alarm => notify(alarm, topic));
    for (const pipeline of [this.pipeline, this.ciPipeline]) {
      pipeline?.onStateChange(`${pipeline.node.id}FailedEvent`, {
        eventPattern: { detail: { state: ['FAILED'] } },
        target: new targets.SnsTopic(topic, {
          message: events.RuleTargetInput.fromText(
            `Pipeline ${events.EventField.fromPath('$.detail.pipeline')} execution ${events.EventField.fromPath('$.detail.execution-id')} failed.`),
        }),
      });
    }
  }

  /** A V2 pipeline on the shared artifact bucket; a `cdk deploy` of the stack does not start it. */
  private createPipeline(id: string): codepipeline.Pipeline {
    return new codepipeline.Pipeline(this, id, {
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: this.artifactBucket,
      restartExecutionOnUpdate: false,
    });
  }

  private createProject(id: string, options: StepProjectOptions): codebuild.PipelineProject {
    return createStepProject(this, id, options, this.encryptionKey, this.logGroup);
  }

  /** The migration runs as a Fargate task in the service's subnets and security group, so it reaches what the service reaches. */
  private createMigrationProject(props: EcrToEcsPipelineProps, command: string[]): codebuild.PipelineProject {
    const project = this.createProject('Migration', {
      description: 'Runs database migrations as a one-off Fargate task of the new image',
      script: hasEfsVolumes(props.service.taskDefinition) ? MIGRATE_SCRIPT_WITH_VOLUMES : MIGRATE_SCRIPT,
      // The script polls the task; CodeBuild's own timeout is the migration's upper bound plus start-up slack.
      timeout: (props.migrationTimeout ?? Duration.minutes(30)).plus(Duration.minutes(5)),
      environment: { ...oneOffTaskEnvironment(props.service), MIGRATION_COMMAND: JSON.stringify(command) },
    });
    grantOneOffTasks(project, props.service, 'migrate');
    return project;
  }

  private createRecordProject(): codebuild.PipelineProject {
    const project = this.createProject('RecordRelease', {
      description: 'Tags the deployed digest and writes that tag to the image-tag parameters of the deployed services', script: RECORD_RELEASE_SCRIPT,
    });
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage', 'ecr:PutImage'], resources: [this.repository.repositoryArn] }));
    return project;
  }

  private createCiPipeline(source: GitHubSourceOptions, tag: string): codepipeline.Pipeline {
    const pipeline = this.createPipeline('CiPipeline');
    const code = new codepipeline.Artifact('Source');
    pipeline.addStage({
      stageName: 'Source',
      actions: [gitHubSourceAction(source, code)],
    });
    const project = createDockerBuildProject(this, this.repository, source, { script: DOCKER_BUILD_SCRIPT, tag }, this.encryptionKey, this.logGroup);
    pipeline.addStage({ stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'DockerBuild', project, input: code })] });
    return pipeline;
  }

  private acknowledgeFindings(): void {
    acknowledgeGeneratedGrants(this);
    if (this.migrationProject) acknowledgeOneOffTasks(this.migrationProject, 'migrate');
  }
}

/** One service the pipeline rolls out: its deploy action's name, its image definitions file and the containers listed in it. */
interface Deployment {
  readonly service: IDeployableService;
  readonly name: string;
  readonly file: string;
  readonly containers: string[];
}

/** A scheduled job the pipeline moves: its task definition family and the containers that get the released image. */
interface MovedJob {
  readonly family: string;
  readonly containers: string[];
}

/** The pipeline that moves each job: a job runs one repository's image, so one pipeline registers its revisions. */
const jobMovers = new WeakMap<IDeployableJob, EcrToEcsPipeline>();

/** The pipelines that deploy each service, by repository: one repository's containers of a service have one pipeline. */
const deployers = new WeakMap<IDeployableService, Array<{ pipeline: EcrToEcsPipeline; repository: ecr.IRepository }>>();

/** The `EcrToEcsPipeline` that deploys the service's containers of this repository, if any. */
export function deployingPipelineOf(service: IDeployableService, repository: ecr.IRepository): EcrToEcsPipeline | undefined {
  return deployers.get(service)?.find(d => sameRepository(d.repository, repository))?.pipeline;
}

function validateProps(scope: Construct, props: EcrToEcsPipelineProps): void {
  const source = props.source;
  checkAll([
    () => validateTriggerTag(scope, 'tag', props.tag),
    () => refuseImmutableTriggerTag(scope, 'tag', props.repository ?? props.service.image.repository, props.tag ?? 'latest'),
    () => {
      if (props.alarmTopic && props.notificationTopic && props.alarmTopic !== props.notificationTopic) {
        invalidProp(scope, 'notificationTopic', props.notificationTopic.node.path, 'it is the deprecated name of alarmTopic, which names another topic; keep alarmTopic only');
      }
    },
    () => { if (props.migrationCommand !== undefined) validateNonEmpty(scope, 'migrationCommand', props.migrationCommand); },
    () => requireSynthValue(scope, 'migrationCommand', props.migrationCommand, 'the command is written into the migration step as JSON'),
    () => requireSynthValue(scope, 'migrationTimeout', props.migrationTimeout, 'CodeBuild takes its timeout in whole minutes'),
    ...migrationChecks(scope, '', props),
    () => {
      if (props.migrationTimeout !== undefined && !props.migrationTimeout.isUnresolved()) {
        validateIntegerRange(scope, 'migrationTimeout (minutes)', props.migrationTimeout.toMinutes({ integral: false }), 5, 475);
      }
    },
    () => validateConnectionArn(scope, 'source.connectionArn', source),
  ]);
}

/**
 * A trigger tag the repository keeps immutable deploys once: the second push is refused by ECR. Typically a second
 * platform's pipeline on the first platform's repository, whose only mutable tag is the first platform's trigger tag.
 */
export function refuseImmutableTriggerTag(scope: IConstruct, prop: string, repository: ecr.IRepository | undefined, tag: string): void {
  const mutable = repository && mutableTagsIfImmutable(repository, tag);
  if (!repository || !mutable) return;
  invalidProp(scope, prop, tag, `repository ${repository.node.path} keeps this tag immutable (${mutable.length > 0 ? `only ${mutable.map(t => `"${t}"`).join(', ')} may move` : 'every tag'}), `
    + 'so ECR refuses its second push and this pipeline would deploy once; to move one image through several environments use a PromotionPipeline '
    + '(one repository, one digest promoted), or give this pipeline a tag the repository lets move');
}
