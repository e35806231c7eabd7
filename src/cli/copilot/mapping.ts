/**
 * The one table of what `import-copilot` does with each Copilot manifest field. The converter reports every field
 * of a manifest through it, and docs/coming-from-copilot.md renders its tables from it (test/cli/copilot/doc.test.ts).
 */

/** What happens to a Copilot field. */
export type MappingStatus = 'mapped' | 'mapped-differently' | 'unsupported';

/** Copilot's manifest types the table knows, plus the pipeline manifest (which has no `type`). */
export type ManifestType =
  | 'Load Balanced Web Service'
  | 'Backend Service'
  | 'Worker Service'
  | 'Scheduled Job'
  | 'Environment'
  | 'Pipeline'
  | 'Request-Driven Web Service'
  | 'Static Site';

export const MANIFEST_TYPES: ManifestType[] = [
  'Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job', 'Environment', 'Pipeline',
  'Request-Driven Web Service', 'Static Site',
];

/** One row of the table. */
export interface FieldMapping {
  /**
   * Field path: dot-separated keys, `*` for one key of any name (a variable, a sidecar), `[]` for the items of a
   * list, and a final `**` for every field below.
   */
  readonly path: string;
  readonly status: MappingStatus;
  /** The prop it becomes, as the docs name it (`service.cpu`). */
  readonly prop?: string;
  /** Why, or how it differs: printed by the converter and rendered in the docs. */
  readonly note: string;
  /** The value is one field even when it is a map or a list (its keys are not looked up one by one). */
  readonly whole?: boolean;
}

const m = (path: string, prop: string | undefined, note: string, whole?: boolean): FieldMapping =>
  ({ path, status: 'mapped', prop, note, whole });
const d = (path: string, prop: string | undefined, note: string, whole?: boolean): FieldMapping =>
  ({ path, status: 'mapped-differently', prop, note, whole });
const u = (path: string, note: string, whole = true): FieldMapping => ({ path, status: 'unsupported', note, whole });

