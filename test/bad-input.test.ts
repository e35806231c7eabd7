import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import { cache, calls, database, job, monitoring, pipeline, platform, reset, synthesized, web } from './builders';
import { givenStack } from './fixtures';
import { DatabaseRestoreSource, EcrToEcsPipeline, EdgeMode, EdgeWebAcl, PlatformStore, PrivateDatabase, ServiceImage, WorkerService } from '../src';

/** A certificate imported by ARN into a throw-away stack: only its ARN matters to the checks. */
function certificate(region: string): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(new Stack(), 'Cert', `arn:aws:acm:${region}:123456789012:certificate/0123abcd-0123-0123-0123-0123456789ab`);
}

/**
 * Every invalid prop combination fails at synth with the library's one error shape:
 * `<construct path>: invalid <prop> <value>: <fix>`. The exact text is the contract users see.
 */
const cases: Array<[string, () => unknown, string]> = [
  // SecureAlbFargateService
  ['service: CPU/memory pair Fargate does not offer', () => web({ cpu: 256, memoryLimitMiB: 4096 }), 'TestStack/Web: invalid memoryLimitMiB 4096: with cpu 256, Fargate accepts 512, 1024, 2048 MiB'],
  ['service: CPU units Fargate does not offer', () => web({ cpu: 300 }), 'TestStack/Web: invalid cpu 300: use one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192 or 16384'],
  ['service: environment name not a DNS label', () => web({ environmentName: 'Prod!' }), 'TestStack/Web: invalid environmentName "Prod!": use 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit (e.g. "prod")'],
  ['service: app name not a DNS label', () => web({ appName: 'My_App' }), 'TestStack/Web: invalid appName "My_App": use 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit (e.g. "prod")'],
  ['service: base domain without a TLD', () => web({ baseDomainName: 'example' }), 'TestStack/Web: invalid baseDomainName "example": use a lower-case fully qualified domain name without a trailing dot (e.g. "example.com")'],
  ['service: min capacity above max', () => web({ minCapacity: 5, maxCapacity: 2 }), 'TestStack/Web: invalid minCapacity 5: minCapacity must not exceed maxCapacity (2); raise maxCapacity or lower minCapacity'],
  ['service: CPU target out of range', () => web({ targetCpuUtilizationPercent: 99 }), 'TestStack/Web: invalid targetCpuUtilizationPercent 99: use a whole number from 10 to 95, or 0 to turn this scaling dimension off'],
  ['service: container port out of range', () => web({ containerPort: 70000 }), 'TestStack/Web: invalid containerPort 70000: use a whole number from 1 to 65535'],
  ['service: health check path without slash', () => web({ healthCheckPath: 'health' }), 'TestStack/Web: invalid healthCheckPath "health": use a path that starts with "/" and has no spaces (e.g. "/api/*")'],
  ['service: empty command', () => web({ command: [] }), 'TestStack/Web: invalid command []: give at least one element'],
  ['service: routed container named like the main one', () => web({ routedContainers: [{ name: 'app', containerPort: 9000, pathPatterns: ['/admin/*'] }] }), 'TestStack/Web: invalid routedContainers[].name "app": another entry already uses it; every entry must be unique, rename one of the duplicates'],
  ['service: sidecar named like the main container', () => web({ sidecars: [{ name: 'app', image: ServiceImage.placeholder() }] }), 'TestStack/Web: invalid sidecars[0].name "app": it is the main container\'s name; rename the sidecar'],
  ['service: main container waits for a sidecar to be HEALTHY that has no health check', () => web({
    sidecars: [{ name: 'proxy', image: ServiceImage.placeholder() }], mainContainerDependsOn: [{ containerName: 'proxy', condition: ecs.ContainerDependencyCondition.HEALTHY }],
  }), 'TestStack/Web: invalid mainContainerDependsOn[0].condition "HEALTHY": ECS can only wait for "proxy" to be HEALTHY if it has a container health check; give it one (healthCheck) or wait for START'],
  ['service: routed container without paths', () => web({ routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: [] }] }), 'TestStack/Web: invalid routedContainers[0].pathPatterns []: give at least one element'],
  ['service: routed path without slash', () => web({ routedContainers: [{ name: 'admin', containerPort: 9000, pathPatterns: ['admin/*'] }] }), 'TestStack/Web: invalid routedContainers[0].pathPatterns[0] "admin/*": use a path that starts with "/" and has no spaces (e.g. "/api/*")'],
  ['service: on-demand base without spot', () => web({ onDemandBaseCapacity: 0 }),
    'TestStack/Web: invalid onDemandBaseCapacity 0: it only applies with spot: true; set spot or drop onDemandBaseCapacity'],
  ['service: load balancer host name too long for a certificate', () => web({ environmentName: 'customer-acceptance-environment-for-the-payments-team' }),
    'TestStack/Web: invalid environmentName "customer-acceptance-environment-for-the-payments-team": the load balancer host name '
    + 'customer-acceptance-environment-for-the-payments-team-lb.example.com has 68 characters and ACM certificates take at most 64; '
    + 'shorten environmentName or set a shorter baseDomainName or loadBalancerDomainName'],
  ['service: custom domain without a certificate', () => web({ domainName: 'api.example.com' }),
    'TestStack/Web: invalid domainName "api.example.com": CloudFront needs its certificate issued in us-east-1, and this stack has no region to tell '
    + 'whether it is there; give the stack its region (env: { region: \'eu-west-1\' }), and the service issues the certificate in a companion us-east-1 stack, '
    + 'or set domainCertificate'],
  ['service: custom domain without a hosted zone nor a certificate', () => web({ domainName: 'api.example.com', hostedZone: undefined }),
    'TestStack/Web: invalid domainName "api.example.com": CloudFront needs a certificate for it, issued in us-east-1; give the hostedZone '
    + 'that holds the domain (the service issues a DNS-validated one) or set domainCertificate'],
  ['service: public load balancer without a hosted zone', () => web({ edgeMode: EdgeMode.PUBLIC_ALB, hostedZone: undefined }),
    'TestStack/Web: invalid hostedZone undefined: a public load balancer serves HTTPS on a certificate for its host name in the hosted zone; '
    + 'give hostedZone, or use edgeMode EdgeMode.VPC_ORIGIN, which needs no domain'],
  ['service: VPC origin without CloudFront', () => web({ edgeMode: EdgeMode.VPC_ORIGIN, cloudFront: false }),
    'TestStack/Web: invalid cloudFront false: an internal load balancer is reached only through CloudFront; keep cloudFront on, or use edgeMode EdgeMode.PUBLIC_ALB'],
  ['service: load balancer host name without a hosted zone', () => web({ hostedZone: undefined, loadBalancerDomainName: 'lb.example.com' }),
    'TestStack/Web: invalid loadBalancerDomainName "lb.example.com": the load balancer\'s host name needs a hostedZone for its certificate and alias record; give hostedZone or drop it'],
  ['service: web ACL of REGIONAL scope', () => web({ webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/a1b2') }),
    'TestStack/Web: invalid webAcl "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/a1b2": that web ACL has REGIONAL scope; '
    + 'CloudFront takes only CLOUDFRONT-scope (global) web ACLs, created in us-east-1'],
  ['service: web ACL given twice', () => web({ webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:us-east-1:123456789012:global/webacl/api/a1b2'), webAclId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/old/c3d4' }),
    'TestStack/Web: invalid webAclId "arn:aws:wafv2:us-east-1:123456789012:global/webacl/old/c3d4": give the web ACL once, in webAcl (webAclId is deprecated)'],
  ['service: cached path without slash', () => web({ cachedPathPatterns: ['static/*'] }),
    'TestStack/Web: invalid cachedPathPatterns[0] "static/*": use a path that starts with "/" and has no spaces (e.g. "/api/*")'],
  ['service: certificate without a domain', () => web({ domainCertificate: certificate('us-east-1') }),
    'TestStack/Web: invalid domainCertificate "ICertificate": it only serves domainName; set domainName or drop domainCertificate'],
  ['service: custom domain outside the hosted zone', () => web({ domainName: 'api.example.org', domainCertificate: certificate('us-east-1') }),
    'TestStack/Web: invalid domainName "api.example.org": it must be inside the hosted zone example.com, where its alias record goes'],
  ['service: custom domain without CloudFront', () => web({ domainName: 'api.example.com', domainCertificate: certificate('us-east-1'), cloudFront: false }),
    'TestStack/Web: invalid domainName "api.example.com": the domain is served by CloudFront; drop domainName or keep cloudFront on'],
  ['service: custom domain taken by the load balancer', () => web({ domainName: 'prod-lb.example.com', domainCertificate: certificate('us-east-1') }),
    'TestStack/Web: invalid domainName "prod-lb.example.com": that is the load balancer\'s own host name; pick another name for the service URL'],
  ['service: certificate outside us-east-1', () => web({ domainName: 'api.example.com', domainCertificate: certificate('eu-west-1') }),
    'TestStack/Web: invalid domainCertificate "eu-west-1": CloudFront only takes certificates issued in us-east-1; issue it there'],
  // PrivateDatabase
  ['database: production backups under 7 days', () => database({ backupRetentionDays: 3 }), 'TestStack/Db: invalid backupRetentionDays 3: production keeps at least 7 days of backups; raise it or use profile EnvironmentProfile.DEVELOPMENT'],
  ['database: max storage below allocated', () => database({ allocatedStorageGiB: 50, maxAllocatedStorageGiB: 30 }), 'TestStack/Db: invalid maxAllocatedStorageGiB 30: must be at least allocatedStorageGiB (50)'],
  ['database: name with a hyphen', () => database({ databaseName: 'my-db' }), 'TestStack/Db: invalid databaseName "my-db": use a letter followed by up to 62 letters, digits or underscores (e.g. "app")'],
  ['database: reserved master user name', () => database({ masterUsername: 'postgres' }), 'TestStack/Db: invalid masterUsername "postgres": use 1-16 letters, digits or underscores starting with a letter, not a reserved name like "postgres" or "rdsadmin"'],
  ['database: restore with a database name of its own', () => database({ restoreFrom: DatabaseRestoreSource.fromSnapshot('before-migration'), databaseName: 'salons' }),
    'TestStack/Db: invalid databaseName "salons": a restored database keeps the snapshot\'s databases and creates none; drop databaseName, and name the one the services connect to in restoreFrom: '
    + 'DatabaseRestoreSource.fromSnapshot(snapshot, { databaseName: "salons" })'],
  ['database: restore from a malformed snapshot identifier', () => database({ restoreFrom: DatabaseRestoreSource.fromSnapshot('before--migration') }),
    'TestStack/Db: invalid restoreFrom.snapshotIdentifier "before--migration": give a DB snapshot identifier ("my-db-before-migration", "rds:my-db-2026-05-04-05-10") or ARN '
    + '("arn:aws:rds:<region>:<account>:snapshot:<name>", an AWS Backup recovery point "...:snapshot:awsbackup:job-<id>"): a letter, then letters, digits and single hyphens, not ending with a hyphen'],
  ['database: restore from a cluster snapshot', () => database({ restoreFrom: DatabaseRestoreSource.fromSnapshot('arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:aurora-nightly') }),
    'TestStack/Db: invalid restoreFrom.snapshotIdentifier "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:aurora-nightly": that is a DB cluster snapshot (Aurora or a Multi-AZ DB cluster); '
    + 'PrivateDatabase is a DB instance and restores DB snapshots (":snapshot:")'],
  ['database: restore from a snapshot in another region', () => {
    const { stack, vpc } = givenStack({ env: { region: 'eu-west-1' } });
    return new PrivateDatabase(stack, 'Db', { vpc, restoreFrom: DatabaseRestoreSource.fromSnapshot('arn:aws:rds:us-west-2:123456789012:snapshot:nightly') });
  },
  'TestStack/Db: invalid restoreFrom.snapshotIdentifier "arn:aws:rds:us-west-2:123456789012:snapshot:nightly": the snapshot is in us-west-2 and RDS restores a snapshot only in its own region; '
    + 'copy it to eu-west-1 first (aws rds copy-db-snapshot) and restore the copy'],
  ['database: point-in-time restore to a local time', () => database({ restoreFrom: DatabaseRestoreSource.fromPointInTime({ sourceInstanceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2', restoreTime: '2026-05-04T11:30:00+02:00' }) }),
    'TestStack/Db: invalid restoreFrom.restoreTime "2026-05-04T11:30:00+02:00": use a UTC time in ISO 8601 such as "2026-05-04T09:30:00Z", or leave it out for the latest restorable time'],
  // PrivateCache
  ['cache: too many replicas', () => cache({ replicas: 6 }), 'TestStack/Cache: invalid replicas 6: use a whole number from 0 to 5'],
  ['cache: node type without the cache. prefix', () => cache({ cacheNodeType: 't4g.small' }), 'TestStack/Cache: invalid cacheNodeType "t4g.small": use an ElastiCache node type such as "cache.t4g.small"'],
  ['cache: engine version not major.minor', () => cache({ engineVersion: 'latest' }), 'TestStack/Cache: invalid engineVersion "latest": use a major.minor version such as "8.0" (Valkey) or "7.1" (Redis)'],
  // CleanupJobScheduler
  ['job: empty command', () => job({ command: [] }), 'TestStack/Job: invalid command []: give at least one element'],
  ['job: cron with five fields', () => job({ schedule: events.Schedule.expression('cron(0 8 * * ?)') }), 'TestStack/Job: invalid schedule "cron(0 8 * * ?)": an EventBridge cron has six fields (minute hour day-of-month month day-of-week year); use events.Schedule.cron({ minute: "0", hour: "8" })'],
  ['job: cron without "?"', () => job({ schedule: events.Schedule.expression('cron(0 8 * * MON *)') }), 'TestStack/Job: invalid schedule "cron(0 8 * * MON *)": one of day-of-month or day-of-week must be "?"'],
  ['job: rate with a singular unit for many', () => job({ schedule: events.Schedule.expression('rate(5 minute)') }), 'TestStack/Job: invalid schedule "rate(5 minute)": use rate(1 minute) for one and rate(N minutes) for more, with N >= 1'],
  ['job: CPU/memory pair Fargate does not offer', () => job({ cpu: 512, memoryLimitMiB: 8192 }), 'TestStack/Job: invalid memoryLimitMiB 8192: with cpu 512, Fargate accepts 1024, 2048, 3072, 4096 MiB'],
  ['job: runtime guard longer than the period', () => job({ schedule: events.Schedule.rate(Duration.minutes(5)), maxRuntime: Duration.minutes(10) }), 'TestStack/Job: invalid maxRuntime "10 minutes": runs would pile up: keep it below the schedule period (5 minutes)'],
  // ScheduledApiCalls
  ['calls: no calls', () => calls({ calls: [] }), 'TestStack/Calls: invalid calls []: give at least one element'],
  ['calls: the API key header set by hand', () => calls({ calls: [{ id: 'ResetQueue', schedule: reset, path: '/reset', headers: { 'X-Api-Key': 'abc' } }] }),
    'TestStack/Calls: invalid calls[0].headers "X-Api-Key": the connection already sends x-api-key from Secrets Manager; drop it here, where its value would sit in the template in clear'],
  ['calls: API key header name with a space', () => calls({ apiKeyHeaderName: 'api key' }),
    'TestStack/Calls: invalid apiKeyHeaderName "api key": use an HTTP header name: letters, digits and hyphens (e.g. "x-api-key")'],
  ['calls: plain HTTP base URL', () => calls({ baseUrl: 'http://api.example.com' }), 'TestStack/Calls: invalid baseUrl "http://api.example.com": API destinations call HTTPS endpoints only; use a URL such as "https://api.example.com"'],
  ['calls: duplicate ids', () => calls({ calls: [{ id: 'Reset', schedule: reset, path: '/a' }, { id: 'Reset', schedule: reset, path: '/b' }] }), 'TestStack/Calls: invalid calls[].id "Reset": another entry already uses it; every entry must be unique, rename one of the duplicates'],
  ['calls: path without slash', () => calls({ calls: [{ id: 'Reset', schedule: reset, path: 'salons/reset-queue' }] }), 'TestStack/Calls: invalid calls[0].path "salons/reset-queue": use a path that starts with "/" and has no spaces (e.g. "/api/*")'],
  ['calls: id with a hyphen', () => calls({ calls: [{ id: 'reset-queue', schedule: reset, path: '/reset' }] }), 'TestStack/Calls: invalid calls[0].id "reset-queue": use letters and digits, starting with a letter (e.g. "ResetQueue")'],
  ['calls: rate limit of zero', () => calls({ rateLimitPerSecond: 0 }), 'TestStack/Calls: invalid rateLimitPerSecond 0: use a whole number from 1 to 300'],
  // InfraMonitoring
  ['monitoring: malformed e-mail', () => monitoring({ alarmEmails: ['ops@'] }), 'TestStack/Monitoring: invalid alarmEmails[0] "ops@": use an e-mail address such as "ops@example.com"'],
  ['monitoring: threshold of zero percent', () => monitoring({ thresholds: { target5xxPercent: 0 } }), 'TestStack/Monitoring: invalid thresholds.target5xxPercent 0: use a whole number from 1 to 100'],
  ['monitoring: deployment alarms without a service', () => monitoring({ deploymentAlarms: true }), 'TestStack/Monitoring: invalid deploymentAlarms true: deployment alarms need the service; pass service too'],
  // EcrToEcsPipeline
  ['pipeline: tag with a space', () => pipeline({ tag: 'bad tag' }), 'TestStack/Delivery: invalid tag "bad tag": use an ECR tag such as "latest" or "release" (letters, digits, _ . -; the sha256- prefix is reserved for recorded releases)'],
  ['pipeline: GitHub token instead of a connection ARN', () => pipeline({ source: { connectionArn: 'ghp_123', owner: 'acme', repo: 'api' } }), 'TestStack/Delivery: invalid source.connectionArn "ghp_123": use the ARN of a CodeStar connection, e.g. "arn:aws:codeconnections:eu-west-1:123456789012:connection/0123abcd-..."'],
  ['pipeline: migration command with migrations off', () => pipeline({ runMigrations: false, migrationCommand: ['npm', 'run', 'migrate'] }), 'TestStack/Delivery: invalid migrationCommand ["npm","run","migrate"]: runMigrations is false, so the command would never run; drop one of the two'],
  // BackendPlatform
  ['platform: empty environment name', () => platform({ environmentName: '' }), 'TestStack/Platform: invalid environmentName "": use 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit (e.g. "prod")'],
  ['platform: database and existing database', () => platform({ database: {}, existingDatabase: { securityGroupId: 'sg-1', hostParameterName: '/db/host' } }), 'TestStack/Platform: invalid existingDatabase "ExistingDatabaseAttributes": give either database (create one) or existingDatabase (adopt one), not both'],
  ['platform: malformed alarm e-mail', () => platform({ alarmEmails: ['ops.example.com'] }), 'TestStack/Platform: invalid alarmEmails[0] "ops.example.com": use an e-mail address such as "ops@example.com"'],
  ['platform: duplicate scheduled call ids', () => platform({
    scheduledApiCalls: [{ id: 'Reset', schedule: reset, path: '/a' }, { id: 'Reset', schedule: reset, path: '/b' }],
  }), 'TestStack/Platform: invalid scheduledApiCalls[].id "Reset": another entry already uses it; every entry must be unique, rename one of the duplicates'],
  ['platform: scheduled call path without slash', () => platform({ scheduledApiCalls: [{ id: 'Reset', schedule: reset, path: 'reset' }] }),
    'TestStack/Platform: invalid scheduledApiCalls[0].path "reset": use a path that starts with "/" and has no spaces (e.g. "/api/*")'],
  ['platform: a store the platform does not have', () => platform({ database: {}, service: { stores: [PlatformStore.CACHE] } }),
    'TestStack/Platform: invalid service.stores[0] "CACHE": the platform has no cache; add cache, or drop it from service.stores'],
  ['platform: a store connected twice', () => platform({ database: {}, cleanupJob: { command: ['node', 'c.js'], stores: [PlatformStore.DATABASE, PlatformStore.DATABASE] } }),
    'TestStack/Platform: invalid cleanupJob.stores "DATABASE": another entry already uses it; every entry must be unique, rename one of the duplicates'],
  ['platform: a worker naming a store the platform does not have', () => platform({}).addWorker('Mailer', { queue: {}, stores: [PlatformStore.DATABASE] }),
    'TestStack/Platform: invalid addWorker(\'Mailer\').stores[0] "DATABASE": the platform has no database; add database or existingDatabase, or drop it from addWorker(\'Mailer\').stores'],
  ['platform: a data bucket the platform does not have', () => platform({}).addWorker('Agents', { queue: {}, stores: [PlatformStore.DATA_BUCKET] }),
    'TestStack/Platform: invalid addWorker(\'Agents\').stores[0] "DATA_BUCKET": the platform has no data bucket; add dataBucket, or drop it from addWorker(\'Agents\').stores'],
  ['platform: a second web service without paths of its own', () => platform({}).addService('Admin', {}),
    'TestStack/Platform: invalid addService(\'Admin\').pathPatterns undefined: a service sharing TestStack/Platform/Service\'s edge answers only its own paths or host names (the other service answers the rest); give them, e.g. pathPatterns: [\'/admin/*\'] or aliases: [\'admin.example.com\']'],
  ['platform: a path rule two services claim', () => {
    const built = platform({});
    built.addService('Admin', { pathPatterns: ['/admin/*'] });
    built.addService('Backoffice', { pathPatterns: ['/reports/*', '/admin/*'] });
  }, 'TestStack/Platform: invalid addService(\'Backoffice\').pathPatterns[1] "/admin/*": TestStack/Platform addService(\'Admin\').pathPatterns[0] already routes this path; each path goes to one container, so drop it from one of the two'],
  ['platform: a path a service routes first would never reach the other', () => platform({
    service: { routedContainers: [{ name: 'api', containerPort: 3001, pathPatterns: ['/api/*'] }] },
  }).addService('Admin', { pathPatterns: ['/api/admin/*'] }), 'TestStack/Platform: invalid addService(\'Admin\').pathPatterns[0] "/api/admin/*": TestStack/Platform service.routedContainers[0].pathPatterns[0] routes "/api/*", '
    + 'which the load balancer evaluates first and which takes every request of this pattern, so it would never be reached; drop it, or narrow the other pattern'],
  ['platform: a second web service naming a container it does not have', () => platform({ database: {} }).addService('Admin', { pathPatterns: ['/admin/*'], connectedContainers: ['backend'] }),
    'TestStack/Platform: invalid addService(\'Admin\').connectedContainers[0] "backend": the task has no container of that name; use one of "app" (app is the main container)'],
  ['platform: a connected container that does not exist', () => platform({ database: {}, service: { connectedContainers: ['backend'] } }),
    'TestStack/Platform: invalid service.connectedContainers[0] "backend": the task has no container of that name; use one of "app" (app is the main container)'],
  ['platform: database restore with a database name of its own', () => platform({ database: { restoreFrom: DatabaseRestoreSource.fromSnapshot('before-migration'), databaseName: 'salons' } }),
    'TestStack/Platform: invalid database.databaseName "salons": a restored database keeps the snapshot\'s databases and creates none; drop database.databaseName, and name the one the services connect to in database.restoreFrom: '
    + 'DatabaseRestoreSource.fromSnapshot(snapshot, { databaseName: "salons" })'],
  ['platform: point-in-time restore from an instance name instead of its resource ID', () => platform({ database: { restoreFrom: DatabaseRestoreSource.fromPointInTime({ sourceInstanceResourceId: 'prod-db' }) } }),
    'TestStack/Platform: invalid database.restoreFrom.sourceInstanceResourceId "prod-db": give the resource ID of the source DB instance, "db-" and 26 upper-case letters and digits, not its name '
    + '(the console\'s "Resource ID", or aws rds describe-db-instances --query "DBInstances[].[DBInstanceIdentifier,DbiResourceId]")'],
  ['pipeline: a worker from another repository', () => {
    const service = web({});
    const other = ecr.Repository.fromRepositoryName(Stack.of(service), 'Other', 'reports');
    const mailer = new WorkerService(Stack.of(service), 'Mailer', { cluster: service.cluster, environmentName: 'prod', image: ServiceImage.fromEcrRepository(other), queue: {} });
    return new EcrToEcsPipeline(Stack.of(service), 'Delivery', { service, additionalServices: [mailer] });
  }, 'TestStack/Delivery: invalid additionalServices[0] "TestStack/Mailer": no container of it runs an image of the pipeline\'s repository: '
    + 'give it ServiceImage.fromEcrRepository(pipeline.repository), or deploy it with a pipeline of its own repository'],
  ['platform: a migration command, the database connected to a container whose image is not from ECR', () => platform({
    database: {},
    pipeline: { migrationCommand: ['npm', 'run', 'migrate'] },
    service: {
      routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'], image: ServiceImage.placeholder() }],
      connectedContainers: ['api'],
    },
  }), 'TestStack/Platform: invalid pipeline.migrationCommand ["npm","run","migrate"]: migrations run in the container that receives the database ("api"), '
    + 'whose image is not from ECR, so no pipeline can run them; give that container ServiceImage.fromEcrRepository, or drop the option'],
  ['platform: a topic name with a space', () => platform({ service: { publishes: ['order events'] } }),
    'TestStack/Platform: invalid service.publishes[0] "order events": use 1-64 letters, digits, hyphens or underscores, starting with a letter (e.g. "orders")'],
  ['platform: publishes as a string from plain JavaScript', () => platform({ service: { publishes: 'orders' as any } }),
    'TestStack/Platform: invalid service.publishes "orders": expected an array of strings (e.g. ["orders"])'],
  ['platform: a subscription without its topic, from plain JavaScript', () => platform({}).addWorker('Mailer', { queue: {}, subscriptions: [{} as any] }),
    'TestStack/Platform: invalid addWorker(\'Mailer\').subscriptions[0].topic undefined: it is required; give a string'],
  ['platform: a subscription to a topic nobody publishes', () => {
    const built = platform({});
    built.addWorker('Mailer', { queue: {}, subscriptions: [{ topic: 'orders' }] });
    return Template.fromStack(Stack.of(built));
  }, 'TestStack/Platform: invalid addWorker(\'Mailer\').subscriptions[0].topic "orders": no workload of the platform publishes this topic; add publishes: [\'orders\'] to the one that does, or subscribe your own topic with worker.subscribe(topic)'],
  ['platform: pipeline options with the pipeline off', () => platform({ pipeline: { enabled: false, manualApproval: true } }), 'TestStack/Platform: invalid pipeline.enabled false: the other pipeline options would be ignored; drop them or enable the pipeline'],
];

test('the matrix has at least 30 cases across all constructs', () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
});

test.each(cases)('%s', (_name, build, message) => {
  expect(synthesized(build)).toThrow(new Error(message));
});

describe('a VPC without the subnets a construct needs fails at synth naming vpc, not at deploy', () => {
  const oneZone = (stack: Stack) => new ec2.Vpc(stack, 'OneZone', { availabilityZones: ['eu-west-1a'] });
  const tiers = (...types: ec2.SubnetType[]) => (stack: Stack) => new ec2.Vpc(stack, 'Tiers', {
    natGateways: types.includes(ec2.SubnetType.PRIVATE_WITH_EGRESS) ? 1 : 0,
    subnetConfiguration: types.map(subnetType => ({ name: subnetType, subnetType })),
  });
  const { PUBLIC, PRIVATE_WITH_EGRESS, PRIVATE_ISOLATED } = ec2.SubnetType;

  test.each([
    ['public load balancer: no public subnets', () => web({ edgeMode: EdgeMode.PUBLIC_ALB }, tiers(PRIVATE_ISOLATED)),
      'TestStack/Web: invalid vpc "TestStack/Tiers": ec2.SubnetType.PUBLIC subnets are needed for the internet-facing load balancer; give a VPC with a subnet group of that type'],
    ['internal load balancer in one zone', () => web({}, oneZone),
      'TestStack/Web: invalid vpc "TestStack/OneZone": ec2.SubnetType.PRIVATE_WITH_EGRESS subnets in at least 2 availability zones are needed for the internal load balancer; '
      + 'this VPC has them in 1, raise maxAzs'],
    ['public load balancer in one zone', () => web({ edgeMode: EdgeMode.PUBLIC_ALB }, oneZone),
      'TestStack/Web: invalid vpc "TestStack/OneZone": ec2.SubnetType.PUBLIC subnets in at least 2 availability zones are needed for the internet-facing load balancer; '
      + 'this VPC has them in 1, raise maxAzs'],
    ['service: no subnets with egress', () => web({}, tiers(PUBLIC, PRIVATE_ISOLATED)),
      'TestStack/Web: invalid vpc "TestStack/Tiers": ec2.SubnetType.PRIVATE_WITH_EGRESS subnets are needed for the internal load balancer; give a VPC with a subnet group of that type'],
    ['public load balancer: no subnets with egress for the tasks', () => web({ edgeMode: EdgeMode.PUBLIC_ALB }, tiers(PUBLIC, PRIVATE_ISOLATED)),
      'TestStack/Web: invalid vpc "TestStack/Tiers": ec2.SubnetType.PRIVATE_WITH_EGRESS subnets are needed for the tasks (they pull images and reach AWS APIs through NAT); '
      + 'give a VPC with a subnet group of that type'],
    ['job: no subnets with egress', () => job({}, tiers(PUBLIC, PRIVATE_ISOLATED)),
      'TestStack/Job: invalid vpc "TestStack/Tiers": ec2.SubnetType.PRIVATE_WITH_EGRESS subnets are needed for the job (it pulls its image through NAT); '
      + 'give a VPC with a subnet group of that type'],
    ['database: one zone', () => database({}, oneZone),
      'TestStack/Db: invalid vpc "TestStack/OneZone": ec2.SubnetType.PRIVATE_WITH_EGRESS subnets in at least 2 availability zones are needed for an RDS subnet group; '
      + 'this VPC has them in 1, raise maxAzs'],
    ['cache with a replica: one zone', () => cache({}, oneZone),
      'TestStack/Cache: invalid vpc "TestStack/OneZone": ec2.SubnetType.PRIVATE_WITH_EGRESS subnets in at least 2 availability zones are needed for a cache with failover; '
      + 'this VPC has them in 1, raise maxAzs'],
    ['single-node cache: no private subnets', () => cache({ replicas: 0 }, tiers(PUBLIC)),
      'TestStack/Cache: invalid vpc "TestStack/Tiers": ec2.SubnetType.PRIVATE_WITH_EGRESS subnets are needed for the cache; give a VPC with a subnet group of that type'],
  ] as Array<[string, () => unknown, string]>)('%s', (_name, build, message) => {
    expect(build).toThrow(new Error(message));
  });

  test('a single-node cache fits in one zone, and data stores use isolated subnets when there are some', () => {
    expect(() => cache({ replicas: 0 }, oneZone)).not.toThrow();
    expect(() => database({}, tiers(PUBLIC, PRIVATE_WITH_EGRESS, PRIVATE_ISOLATED))).not.toThrow();
  });
});

describe('tokens are never rejected', () => {
  const token = <T>(value: T) => Lazy.any({ produce: () => value }) as unknown as T;
  test.each([
    ['service environment name and capacities', () => web({ environmentName: Lazy.string({ produce: () => 'prod' }), minCapacity: token(5), maxCapacity: token(2) })],
    ['database storage', () => database({ allocatedStorageGiB: token(50), maxAllocatedStorageGiB: token(30) })],
    ['scheduled calls base URL', () => calls({ baseUrl: Lazy.string({ produce: () => 'http://not-checked' }) })],
    ['pipeline tag', () => pipeline({ tag: Lazy.string({ produce: () => 'bad tag' }) })],
  ] as Array<[string, () => unknown]>)('%s', (_name, build) => {
    expect(build).not.toThrow();
  });
});
