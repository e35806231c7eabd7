import { Duration } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GitHubSourceOptions } from './delivery-options';
import { IDeliveryTarget } from './delivery-target';

/** One environment of a promotion, in order: what runs there before the release moves on. */
export interface PromotionEnvironment {
  /** The environment (a `BackendPlatform`, possibly in a stack of another account or region). */
  readonly target: IDeliveryTarget;
  /**
   * How the environment's services name the promoted repository, when not as the pipeline's `repository` object:
   * in another account, the repository imported by its ARN (`ecr.Repository.fromRepositoryAttributes`), given to
   * the platform as `repository` too. Its ARN must name the pipeline's repository.
   * @default - the pipeline's `repository`
   */
  readonly repository?: ecr.IRepository;
  /**
   * Wait for a manual approval before anything touches this environment (its migration, deploy and tests run after it).
   * @default false
   */
  readonly manualApproval?: boolean;
  /**
   * Run this command as a one-off task of the environment's first service, with the new digest, before the deploy.
   * @default - no migrations: nothing runs in the image but its workloads' own commands
   */
  readonly migrationCommand?: string[];
  /**
   * How long the migration may run before the step fails it (only with `migrationCommand`).
   * @default Duration.minutes(30)
   */
  readonly migrationTimeout?: Duration;
  /**
   * Shell commands CodeBuild runs after the deploy, outside the environment's network, with `SERVICE_URL` and
   * `IMAGE_DIGEST` set and no AWS permissions; a failing command stops the release here.
   * @default - none
   */
  readonly testCommands?: string[];
  /**
   * A command run after the deploy as a one-off task of the environment's first service (its network, roles,
   * environment and secrets) with the new digest; a non-zero exit stops the release here.
   * @default - none
   */
  readonly testTaskCommand?: string[];
  /**
   * Paths requested at the environment's `serviceUrl` after the deploy; each must answer 2xx within a minute of
   * retries (redirects fail).
   * @default - none
   */
  readonly smokeCheckPaths?: string[];
}

/** Props of `PromotionPipeline`. */
export interface PromotionPipelineProps {
  /** The repository images are pushed to; it must be in the pipeline's account and region. */
  readonly repository: ecr.IRepository;
  /** The environments, in the order a release goes through them. */
  readonly environments: PromotionEnvironment[];
  /**
   * Image tag whose pushes start a release (without `source`), or that the build pushes (with it).
   * @default 'latest'
   */
  readonly tag?: string;
  /**
   * Build the image from GitHub (CodeConnections) in the pipeline itself, then promote the pushed digest.
   * @default - no build; a push of `tag` to `repository` starts a release
   */
  readonly source?: GitHubSourceOptions;
  /**
   * Topic told about failed releases and pending approvals.
   * @default - no notifications
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Key of the artifacts (environments in other accounts are granted its use).
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Retention of the build logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