/** Fields every ECS workload (web, backend, worker, job) shares; `p` is the prefix of its options in the docs. */
function taskFields(p: string): FieldMapping[] {
  return [
    m('environments', undefined, 'one platform per environment: each `environments.<env>` block is merged into the manifest for that environment (maps key by key; a scalar, a list or another form replaces), and its fields are reported like the others', true),
    m('cpu', `${p}.cpu`, 'task CPU units'),
    m('memory', `${p}.memoryLimitMiB`, 'task memory in MiB'),
    m('command', `${p}.command`, 'a string is split like a shell would (quotes kept together)', true),
    u('entrypoint', 'no prop: only the command overrides the image; put the entrypoint in the image or the command'),
    m('variables', `${p}.environment`, 'numbers and booleans become strings; `from_cfn` becomes `Fn.importValue(...)`', true),
    m('secrets', `${p}.secrets`, 'an SSM name or ARN becomes `ecs.Secret.fromSsmParameter(...)`, `secretsmanager` (name or ARN, with an optional `:json-key::`) `ecs.Secret.fromSecretsManager(...)`; the execution role is granted read access and no `copilot-*` tags are needed. `from_cfn` is not supported (see the report)', true),
    u('env_file', 'no prop: read the file in your CDK app and pass its values as environment'),
    u('image.healthcheck', 'no container health check: health is judged by the load balancer\'s target group check (services) or the exit code (jobs)'),
    u('image.depends_on', 'no prop yet (#32 item 4: sidecars and start conditions)'),
    u('image.labels', 'no prop: Docker labels are not set'),
    u('image.credentials', 'no prop: images from a private registry other than ECR are not supported'),
    u('image.docker_labels', 'no prop: Docker labels are not set'),
    d('image.build', undefined, 'images are built outside `cdk deploy`: push to the platform\'s ECR repository (its `RepositoryUri` output), or build from GitHub with `pipeline.source`', false),
    ...(p === 'service' ? [
      d('image.build.dockerfile', 'pipeline.source.dockerfile', 'used when the pipeline builds from GitHub (the web service\'s image only)'),
      d('image.build.context', 'pipeline.source.buildContext', 'used when the pipeline builds from GitHub (the web service\'s image only)'),
    ] : [
      d('image.build.dockerfile', undefined, 'images are built outside `cdk deploy`: `pipeline.source` builds only the web service\'s image'),
      d('image.build.context', undefined, 'images are built outside `cdk deploy`: `pipeline.source` builds only the web service\'s image'),
    ]),
    u('image.build.args', 'no prop: `pipeline.source` builds without build arguments'),
    u('image.build.target', 'no prop: `pipeline.source` builds the last stage'),
    u('image.build.cache_from', 'no prop: `pipeline.source` builds without a cache image'),
    m('platform', `${p}.cpuArchitecture`, '`linux/arm64` is `ecs.CpuArchitecture.ARM64`, `linux/x86_64` (or `amd64`) `X86_64`; Windows is not supported', true),
    m('network.vpc.placement', undefined, 'tasks run in private subnets with egress and have no public IP; `public` or a subnet list is not supported', true),
    u('network.vpc.security_groups', 'no prop: admit the workload where it must connect (`sg.connections.allowFrom(workload, port)`); the platform\'s stores admit it already', true),
    u('storage.ephemeral', 'no prop: escape hatch `addPropertyOverride(\'EphemeralStorage.SizeInGiB\', n)` on the task definition'),
    ...(p === 'job' ? [u('storage.volumes', 'no prop on a job: a scheduled job mounts no volume')] : [
      d('storage.volumes.*', undefined, 'a volume with `efs` becomes an entry of `volumes`: a directory `/<volume name>` of the platform\'s encrypted file system (one per platform, in its backup plan in production), mounted through an access point of its own over TLS with IAM authorization. Copilot\'s managed file system (`efs: true`) gave each service the directory `/<service name>` and a POSIX user derived from its name; copy the files over when moving. A volume without `efs` (an empty volume shared with sidecars) is not supported', false),
      m('storage.volumes.*.path', `${p}.volumes[].containerPath`, 'mount path in the main container'),
      m('storage.volumes.*.read_only', `${p}.volumes[].readOnly`, 'Copilot\'s default is `true`, the library\'s `false`: the converter writes `readOnly: true` unless the manifest says `read_only: false`; a read-only volume\'s task role gets no `elasticfilesystem:ClientWrite`'),
      m('storage.volumes.*.efs', `${p}.volumes`, '`true`, or the object form with `uid`/`gid`'),
      m('storage.volumes.*.efs.uid', `${p}.volumes[].uid`, 'POSIX user of the access point (default 1000; Copilot derived one from the service name)'),
      m('storage.volumes.*.efs.gid', `${p}.volumes[].gid`, 'POSIX group of the access point (default 1000)'),
      u('storage.volumes.*.efs.id', 'an existing file system: the app mounts the platform\'s own instead; give `fileSystem: efs.FileSystem.fromFileSystemAttributes(...)` by hand (with a mount target in each zone of the tasks)'),
      u('storage.volumes.*.efs.root_dir', 'the volume\'s directory is `/<volume name>` of the file system'),
      d('storage.volumes.*.efs.auth.iam', undefined, 'always IAM authorization, with TLS: the task role may mount only the volume\'s access point'),
      u('storage.volumes.*.efs.auth.access_point_id', 'an access point is created for each volume'),
    ]),
    u('storage.readonly_fs', 'no prop: the root file system is writable'),
    d('logging.retention', undefined, 'set by the profile (1 year in production, 1 month in development), KMS-encrypted'),
    ...['image', 'destination', 'enableMetadata', 'secretOptions', 'config_file', 'variables', 'secrets', 'env_file'].map(field =>
      u(`logging.${field}`, 'no prop yet (#32 item 4: FireLens log routing); logs go to CloudWatch Logs through `awslogs`')),
    u('sidecars', 'no prop yet (#32 item 4: sidecars that are not routed); an HTTP container with paths of its own is `service.routedContainers`'),
    u('publish', 'no prop yet (#32 item 6: publish/subscribe); today create an `sns.Topic` and `topic.grantPublish(workload.taskRole)`'),
    u('taskdef_overrides', 'CDK escape hatch: `addPropertyOverride(...)` on the workload\'s `CfnTaskDefinition`'),
    u('tags', 'no prop: tag the stack with `Tags.of(stack).add(key, value)`'),
    u('observability.tracing', 'no prop: no tracing sidecar'),
  ];
}

/** What a service's cooldowns are: Copilot's are per metric, the library's service-wide. */
const COOLDOWN_NOTE = 'the cooldowns are service-wide: `in` is `scaleInCooldown`, `out` `scaleOutCooldown`; when the metrics\' cooldowns differ (Copilot\'s defaults: 120 s in, 60 s out), the longest scale-in and the shortest scale-out are kept and the field maps differently';

