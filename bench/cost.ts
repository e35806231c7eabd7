/**
 * Monthly cost of a synthesized template from list prices (bench/prices.json). It counts what runs all month
 * (NAT gateways, ALBs, public IPv4, minimum Fargate tasks, database and cache nodes, keys, secrets, alarms,
 * dashboards) plus scheduled Fargate runs at one billed minute each, and AMP ingestion of the collectors' scrapes
 * at an assumed series count per task; traffic-dependent charges (X-Ray traces, Container Insights observations) are excluded.
 */
import * as fs from 'fs';
import * as path from 'path';

export const prices = JSON.parse(fs.readFileSync(path.join(__dirname, 'prices.json'), 'utf8'));
const H = prices.hoursPerMonth;

export interface CostLine { readonly item: string; readonly monthlyUsd: number }

type Resources = { [id: string]: { Type: string; Properties: any } };

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
    // A service names its task definition by Ref, or by family when it follows the newest revision (docs/adr/0008).
    const reference = service.Properties.TaskDefinition;
    const taskDefinition = resources.find(([tid, r]) => r.Type === 'AWS::ECS::TaskDefinition'
      && (tid === reference?.Ref || (typeof reference === 'string' && r.Properties.Family === reference)))?.[1];
    const target = ofType('AWS::ApplicationAutoScaling::ScalableTarget').find(([, t]) => JSON.stringify(t.Properties.ResourceId).includes(id))?.[1];
    const tasks = target?.Properties.MinCapacity ?? service.Properties.DesiredCount ?? 1;
    const strategy: any[] = service.Properties.CapacityProviderStrategy ?? [];
    const onDemand = strategy.some(s => s.CapacityProvider === 'FARGATE_SPOT') ? Math.min(tasks, strategy.find(s => s.CapacityProvider === 'FARGATE')?.Base ?? 0) : tasks;
    const spot = tasks - onDemand;
    if (taskDefinition) {
      add(`Fargate ${id}: ${onDemand} on-demand + ${spot} Spot task(s) of ${describeTask(taskDefinition)}`,
        (onDemand + spot * (1 - prices.fargate.spotDiscount)) * taskHour(taskDefinition) * H);
      const interval = scrapeIntervalSeconds(taskDefinition);
      if (interval) {
        const samples = prices.ampAssumedSeriesPerTask * tasks * (30 * 24 * 3600 / interval);
        add(`AMP ingestion ${id}: ${prices.ampAssumedSeriesPerTask} series (assumed) x ${tasks} task(s) every ${interval} s, ${(samples / 1e6).toFixed(1)} M samples`,
          samples * prices.ampSampleIngested);
      }
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

function taskHour(taskDefinition: { Properties: any }): number {
  const p = taskDefinition.Properties;
  const arch = p.RuntimePlatform?.CpuArchitecture === 'ARM64' ? 'ARM64' : 'X86_64';
  return Number(p.Cpu) / 1024 * prices.fargate[arch].vcpuHour + Number(p.Memory) / 1024 * prices.fargate[arch].gbHour;
}

/** The scrape interval of a task's collector sidecar (its configuration in AOT_CONFIG_CONTENT), if it scrapes Prometheus metrics. */
function scrapeIntervalSeconds(taskDefinition: { Properties: any }): number | undefined {
  const collector = (taskDefinition.Properties.ContainerDefinitions ?? []).find((c: any) => c.Name === 'otel_collector');
  const config = JSON.stringify(collector?.Environment ?? []);
  const match = /scrape_interval\\*":\\*"(\d+)s/.exec(config);
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
