import { Annotations, PhysicalName, Stack, Token } from 'aws-cdk-lib';
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
import { Construct, IConstruct } from 'constructs';
import { deployingPipelineOf, refuseImmutableTriggerTag } from './ecr-to-ecs-pipeline';
import {
  acknowledgeGeneratedGrants, createArtifactBucket, createDockerBuildProject, createStepProject, ECR_PULL_ACTIONS, gitHubSourceAction, stepAction,
  validateConnectionArn,
} from './pipeline-parts';
import { PIN_RELEASE_SCRIPT, PROMOTION_BUILD_SCRIPT } from './pipeline-scripts';
import { PromotionEnvironment, PromotionPipelineProps } from './promotion-options';
import { EnvironmentPlan, EnvironmentSteps } from './promotion-steps';
import { RegionArtifactStore } from './region-artifact-store';
import { IMonitoredPipeline } from '../monitoring/monitored';
import { acknowledge } from '../private/compliance';
import { checkAll } from '../private/errors';
import { createKey } from '../private/kms';
import { createLogGroup } from '../private/log-group';
import { pascal } from '../private/naming';
import { checkPropTypes } from '../private/prop-types';
import { CODEPIPELINE_QUOTAS, MAX_STAGES_PER_PIPELINE } from '../private/quotas';
import { sameRepository } from '../private/repositories';
import { invalidProp, isToken, requireSynthValue, validateDnsLabel, validateIntegerRange, validateNonEmpty, validatePath, validateTriggerTag } from '../private/validation';
import { libraryWarningId } from '../private/warnings';

/**
 * One image, promoted: a push of `tag` to `repository` (or a build of a GitHub commit, with `source`) is pinned by
 * digest, then goes through `environments` in order. In each: an approval when the environment asks for one (before
 * anything touches it), its migration, the deploy of that same digest to every service and scheduled job (recorded in
 * the environment's image-tag parameters, so its `cdk deploy` keeps it), its test task, test commands and smoke
 * checks; a failure stops the release there. Environments may be in other accounts and regions (docs/adr/0021).
 * Use it instead of each platform's own `pipeline` (give those `pipeline: { enabled: false }`).
 */
export class PromotionPipeline extends Construct implements IMonitoredPipeline {
  /** The pipeline: Source, [Build], Release, then per environment `<env>.Approve`, `<env>.Migrate`, `<env>.Deploy`, `<env>.Test`. */
  public readonly pipeline: codepipeline.Pipeline;
  /** Encrypted, TLS-only artifact bucket; environments in other accounts are granted it. */
  public readonly artifactBucket: s3.Bucket;
  /** Key of the artifacts. */
  public readonly encryptionKey: kms.IKey;
  /** The repository whose digests are promoted. */
  public readonly repository: ecr.IRepository;
  /** Log group of the steps in the pipeline's account and region (each other environment has its own). */
  public readonly logGroup: logs.LogGroup;
  /** Alarms of the pipeline, for InfraMonitoring (failures are published by `notifyOnFailure`). */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The GitHub build, when `source` is given. */
  public readonly buildProject?: codebuild.PipelineProject;
  /**
   * The stacks of the artifact stores of the other regions an environment runs in, one per region, in the pipeline's
   * account; the pipeline's stack depends on them (`cdk deploy --all` deploys them first).
   */
  public readonly artifactStoreStacks: Stack[];