/** Capacity fields of a service (web or internal): count, its forms, Spot, utilization targets and cooldowns. */
function capacityFields(p: string, memoryNote: string, rangeNote: string): FieldMapping[] {
  return [
    m('count', `${p}.minCapacity`, `a number sets \`${p}.minCapacity\` and \`${p}.maxCapacity\` to it`),
    m('count.range', `${p}.minCapacity`, `\`n-m\` or \`min\`/\`max\` set \`${p}.minCapacity\` and \`${p}.maxCapacity\`; ${rangeNote}`),
    m('count.range.min', `${p}.minCapacity`, 'lower bound'),
    m('count.range.max', `${p}.maxCapacity`, 'upper bound'),
    d('count.range.spot_from', `${p}.spot`, `\`${p}.spot: true\` with \`${p}.onDemandBaseCapacity: spot_from - 1\`; the tasks above the base are split 1:1 between Fargate and Fargate Spot, where Copilot puts all of them on Spot`),
    m('count.cpu_percentage', `${p}.targetCpuUtilizationPercent`, 'a number, or `value` of the object form'),
    m('count.cpu_percentage.value', `${p}.targetCpuUtilizationPercent`, 'target CPU utilization'),
    m('count.cpu_percentage.cooldown', `${p}.scaleInCooldown`, COOLDOWN_NOTE, true),
    m('count.memory_percentage', `${p}.targetMemoryUtilizationPercent`, memoryNote),
    m('count.memory_percentage.value', `${p}.targetMemoryUtilizationPercent`, memoryNote),
    m('count.memory_percentage.cooldown', `${p}.scaleInCooldown`, COOLDOWN_NOTE, true),
    m('count.cooldown.in', `${p}.scaleInCooldown`, 'every metric\'s scale-in cooldown unless it names its own; Copilot\'s default is 120 s, the library\'s 300 s (Application Auto Scaling\'s)'),
    m('count.cooldown.out', `${p}.scaleOutCooldown`, 'every metric\'s scale-out cooldown unless it names its own; Copilot\'s default is 60 s, the library\'s 300 s for the targets and 60 s for the response-time steps'),
    m('count.spot', `${p}.spot`, `a number of tasks all on Fargate Spot: \`${p}.spot: true\`, \`${p}.onDemandBaseCapacity: 0\`, and that many tasks`),
    m('exec', `${p}.enableExecuteCommand`, 'warns at synth'),
  ];
}

const WEB: FieldMapping[] = [
  m('name', undefined, 'the construct ID of `addService`, in PascalCase (the first service with path `/` is the platform\'s `service`)'),
  m('type', undefined, 'the platform\'s `service`, or `platform.addService(id, { pathPatterns })` for each further web service'),
  ...taskFields('service'),
  m('image.port', 'service.containerPort', 'default 8080; Copilot read it from `EXPOSE`'),
  d('image.location', 'image', '`ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry(location))` (the platform\'s `image` for its `service`); for a private ECR repository prefer `ServiceImage.fromEcrRepository(...)`, which reads its tag from SSM and gets a pipeline'),
  ...capacityFields('service', 'target memory utilization', 'Copilot scales only on the metrics a range names, so a metric it leaves out is off: `targetCpuUtilizationPercent: 0` and `targetMemoryUtilizationPercent: 0` (the library\'s defaults are 80); the CPU target is kept when `response_time` is the only metric, as the response-time steps never remove tasks'),
  m('count.requests', 'service.targetRequestsPerTaskPerMinute', 'a number, or `value` of the object form: requests per task per minute (`ALBRequestCountPerTarget` target tracking); refused with `ServiceDeployment.blueGreen()`'),
  m('count.requests.value', 'service.targetRequestsPerTaskPerMinute', 'requests per task per minute'),
  m('count.requests.cooldown', 'service.scaleInCooldown', COOLDOWN_NOTE, true),
  d('count.response_time', 'service.scaleOutResponseTime', 'Copilot tracks the average response time as a target, adding and removing tasks; here a response time above it adds one task, above twice it three (step scaling), and never removes tasks: the other targets scale in', true),
  d('count.response_time.value', 'service.scaleOutResponseTime', 'tasks are added above it and never removed by it (step scaling)'),
  m('count.response_time.cooldown', 'service.scaleOutCooldown', COOLDOWN_NOTE, true),
  m('http', undefined, '`http: false` (a service behind a Network Load Balancer only) is not supported'),
  m('http.path', 'service.pathPatterns', '`/` is the platform\'s `service`, which answers every path no other rule takes; `admin` becomes `[\'/admin\', \'/admin/*\']` of `addService`'),
  d('http.alias', 'service.domainName', 'the first name, served by CloudFront with a us-east-1 certificate (`service.domainCertificate`; the generated app names a placeholder ARN to replace, which must cover every name); the other names of a list become `service.aliases`. On a service added with `addService` the names become its `aliases`: it is routed by host (with its path, `/` meaning every path of its hosts), which needs an alias on the platform\'s service (ADR 0019)', true),
  d('http.hosted_zone', 'hostedZone', 'the zone of `BackendPlatformProps.hostedZone`; its name is not in the manifest, so the app guesses it from the alias (check it)'),
  m('http.healthcheck', 'service.healthCheckPath', 'the string form is the path; the library\'s default is `/health`, not Copilot\'s `/`'),
  m('http.healthcheck.path', 'service.healthCheckPath', 'the library\'s default is `/health`, not Copilot\'s `/`'),
  m('http.healthcheck.port', 'service.healthCheckPort', 'the tasks admit the load balancer on that port too; default the container\'s port'),
  m('http.healthcheck.success_codes', 'service.healthCheckSuccessCodes', 'the library\'s default is `200-399`, Copilot\'s (the load balancer\'s) `200`'),
  m('http.healthcheck.healthy_threshold', 'service.healthyThresholdCount', 'default 2 (Copilot: the load balancer\'s 5)'),
  m('http.healthcheck.unhealthy_threshold', 'service.unhealthyThresholdCount', 'default 3 (Copilot: the load balancer\'s 2)'),
  m('http.healthcheck.interval', 'service.healthCheckInterval', 'default 10 s (Copilot: the load balancer\'s 30 s)'),
  m('http.healthcheck.timeout', 'service.healthCheckTimeout', 'default 5 s; with a timeout of 10 s or more and no interval, the load balancer\'s 30 s interval (Copilot\'s) is generated, as the library\'s 10 s would be refused'),
  m('http.healthcheck.grace_period', 'service.healthCheckGracePeriod', 'default 60 s'),
  m('http.deregistration_delay', 'service.deregistrationDelay', 'default 30 s'),
  u('http.target_container', 'no prop: the main container takes the service\'s traffic; route paths to another container with `service.routedContainers`'),
  u('http.target_port', 'no prop: the main container is reached on `service.containerPort`'),
  u('http.stickiness', 'no prop; escape hatch `platform.service.targetGroup.enableCookieStickiness(...)`'),
  u('http.allowed_source_ips', 'the ALB admits only CloudFront: filter by IP in a web ACL of your own (`service.webAcl: EdgeWebAcl.fromArn(arn)`)'),
  m('http.redirect_to_https', undefined, 'always on: CloudFront redirects viewers to HTTPS (`false` is not kept)'),
  u('http.version', 'HTTP/1.1 through the ALB only (no gRPC or HTTP/2 to the targets)'),
  u('http.additional_rules', 'no prop yet (#32 item 8: several aliases and host-based routing; #32 item 4: the sidecars rules route to); a path to another container is a `service.routedContainers` entry written by hand, which takes the rule\'s `healthcheck` as `healthCheckPath`, `healthCheckPort` and `healthCheckSuccessCodes`'),
  u('http.alb', 'no prop: the platform creates its own load balancer'),
  u('nlb', 'HTTP through CloudFront and the ALB only: no Network Load Balancer'),
  m('deployment.rolling', 'service.deployment', '`default` is `ServiceDeployment.rolling()` (circuit breaker and rollback); `recreate` is not supported'),
  d('deployment.rollback_alarms', undefined, 'built in: the 5xx and p99-latency alarms roll a deployment back; your own thresholds are not kept', true),
  d('network.connect', undefined, 'the web service becomes a Service Connect client when the platform has a worker with a `port`; it registers no name of its own', true),
];

