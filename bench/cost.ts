/**
 * Monthly cost of a synthesized template from list prices (bench/prices.json; the observability prices in
 * bench/observability-prices.ts). It counts what runs all month (NAT gateways, ALBs, public IPv4, minimum Fargate tasks,
 * database and cache nodes, keys, secrets, alarms, dashboards) plus scheduled Fargate runs at one billed minute each,
 * and AMP ingestion of the collectors' scrapes at an assumed series count per task. `estimateObservabilityCost` prices
 * each observability option of a template on its own (AMP, X-Ray at an assumed request rate, Container Insights).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  AMP_ASSUMED_SERIES_PER_TASK, AMP_FIRST_TIER_SAMPLES, AMP_SAMPLE_INGESTED_FIRST_TIER_USD,
  XRAY_ASSUMED_REQUESTS_PER_SECOND_PER_TASK, XRAY_ASSUMED_SCANS_PER_TRACE, XRAY_TRACE_RECORDED_USD, XRAY_TRACE_RETRIEVED_OR_SCANNED_USD,
} from './observability-prices';

export const prices = JSON.parse(fs.readFileSync(path.join(__dirname, 'prices.json'), 'utf8'));
const H = prices.hoursPerMonth;

export interface CostLine { readonly item: string; readonly monthlyUsd: number }

type Resources = { [id: string]: { Type: string; Properties: any } };
type Entries = Array<[string, { Type: string; Properties: any }]>;

export function estimateMonthlyCost(template: { Resources: Resources }): CostLine[] {
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const lines: CostLine[] = [];
  const add = (item: string, monthlyUsd: number) => { if (monthlyUsd > 0) lines.push({ item, monthlyUsd }); };

  const nats = ofType('AWS::EC2::NatGateway').length;
  add(`${nats} NAT gateway(s) + their public IPv4`, nats * (prices.natGatewayHour + prices.publicIpv4Hour) * H);
  for (const [, lb] of ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const azs = (lb.Properties.Subnets ?? lb.Properties.SubnetMappings ?? []).length;
    // An internal ALB (behind a CloudFront VPC origin) has private addresses only; VPC origins themselves are free.
    const publicIps = lb.Properties.Scheme === 'internal' ? 0 : azs;
    add(`ALB (${azs} AZs, ${publicIps ? 'public IPv4 each' : 'internal, no public IPv4'})`, (prices.albHour + publicIps * prices.publicIpv4Hour) * H);
  }
  for (const [, instance] of ofType('AWS::EC2::Instance')) {
    const p = instance.Properties;
    const disk = (p.BlockDeviceMappings ?? []).reduce((n: number, m: any) => n + (m.Ebs?.VolumeSize ?? 8), 0) || 8;
    add(`EC2 ${p.InstanceType} (${disk} GiB gp3, public IPv4)`, ((prices.ec2InstanceHour[p.InstanceType] ?? NaN) + prices.publicIpv4Hour) * H + disk * prices.ebsGp3GbMonth);
  }
  const endpoints = ofType('AWS::EC2::VPCEndpoint').filter(([, r]) => r.Properties.VpcEndpointType === 'Interface');
  for (const [, e] of endpoints) add('interface endpoint', (e.Properties.SubnetIds?.length ?? 1) * prices.interfaceEndpointAzHour * H);

  for (const [id, service] of ofType('AWS::ECS::Service')) {
    const taskDefinition = taskDefinitionOf(resources, service);
    const tasks = minimumTasks(resources, id, service);
    const strategy: any[] = service.Properties.CapacityProviderStrategy ?? [];
    const onDemand = strategy.some(s => s.CapacityProvider === 'FARGATE_SPOT') ? Math.min(tasks, strategy.find(s => s.CapacityProvider === 'FARGATE')?.Base ?? 0) : tasks;
    const spot = tasks - onDemand;
    if (taskDefinition) {
      add(`Fargate ${id}: ${onDemand} on-demand + ${spot} Spot task(s) of ${describeTask(taskDefinition)}`,
        (onDemand + spot * (1 - prices.fargate.spotDiscount)) * taskHour(taskDefinition) * H);
      const amp = ampIngestion(id, taskDefinition, tasks);
      if (amp?.monthlyUsd !== undefined) add(amp.item, amp.monthlyUsd);
    }
  }
  for (const [, rule] of ofType('AWS::Events::Rule')) {
    for (const target of rule.Properties.Targets ?? []) {
      if (!target.EcsParameters) continue;
      const taskDefinition = resources.find(([tid]) => tid === target.EcsParameters.TaskDefinitionArn?.Ref)?.[1];
      const runs = runsPerMonth(rule.Properties.ScheduleExpression);
      const spot = JSON.stringify(target.EcsParameters.CapacityProviderStrategy ?? []).includes('FARGATE_SPOT');
      const discount = spot ? 1 - prices.fargate.spotDiscount : 1;
      const price = runs * prices.scheduledTaskMinutesPerRun / 60 * taskHour(taskDefinition ?? { Properties: {} }) * discount;
      if (taskDefinition && runs) add(`scheduled Fargate task ${describeTask(taskDefinition)}, ${runs} runs${spot ? ' on Spot' : ''}`, price);
    }
  }
  for (const [id, db] of ofType('AWS::RDS::DBInstance')) {
    const p = db.Properties;
    const factor = p.MultiAZ ? 2 : 1;
    add(`RDS ${p.DBInstanceClass}${p.MultiAZ ? ' multi-AZ' : ''} (${id})`, (prices.rdsPostgresHour[p.DBInstanceClass] ?? NaN) * factor * H);
    add(`RDS gp3 ${p.AllocatedStorage} GiB${p.MultiAZ ? ' x2' : ''}`, Number(p.AllocatedStorage) * prices.rdsGp3GbMonth * factor);
  }
  for (const [, group] of ofType('AWS::ElastiCache::ReplicationGroup')) {
    const p = group.Properties;
    add(`ElastiCache ${p.Engine} ${p.NumCacheClusters} x ${p.CacheNodeType}`, p.NumCacheClusters * (prices.elasticacheNodeHour[p.Engine]?.[p.CacheNodeType] ?? NaN) * H);
  }
  for (const [, selection] of ofType('AWS::Backup::BackupSelection')) {
    // Snapshots are incremental: the floor is one full copy of each selected instance's storage; changed blocks add to it.
    const selected = JSON.stringify(selection.Properties.BackupSelection.Resources ?? []);
    const gib = ofType('AWS::RDS::DBInstance').filter(([id]) => selected.includes(`"${id}"`)).reduce((n, [, db]) => n + Number(db.Properties.AllocatedStorage), 0);
    const plan = resources.find(([id]) => JSON.stringify(selection.Properties.BackupPlanId).includes(`"${id}"`))?.[1];
    const copied = JSON.stringify(plan?.Properties ?? {}).includes('CopyActions');
    add(`AWS Backup: RDS snapshots of ${gib} GiB (one full copy; changed blocks extra)${copied ? ', x2 with the cross-region copy' : ''}`,
      gib * prices.backupRdsSnapshotGbMonth * (copied ? 2 : 1));
  }
  add(`${ofType('AWS::KMS::Key').length} KMS keys`, ofType('AWS::KMS::Key').length * prices.kmsKeyMonth);
  add(`${ofType('AWS::SecretsManager::Secret').length} secrets`, ofType('AWS::SecretsManager::Secret').length * prices.secretMonth);
  const alarmMetrics = ofType('AWS::CloudWatch::Alarm').reduce((n, [, a]) => n + (a.Properties.Metrics?.filter((m: any) => m.MetricStat).length || 1), 0);
  add(`${ofType('AWS::CloudWatch::Alarm').length} alarms (${alarmMetrics} metrics)`, alarmMetrics * prices.alarmMetricMonth);
  add(`${ofType('AWS::CloudWatch::Dashboard').length} dashboard(s)`, ofType('AWS::CloudWatch::Dashboard').length * prices.dashboardMonth);
  return lines;
}

/** One observability option of one workload or cluster; `monthlyUsd` is undefined where the price is unknown. */
export interface ObservabilityCostLine { readonly option: string; readonly item: string; readonly monthlyUsd: number | undefined }