  constructor(scope: Construct, id: string, props: PromotionPipelineProps) {
    super(scope, id);
    checkPropTypes(this, 'PromotionPipelineProps', props);
    validateProps(this, props);
    const plans = checkedPlans(this, props);
    const stores = regionStores(this, plans);
    this.artifactStoreStacks = [...stores.values()].map(store => Stack.of(store));
    const tag = props.tag ?? 'latest';
    this.repository = props.repository;

    // The artifact bucket is always emptied and deleted with the pipeline (it may be named, and a retained named
    // bucket would block re-creating the pipeline), so the key of those transient artifacts goes with it.
    this.encryptionKey = props.encryptionKey ?? createKey(this, 'ArtifactsKey', 'Promotion pipeline artifacts and build outputs', true);
    // Named when another account's steps read it (aws-cdk-lib generates the name only then).
    this.artifactBucket = createArtifactBucket(this, this.encryptionKey, PhysicalName.GENERATE_IF_NEEDED);
    this.logGroup = createLogGroup(this, 'BuildLogGroup', props.logRetention, undefined);
    const otherRegions = [...stores.entries()];
    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      // One artifact store per region an action runs in (CodePipeline's ArtifactStores), every one the library's own:
      // aws-cdk-lib would otherwise add replication buckets it retains under fixed names (docs/adr/0021).
      ...(otherRegions.length === 0 ? { artifactBucket: this.artifactBucket } : {
        crossRegionReplicationBuckets: Object.fromEntries([
          [Stack.of(this).region, this.artifactBucket], ...otherRegions.map(([region, store]) => [region, store.pipelineBucket]),
        ]),
      }),
      restartExecutionOnUpdate: false,
      // Only a fallback: keys aws-cdk-lib would add rotate (every region's store and key are the library's own).
      crossAccountKeys: true,
      enableKeyRotation: true,
      // Named when another account's action role trusts it (by a condition on its ARN).
      role: new iam.Role(this, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED }),
    });

    const { artifact, digest } = props.source ? this.buildFromGitHub(props, tag) : this.sourceFromEcr(tag);
    const variables = { REPOSITORY_URI: this.repository.repositoryUri, IMAGE_DIGEST: digest };
    this.addReleaseStage(artifact, variables);
    const release = {
      pipeline: this.pipeline,
      artifactBucket: this.artifactBucket,
      encryptionKey: this.encryptionKey,
      logGroup: this.logGroup,
      logRetention: props.logRetention,
      artifact,
      variables,
      alarmTopic: props.alarmTopic,
    };
    plans.forEach(plan => new EnvironmentSteps(
      plan.remote ? plan.environment.target : this,
      plan.remote ? `Promotion${pascal(this.node.id)}` : `${pascal(plan.environment.target.environmentName)}Steps`,
      plan, release, stores.get(Stack.of(plan.environment.target).region) ?? { bucket: this.artifactBucket, key: this.encryptionKey }));
    stores.forEach(store => store.grantPipeline(this.pipeline.role));
    this.grantPullToOtherAccounts(plans);
    acknowledge(this.pipeline.role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Grants of the pipeline role: the objects of the artifact stores of other regions, the keys of those stores\' accounts and regions '
        + '(their ARNs are unknown at synth; each key policy admits only this role), and keys of other environments, which aws-cdk-lib cannot name across environments.',
      appliesTo: ['Resource::*', '/^Resource::arn:<AWS::Partition>:s3:::[a-z0-9.-]+\\/\\*$/', '/^Resource::arn:<AWS::Partition>:kms:[a-z0-9-]+:[0-9]{12}:key\\/\\*$/'],
    }], { recursive: true });
    if (props.alarmTopic) this.notifyOnFailure(props.alarmTopic);
    acknowledgeGeneratedGrants(this);
  }

  /** Publish failed releases to a topic (EventBridge must be allowed to use its KMS key). */
  public notifyOnFailure(topic: sns.ITopic): void {
    this.pipeline.onStateChange('FailedEvent', {
      eventPattern: { detail: { state: ['FAILED'] } },
      target: new targets.SnsTopic(topic, {
        message: events.RuleTargetInput.fromText(
          `Promotion ${events.EventField.fromPath('$.detail.pipeline')} execution ${events.EventField.fromPath('$.detail.execution-id')} failed.`),
      }),
    });
  }

  private sourceFromEcr(tag: string): { artifact: codepipeline.Artifact; digest: string } {
    const artifact = new codepipeline.Artifact('Image');
    const source = new actions.EcrSourceAction({ actionName: 'Image', repository: this.repository, imageTag: tag, output: artifact });
    this.pipeline.addStage({ stageName: 'Source', actions: [source] });
    return { artifact, digest: source.variables.imageDigest };
  }

  private buildFromGitHub(props: PromotionPipelineProps, tag: string): { artifact: codepipeline.Artifact; digest: string } {
    const artifact = new codepipeline.Artifact('Source');
    this.pipeline.addStage({ stageName: 'Source', actions: [gitHubSourceAction(props.source!, artifact)] });
    const project = createDockerBuildProject(this, this.repository, props.source!, { script: PROMOTION_BUILD_SCRIPT, tag, exportedVariables: ['IMAGE_DIGEST'] },
      this.encryptionKey, this.logGroup);
    (this as { buildProject?: codebuild.PipelineProject }).buildProject = project;
    const build = stepAction('DockerBuild', project, { input: artifact, variables: {}, variablesNamespace: 'Build' });
    this.pipeline.addStage({ stageName: 'Build', actions: [build] });
    return { artifact, digest: build.variable('IMAGE_DIGEST') };
  }

  /** Pins the digest with its immutable `sha256-` tag once, in the repository's account, before any environment runs it. */
  private addReleaseStage(artifact: codepipeline.Artifact, variables: { [name: string]: string }): void {
    const project = createStepProject(this, 'PinRelease', {
      description: 'Tags the promoted digest sha256-<hex> in the repository (immutable; kept by the lifecycle rule)', script: PIN_RELEASE_SCRIPT,
    }, this.encryptionKey, this.logGroup);
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage', 'ecr:PutImage'], resources: [this.repository.repositoryArn] }));
    this.pipeline.addStage({
      stageName: 'Release',
      actions: [stepAction('Pin', project, { input: artifact, variables: { ...variables, REPOSITORY_NAME: this.repository.repositoryName } })],
    });
  }

  /**
   * Each other account that runs the image may pull it: the repository policy names the account, whose IAM decides
   * which role may (the task execution roles there already have the identity grant).
   */
  private grantPullToOtherAccounts(plans: EnvironmentPlan[]): void {
    const own = this.repository.env.account;
    const accounts = [...new Set(plans.map(plan => Stack.of(plan.environment.target).account))]
      .filter(account => !Token.isUnresolved(account) && account !== own);
    if (accounts.length === 0) return;
    const { statementAdded } = this.repository.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'PromotedEnvironmentsPull',
      principals: accounts.map(account => new iam.AccountPrincipal(account)),
      actions: ECR_PULL_ACTIONS,
    }));
    if (!statementAdded) {
      Annotations.of(this).addWarningV2(libraryWarningId('promotionPull'),
        `repository ${this.repository.node.path} is imported, so its policy cannot grant accounts ${accounts.join(', ')} the pull of the promoted images; `
        + `add a statement allowing ${ECR_PULL_ACTIONS.join(', ')} to those accounts where the repository is defined`);
    }
  }
}

