import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import { ServiceImage } from '../service/service-image';

/**
 * What `EcrToEcsPipeline` needs of a service to deploy it: the ECS service and its cluster, the task definition and
 * container whose image it swaps, the image-tag parameter it keeps current, and the network and roles a one-off
 * migration task reuses. `SecureAlbFargateService` implements it; so can any service of your own.
 */
export interface IDeployableService extends IConstruct {
  /** The ECS service the pipeline rolls out. */
  readonly service: ecs.FargateService;
  /** The cluster the service and the migration task run in. */
  readonly cluster: ecs.ICluster;
  /** The service's task definition (its family names the migration task definition). */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The container whose image each deploy replaces. */
  readonly container: ecs.ContainerDefinition;
  /** The image of that container; the pipeline deploys images of its ECR repository. */
  readonly image: ServiceImage;
  /** The SSM parameter holding the deployed tag, which the pipeline writes after each release. */
  readonly imageTagParameter?: ssm.StringParameter;
  /** Security group of the tasks; the migration task runs in it, so it reaches what the service reaches. */
  readonly serviceSecurityGroup: ec2.SecurityGroup;
  /** Execution role of the tasks, passed to the migration task. */
  readonly executionRole: iam.Role;
  /** Task role of the application, passed to the migration task. */
  readonly taskRole: iam.Role;
}