/** Fields of the services without a load balancer (Backend and Worker Service). */
function workerFields(memoryNote: string): FieldMapping[] {
  return [
    ...taskFields('worker'),
    m('image.healthcheck', undefined, 'a container health check; without `command`, Copilot\'s default `curl -f http://localhost/ || exit 1` is generated, as Copilot runs it', false),
    m('image.healthcheck.command', 'worker.healthCheckCommand', 'as given (`CMD-SHELL` or `CMD` first); ECS replaces a task that fails it `retries` times in a row', true),
    m('image.healthcheck.interval', 'worker.healthCheckInterval', 'Copilot\'s default is 10 s, the library\'s 30 s'),
    m('image.healthcheck.timeout', 'worker.healthCheckTimeout', 'default 5 s'),
    m('image.healthcheck.retries', 'worker.unhealthyThresholdCount', 'Copilot\'s default is 2, the library\'s 3'),
    d('image.healthcheck.start_period', 'worker.healthCheckGracePeriod', 'the service\'s grace period, in which ECS ignores the container\'s failing checks, rather than the container\'s start period (which a first success ends early)'),
    d('image.location', 'worker.image', '`ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry(location))`; for a private ECR repository prefer `ServiceImage.fromEcrRepository(...)`'),
    ...capacityFields('worker', memoryNote, 'Copilot scales only on the metrics a range names: without `cpu_percentage` (and with `memory_percentage`), `targetCpuUtilizationPercent: 0`'),
    ...['requests', 'response_time'].map(field =>
      u(`count.${field}`, 'a worker scales on CPU and memory (or its backlog), not on requests or response time, even behind the internal load balancer')),
    m('deployment.rolling', undefined, '`default`: rolling with circuit breaker and rollback; `recreate` is not supported'),
    u('deployment.rollback_alarms', 'no prop: a worker rolls back on its circuit breaker only'),
  ];
}