/**
 * The library's artifact store of each region other than the pipeline's where an environment runs, in the pipeline's
 * account (`RegionArtifactStore`): the environments of one region share it, whatever their accounts.
 */
function regionStores(scope: Construct, plans: EnvironmentPlan[]): Map<string, RegionArtifactStore> {
  const pipelineStack = Stack.of(scope);
  const stores = new Map<string, RegionArtifactStore>();
  checkAll(plans.map((plan, i) => () => {
    const { region } = Stack.of(plan.environment.target);
    if (Token.isUnresolved(region) || Token.isUnresolved(pipelineStack.region) || region === pipelineStack.region || stores.has(region)) return;
    if (Token.isUnresolved(pipelineStack.account)) {
      invalidProp(scope, `environments[${i}]`, plan.environment.target.node.path, `it is in ${region}, and the pipeline's stack names no account: `
        + `the artifact store of ${region} is created in the pipeline's account; give the pipeline's stack env: { account, region }`);
    }
    stores.set(region, RegionArtifactStore.of(scope, region));
  }));
  return stores;
}

/** Stages before the environments (Source, Release, and Build with a GitHub source), and at most per environment. */
const STAGES_BEFORE = 2;
const STAGES_PER_ENVIRONMENT = (environment: PromotionEnvironment) => 1 + [environment.manualApproval, environment.migrationCommand,
  environment.testCommands?.length || environment.smokeCheckPaths?.length || environment.testTaskCommand].filter(Boolean).length;

