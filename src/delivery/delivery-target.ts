import { IConstruct } from 'constructs';
import { IDeployableJob, IDeployableService } from './deployable-service';

/**
 * An environment a `PromotionPipeline` deploys to: its services and scheduled jobs, its name and the address its
 * smoke checks call. `BackendPlatform` implements it (give the platform `pipeline: { enabled: false }`, the promotion
 * is its pipeline); so can any construct that lists its own services. The environment may live in a stack of another
 * account or region: the pipeline puts that environment's steps in the environment's stack.
 */
export interface IDeliveryTarget extends IConstruct {
  /** The environment's name, a DNS label such as `staging`: it names the environment's stages (`staging.Deploy`). */
  readonly environmentName: string;
  /**
   * The services the promotion rolls out; each container of the promoted repository gets the digest. The first one
   * runs the migration and the test task.
   */
  readonly deliveryServices: IDeployableService[];
  /** The scheduled jobs that move with each release (a revision of each job's family with the digest). */
  readonly deliveryJobs: IDeployableJob[];
  /**
   * The URL the smoke checks call (`smokeCheckPaths` are appended), e.g. `https://api.example.com`.
   * @default - no web service (a `BackendPlatform` with `service.enabled` false): smoke checks are refused
   */
  readonly serviceUrl?: string;
}