const BACKEND: FieldMapping[] = [
  d('name', undefined, 'the ID of `addWorker`, in PascalCase; in lower case it is the Service Connect name (Copilot\'s `front-end` becomes `frontend`)'),
  m('type', undefined, '`platform.addWorker(id, { port })`: a worker in internal mode, reached through ECS Service Connect'),
  ...workerFields('an internal worker also scales on memory when it is set (by default on CPU only)'),
  m('image.port', 'worker.port', 'needed: a Backend Service without a port has no counterpart'),
  u('http.**', 'no prop: the worker\'s rule on the internal load balancer takes its paths and target group health check only (ADR 0023)', false),
  m('http', 'worker.internalLoadBalancer', 'a map: the worker is also reached through the platform\'s internal load balancer (one per platform, HTTP inside the VPC, admitting the platform\'s workloads only) at `worker.internalLoadBalancerUrl`, besides Service Connect'),
  m('http.path', 'worker.internalLoadBalancer.pathPatterns', '`api` becomes `[\'/api\', \'/api/*\']`; `/` becomes `[\'/*\']`, whose rule is evaluated last; without it the worker answers `/<name>` and `/<name>/*`'),
  m('http.healthcheck', 'worker.healthCheckPath', 'the string form is the path; the library\'s default is `/health`, not Copilot\'s `/`'),
  m('http.healthcheck.path', 'worker.healthCheckPath', 'the library\'s default is `/health`, not Copilot\'s `/`'),
  m('http.healthcheck.port', 'worker.internalLoadBalancer.healthCheckPort', 'the worker admits the load balancer on that port too; default `worker.port`'),
  m('http.healthcheck.success_codes', 'worker.internalLoadBalancer.healthCheckSuccessCodes', 'the library\'s default is `200-399`, Copilot\'s (the load balancer\'s) `200`'),
  m('http.healthcheck.healthy_threshold', 'worker.internalLoadBalancer.healthyThresholdCount', 'default 2 (Copilot: the load balancer\'s 5)'),
  m('http.healthcheck.unhealthy_threshold', 'worker.internalLoadBalancer.unhealthyThresholdCount', 'default 3 (Copilot: the load balancer\'s 2)'),
  m('http.healthcheck.interval', 'worker.internalLoadBalancer.healthCheckInterval', 'default 10 s (Copilot: the load balancer\'s 30 s)'),
  m('http.healthcheck.timeout', 'worker.internalLoadBalancer.healthCheckTimeout', 'default 5 s; with a timeout of 10 s or more and no interval, the load balancer\'s 30 s interval (Copilot\'s) is generated'),
  m('http.healthcheck.grace_period', 'worker.internalLoadBalancer.healthCheckGracePeriod', 'default 60 s; with `image.healthcheck.start_period` too, ECS\'s one grace period per service is that one (maps differently)'),
  m('http.deregistration_delay', 'worker.internalLoadBalancer.deregistrationDelay', 'default 30 s'),
  d('http.alias', 'worker.internalLoadBalancer.aliases', 'HTTPS at these names on the platform\'s internal load balancer, each with a DNS-validated certificate and an A record in the platform\'s `hostedZone` (Copilot used the environment\'s imported `http.private.certificates`); on HTTP they redirect to HTTPS; at most 5 condition values with the paths; a name outside the zone is left out (ADR 0023)', true),
  d('http.hosted_zone', 'hostedZone', 'the platform\'s `hostedZone` (generated from the first Backend Service alias\'s zone when the web service names none); every alias of the platform goes there'),
  u('http.target_container', 'no prop: the load balancer forwards to the worker\'s container'),
  u('http.target_port', 'no prop: the load balancer forwards to `worker.port`'),
  u('http.stickiness', 'no prop; escape hatch `worker.targetGroup!.enableCookieStickiness(...)`'),
  u('http.allowed_source_ips', 'the internal load balancer admits the platform\'s workloads\' security groups only, never an address range; admit another client with `worker.allowFrom(...)`'),
  u('http.additional_rules', 'no prop: one rule per worker, on its `pathPatterns`'),
  u('http.version', 'HTTP/1.1 through the ALB only (no gRPC or HTTP/2 to the targets)'),
  d('network.connect', undefined, 'always on when `worker.port` is set; `connect.alias` is not kept: the name is the ID in lower case', true),
];