function validateProps(scope: IConstruct, props: PromotionPipelineProps): void {
  checkAll([
    () => validateTriggerTag(scope, 'tag', props.tag),
    () => refuseImmutableTriggerTag(scope, 'tag', props.repository, props.tag ?? 'latest'),
    () => validateConnectionArn(scope, 'source.connectionArn', props.source),
    () => validateNonEmpty(scope, 'environments', props.environments),
    () => {
      const perEnvironment = props.environments.reduce((sum, environment) => sum + STAGES_PER_ENVIRONMENT(environment), 0);
      const stages = STAGES_BEFORE + (props.source ? 1 : 0) + perEnvironment;
      if (stages > MAX_STAGES_PER_PIPELINE) {
        invalidProp(scope, 'environments', `${props.environments.length} environments`, `the pipeline would hold ${stages} stages, over CodePipeline's `
          + `${MAX_STAGES_PER_PIPELINE} per pipeline (${CODEPIPELINE_QUOTAS}); split the environments over two promotion pipelines`);
      }
    },
    () => {
      const stack = Stack.of(scope);
      const { account, region } = props.repository.env;
      const elsewhere = [['account', account, stack.account], ['region', region, stack.region]]
        .filter(([, theirs, ours]) => !Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours);
      if (elsewhere.length > 0) {
        invalidProp(scope, 'repository', props.repository.node.path, `it is in ${elsewhere.map(([what, theirs]) => `${what} ${theirs}`).join(' and ')}, `
          + `the pipeline in ${stack.account}/${stack.region}: an ECR source and the release tag need the repository in the pipeline's account and region; `
          + 'create the pipeline in a stack of that account and region');
      }
    },
    ...props.environments.flatMap((environment, i) => environmentChecks(scope, `environments[${i}]`, environment, props.repository.repositoryArn)),
  ]);
}

