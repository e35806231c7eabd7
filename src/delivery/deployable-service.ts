import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import { ServiceImage } from '../service/service-image';

/** A container whose image comes from an ECR repository, and the SSM parameter its tag is rendered from. */
export interface EcrImageContainer {
  /** Name of the container in the task definition. */
  readonly containerName: string;
  /** The repository its image comes from; a push there is what deploys it. */
  readonly repository: ecr.IRepository;
  /** The parameter holding the deployed tag (one per repository and task), which the pipeline writes after each release. */
  readonly imageTagParameter: ssm.IStringParameter;
}

/**
 * What `EcrToEcsPipeline` needs of a service to deploy it: the ECS service and its cluster, the task definition and
 * containers whose images it swaps, the image-tag parameters it keeps current, and the network and roles a one-off
 * migration task reuses. `SecureAlbFargateService` and `WorkerService` implement it; so can any service of your own.
 */
export interface IDeployableService extends IConstruct {
  /** The ECS service the pipeline rolls out. */
  readonly service: ecs.FargateService;
  /** The cluster the service and the migration task run in. */
  readonly cluster: ecs.ICluster;
  /** The service's task definition (its family names the migration task definition). */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The main container (the migration runs in it when its image is from the pipeline's repository). */
  readonly container: ecs.ContainerDefinition;
  /** The image of that container. */
  readonly image: ServiceImage;
  /** The SSM parameter holding the main container's deployed tag. */
  readonly imageTagParameter?: ssm.StringParameter;
  /** Every container of the task whose image comes from ECR; a pipeline deploys those of its own repository. */
  readonly ecrContainers: EcrImageContainer[];
  /** Security group of the tasks; the migration task runs in it, so it reaches what the service reaches. */
  readonly serviceSecurityGroup: ec2.SecurityGroup;
  /** Execution role of the tasks, passed to the migration task. */
  readonly executionRole: iam.Role;
  /** Task role of the application, passed to the migration task. */
  readonly taskRole: iam.Role;
}

/**
 * What `EcrToEcsPipeline.addScheduledJob` needs of a scheduled job to move it with each release: the pipeline
 * registers a new revision of the job's task definition with the released image, so the job's schedule must name the
 * family (the newest ACTIVE revision), not a revision. `CleanupJobScheduler` implements it.
 */
export interface IDeployableJob extends IConstruct {
  /** The job's task definition; each release registers a new revision of its family. */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The job's container, whose image each release replaces. */
  readonly container: ecs.ContainerDefinition;
  /** The ECR repository of the container's image: only that repository's pipeline moves the job. */
  readonly imageRepository?: ecr.IRepository;
}
