import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ServiceImage } from './service-image';

/** Where FireLens sends a workload's container logs: a Fluent Bit output and its settings (Copilot's `logging.destination`). */
export interface FireLensOptions {
  /**
   * Options of the Fluent Bit output, as its documentation names them: `Name` is the output plugin
   * (`cloudwatch_logs`, `kinesis_firehose`, `es`, `datadog`, `http`, ...), the others its settings. The task role
   * needs what the output calls (e.g. `firehose:PutRecordBatch`): grant it on `taskRole`.
   */
  readonly options: { [key: string]: string };
  /**
   * Options whose values are secrets (an API key), read by ECS at task start and never written in the task definition.
   * @default - none
   */
  readonly secretOptions?: { [key: string]: ecs.Secret };
  /**
   * Image of the log router.
   * @default - AWS for Fluent Bit 3.4.14 from ECR Public
   */
  readonly routerImage?: ServiceImage;
  /**
   * Memory in MiB reserved for the log router out of the task's (AWS suggests 50 for Fluent Bit).
   * @default 50
   */
  readonly routerMemoryReservationMiB?: number;
}

/**
 * Where a workload's container logs go: `cloudWatchLogs()` (a log group per container, the default) or `fireLens()`,
 * a Fluent Bit log router sidecar that sends them to any Fluent Bit output and writes its own logs to CloudWatch.
 */
export class LogDestination {
  /** A log group per container, through the awslogs driver (the default). */
  public static cloudWatchLogs(): LogDestination {
    return new LogDestination();
  }

  /** A Fluent Bit log router sidecar (`log_router`) that every other container of the task logs through. */
  public static fireLens(options: FireLensOptions): LogDestination {
    return new LogDestination(options);
  }

  /** The FireLens output; none for CloudWatch Logs. */
  public readonly fireLensOptions?: FireLensOptions;

  private constructor(fireLensOptions?: FireLensOptions) {
    this.fireLensOptions = fireLensOptions;
  }
}
