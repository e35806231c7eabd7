import { Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { EcrImageContainer, IDeployableJob, IDeployableService } from './deployable-service';
import {
  acknowledgeGeneratedGrants, acknowledgeOneOffTasks, createStepProject, grantOneOffTasks, oneOffTaskEnvironment, passToEcsTasks, stepAction,
  StepProjectOptions,
} from './pipeline-parts';
import { PROMOTE_DEPLOY_SCRIPT, SMOKE_CHECK_SCRIPT, TEST_TASK_SCRIPT, MIGRATE_SCRIPT, MIGRATE_SCRIPT_WITH_VOLUMES, TEST_TASK_SCRIPT_WITH_VOLUMES } from './pipeline-scripts';
import { PromotionEnvironment } from './promotion-options';
import { ArtifactStoreLocation, grantStepRead } from './region-artifact-store';
import { acknowledge, inlinePolicyAcknowledgements } from '../private/compliance';
import { createLogGroup } from '../private/log-group';
import { rolePrincipal } from '../private/role-principals';
import { hasEfsVolumes } from '../service/volumes';

/** What every environment's steps share: the pipeline, its artifact key and logs, the release's artifact and variables. */
export interface ReleaseContext {
  readonly pipeline: codepipeline.Pipeline;
  /** The pipeline's artifact bucket (its own region's store). */
  readonly artifactBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  /** The pipeline's log group, used by steps in the pipeline's own account and region. */
  readonly logGroup: logs.ILogGroup;
  readonly logRetention?: logs.RetentionDays;
  readonly artifact: codepipeline.Artifact;
  /** REPOSITORY_URI and IMAGE_DIGEST of the release. */
  readonly variables: { [name: string]: string };
  readonly alarmTopic?: sns.ITopic;
}

/** One environment's part of the release, resolved and checked by the pipeline. */
export interface EnvironmentPlan {
  readonly environment: PromotionEnvironment;
  /** Each service with its containers of the promoted repository. */
  readonly services: Array<{ readonly service: IDeployableService; readonly containers: EcrImageContainer[] }>;
  /** The environment's scheduled jobs that run the promoted repository's image. */
  readonly jobs: IDeployableJob[];
  /** Whether the environment is in another account or region than the pipeline (its steps then live in its stack). */
  readonly remote: boolean;
}

/**
 * The steps of one environment (migrate, deploy and record, test task, tests and smoke checks) and the stages that
 * run them. In another account or region they live in the environment's stack, with a role the pipeline's role alone
 * may assume, and physical names the pipeline's account can name; otherwise under the pipeline.
 */
export class EnvironmentSteps extends Construct {
  /** The role CodePipeline assumes for this environment's actions (aws-cdk-lib generates one per action when local). */
  private readonly actionRole?: iam.Role;
  private readonly logGroup: logs.ILogGroup;

  /**
   * @param artifactStore the artifact store of the environment's region (the pipeline's own in its region): remote steps
   * read their input artifact from it
   */
  constructor(
    scope: Construct, id: string, private readonly plan: EnvironmentPlan, private readonly release: ReleaseContext,
    private readonly artifactStore: ArtifactStoreLocation,
  ) {
    super(scope, id);
    this.logGroup = plan.remote ? createLogGroup(this, 'BuildLogGroup', release.logRetention, undefined) : release.logGroup;
    if (plan.remote) this.actionRole = this.createActionRole();
    this.addStages();
    acknowledgeGeneratedGrants(this);
    acknowledge(this, inlinePolicyAcknowledgements('The steps\' permissions name this environment\'s services, roles and parameters; a managed policy would outlive them.'),
      { recursive: true });
  }

  private get name(): string {
    return this.plan.environment.target.environmentName;
  }

  private get main(): IDeployableService {
    return this.plan.services[0].service;
  }

  private addStages(): void {
    const { environment } = this.plan;
    const { pipeline, alarmTopic } = this.release;
    if (environment.manualApproval) {
      pipeline.addStage({
        stageName: `${this.name}.Approve`,
        actions: [new actions.ManualApprovalAction({
          actionName: 'Approve', notificationTopic: alarmTopic, additionalInformation: `Promote ${this.release.variables.IMAGE_DIGEST} to ${this.name}`,
        })],
      });
    }
    if (environment.migrationCommand) {
      const project = this.oneOffTaskProject('Migrate', 'migrate', hasEfsVolumes(this.main.taskDefinition) ? MIGRATE_SCRIPT_WITH_VOLUMES : MIGRATE_SCRIPT, {
        MIGRATION_COMMAND: JSON.stringify(environment.migrationCommand),
      }, (environment.migrationTimeout ?? Duration.minutes(30)).plus(Duration.minutes(5)));
      pipeline.addStage({ stageName: `${this.name}.Migrate`, actions: [this.action('Migrate', project, { CONTAINER: this.mainContainer })] });
    }
    // A failed rollout leaves its revisions the newest ACTIVE ones: rolling the stage back registers the last good digest again (ADR 0008).
    pipeline.addStage({
      stageName: `${this.name}.Deploy`,
      onFailure: { result: codepipeline.Result.ROLLBACK },
      actions: [this.action('Deploy', this.deployProject(), {})],
    });
    const tests: actions.CodeBuildAction[] = [];
    if (environment.testTaskCommand) {
      const project = this.oneOffTaskProject('TestTask', 'test', hasEfsVolumes(this.main.taskDefinition) ? TEST_TASK_SCRIPT_WITH_VOLUMES : TEST_TASK_SCRIPT, { TEST_COMMAND: JSON.stringify(environment.testTaskCommand) });
      tests.push(this.action('TestTask', project, { CONTAINER: this.mainContainer }));
    }
    const testProject = this.testProject();
    if (testProject) tests.push(this.action('Test', testProject, {}));
    if (tests.length > 0) pipeline.addStage({ stageName: `${this.name}.Test`, actions: tests });
  }

  private get mainContainer(): string {
    return this.plan.services[0].containers[0].containerName;
  }

  private action(name: string, project: codebuild.PipelineProject, variables: { [name: string]: string }): actions.CodeBuildAction {
    const runs = this.plan.remote ? this.readingStore(project) : project;
    return stepAction(name, runs, { input: this.release.artifact, variables: { ...this.release.variables, ...variables }, role: this.actionRole });
  }

  /**
   * In another account or region, a step reads its input from its region's artifact store, in the pipeline's account.
   * aws-cdk-lib would name the step's role in that bucket's and key's policies by its ARN; the action runs the project
   * by name instead (so aws-cdk-lib grants nothing), and `grantStepRead` admits the role by its account and an
   * `aws:PrincipalArn` condition, the role's own policy naming the bucket and the keys of the store's account and region.
   */
  private readingStore(project: codebuild.PipelineProject): codebuild.IProject {
    grantStepRead(this.artifactStore, project.role!);
    acknowledge(project, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The step reads the objects of its region\'s artifact bucket, in the pipeline\'s account; that key\'s ARN is unknown here at synth '
        + '(the keys of the store\'s account and region; its key policy admits only the pipeline\'s account and this role).',
      appliesTo: ['/^Resource::arn:<AWS::Partition>:s3:::[a-z0-9.-]+\\/\\*$/', '/^Resource::arn:<AWS::Partition>:kms:[a-z0-9-]+:[0-9]{12}:key\\/\\*$/'],
    }], { recursive: true });
    return codebuild.Project.fromProjectName(this, `${project.node.id}ByName`, project.projectName);
  }

  private project(id: string, options: StepProjectOptions): codebuild.PipelineProject {
    if (!this.plan.remote) return createStepProject(this, id, options, this.release.encryptionKey, this.logGroup);
    // The pipeline's key is of another account or region: the steps write no artifacts, so CodeBuild's own key encrypts what it keeps.
    const project = createStepProject(this, id, { ...options, projectName: PhysicalName.GENERATE_IF_NEEDED }, undefined, this.logGroup);
    const noArtifacts = 'The step writes no artifacts (it only calls AWS APIs); the pipeline\'s key belongs to another account or region, so CodeBuild\'s managed key '
      + 'encrypts its logs\' metadata and cache.';
    acknowledge(project, [{ id: 'AwsSolutions-CB4', reason: noArtifacts }]);
    return project;
  }

  /**
   * The role of this environment's actions: the pipeline's account may assume it only as the pipeline's role (a
   * condition, not a principal ARN: IAM refuses a principal that does not exist yet and the pipeline's stack deploys
   * after this one).
   */
  private createActionRole(): iam.Role {
    return new iam.Role(this, 'ActionRole', {
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      description: `The promotion pipeline's actions in ${this.name}: start and watch this environment's steps`,
      assumedBy: rolePrincipal(this.release.pipeline.role),
    });
  }

  private oneOffTaskProject(
    id: string, suffix: string, script: string, environment: { [name: string]: string }, timeout?: Duration,
  ): codebuild.PipelineProject {
    const project = this.project(id, {
      description: `${id} of the ${this.name} environment: a one-off task of ${this.main.node.path} with the promoted digest`,
      script,
      timeout,
      environment: { ...oneOffTaskEnvironment(this.main), ...environment },
    });
    grantOneOffTasks(project, this.main, suffix);
    acknowledgeOneOffTasks(project, suffix);
    return project;
  }

  /** Registers the digest in every service's and job's family, rolls the services, records the digest's tag. */
  private deployProject(): codebuild.PipelineProject {
    const stack = Stack.of(this);
    const jobs = this.plan.jobs;
    const families: { [family: string]: string[] } = {};
    for (const { service, containers } of this.plan.services) families[service.taskDefinition.family] = containers.map(c => c.containerName);
    for (const job of jobs) families[job.taskDefinition.family] = [job.container.containerName];
    const parameters = [...new Set(this.plan.services.flatMap(({ containers }) => containers.map(c => c.imageTagParameter)))];
    const project = this.project('Deploy', {
      description: `Deploys the promoted digest to the ${this.name} environment and records it in its image-tag parameters`,
      script: PROMOTE_DEPLOY_SCRIPT,
      // ECS's own deployment limit is 60 minutes per service in the ECS deploy action; the services roll in parallel.
      timeout: Duration.minutes(75),
      environment: {
        FAMILY_CONTAINERS: JSON.stringify(families),
        SERVICES: this.plan.services.map(({ service }) => `${service.cluster.clusterArn},${service.service.serviceName}=${service.taskDefinition.family}`).join(' '),
        TAG_PARAMETERS: parameters.map(parameter => parameter.parameterName).join(' '),
      },
    });
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], resources: ['*'] }));
    project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: Object.keys(families).map(family => stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${family}:*` })),
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }));
    project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
      resources: this.plan.services.map(({ service }) => service.service.serviceArn),
    }));
    project.addToRolePolicy(passToEcsTasks(...[
      ...this.plan.services.flatMap(({ service }) => [service.taskRole.roleArn, service.executionRole.roleArn]),
      ...jobs.flatMap(job => [job.taskDefinition.taskRole.roleArn, job.taskDefinition.obtainExecutionRole().roleArn]),
    ]));
    parameters.forEach((parameter: ssm.IStringParameter) => parameter.grantWrite(project));
    acknowledge(project, [{
      id: 'AwsSolutions-IAM5',
      reason: 'DescribeTaskDefinition/RegisterTaskDefinition have no resource-level permissions; tagging is limited to new revisions of this environment\'s '
        + 'families, UpdateService to its services and PassRole to their task and execution roles.',
      appliesTo: ['Resource::*', '/^Resource::arn:<AWS::Partition>:ecs:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):task-definition\\/[^*/]+:\\*$/'],
    }], { recursive: true });
    return project;
  }

  /** The environment's test commands and smoke checks, in CodeBuild with no AWS permissions beyond its logs and the artifact. */
  private testProject(): codebuild.PipelineProject | undefined {
    const { testCommands, smokeCheckPaths } = this.plan.environment;
    if (!testCommands?.length && !smokeCheckPaths?.length) return undefined;
    return this.project('Test', {
      description: `Test commands and smoke checks of the ${this.name} environment after each promotion`,
      script: [
        ...(testCommands?.length ? ['set -euo pipefail', ...testCommands] : []),
        ...(smokeCheckPaths?.length ? [SMOKE_CHECK_SCRIPT] : []),
      ].join('\n'),
      environment: {
        ...(this.plan.environment.target.serviceUrl !== undefined ? { SERVICE_URL: this.plan.environment.target.serviceUrl } : {}),
        ...(smokeCheckPaths?.length ? { SMOKE_CHECK_PATHS: smokeCheckPaths.join(' ') } : {}),
      },
    });
  }
}