const SECONDS_PER_MONTH = 30 * 24 * 3600;

/**
 * Each observability option a template turns on, priced alone: AMP ingestion per workload that scrapes metrics (at
 * AMP_ASSUMED_SERIES_PER_TASK series per task), X-Ray per workload that traces (at XRAY_ASSUMED_REQUESTS_PER_SECOND_PER_TASK
 * requests per task, each a trace, sampled as the main container's OTEL_TRACES_SAMPLER says, by default every one), and
 * Container Insights per cluster (standard or enhanced, from its ClusterSettings). Minimum task counts; free tiers
 * (per account) not deducted.
 */
export function estimateObservabilityCost(template: { Resources: Resources }): ObservabilityCostLine[] {
  const resources = Object.entries(template.Resources);
  const lines: ObservabilityCostLine[] = [];
  const services = resources.filter(([, r]) => r.Type === 'AWS::ECS::Service');
  for (const [id, service] of services) {
    const taskDefinition = taskDefinitionOf(resources, service);
    if (!taskDefinition) continue;
    const tasks = minimumTasks(resources, id, service);
    const amp = ampIngestion(id, taskDefinition, tasks);
    if (amp) lines.push({ option: 'AMP ingestion', ...amp });
    if (collectorConfig(taskDefinition).includes('awsxray')) {
      const sampling = traceSampling(taskDefinition);
      const requests = XRAY_ASSUMED_REQUESTS_PER_SECOND_PER_TASK * tasks * SECONDS_PER_MONTH;
      const traces = sampling.ratio === undefined ? undefined : requests * sampling.ratio;
      const recorded = traces === undefined ? undefined : traces * XRAY_TRACE_RECORDED_USD;
      const scanned = traces === undefined ? undefined : traces * XRAY_ASSUMED_SCANS_PER_TRACE * XRAY_TRACE_RETRIEVED_OR_SCANNED_USD;
      const volume = traces === undefined ? 'traces unknown' : `${(traces / 1e6).toFixed(2)} M traces`;
      lines.push({
        option: 'X-Ray tracing',
        item: `X-Ray ${id}: ${XRAY_ASSUMED_REQUESTS_PER_SECOND_PER_TASK} requests/s per task (assumed) x ${tasks} task(s), sampler ${sampling.name}, ${volume}, recorded`,
        monthlyUsd: recorded,
      });
      lines.push({
        option: 'X-Ray tracing',
        item: `X-Ray ${id}: the same traces scanned ${XRAY_ASSUMED_SCANS_PER_TRACE} time(s) each (assumed)`,
        monthlyUsd: scanned,
      });
    }
  }
  for (const [id, cluster] of resources.filter(([, r]) => r.Type === 'AWS::ECS::Cluster')) {
    const setting = (cluster.Properties.ClusterSettings ?? []).find((s: any) => s.Name === 'containerInsights')?.Value;
    if (setting !== 'enabled' && setting !== 'enhanced') continue;
    const own = services.filter(([, s]) => JSON.stringify(s.Properties.Cluster ?? '').includes(`"${id}"`));
    const tasks = own.reduce((n, [sid, s]) => n + minimumTasks(resources, sid, s), 0);
    const scope = `cluster ${id}: ${own.length} service(s), ${tasks} task(s) at minimum`;
    // No figure: the rates were not in a stored AWS page (CONTAINER_INSIGHTS_*_USD in observability-prices.ts are
    // undefined), and the template holds no count of observations or metrics to multiply one by.
    lines.push(setting === 'enhanced'
      ? { option: 'Container Insights enhanced', item: `Container Insights with enhanced observability, ${scope}; billed per observation, tiered`, monthlyUsd: undefined }
      : { option: 'Container Insights standard', item: `Container Insights, ${scope}; billed as custom metrics per cluster, service and task family`, monthlyUsd: undefined });
  }
  return lines;
}

