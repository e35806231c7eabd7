import { CfnDynamicReference, CfnDynamicReferenceService } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { LogDestination } from './log-destination';
import { ServiceImage } from './service-image';
import { ContainerOptions } from './service-options';
import { logDriverFor } from './sidecars';
import { EcrImageContainer } from '../delivery/deployable-service';
import { createLogGroup } from '../private/log-group';
import { pascal, ssmParameterName } from '../private/naming';
import { repositoryKey } from '../private/repositories';

/** One container of a task: its name, its port if it listens on one, and what it runs. */
export interface ContainerSpec extends ContainerOptions {
  readonly name: string;
  readonly containerPort?: number;
  readonly image?: ServiceImage;
  /** Container health check, run in the container: only the command the user gave. */
  readonly healthCheck?: ecs.HealthCheck;
  /** Settings of a sidecar beyond these (src/service/sidecars.ts), applied over the defaults. */
  readonly definition?: Pick<ecs.ContainerDefinitionOptions, 'essential' | 'cpu' | 'memoryLimitMiB' | 'memoryReservationMiB' | 'portMappings'>;
  /** Makes the container the task's FireLens log router (src/service/sidecars.ts). */
  readonly firelensConfig?: ecs.FirelensConfig;
}

/** What the task part needs to know, resolved by the service. */
export interface TaskSettings {
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly image: ServiceImage;
  /** Name of the image-tag parameter of the service image's repository; other repositories' parameters go below it. */
  readonly imageTagParameterName: string;
  readonly healthCheckPath: string;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
  /** Where the containers log (src/service/sidecars.ts). */
  readonly logging?: LogDestination;
}

/**
 * The task of a service: its two roles, the task definition, one log group per container and the image-tag
 * parameter that makes `cdk deploy` render the tag the pipeline last deployed (see docs/adr/0002).
 * Every resource is created directly under the service construct, so their construct IDs are the service's contract.
 */
export class ServiceTask {
  public readonly executionRole: iam.Role;
  public readonly taskRole: iam.Role;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly imageTagParameter?: ssm.StringParameter;
  public readonly logGroups: { [containerName: string]: logs.LogGroup } = {};
  /** The containers with an ECR image, in the order they were added, each with its repository's tag parameter. */
  public readonly ecrContainers: EcrImageContainer[] = [];
  /** One tag parameter per ECR repository: containers built from one repository deploy one tag. */
  private readonly tagParameters = new Map<unknown, { parameter: ssm.StringParameter; name: string }>();

  constructor(private readonly scope: Construct, private readonly settings: TaskSettings) {
    this.executionRole = new iam.Role(scope, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'ECS agent: pull the image, write logs, read secrets',
    });
    this.taskRole = new iam.Role(scope, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Application code of the backend service',
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryLimitMiB,
      executionRole: this.executionRole,
      taskRole: this.taskRole,
      runtimePlatform: { cpuArchitecture: settings.cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    if (settings.image.repository) {
      this.imageTagParameter = this.createTagParameter('ImageTagParameter', settings.imageTagParameterName, settings.image);
      this.tagParameters.set(repositoryKey(settings.image.repository), { parameter: this.imageTagParameter, name: settings.imageTagParameterName });
    }
  }

  /** Adds a container with its own log group; an ECR image is pulled at the tag the parameter holds. */
  public addContainer(options: ContainerSpec): ecs.ContainerDefinition {
    const image = options.image ?? this.settings.image;
    const tagParameter = image.repository ? this.tagParameterOf(image, options.name) : undefined;
    const logGroup = createLogGroup(this.scope, `${pascal(options.name)}LogGroup`, this.settings.logRetention, this.settings.logEncryptionKey);
    this.logGroups[options.name] = logGroup;
    const definition: ecs.ContainerDefinitionOptions = {
      image: tagParameter ? image.containerImage(dynamicTag(tagParameter.name)) : image.containerImage('latest'),
      command: image.isPlaceholder
        ? placeholderCommand(options.containerPort, options.healthCheckPath ?? this.settings.healthCheckPath)
        : options.command,
      environment: options.environment,
      secrets: options.secrets,
      portMappings: options.containerPort !== undefined ? [{ containerPort: options.containerPort, name: options.name }] : undefined,
      logging: logDriverFor(this.settings.logging, options.name, logGroup),
      healthCheck: options.healthCheck,
      readonlyRootFilesystem: false,
      ...options.definition,
    };
    const container = options.firelensConfig
      ? this.taskDefinition.addFirelensLogRouter(options.name, { ...definition, firelensConfig: options.firelensConfig })
      : this.taskDefinition.addContainer(options.name, definition);
    if (image.repository && tagParameter) {
      this.ecrContainers.push({ containerName: options.name, repository: image.repository, imageTagParameter: tagParameter.parameter });
      image.repository.grantPull(this.executionRole);
      this.taskDefinition.node.addDependency(tagParameter.parameter);
    }
    return container;
  }

  /** An image as this task renders it: ECR images at a dynamic reference to the tag parameter, resolved at each deploy. */
  public containerImage(image: ServiceImage): ecs.ContainerImage {
    if (!image.repository) return image.containerImage('latest');
    return image.containerImage(dynamicTag(this.tagParameters.get(repositoryKey(image.repository))?.name ?? this.settings.imageTagParameterName));
  }

  /**
   * The tag parameter of a container's repository: the service image's for its own repository, otherwise one per
   * repository, below the service's and named after the first container that uses it (`.../ecr-imgTag/<container>`).
   */
  private tagParameterOf(image: ServiceImage, containerName: string): { parameter: ssm.StringParameter; name: string } {
    const existing = this.tagParameters.get(repositoryKey(image.repository!));
    if (existing) return existing;
    const name = image.ecrOptions?.tagParameterName ?? `${this.settings.imageTagParameterName}/${containerName}`;
    const entry = { parameter: this.createTagParameter(`${pascal(containerName)}ImageTagParameter`, name, image), name };
    this.tagParameters.set(repositoryKey(image.repository!), entry);
    return entry;
  }

  private createTagParameter(id: string, parameterName: string, image: ServiceImage): ssm.StringParameter {
    return new ssm.StringParameter(this.scope, id, {
      ...ssmParameterName(parameterName),
      stringValue: image.ecrOptions?.initialTag ?? 'latest',
      description: 'Image tag the service deploys; written by the deploy pipeline, read at each deploy',
    });
  }
}

/** A CloudFormation dynamic reference to a tag parameter: resolved at every deploy, so the last written tag is what renders. */
function dynamicTag(parameterName: string): string {
  return new CfnDynamicReference(CfnDynamicReferenceService.SSM, parameterName).toString();
}

/** BusyBox httpd serving an empty page on the port and the health check path; a placeholder without a port idles. */
function placeholderCommand(port: number | undefined, healthCheckPath: string): string[] {
  if (port === undefined) return ['sh', '-c', 'exec sleep infinity'];
  const file = `/www${healthCheckPath.replace(/\*.*$/, '')}`;
  const dir = file.slice(0, file.lastIndexOf('/')) || '/www';
  return ['sh', '-c', `mkdir -p ${dir} && echo ok > ${file} && echo ok > /www/index.html && exec httpd -f -p ${port} -h /www`];
}
