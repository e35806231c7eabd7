/** A manifest per supported field: the cases of fields.test.ts, also type-checked by typecheck.test.ts. */
import { lookupField, ManifestType, Workspace } from '../../../src/cli/copilot';

export interface FieldCase {
  readonly type: ManifestType;
  /** The table row it exercises. */
  readonly field: string;
  /** Manifest lines below `name` and `type`. */
  readonly yaml: string;
  /** Fragments the generated app must contain. */
  readonly code: string[];
}


export const CASES: FieldCase[] = [
  { type: 'Load Balanced Web Service', field: 'cpu', yaml: 'cpu: 512\n', code: ['cpu: 512'] },
  { type: 'Load Balanced Web Service', field: 'memory', yaml: 'memory: 2048\n', code: ['memoryLimitMiB: 2048'] },
  { type: 'Load Balanced Web Service', field: 'command', yaml: 'command: node server.js --port 8080\n', code: ['command: [\'node\', \'server.js\', \'--port\', \'8080\']'] },
  { type: 'Load Balanced Web Service', field: 'variables', yaml: 'variables:\n  LOG_LEVEL: info\n  PORT: 8080\n  ON: on\n  DB:\n    from_cfn: MyDB\n', code: ['LOG_LEVEL: \'info\'', 'PORT: \'8080\'', 'ON: \'on\'', 'DB: Fn.importValue(\'MyDB\')'] },
  { type: 'Load Balanced Web Service', field: 'secrets', yaml: 'secrets:\n  TOKEN: GITHUB_TOKEN\n  DB:\n    secretsmanager: \'demo/mysql:password::\'\n', code: ['ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, \'WebTOKENSecret\', { parameterName: \'GITHUB_TOKEN\' }))', 'ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, \'WebDBSecret\', \'demo/mysql\'), \'password\')'] },
  { type: 'Load Balanced Web Service', field: 'platform', yaml: 'platform: linux/arm64\n', code: ['cpuArchitecture: ecs.CpuArchitecture.ARM64'] },
  { type: 'Load Balanced Web Service', field: 'image.port', yaml: '', code: ['containerPort: 8080'] },
  { type: 'Load Balanced Web Service', field: 'image.location', yaml: 'image:\n  location: public.ecr.aws/nginx/nginx:latest\n  port: 80\n', code: ['image: ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry(\'public.ecr.aws/nginx/nginx:latest\'))'] },
  { type: 'Load Balanced Web Service', field: 'count', yaml: 'count: 3\n', code: ['minCapacity: 3,\n      maxCapacity: 3'] },
  { type: 'Load Balanced Web Service', field: 'count.range', yaml: 'count:\n  range: 1-10\n', code: ['minCapacity: 1,\n      maxCapacity: 10'] },
  { type: 'Load Balanced Web Service', field: 'count.range.min', yaml: 'count:\n  range:\n    min: 2\n    max: 6\n', code: ['minCapacity: 2'] },
  { type: 'Load Balanced Web Service', field: 'count.range.max', yaml: 'count:\n  range:\n    min: 2\n    max: 6\n', code: ['maxCapacity: 6'] },
  { type: 'Load Balanced Web Service', field: 'count.range.spot_from', yaml: 'count:\n  range:\n    min: 2\n    max: 6\n    spot_from: 3\n', code: ['spot: true,\n      onDemandBaseCapacity: 2'] },
  { type: 'Load Balanced Web Service', field: 'count.cpu_percentage', yaml: 'count:\n  range: 2-4\n  cpu_percentage: 70\n', code: ['targetCpuUtilizationPercent: 70'] },
  { type: 'Load Balanced Web Service', field: 'count.cpu_percentage.value', yaml: 'count:\n  range: 2-4\n  cpu_percentage:\n    value: 60\n', code: ['targetCpuUtilizationPercent: 60'] },
  { type: 'Load Balanced Web Service', field: 'count.memory_percentage', yaml: 'count:\n  range: 2-4\n  memory_percentage: 75\n', code: ['targetMemoryUtilizationPercent: 75'] },
  { type: 'Load Balanced Web Service', field: 'count.memory_percentage.value', yaml: 'count:\n  range: 2-4\n  memory_percentage:\n    value: 65\n', code: ['targetMemoryUtilizationPercent: 65'] },
  // Copilot scales a range on the metrics it names only: CPU and memory are off here.
  { type: 'Load Balanced Web Service', field: 'count.requests', yaml: 'count:\n  range: 1-10\n  requests: 30\n', code: ['targetCpuUtilizationPercent: 0,\n      targetMemoryUtilizationPercent: 0,\n      targetRequestsPerTaskPerMinute: 30'] },
  { type: 'Load Balanced Web Service', field: 'count.requests.value', yaml: 'count:\n  range: 1-10\n  requests:\n    value: 50\n', code: ['targetRequestsPerTaskPerMinute: 50'] },
  { type: 'Load Balanced Web Service', field: 'count.requests.cooldown', yaml: 'count:\n  range: 1-10\n  requests:\n    value: 50\n    cooldown:\n      in: 3m\n      out: 30s\n', code: ['scaleInCooldown: Duration.minutes(3),\n      scaleOutCooldown: Duration.seconds(30)'] },
  // The response-time steps never remove tasks: the CPU target is kept to scale in.
  { type: 'Load Balanced Web Service', field: 'count.response_time', yaml: 'count:\n  range: 1-10\n  response_time: 2s\n', code: ['maxCapacity: 10,\n      targetMemoryUtilizationPercent: 0,\n      scaleOutResponseTime: Duration.seconds(2)'] },
  { type: 'Load Balanced Web Service', field: 'count.response_time.value', yaml: 'count:\n  range: 1-10\n  response_time:\n    value: 500ms\n', code: ['scaleOutResponseTime: Duration.millis(500)'] },
  { type: 'Load Balanced Web Service', field: 'count.response_time.cooldown', yaml: 'count:\n  range: 1-10\n  response_time:\n    value: 2s\n    cooldown:\n      out: 2m\n', code: ['scaleOutCooldown: Duration.minutes(2)'] },
  { type: 'Load Balanced Web Service', field: 'count.cpu_percentage.cooldown', yaml: 'count:\n  range: 2-10\n  cpu_percentage:\n    value: 70\n    cooldown:\n      out: 2m30s\n', code: ['targetCpuUtilizationPercent: 70', 'scaleOutCooldown: Duration.seconds(150)'] },
  // CPU keeps Copilot's 120 s scale-in, memory names 30 s: the longest is kept (maps differently).
  { type: 'Load Balanced Web Service', field: 'count.memory_percentage.cooldown', yaml: 'count:\n  range: 2-10\n  cpu_percentage: 70\n  memory_percentage:\n    value: 80\n    cooldown:\n      in: 30s\n', code: ['scaleInCooldown: Duration.minutes(2)'] },
  { type: 'Load Balanced Web Service', field: 'count.cooldown.in', yaml: 'count:\n  range: 1-10\n  cooldown:\n    in: 60s\n    out: 30s\n  cpu_percentage: 70\n', code: ['scaleInCooldown: Duration.minutes(1)'] },
  { type: 'Load Balanced Web Service', field: 'count.cooldown.out', yaml: 'count:\n  range: 1-10\n  cooldown:\n    in: 60s\n    out: 30s\n  cpu_percentage: 70\n', code: ['scaleOutCooldown: Duration.seconds(30)'] },
  { type: 'Load Balanced Web Service', field: 'count.spot', yaml: 'count:\n  spot: 2\n', code: ['minCapacity: 2,\n      maxCapacity: 2,\n      spot: true,\n      onDemandBaseCapacity: 0'] },
  { type: 'Load Balanced Web Service', field: 'exec', yaml: 'exec: true\n', code: ['enableExecuteCommand: true'] },
  { type: 'Load Balanced Web Service', field: 'http.path', yaml: '', code: ['pathPatterns: [\'/admin\', \'/admin/*\']'] },
  { type: 'Load Balanced Web Service', field: 'http.alias', yaml: 'http:\n  path: \'/\'\n  alias: api.example.com\n', code: ['domainName: \'api.example.com\'', 'domainCertificate: acm.Certificate.fromCertificateArn(stack, \'DomainCertificate\', CERTIFICATE_ARNS[\'api.example.com\'])'] },
  { type: 'Load Balanced Web Service', field: 'http.alias', yaml: 'http:\n  path: \'/\'\n  alias:\n    - api.example.com\n    - www.example.com\n', code: ['domainName: \'api.example.com\'', 'aliases: [\'www.example.com\']'] },
  { type: 'Load Balanced Web Service', field: 'http.hosted_zone', yaml: 'http:\n  path: \'/\'\n  alias: api.example.com\n  hosted_zone: Z0123456789ABC\n', code: ['hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, \'Zone\', { hostedZoneId: \'Z0123456789ABC\', zoneName: HOSTED_ZONE_NAMES[\'Z0123456789ABC\'] })', '\'Z0123456789ABC\': \'example.com\''] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck', yaml: 'http:\n  path: \'/\'\n  healthcheck: /_healthcheck\n', code: ['healthCheckPath: \'/_healthcheck\''] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.path', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    path: /healthz\n', code: ['healthCheckPath: \'/healthz\''] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.healthy_threshold', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    healthy_threshold: 3\n', code: ['healthyThresholdCount: 3'] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.interval', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    interval: 15s\n', code: ['healthCheckInterval: Duration.seconds(15)'] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.grace_period', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    grace_period: 2m\n', code: ['healthCheckGracePeriod: Duration.minutes(2)'] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.port', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    port: 8081\n', code: ['healthCheckPort: 8081'] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.success_codes', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    success_codes: \'200,202\'\n', code: ['healthCheckSuccessCodes: \'200,202\''] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.unhealthy_threshold', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    unhealthy_threshold: 4\n', code: ['unhealthyThresholdCount: 4'] },
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.timeout', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    timeout: 4s\n', code: ['healthCheckTimeout: Duration.seconds(4)'] },
  // The library's 10 s interval would refuse this timeout: the load balancer's 30 s, which Copilot kept, is generated.
  { type: 'Load Balanced Web Service', field: 'http.healthcheck.timeout', yaml: 'http:\n  path: \'/\'\n  healthcheck:\n    timeout: 15s\n', code: ['healthCheckInterval: Duration.seconds(30),\n      healthCheckTimeout: Duration.seconds(15)'] },
  { type: 'Load Balanced Web Service', field: 'http.deregistration_delay', yaml: 'http:\n  path: \'/\'\n  deregistration_delay: 45s\n', code: ['deregistrationDelay: Duration.seconds(45)'] },
  { type: 'Load Balanced Web Service', field: 'deployment.rolling', yaml: 'deployment:\n  rolling: default\n', code: [] },
  // Copilot mounts a volume read-only unless read_only: false.
  { type: 'Load Balanced Web Service', field: 'storage.volumes.*.path', yaml: 'storage:\n  volumes:\n    uploads:\n      path: /var/uploads\n      efs: true\n', code: ['volumes: [{', 'name: \'uploads\'', 'containerPath: \'/var/uploads\'', 'readOnly: true'] },
  { type: 'Load Balanced Web Service', field: 'storage.volumes.*.read_only', yaml: 'storage:\n  volumes:\n    uploads:\n      path: /var/uploads\n      read_only: false\n      efs: true\n', code: ['containerPath: \'/var/uploads\', }]'] },
  { type: 'Load Balanced Web Service', field: 'storage.volumes.*.efs', yaml: 'storage:\n  volumes:\n    uploads:\n      path: /var/uploads\n      efs: true\n', code: ['name: \'uploads\''] },
  { type: 'Load Balanced Web Service', field: 'storage.volumes.*.efs.uid', yaml: 'storage:\n  volumes:\n    uploads:\n      path: /var/uploads\n      efs:\n        uid: 2000\n        gid: 3000\n', code: ['readOnly: true, uid: 2000, gid: 3000'] },
  { type: 'Load Balanced Web Service', field: 'storage.volumes.*.efs.gid', yaml: 'storage:\n  volumes:\n    uploads:\n      path: /var/uploads\n      efs:\n        uid: 2000\n        gid: 3000\n', code: ['gid: 3000'] },
  { type: 'Backend Service', field: 'image.port', yaml: '', code: ['port: 8080'] },
  { type: 'Backend Service', field: 'image.location', yaml: 'image:\n  location: public.ecr.aws/docker/library/redis:7\n  port: 6379\n', code: ['image: ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry(\'public.ecr.aws/docker/library/redis:7\'))', 'port: 6379'] },
  { type: 'Backend Service', field: 'count.memory_percentage', yaml: 'count:\n  range: 1-3\n  memory_percentage: 70\n', code: ['targetCpuUtilizationPercent: 0,\n      targetMemoryUtilizationPercent: 70'] },
  ...(['Backend Service', 'Worker Service'] as ManifestType[]).flatMap(type => {
    const check = (lines: string) => `image:\n  build: Dockerfile\n${type === 'Backend Service' ? '  port: 8080\n' : ''}  healthcheck:\n${lines}`;
    return [
      { type, field: 'image.healthcheck', yaml: check('    interval: 15s\n'), code: ['healthCheckCommand: [\'CMD-SHELL\', \'curl -f http://localhost/ || exit 1\'],\n      healthCheckInterval: Duration.seconds(15)'] },
      { type, field: 'image.healthcheck.command', yaml: check('    command: ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]\n'), code: ['healthCheckCommand: [\'CMD-SHELL\', \'curl -f http://localhost:8080/health || exit 1\']'] },
      { type, field: 'image.healthcheck.interval', yaml: check('    command: ["CMD", "/bin/check"]\n    interval: 20s\n'), code: ['healthCheckInterval: Duration.seconds(20)'] },
      { type, field: 'image.healthcheck.timeout', yaml: check('    command: ["CMD", "/bin/check"]\n    timeout: 3s\n'), code: ['healthCheckTimeout: Duration.seconds(3)'] },
      { type, field: 'image.healthcheck.retries', yaml: check('    command: ["CMD", "/bin/check"]\n    retries: 4\n'), code: ['unhealthyThresholdCount: 4'] },
      { type, field: 'image.healthcheck.start_period', yaml: check('    command: ["CMD", "/bin/check"]\n    start_period: 1m\n'), code: ['healthCheckGracePeriod: Duration.minutes(1)'] },
    ];
  }),
  { type: 'Backend Service', field: 'count.cpu_percentage', yaml: 'count:\n  range: 1-3\n  cpu_percentage: 50\n', code: ['targetCpuUtilizationPercent: 50'] },
  { type: 'Worker Service', field: 'subscribe.queue.timeout', yaml: 'subscribe:\n  queue:\n    timeout: 10m\n', code: ['visibilityTimeout: Duration.minutes(10)'] },
  { type: 'Worker Service', field: 'subscribe.queue.dead_letter.tries', yaml: 'subscribe:\n  queue:\n    dead_letter:\n      tries: 3\n', code: ['maxReceiveCount: 3'] },
  { type: 'Worker Service', field: 'count.queue_delay', yaml: 'count:\n  range: 0-5\n  queue_delay:\n    acceptable_latency: 1m\n    msg_processing_time: 250ms\n', code: ['minCapacity: 0', 'messagesPerTask: 240'] },
  { type: 'Worker Service', field: 'subscribe.queue', yaml: 'subscribe:\n  queue: true\n', code: ['queue: {}'] },
  // Publish/subscribe (#32 item 6): the worker publishes the topic it subscribes to, so the case stands alone.
  { type: 'Worker Service', field: 'publish.topics[].name', yaml: 'publish:\n  topics:\n    - name: orders\n', code: ['publishes: [\'orders\']'] },
  { type: 'Load Balanced Web Service', field: 'publish.topics[].name', yaml: 'publish:\n  topics:\n    - name: orders\n    - name: ordersShipped\n', code: ['publishes: [\'orders\', \'ordersShipped\']'] },
  { type: 'Backend Service', field: 'publish.topics[].name', yaml: 'publish:\n  topics:\n    - name: reports\n', code: ['publishes: [\'reports\']'] },
  { type: 'Scheduled Job', field: 'publish.topics[].name', yaml: 'publish:\n  topics:\n    - name: reminders\n', code: ['publishes: [\'reminders\']'] },
  { type: 'Worker Service', field: 'subscribe.topics[].name', yaml: 'publish:\n  topics:\n    - name: orders\nsubscribe:\n  topics:\n    - name: orders\n      service: mailer\n', code: ['subscriptions: [{', 'topic: \'orders\','] },
  { type: 'Worker Service', field: 'subscribe.topics[].filter_policy', yaml: 'publish:\n  topics:\n    - name: orders\nsubscribe:\n  topics:\n    - name: orders\n      service: mailer\n      filter_policy:\n        event: [placed, {"anything-but": cancelled}]\n', code: ['event: new sns.SubscriptionFilter(["placed",{"anything-but":"cancelled"}]),'] },
  { type: 'Scheduled Job', field: 'on.schedule', yaml: '', code: ['schedule: events.Schedule.expression(\'cron(0 0 * * ? *)\')'] },
  { type: 'Scheduled Job', field: 'command', yaml: '', code: ['command: [\'node\', \'job.js\']'] },
  { type: 'Scheduled Job', field: 'retries', yaml: 'retries: 3\n', code: ['retryAttempts: 3'] },
  // A Backend Service's http block: the worker behind the platform's internal load balancer (docs/adr/0023).
  { type: 'Backend Service', field: 'http', yaml: 'http:\n  path: reports\n', code: ['internalLoadBalancer: {\n        pathPatterns: [\'/reports\', \'/reports/*\'],\n      }'] },
  { type: 'Backend Service', field: 'http.path', yaml: '', code: ['internalLoadBalancer: {\n        pathPatterns: [\'/admin\', \'/admin/*\'],'] },
  { type: 'Backend Service', field: 'http.path', yaml: 'http:\n  path: \'/\'\n', code: ['pathPatterns: [\'/*\']'] },
  { type: 'Backend Service', field: 'http.healthcheck', yaml: 'http:\n  path: api\n  healthcheck: /_healthcheck\n', code: ['healthCheckPath: \'/_healthcheck\''] },
  { type: 'Backend Service', field: 'http.healthcheck.path', yaml: 'http:\n  path: api\n  healthcheck:\n    path: /healthz\n', code: ['healthCheckPath: \'/healthz\''] },
  { type: 'Backend Service', field: 'http.healthcheck.port', yaml: 'http:\n  path: api\n  healthcheck:\n    port: 7000\n', code: ['healthCheckPort: 7000'] },
  { type: 'Backend Service', field: 'http.healthcheck.success_codes', yaml: 'http:\n  path: api\n  healthcheck:\n    success_codes: \'200,301\'\n', code: ['healthCheckSuccessCodes: \'200,301\''] },
  { type: 'Backend Service', field: 'http.healthcheck.healthy_threshold', yaml: 'http:\n  path: api\n  healthcheck:\n    healthy_threshold: 3\n', code: ['healthyThresholdCount: 3'] },
  { type: 'Backend Service', field: 'http.healthcheck.unhealthy_threshold', yaml: 'http:\n  path: api\n  healthcheck:\n    unhealthy_threshold: 4\n', code: ['unhealthyThresholdCount: 4'] },
  { type: 'Backend Service', field: 'http.healthcheck.interval', yaml: 'http:\n  path: api\n  healthcheck:\n    interval: 15s\n', code: ['healthCheckInterval: Duration.seconds(15)'] },
  { type: 'Backend Service', field: 'http.healthcheck.timeout', yaml: 'http:\n  path: api\n  healthcheck:\n    timeout: 10s\n', code: ['healthCheckInterval: Duration.seconds(30),\n        healthCheckTimeout: Duration.seconds(10)'] },
  { type: 'Backend Service', field: 'http.healthcheck.grace_period', yaml: 'http:\n  path: api\n  healthcheck:\n    grace_period: 45s\n', code: ['healthCheckGracePeriod: Duration.seconds(45)'] },
  { type: 'Backend Service', field: 'http.alias', yaml: 'http:\n  path: \'/\'\n  alias: api.internal.example.com\n  hosted_zone: Z0123456789ABC\n', code: ['pathPatterns: [\'/*\'],', 'aliases: [\'api.internal.example.com\'],'] },
  { type: 'Backend Service', field: 'http.hosted_zone', yaml: 'http:\n  path: api\n  alias:\n    - name: api.example.com\n      hosted_zone: Z0123456789ABC\n', code: ['hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, \'Zone\', { hostedZoneId: \'Z0123456789ABC\'', 'aliases: [\'api.example.com\'],'] },
  { type: 'Backend Service', field: 'http.deregistration_delay', yaml: 'http:\n  path: api\n  deregistration_delay: 5s\n', code: ['deregistrationDelay: Duration.seconds(5)'] },
  { type: 'Scheduled Job', field: 'timeout', yaml: 'timeout: 1h30m\n', code: ['maxRuntime: Duration.minutes(90)'] },
  { type: 'Scheduled Job', field: 'cpu', yaml: 'cpu: 1024\nmemory: 2048\n', code: ['cpu: 1024', 'memoryLimitMiB: 2048'] },
  { type: 'Environment', field: 'name', yaml: '', code: ['environmentName: \'test\''] },
  { type: 'Environment', field: 'network.vpc.id', yaml: 'network:\n  vpc:\n    id: vpc-0123456789abcdef0\n', code: ['vpc: ec2.Vpc.fromLookup(stack, \'Vpc\', { vpcId: \'vpc-0123456789abcdef0\' })'] },
  { type: 'Environment', field: 'network.vpc.subnets', yaml: 'network:\n  vpc:\n    id: vpc-0123456789abcdef0\n    subnets:\n      public:\n        - id: subnet-1\n', code: ['ec2.Vpc.fromLookup('] },
  { type: 'Pipeline', field: 'source.provider', yaml: '', code: ['connectionArn: GITHUB_CONNECTION_ARN', 'owner: \'acme\'', 'repo: \'shop\''] },
  { type: 'Pipeline', field: 'source.properties.repository', yaml: '', code: ['owner: \'acme\''] },
  { type: 'Pipeline', field: 'source.properties.branch', yaml: '', code: ['branch: \'release\''] },
  { type: 'Pipeline', field: 'source.properties.connection_name', yaml: '', code: ['GITHUB_CONNECTION_ARN = \'arn:aws:codestar-connections:us-east-1:123456789012:connection/REPLACE-ME\''] },
  { type: 'Pipeline', field: 'stages[].requires_approval', yaml: '', code: ['manualApproval: true'] },
  // Static sites (#32 item 9, docs/adr/0024): the domain maps to the site's props; the files are uploaded after deploying (the notes give the command).
  { type: 'Static Site', field: 'http.alias', yaml: 'http:\n  alias: www.example.com\n', code: ['platform.addStaticSite(\'Svc\', {', 'domainName: \'www.example.com\'', 'domainCertificate: acm.Certificate.fromCertificateArn(stack, \'SvcCertificate\', CERTIFICATE_ARNS[\'www.example.com\'])'] },
  { type: 'Static Site', field: 'http.certificate', yaml: 'http:\n  alias: www.example.com\n  certificate: arn:aws:acm:us-east-1:123456789012:certificate/abc\n', code: ['domainCertificate: acm.Certificate.fromCertificateArn(stack, \'SvcCertificate\', \'arn:aws:acm:us-east-1:123456789012:certificate/abc\')'] },
  { type: 'Static Site', field: 'files[].source', yaml: 'files:\n  - source: dist\n    destination: /assets/\n    recursive: false\n    exclude: \'*\'\n    reinclude:\n      - \'*.html\'\n', code: ['platform.addStaticSite(\'Svc\', {});'] },
  { type: 'Static Site', field: 'files[].destination', yaml: 'files:\n  - source: dist\n    destination: /assets/\n    recursive: false\n    exclude: \'*\'\n    reinclude:\n      - \'*.html\'\n', code: ['platform.addStaticSite(\'Svc\', {});'] },
  { type: 'Static Site', field: 'files[].recursive', yaml: 'files:\n  - source: dist\n    destination: /assets/\n    recursive: false\n    exclude: \'*\'\n    reinclude:\n      - \'*.html\'\n', code: ['platform.addStaticSite(\'Svc\', {});'] },
  { type: 'Static Site', field: 'files[].exclude', yaml: 'files:\n  - source: dist\n    destination: /assets/\n    recursive: false\n    exclude: \'*\'\n    reinclude:\n      - \'*.html\'\n', code: ['platform.addStaticSite(\'Svc\', {});'] },
  { type: 'Static Site', field: 'files[].reinclude', yaml: 'files:\n  - source: dist\n    destination: /assets/\n    recursive: false\n    exclude: \'*\'\n    reinclude:\n      - \'*.html\'\n', code: ['platform.addStaticSite(\'Svc\', {});'] },
  { type: 'Load Balanced Web Service', field: 'image.build.dockerfile', yaml: 'image:\n  build:\n    dockerfile: web/Dockerfile\n    context: web\n  port: 8080\n', code: ['dockerfile: \'web/Dockerfile\'', 'buildContext: \'web\''] },
  { type: 'Load Balanced Web Service', field: 'image.build.context', yaml: 'image:\n  build:\n    dockerfile: web/Dockerfile\n    context: web\n  port: 8080\n', code: ['buildContext: \'web\''] },
];