const WORKER: FieldMapping[] = [
  m('name', undefined, 'the ID of `addWorker`, in PascalCase'),
  m('type', undefined, '`platform.addWorker(id, { queue: {} })`: a worker in queue mode, scaling on its backlog'),
  ...workerFields('not supported for a queue worker, which scales on its backlog'),
  u('count.cpu_percentage', 'a queue worker scales on its backlog per task only'),
  u('count.cpu_percentage.value', 'a queue worker scales on its backlog per task only'),
  u('count.memory_percentage', 'a queue worker scales on its backlog per task only'),
  u('count.memory_percentage.value', 'a queue worker scales on its backlog per task only'),
  ...['count.cooldown.in', 'count.cooldown.out', 'count.cpu_percentage.cooldown', 'count.memory_percentage.cooldown'].map(path =>
    u(path, 'a queue worker scales on its backlog in steps with a cooldown of their own')),
  d('count.queue_delay', 'worker.queue.messagesPerTask', '`acceptable_latency / msg_processing_time`, the backlog per task Copilot aims for; here one task is added at that backlog, three at four times it, and one removed when nothing is waiting or in flight (step scaling, so a worker at 0 tasks starts)', true),
  m('subscribe', undefined, 'the worker gets a new queue (SQS-encrypted, TLS-only, messages kept 4 days) with a dead-letter queue; its URL is `QUEUE_URL` (Copilot: `COPILOT_QUEUE_URI`)'),
  m('subscribe.queue', 'worker.queue', '`true` or a map'),
  m('subscribe.queue.timeout', 'worker.queue.visibilityTimeout', 'default 5 minutes'),
  m('subscribe.queue.dead_letter.tries', 'worker.queue.maxReceiveCount', 'default 5'),
  u('subscribe.queue.retention', 'not on the created queue (4 days): pass your own `sqs.Queue` as `worker.queue.queue`'),
  u('subscribe.queue.delay', 'not on the created queue (no delay): pass your own `sqs.Queue` as `worker.queue.queue`'),
  u('subscribe.queue.fifo', 'not on the created queue (standard): pass your own `sqs.Queue` as `worker.queue.queue`'),
  u('subscribe.topics', 'no prop yet (#32 item 6: publish/subscribe); today subscribe `worker.queue` with `aws-sns-subscriptions`'),
  u('network.connect', 'a queue worker registers no Service Connect name'),
];

const JOB: FieldMapping[] = [
  m('name', undefined, 'the ID of `addScheduledJob`, in PascalCase'),
  m('type', undefined, '`platform.addScheduledJob(id, { ... })`'),
  ...taskFields('job').filter(f => f.path !== 'platform'),
  d('platform', undefined, 'a platform job follows `service.cpuArchitecture`; a standalone `CleanupJobScheduler` takes `cpuArchitecture`', true),
  u('image.location', 'a platform job runs the service\'s image; a standalone `CleanupJobScheduler` takes any `image`'),
  m('on.schedule', 'job.schedule', '`@hourly` is `cron(0 * * * ? *)`, `@daily` (and `@midnight`) `cron(0 0 * * ? *)`, `@weekly` `cron(0 0 ? * 1 *)`, `@monthly` `cron(0 0 1 * ? *)`, `@yearly` (and `@annually`) `cron(0 0 1 1 ? *)`, `@every 1h30m` `rate(90 minutes)`, a five-field cron its EventBridge form (day of week + 1, year `*`), `rate(...)` and `cron(...)` as given; `none` is not supported'),
  d('retries', 'job.retryAttempts', 'EventBridge retries a failed launch; a run that exits non-zero is not retried but raises `FailedRunAlarm`'),
  d('timeout', 'job.maxRuntime', 'a guard outside the task stops each run within a minute after the limit (ECS StopTask: SIGTERM, then SIGKILL 30 s later; docs/adr/0013), where Copilot\'s Step Functions timeout covered a run and its retries; it must be below a rate schedule\'s period. Without `timeout` a rate schedule\'s runs are stopped at 80 % of its period (Copilot: no limit)'),
  u('count', 'a job runs one task per schedule'),
  u('exec', 'no prop on a job'),
  u('network.connect', 'a job registers no Service Connect name'),
];

const ENVIRONMENT: FieldMapping[] = [
  m('name', 'environmentName', 'a DNS label; the profile is `PRODUCTION` for a name containing `prod`, else `DEVELOPMENT`'),
  m('type', undefined, 'one stack with one `BackendPlatform`'),
  d('network.vpc.id', 'vpc', '`ec2.Vpc.fromLookup(stack, \'Vpc\', { vpcId })`, which needs the stack\'s account and region at synth'),
  d('network.vpc.subnets', 'vpc', 'an imported VPC\'s subnets come from the lookup; the platform\'s own VPC has 2 AZs with /24 public, /22 private and /24 isolated subnets', true),
  u('network.vpc.cidr', 'no prop: the platform\'s VPC takes CDK\'s default range; pass your own `ec2.Vpc` as `vpc`'),
  u('network.vpc.security_group', 'no shared environment security group: each workload has its own, and the stores admit only their clients'),
  d('network.vpc.flow_logs', undefined, 'the platform\'s own VPC always has flow logs', true),
  m('cdn', undefined, 'always on (`false` is not kept: the ALB admits only CloudFront)'),
  u('cdn.certificate', 'give `service.domainCertificate` with `service.domainName` (the alias of the web service)'),
  d('cdn.terminate_tls', undefined, 'always: CloudFront terminates viewer TLS'),
  u('cdn.static_assets', 'no S3 origin on the service\'s distribution: serve the files from a static site of their own (`platform.addStaticSite`, on a host name of its own), or cache the paths the container serves (`service.cachedPathPatterns`)'),
  d('http.public.certificates', undefined, 'not needed: with `hostedZone` the ALB\'s certificate is created and DNS-validated', true),
  d('http.public.access_logs', undefined, 'always on, in one bucket kept or deleted with `teardown`', true),
  d('http.public.ingress.cdn', undefined, 'always, and stricter: the ALB admits only CloudFront'),
  d('http.public.security_groups.ingress.restrict_to.cdn', undefined, 'always, and stricter: the ALB admits only CloudFront'),
  u('http.public.ingress.source_ips', 'the ALB admits only CloudFront: use a web ACL (`service.webAcl`)'),
  d('http.public.ssl_policy', undefined, 'fixed: a modern TLS policy'),
  u('http.private.**', 'no prop: the platform\'s internal load balancer, created with the first worker with `internalLoadBalancer`, sits in the VPC\'s private subnets, speaks HTTP, adds HTTPS with DNS-validated certificates in the platform\'s `hostedZone` for its workers\' `aliases`, and admits the platform\'s workloads only; a standalone `InternalLoadBalancer` takes an imported certificate (`https.certificate`) (ADR 0023)', false),
  d('observability.container_insights', undefined, 'always on for the platform\'s cluster (the running-task alarm needs it)'),
];

