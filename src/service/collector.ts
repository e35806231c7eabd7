import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { ServiceImage } from './service-image';
import { SidecarsOptions } from './sidecar-options';
import type { ServiceTask } from './task';
import { acknowledge } from '../private/compliance';
import { invalidProp, validatePath, validateIntegerRange, validateSeconds } from '../private/validation';

/**
 * AWS Distro for OpenTelemetry collector, pinned by its release tag, from ECR Public
 * (https://gallery.ecr.aws/aws-observability/aws-otel-collector, releases at https://github.com/aws-observability/aws-otel-collector/releases).
 */
const ADOT_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.50.0';
/** Name of the collector container. */
export const COLLECTOR = 'otel_collector';
/** The OTLP ports the collector listens on inside the task (gRPC, HTTP), and its health-check extension's. */
export const COLLECTOR_PORTS = [4317, 4318, 13133];
export const COLLECTOR_MEMORY_MIB = 128;
const DEFAULT_SCRAPE_INTERVAL = Duration.seconds(60);

/** Who the workload is, for the collector's job name and the SDK's resource attributes. */
export interface WorkloadIdentity {
  readonly name: string;
  readonly appName: string;
  readonly environmentName: string;
}

/** Whether the workload runs a collector. */
export function hasCollector(props: SidecarsOptions): boolean {
  return props.metrics !== undefined || props.tracing === true;
}

/** Checks of `metrics`: a workload outside a platform must name its workspace. */
export function collectorChecks(scope: IConstruct, props: SidecarsOptions): Array<() => void> {
  const metrics = props.metrics;
  if (!metrics) return [];
  return [
    () => validateIntegerRange(scope, 'metrics.port', metrics.port, 1, 65535),
    () => { if (metrics.path !== undefined) validatePath(scope, 'metrics.path', metrics.path); },
    () => validateSeconds(scope, 'metrics.scrapeInterval', metrics.scrapeInterval, 10, 300),
    () => {
      if (metrics.workspaceArn === undefined) {
        invalidProp(scope, 'metrics.workspaceArn', undefined, 'name the Amazon Managed Service for Prometheus workspace to write to (a BackendPlatform gives its own)');
      }
    },
    () => {
      if (COLLECTOR_PORTS.includes(metrics.port)) {
        invalidProp(scope, 'metrics.port', metrics.port, `the collector sidecar listens on ${COLLECTOR_PORTS.join(', ')}; serve the metrics on another port`);
      }
    },
  ];
}

/** The collector's ports are the task's: the main container may not listen on them. */
export function collectorPortCheck(scope: IConstruct, props: SidecarsOptions, mainPorts: readonly number[]): void {
  if (!hasCollector(props)) return;
  const clash = mainPorts.find(port => COLLECTOR_PORTS.includes(port));
  if (clash !== undefined) {
    const prop = props.metrics ? 'metrics' : 'tracing';
    invalidProp(scope, prop, prop === 'tracing' ? true : props.metrics, `the collector sidecar listens on ${COLLECTOR_PORTS.join(', ')} and the main container on ${clash}; move the main container to another port`);
  }
}

/**
 * The collector sidecar: a Prometheus receiver scraping the main container on `localhost`, an OTLP receiver for
 * traces, the ECS resource detector (each task's series are labelled `instance=<task ARN>`, so the tasks of one service
 * never write the same series), SigV4 remote write to the workspace and the X-Ray exporter. Its configuration travels in
 * `AOT_CONFIG_CONTENT`, which the ADOT image reads instead of its default file. Not essential: a collector that
 * stops loses telemetry, never the application's tasks.
 */
