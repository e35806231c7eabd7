import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** Options for an image taken from an ECR repository. */
export interface EcrServiceImageOptions {
  /**
   * Name of the SSM parameter that holds the image tag. The service creates it with `initialTag` and reads it
   * through a CloudFormation dynamic reference, so a tag written by the pipeline is what the next deploy renders.
   * @default `/<appName>/<environmentName>/backend/ecr-imgTag`
   */
  readonly tagParameterName?: string;
  /**
   * Tag written to the parameter when it is first created; later deploys never overwrite the pipeline's value.
   * @default 'latest'
   */
  readonly initialTag?: string;
}

/**
 * The container image of a service or job. Use `fromEcrRepository` for images your pipeline pushes,
 * `fromContainerImage` for anything else, and `placeholder` to deploy the infrastructure before any image exists.
 */
export abstract class ServiceImage {
  /** An image from an ECR repository whose tag lives in an SSM parameter that the deploy pipeline keeps current. */
  public static fromEcrRepository(repository: ecr.IRepository, options: EcrServiceImageOptions = {}): ServiceImage {
    return new EcrServiceImage(repository, options);
  }

  /** Any ECS container image (public registry, asset, pinned digest). */
  public static fromContainerImage(image: ecs.ContainerImage): ServiceImage {
    return new PlainServiceImage(image);
  }

  /**
   * A tiny BusyBox web server from ECR Public that answers 200 on the health check path, so a first deploy
   * stabilizes before your application image exists. Replace it before going live.
   */
  public static placeholder(): ServiceImage {
    return new PlaceholderServiceImage();
  }

  /** The ECR repository, when the image comes from one. */
  public abstract readonly repository?: ecr.IRepository;
  /** SSM tag-parameter options, when the image comes from ECR. */
  public abstract readonly ecrOptions?: EcrServiceImageOptions;
  /** True for the placeholder image, whose command the service generates. */
  public abstract readonly isPlaceholder: boolean;

  /** The ECS image for a given tag (the tag is ignored by images that are not from ECR). */
  public abstract containerImage(tag: string): ecs.ContainerImage;
}

class EcrServiceImage extends ServiceImage {
  public readonly isPlaceholder = false;
  constructor(public readonly repository: ecr.IRepository, public readonly ecrOptions: EcrServiceImageOptions) {
    super();
  }
  public containerImage(tag: string): ecs.ContainerImage {
    return ecs.ContainerImage.fromEcrRepository(this.repository, tag);
  }
}

class PlainServiceImage extends ServiceImage {
  public readonly repository = undefined;
  public readonly ecrOptions = undefined;
  public readonly isPlaceholder = false;
  constructor(private readonly image: ecs.ContainerImage) {
    super();
  }
  public containerImage(): ecs.ContainerImage {
    return this.image;
  }
}

class PlaceholderServiceImage extends ServiceImage {
  public readonly repository = undefined;
  public readonly ecrOptions = undefined;
  public readonly isPlaceholder = true;
  public containerImage(): ecs.ContainerImage {
    return ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
  }
}