const PIPELINE: FieldMapping[] = [
  d('name', undefined, 'each environment\'s platform has its own pipelines (one per ECR repository), started by an image push'),
  m('version', undefined, 'the manifest schema version: nothing to set'),
  m('source.provider', 'pipeline.source', '`GitHub` only (through a CodeStar connection); CodeCommit and Bitbucket are not supported'),
  m('source.properties.repository', 'pipeline.source.owner', 'the URL or `owner/repo` gives `owner` and `repo`'),
  m('source.properties.branch', 'pipeline.source.branch', 'default `main`'),
  d('source.properties.connection_name', 'pipeline.source.connectionArn', 'the connection\'s ARN is needed, not its name: the generated app names a placeholder to replace'),
  u('source.properties.access_token_secret', 'GitHub through a CodeStar connection only'),
  u('source.properties.output', 'no prop: the source artifact is the repository'),
  ...['image', 'buildspec', 'additional_policy'].map(field =>
    u(`build.${field}`, 'no prop: the CodeBuild project of `pipeline.source` runs `docker build` and pushes')),
  m('stages[].name', undefined, 'the environment whose platform gets `pipeline.source`'),
  m('stages[].requires_approval', 'pipeline.manualApproval', 'a manual approval before anything touches the environment: the migration (if any) and the deploy run after it'),
  u('stages[].test_commands', 'no prop: no test stage after deploying'),
  u('stages[].deployments', 'no prop: a push rolls out every workload of its repository at once'),
  u('stages[].pre_deployments', 'no prop: the only pre-deployment action is `pipeline.migrationCommand`'),
  u('stages[].post_deployments', 'no prop: no actions after deploying'),
];

const REQUEST_DRIVEN: FieldMapping[] = [
  u('**', 'an App Runner service has no counterpart: change its type to Load Balanced Web Service (a Fargate service behind CloudFront) and run the converter again', false),
];

/** Copilot's Static Site: `platform.addStaticSite(<name>)`, a private bucket behind its own distribution (docs/adr/0024). */
const STATIC_SITE: FieldMapping[] = [
  m('environments', undefined, 'one platform per environment: each `environments.<env>` block is merged into the manifest for that environment, and its fields are reported like the others', true),
  m('name', undefined, 'the id of `platform.addStaticSite(...)`, in PascalCase (`front-end` is `FrontEnd`)'),
  m('type', undefined, 'a `platform.addStaticSite(...)` call: a private, versioned bucket read by CloudFront through Origin Access Control, security headers, the web ACL of the platform\'s service'),
  m('http.alias', 'site.domainName', 'the site\'s host name on its distribution, with A/AAAA records when the platform has a hosted zone; without `http.certificate` the app names a placeholder us-east-1 certificate ARN to replace (or drop `domainCertificate` and give the platform the zone: the site then issues one). A wildcard alias is not supported'),
  m('http.certificate', 'site.domainCertificate', '`acm.Certificate.fromCertificateArn(...)`; CloudFront takes us-east-1 certificates only'),
  ...([
    ['source', 'directory', 'the directory, relative to where Copilot ran (the workspace root); a file is uploaded by syncing its directory with `--exclude \'*\' --include \'<file>\'`'],
    ['destination', 'destination', 'the key prefix, its slashes trimmed'],
    ['recursive', 'recursive', '`false` is `--exclude \'*/*\'` (the directory\'s own files only)'],
    ['exclude', 'exclude', 'the same `aws s3 sync` patterns', true],
    ['reinclude', 'include', 'the same `aws s3 sync` patterns, which win over `exclude`', true],
  ] as const).map(([field, option, how, whole]) => d(`files[].${field}`, `site.content[].${option}`, field === 'source'
    ? `${how}. The generated app uploads nothing: Copilot uploaded the files from the workspace at \`copilot svc deploy\`, so the import notes give the \`aws s3 sync\` command of each entry to run after deploying (to the bucket of the \`<platform><site>BucketName\` output), or give \`content: [SiteContent.fromDirectory(...)]\`, which \`cdk deploy\` uploads without ever deleting an object`
    : `${how}; uploaded after deploying, like \`files[].source\``, whole)),
];