function environmentChecks(scope: IConstruct, prefix: string, environment: PromotionEnvironment, repositoryArn: string): Array<() => void> {
  const { migrationCommand, migrationTimeout, testTaskCommand, testCommands, smokeCheckPaths } = environment;
  return [
    () => {
      const target = environment.target;
      if (typeof target !== 'object' || target === null || !target.node || !Array.isArray(target.deliveryServices) || !Array.isArray(target.deliveryJobs)) {
        invalidProp(scope, `${prefix}.target`, target, 'give an environment that implements IDeliveryTarget (a BackendPlatform)');
      }
      validateDnsLabel(scope, `${prefix}.target.environmentName`, target.environmentName);
    },
    () => {
      const named = environment.repository?.repositoryArn;
      if (named !== undefined && !isToken(named) && !isToken(repositoryArn) && named !== repositoryArn) {
        invalidProp(scope, `${prefix}.repository`, named, `it is not the pipeline's repository (${repositoryArn}); import that one`);
      }
    },
    () => { if (migrationCommand !== undefined) validateNonEmpty(scope, `${prefix}.migrationCommand`, migrationCommand); },
    () => requireSynthValue(scope, `${prefix}.migrationCommand`, migrationCommand, 'the command is written into the migration step as JSON'),
    () => { if (testTaskCommand !== undefined) validateNonEmpty(scope, `${prefix}.testTaskCommand`, testTaskCommand); },
    () => requireSynthValue(scope, `${prefix}.testTaskCommand`, testTaskCommand, 'the command is written into the test step as JSON'),
    () => { if (testCommands !== undefined) validateNonEmpty(scope, `${prefix}.testCommands`, testCommands); },
    () => { if (smokeCheckPaths !== undefined) validateNonEmpty(scope, `${prefix}.smokeCheckPaths`, smokeCheckPaths); },
    ...(smokeCheckPaths ?? []).map((path, j) => () => { if (!isToken(path)) validatePath(scope, `${prefix}.smokeCheckPaths[${j}]`, path); }),
    () => {
      if (smokeCheckPaths?.length && typeof environment.target === 'object' && environment.target !== null && environment.target.serviceUrl === undefined) {
        invalidProp(scope, `${prefix}.smokeCheckPaths`, smokeCheckPaths, 'the environment has no web service (its serviceUrl is undefined, as a BackendPlatform with '
          + 'service.enabled false), so nothing answers the checks; drop smokeCheckPaths, or check the workers with testCommands or testTaskCommand');
      }
    },
    () => {
      if (migrationTimeout === undefined) return;
      if (migrationCommand === undefined) {
        invalidProp(scope, `${prefix}.migrationTimeout`, migrationTimeout.toString(), `no migration runs, so the timeout would be ignored; give ${prefix}.migrationCommand or drop it`);
      }
      requireSynthValue(scope, `${prefix}.migrationTimeout`, migrationTimeout, 'CodeBuild takes its timeout in whole minutes');
      validateIntegerRange(scope, `${prefix}.migrationTimeout (minutes)`, migrationTimeout.toMinutes({ integral: false }), 5, 475);
    },
  ];
}

/**
 * Each environment with the services it rolls out, checked together: distinct names, services that run the
 * promoted repository and that no other pipeline deploys.
 */
function checkedPlans(scope: IConstruct, props: PromotionPipelineProps): EnvironmentPlan[] {
  const names = new Map<string, number>();
  const pipelineStack = Stack.of(scope);
  const plans: EnvironmentPlan[] = [];
  checkAll(props.environments.map((environment, i) => () => {
    const prefix = `environments[${i}].target`;
    const { target } = environment;
    const earlier = names.get(target.environmentName);
    if (earlier !== undefined) {
      invalidProp(scope, `${prefix}.environmentName`, target.environmentName,
        `environments[${earlier}] has the same name, and it names the stages; give each environment its own name`);
    }
    names.set(target.environmentName, i);
    if (target.deliveryServices.length === 0) invalidProp(scope, `${prefix}.deliveryServices`, [], 'the environment has no service to deploy; add one');
    const repository = environment.repository ?? props.repository;
    const services = target.deliveryServices.map(service => {
      const other = deployingPipelineOf(service, repository);
      if (other) {
        invalidProp(scope, prefix, target.node.path, `${other.node.path} already deploys ${service.node.path} from this repository; the two would race: `
          + 'give the platform pipeline: { enabled: false }, the promotion is its pipeline');
      }
      return { service, containers: service.ecrContainers.filter(c => sameRepository(c.repository, repository)) };
    });
    const unrelated = services.filter(({ containers }) => containers.length === 0);
    if (unrelated.length === services.length) {
      invalidProp(scope, prefix, target.node.path, 'none of its services runs an image of the promoted repository: give the platform repository: the pipeline\'s; '
        + `in another account, import it by ARN (ecr.Repository.fromRepositoryAttributes) and give that to the platform and to environments[${i}].repository`);
    }
    const stack = Stack.of(target);
    plans.push({
      environment,
      services: services.filter(({ containers }) => containers.length > 0),
      jobs: target.deliveryJobs.filter(job => sameRepository(job.imageRepository, repository)),
      remote: stack.account !== pipelineStack.account || stack.region !== pipelineStack.region,
    });
  }));
  return plans;
}