/** AMP ingestion of one workload's collector, if it scrapes: samples = series x tasks x scrapes a month, first tier only. */
function ampIngestion(id: string, taskDefinition: { Properties: any }, tasks: number): { item: string; monthlyUsd: number | undefined } | undefined {
  const interval = scrapeIntervalSeconds(taskDefinition);
  if (!interval) return undefined;
  const samples = AMP_ASSUMED_SERIES_PER_TASK * tasks * (SECONDS_PER_MONTH / interval);
  return {
    item: `AMP ingestion ${id}: ${AMP_ASSUMED_SERIES_PER_TASK} series (assumed) x ${tasks} task(s) every ${interval} s, ${(samples / 1e6).toFixed(1)} M samples`,
    // Past the first tier the rate was not in a stored AWS page: no figure rather than the first tier's.
    monthlyUsd: samples <= AMP_FIRST_TIER_SAMPLES ? samples * AMP_SAMPLE_INGESTED_FIRST_TIER_USD : undefined,
  };
}

/** The trace sampling ratio of the main container's OpenTelemetry SDK, from OTEL_TRACES_SAMPLER(_ARG); the SDK's default is every trace. */
function traceSampling(taskDefinition: { Properties: any }): { name: string; ratio: number | undefined } {
  const env = (taskDefinition.Properties.ContainerDefinitions ?? []).flatMap((c: any) => c.Environment ?? []);
  const value = (name: string) => env.find((e: any) => e.Name === name)?.Value;
  const sampler = value('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  const arg = value('OTEL_TRACES_SAMPLER_ARG');
  if (/^(parentbased_)?always_on$/.test(sampler)) return { name: `${sampler}${value('OTEL_TRACES_SAMPLER') ? '' : ' (SDK default)'}, every trace`, ratio: 1 };
  if (/^(parentbased_)?always_off$/.test(sampler)) return { name: sampler, ratio: 0 };
  if (/^(parentbased_)?traceidratio$/.test(sampler)) {
    const ratio = arg === undefined ? 1 : Number(arg);
    return { name: `${sampler} ${ratio}`, ratio: Number.isFinite(ratio) ? ratio : undefined };
  }
  // X-Ray's centralized sampling, a remote sampler: its rules live in the account, not the template.
  return { name: sampler, ratio: undefined };
}

/** A service names its task definition by Ref, or by family when it follows the newest revision (docs/adr/0008). */
function taskDefinitionOf(resources: Entries, service: { Properties: any }): { Properties: any } | undefined {
  const reference = service.Properties.TaskDefinition;
  return resources.find(([tid, r]) => r.Type === 'AWS::ECS::TaskDefinition'
    && (tid === reference?.Ref || (typeof reference === 'string' && r.Properties.Family === reference)))?.[1];
}

/** The tasks a service runs at least: its scaling target's minimum, else its desired count. */
function minimumTasks(resources: Entries, id: string, service: { Properties: any }): number {
  const target = resources.filter(([, r]) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget')
    .find(([, t]) => JSON.stringify(t.Properties.ResourceId).includes(id))?.[1];
  return target?.Properties.MinCapacity ?? service.Properties.DesiredCount ?? 1;
}

function collectorConfig(taskDefinition: { Properties: any }): string {
  const collector = (taskDefinition.Properties.ContainerDefinitions ?? []).find((c: any) => c.Name === 'otel_collector');
  return JSON.stringify(collector?.Environment ?? []);
}

function taskHour(taskDefinition: { Properties: any }): number {
  const p = taskDefinition.Properties;
  const arch = p.RuntimePlatform?.CpuArchitecture === 'ARM64' ? 'ARM64' : 'X86_64';
  return Number(p.Cpu) / 1024 * prices.fargate[arch].vcpuHour + Number(p.Memory) / 1024 * prices.fargate[arch].gbHour;
}

/** The scrape interval of a task's collector sidecar (its configuration in AOT_CONFIG_CONTENT), if it scrapes Prometheus metrics. */
function scrapeIntervalSeconds(taskDefinition: { Properties: any }): number | undefined {
  const match = /scrape_interval\\*":\\*"(\d+)s/.exec(collectorConfig(taskDefinition));
  return match ? Number(match[1]) : undefined;
}

function describeTask(taskDefinition: { Properties: any }): string {
  return `${Number(taskDefinition.Properties.Cpu) / 1024} vCPU / ${Number(taskDefinition.Properties.Memory) / 1024} GiB`;
}

/** Runs per 30-day month of a rate or simple daily cron expression. */
function runsPerMonth(expression: string | undefined): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression ?? '');
  if (rate) return 30 * 24 * 60 / (Number(rate[1]) * { minute: 1, hour: 60, day: 1440 }[rate[2] as 'minute' | 'hour' | 'day']);
  return /^cron\(/.test(expression ?? '') ? 30 : 0;
}