const PIPELINE = 'name: release\nversion: 1\nsource:\n  provider: GitHub\n  properties:\n    branch: release\n    repository: https://github.com/acme/shop\n    connection_name: acme\nstages:\n  - name: test\n    requires_approval: true\n';

/** The case's manifest, with what its type needs and the case does not give (image, port, path, schedule), in a workspace with environment `test`. */
export function workspaceOf(c: FieldCase): Workspace {
  const has = (key: string) => new RegExp(`^${key}:`, 'm').test(c.yaml);
  const defaults: { [type: string]: [string, string][] } = {
    'Load Balanced Web Service': [['image', 'image:\n  build: web/Dockerfile\n  port: 8080\n'], ['http', 'http:\n  path: \'/\'\n']],
    'Backend Service': [['image', 'image:\n  build: Dockerfile\n  port: 8080\n']],
    'Worker Service': [['image', 'image:\n  build: Dockerfile\n']],
    'Scheduled Job': [['image', 'image:\n  build: Dockerfile\n'], ['on', 'on:\n  schedule: "@daily"\n'], ['command', 'command: node job.js\n']],
  };
  const text = (name: string) => `name: ${name}\ntype: ${c.type}\n${c.yaml}${(defaults[c.type] ?? []).filter(([key]) => !has(key)).map(([, lines]) => lines).join('')}`;
  const manifests = [];
  if (c.type === 'Environment') manifests.push({ path: 'environments/test/manifest.yml', text: text('test') });
  else if (c.type === 'Pipeline') manifests.push({ path: 'pipelines/release/manifest.yml', text: PIPELINE });
  else manifests.push({ path: 'svc/manifest.yml', text: text(c.type === 'Load Balanced Web Service' ? 'web' : 'svc') });
  if (c.field === 'http.path') manifests.push({ path: 'admin/manifest.yml', text: `name: admin\ntype: ${c.type}\nimage:\n  build: Dockerfile\n  port: 8080\nhttp:\n  path: admin\n` });
  if (c.field.startsWith('image.build')) manifests.push({ path: 'pipelines/release/manifest.yml', text: PIPELINE });
  return { application: 'shop', environmentNames: ['test'], manifests };
}

/** The web service's cases of the fields every ECS workload shares, for the other types whose row maps to a prop. */
function sharedCases(): FieldCase[] {
  const shared = CASES.filter(c => c.type === 'Load Balanced Web Service' && !c.field.startsWith('http') && c.field !== 'image.port');
  return (['Backend Service', 'Worker Service', 'Scheduled Job'] as ManifestType[]).flatMap(type => shared
    .filter(c => !CASES.some(own => own.type === type && own.field === c.field))
    .filter(c => { const row = lookupField(type, c.field); return row && row.status !== 'unsupported' && row.prop; })
    .map(c => ({ ...c, type, code: c.code.map(code => code.replace(/'Web(\w+)Secret'/g, '\'Svc$1Secret\'')).filter(code => !code.includes('ServiceImage') || type !== 'Scheduled Job') })));
}

export const ALL_CASES = [...CASES, ...sharedCases()];
export const squash = (text: string) => text.replace(/\s+/g, ' ');