/**
 * Publish/subscribe (#32 item 6, docs/adr/0020): rows of their own, after each type's rows, which they override
 * (a later row for the same path wins).
 */
function publishFields(p: string): FieldMapping[] {
  return [
    m('publish', undefined, 'each topic becomes a platform topic of that name', false),
    m('publish.topics', undefined, 'a list of topics', false),
    d('publish.topics[].name', `${p}.publishes`, 'the platform creates one topic per name (KMS-encrypted, TLS-only, generated physical name); the workload gets `sns:Publish` on it and its ARN as `<NAME>_TOPIC_ARN` (`orders` and `ordersTopic` give `ORDERS_TOPIC_ARN`), not Copilot\'s JSON map `COPILOT_SNS_TOPIC_ARNS`'),
    u('publish.topics[].fifo', 'FIFO topics are not offered: they deliver only to FIFO queues, and the worker\'s queue is standard'),
  ];
}
const SUBSCRIBE_FIELDS: FieldMapping[] = [
  m('subscribe.topics', undefined, 'a list of subscriptions of the worker\'s queue', false),
  m('subscribe.topics[].name', 'worker.subscriptions[].topic', 'a platform topic that a workload `publishes`'),
  d('subscribe.topics[].service', undefined, 'topics are the platform\'s, by name: the publishing service is not named (two services publishing one name share the topic)'),
  m('subscribe.topics[].filter_policy', 'worker.subscriptions[].filterPolicy', 'each attribute\'s conditions become `new sns.SubscriptionFilter([...])`, written to SNS as given', true),
  u('subscribe.topics[].queue', 'every topic delivers to the worker\'s one queue: a queue per topic is not supported'),
];

/** The table: every field of every manifest type. */
export const FIELD_MAPPINGS: { readonly [type in ManifestType]: FieldMapping[] } = {
  'Load Balanced Web Service': [...WEB, ...publishFields('service')],
  'Backend Service': [...BACKEND, ...publishFields('worker')],
  'Worker Service': [...WORKER, ...publishFields('worker'), ...SUBSCRIBE_FIELDS],
  'Scheduled Job': [...JOB, ...publishFields('job')],
  'Environment': ENVIRONMENT,
  'Pipeline': PIPELINE,
  'Request-Driven Web Service': REQUEST_DRIVEN,
  'Static Site': STATIC_SITE,
};

/**
 * The row of a field path (`http.healthcheck.port`, `stages[].name`): a row naming the field beats a `**` row, and
 * of two rows for the same field the later one wins, so a type's own rows refine the shared ones.
 */
export function lookupField(type: ManifestType, path: string): FieldMapping | undefined {
  const rows = [...FIELD_MAPPINGS[type]].reverse().filter(row => pathMatches(row.path, path));
  return rows.find(row => !row.path.endsWith('**')) ?? rows[0];
}

function pathMatches(pattern: string, path: string): boolean {
  const want = pattern.split('.');
  const have = path.split('.');
  if (want[want.length - 1] === '**') {
    const prefix = want.slice(0, -1);
    return have.length > prefix.length && prefix.every((segment, i) => segment === '*' || segment === have[i]);
  }
  return want.length === have.length && want.every((segment, i) => segment === '*' || segment === have[i]);
}

const STATUS_TEXT: { readonly [status in MappingStatus]: string } = {
  'mapped': 'maps',
  'mapped-differently': 'maps differently',
  'unsupported': 'not supported',
};

/** The markdown table of one manifest type, as docs/coming-from-copilot.md shows it. */
export function renderFieldTable(type: ManifestType): string {
  const seen = new Set<string>();
  const rows = FIELD_MAPPINGS[type].filter(row => {
    // A later row for the same path overrides an earlier one (see `lookupField`): the doc shows the one in force.
    const last = [...FIELD_MAPPINGS[type]].reverse().find(other => other.path === row.path);
    if (last !== row || seen.has(row.path)) return false;
    seen.add(row.path);
    return true;
  });
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| Copilot field | import-copilot | cdk-backend-platform |',
    '| --- | --- | --- |',
    ...rows.map(row => `| \`${row.path}\` | ${STATUS_TEXT[row.status]} | ${cell(row.prop ? `\`${row.prop}\`: ${row.note}` : row.note)} |`),
  ].join('\n');
}
