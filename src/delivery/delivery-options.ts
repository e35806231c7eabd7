import { Duration } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IDeployableService } from './deployable-service';

/** The optional CI half: GitHub source through a CodeStar connection, Docker build, push to ECR. */
export interface GitHubSourceOptions {
  /** ARN of an AVAILABLE CodeStar (CodeConnections) connection to GitHub. */
  readonly connectionArn: string;
  /** Owner (user or organization) of the GitHub repository. */
  readonly owner: string;
  /** Name of the GitHub repository. */
  readonly repo: string;
  /**
   * Branch whose commits are built.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * Path of the Dockerfile in the repository.
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;
  /**
   * Docker build context in the repository.
   * @default '.'
   */
  readonly buildContext?: string;
}

/** How images are delivered: the trigger tag, migrations, approval and an optional CI build. The platform's `pipeline` takes the same options. */
export interface DeliveryOptions {
  /**
   * Image tag whose pushes start the deploy pipeline.
   * @default 'latest'
   */
  readonly tag?: string;
  /**
   * Run database migrations with the new image before deploying it: a one-off task of the service's task definition
   * (env, secrets and network are the service's) whose command is this one. Migrations run exactly when it is set.
   * @default - no migrations: nothing runs in the image but its workloads' own commands
   */
  readonly migrationCommand?: string[];
  /**
   * Whether migrations run.
   * @default false
   * @deprecated give `migrationCommand`: migrations run exactly when it is set. `true` without it still runs the
   * former default command `['npm', 'run', 'migration:run']`.
   */
  readonly runMigrations?: boolean;
  /**
   * How long the migration may run before the pipeline fails it (only with `migrationCommand`).
   * @default Duration.minutes(30)
   */
  readonly migrationTimeout?: Duration;
  /**
   * Wait for a manual approval before anything touches production: the migration (if any) and the deploy run after it.
   * @default false
   */
  readonly manualApproval?: boolean;
  /**
   * Also build the image from GitHub (seed 001's CI pipeline); its pushes of `tag` start the deploy pipeline.
   * @default - no CI pipeline; push images by other means
   */
  readonly source?: GitHubSourceOptions;
}

/** Props of `EcrToEcsPipeline`. */
export interface EcrToEcsPipelineProps extends DeliveryOptions {
  /**
   * The service to deploy; a container of it must run an image of `repository`. Migrations run in that container,
   * with this service's task definition, network and roles.
   */
  readonly service: IDeployableService;
  /**
   * More services that roll out from the same push (workers built from the same image): each gets its own deploy
   * action in the Deploy stage, after the one migration. Add more later with `addService`.
   * @default - none
   */
  readonly additionalServices?: IDeployableService[];
  /**
   * The ECR repository whose pushes this pipeline deploys; it updates every container of its services whose image
   * comes from this repository, and leaves containers of other repositories at their current image.
   * @default - the repository of `service`'s main image
   */
  readonly repository?: ecr.IRepository;
  /**
   * Topic told about failed pipeline executions and manual approvals (the name every construct of the library uses).
   * @default - no notifications; `alarms` are exposed for InfraMonitoring
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Topic told about failed pipeline executions.
   * @default - no notifications
   * @deprecated use `alarmTopic`
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Key for artifacts and build outputs.
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Retention of the build logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Customer-managed key for the build log group (CloudWatch Logs must be allowed to use it).
   * @default - CloudWatch Logs service encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}