export function addCollector(
  scope: Construct, task: ServiceTask, props: SidecarsOptions, main: ecs.ContainerDefinition, workload: WorkloadIdentity,
): void {
  if (!hasCollector(props)) return;
  const stack = Stack.of(scope);
  const metrics = props.metrics;
  const tracing = props.tracing === true;
  const config = {
    extensions: { health_check: { endpoint: '127.0.0.1:13133' }, ...(metrics ? { sigv4auth: { region: stack.region, service: 'aps' } } : {}) },
    receivers: {
      ...(metrics ? {
        prometheus: {
          config: {
            scrape_configs: [{
              job_name: workload.name,
              scrape_interval: `${(metrics.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL).toSeconds()}s`,
              metrics_path: metrics.path ?? '/metrics',
              static_configs: [{ targets: [`localhost:${metrics.port}`] }],
            }],
          },
        },
      } : {}),
      ...(tracing ? { otlp: { protocols: { grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } } } } : {}),
    },
    processors: {
      // The task's metadata endpoint (ECS_CONTAINER_METADATA_URI_V4, in every Fargate container) gives the task's ARN,
      // cluster, family and revision as resource attributes, without overriding what the receiver set.
      resourcedetection: { detectors: ['env', 'ecs'], timeout: '5s', override: false },
      // Each task scrapes `localhost`, so the receiver's `instance` label (service.instance.id) is the same in every task
      // of a service and two tasks would write one series; the task's ARN makes each task's series its own.
      ...(metrics ? { 'resource/task': { attributes: [{ key: 'service.instance.id', from_attribute: 'aws.ecs.task.arn', action: 'upsert' }] } } : {}),
      batch: {},
    },
    exporters: {
      ...(metrics ? { prometheusremotewrite: { endpoint: remoteWriteUrl(metrics.workspaceArn!), auth: { authenticator: 'sigv4auth' } } } : {}),
      ...(tracing ? { awsxray: { region: stack.region } } : {}),
    },
    service: {
      extensions: ['health_check', ...(metrics ? ['sigv4auth'] : [])],
      pipelines: {
        ...(metrics ? { metrics: { receivers: ['prometheus'], processors: ['resourcedetection', 'resource/task', 'batch'], exporters: ['prometheusremotewrite'] } } : {}),
        ...(tracing ? { traces: { receivers: ['otlp'], processors: ['resourcedetection', 'batch'], exporters: ['awsxray'] } } : {}),
      },
    },
  };
  task.addContainer({
    name: COLLECTOR,
    image: ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry(ADOT_COLLECTOR_IMAGE)),
    environment: { AOT_CONFIG_CONTENT: stack.toJsonString(config) },
    healthCheck: { command: ['/healthcheck'] },
    definition: { essential: false, memoryReservationMiB: COLLECTOR_MEMORY_MIB },
  });
  if (metrics) {
    task.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [metrics.workspaceArn!] }));
  }
  if (tracing) {
    addTracingEnvironment(main, workload);
    grantTracing(scope, task.taskRole);
  }
}

/** The variables an OpenTelemetry SDK reads: where to export (the sidecar, OTLP over HTTP), who it is, and X-Ray's propagation. */
function addTracingEnvironment(main: ecs.ContainerDefinition, workload: WorkloadIdentity): void {
  main.addEnvironment('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://localhost:4318');
  main.addEnvironment('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf');
  main.addEnvironment('OTEL_TRACES_EXPORTER', 'otlp');
  main.addEnvironment('OTEL_PROPAGATORS', 'tracecontext,baggage,xray');
  main.addEnvironment('OTEL_SERVICE_NAME', workload.name);
  main.addEnvironment('OTEL_RESOURCE_ATTRIBUTES', `service.namespace=${workload.appName},deployment.environment=${workload.environmentName}`);
}

/** X-Ray's write and sampling actions, which take no resource but `*`, in a policy of their own so its acknowledgement says so. */
function grantTracing(scope: Construct, taskRole: iam.IRole): void {
  const policy = new iam.Policy(scope, 'TracingPolicy', {
    statements: [new iam.PolicyStatement({
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries'],
      resources: ['*'],
    })],
  });
  policy.attachToRole(taskRole);
  acknowledge(policy, [{ id: 'AwsSolutions-IAM5', reason: 'X-Ray trace and sampling actions support no resource-level permissions (Service Authorization Reference, AWS X-Ray).', appliesTo: ['Resource::*'] }]);
}

/** The workspace's remote-write URL, from its ARN (`arn:aws:aps:<region>:<account>:workspace/<id>`), also at deploy time. */
function remoteWriteUrl(workspaceArn: string): string {
  const arn = Arn.split(workspaceArn, ArnFormat.SLASH_RESOURCE_NAME);
  return `https://aps-workspaces.${arn.region}.amazonaws.com/workspaces/${arn.resourceName}/api/v1/remote_write`;
}
