import { AwsCli } from '../aws';
import { Platform, requireWorkload, Workload } from '../platform';
import { Verb, VerbContext } from '../verb';
import { clusterName, describeTaskDefinition, revisionOf } from './common';

export const statusVerb: Verb = {
  name: 'status',
  summary: 'deployments, running/desired tasks, target health and alarms in ALARM (every workload without a name)',
  usage: '[<workload>]',
  description: [
    'Without a workload, lists the platform\'s workloads with their running and desired tasks.',
    'With one: its task definition, tasks, ECS Exec, deployments (rollout state), the health of each target of its target groups, its alarms in ALARM (rollback alarms and alarms on its service, target groups, queue or schedule) and its latest service events.',
  ],
  needs: ['IAM: cloudformation:DescribeStacks, cloudformation:ListStackResources, ecs:DescribeServices, ecs:DescribeTaskDefinition, ssm:GetParameters, events:ListTargetsByRule, events:DescribeRule, elasticloadbalancing:DescribeTargetHealth, cloudwatch:DescribeAlarms', 'the AWS CLI (v1 or v2)'],
  options: [],
  usesAws: true,
  async run(context: VerbContext): Promise<number> {
    const platform = await context.platform();
    const name = context.args.positionals[0];
    if (name === undefined) {
      listWorkloads(context, platform);
      return 0;
    }
    const workload = requireWorkload(platform, name, 'status');
    await (workload.kind === 'service' ? serviceStatus(context, workload) : jobStatus(context, workload));
    return 0;
  },
};

function listWorkloads(context: VerbContext, platform: Platform): void {
  const { io } = context;
  io.out(`stack ${platform.stackName}: ${platform.workloads.length} workloads`);
  for (const w of platform.workloads) {
    const detail = w.kind === 'service'
      ? `${w.service.runningCount ?? 0}/${w.service.desiredCount ?? 0} tasks running  ${revisionOf(w.taskDefinition)}`
      : `schedule ${w.ruleName}  ${revisionOf(w.taskDefinition)}`;
    io.out(`  ${w.name.padEnd(20)} ${w.kind.padEnd(8)} ${detail}`);
  }
}

async function serviceStatus(context: VerbContext, workload: Workload): Promise<void> {
  const { io } = context;
  const aws = context.aws();
  const service = workload.service;
  const targetGroups: string[] = [...new Set<string>((service.loadBalancers ?? []).map((lb: any) => lb.targetGroupArn).filter(Boolean))];
  const [health, taskDefinition] = await Promise.all([
    Promise.all(targetGroups.map(arn => aws.call('elbv2', 'describe-target-health', ['--target-group-arn', arn]))),
    describeTaskDefinition(aws, workload),
  ]);
  const queues = (taskDefinition.containerDefinitions ?? []).flatMap((c: any) => (c.environment ?? []).filter((e: any) => e.name === 'QUEUE_URL').map((e: any) => String(e.value).split('/').pop()));
  const alarms = await alarmsInAlarm(aws, {
    names: service.deploymentConfiguration?.alarms?.alarmNames ?? [],
    dimensions: [service.serviceName, ...targetGroups.map(arn => arn.slice(arn.indexOf('targetgroup/'))), ...queues],
  });

  io.out(`${workload.name} (service ${service.serviceName}, cluster ${clusterName(workload.cluster)}, stack ${workload.stack})`);
  io.out(`  task definition  ${revisionOf(service.taskDefinition)}`);
  io.out(`  tasks            ${service.runningCount ?? 0} running / ${service.desiredCount ?? 0} desired (${service.pendingCount ?? 0} pending)`);
  io.out(`  ECS Exec         ${service.enableExecuteCommand ? 'on' : 'off'}`);
  io.out('  deployments');
  for (const d of service.deployments ?? []) {
    io.out(`    ${String(d.status).padEnd(8)} ${revisionOf(d.taskDefinition).padEnd(24)} ${d.rolloutState ?? ''} ${d.runningCount ?? 0}/${d.desiredCount ?? 0} running`
      + `${d.failedTasks ? `, ${d.failedTasks} failed` : ''}${d.updatedAt ? `, updated ${time(d.updatedAt)}` : ''}`);
  }
  targetGroups.forEach((arn, i) => {
    io.out(`  target health    ${arn.slice(arn.indexOf('targetgroup/'))}`);
    const targets = health[i].TargetHealthDescriptions ?? [];
    if (targets.length === 0) io.out('    no targets registered');
    for (const t of targets) {
      const reason = t.TargetHealth?.Reason ? ` (${t.TargetHealth.Reason}${t.TargetHealth.Description ? `: ${t.TargetHealth.Description}` : ''})` : '';
      io.out(`    ${t.Target.Id}:${t.Target.Port ?? ''}  ${t.TargetHealth?.State ?? 'unknown'}${reason}`);
    }
  });
  printAlarms(context, alarms);
  const events = (service.events ?? []).slice(0, 3);
  if (events.length) io.out('  latest events');
  for (const event of events) io.out(`    ${time(event.createdAt)} ${event.message}`);
}

async function jobStatus(context: VerbContext, workload: Workload): Promise<void> {
  const { io } = context;
  const aws = context.aws();
  const [rule, taskDefinition] = await Promise.all([
    aws.call('events', 'describe-rule', ['--name', workload.ruleName!]),
    describeTaskDefinition(aws, workload),
  ]);
  const alarms = await alarmsInAlarm(aws, { names: [], dimensions: [workload.ruleName!, taskDefinition.family] });
  io.out(`${workload.name} (scheduled job, rule ${workload.ruleName}, cluster ${clusterName(workload.cluster)}, stack ${workload.stack})`);
  io.out(`  schedule         ${rule.ScheduleExpression ?? rule.EventPattern ?? ''} (${rule.State})`);
  io.out(`  task definition  ${taskDefinition.family}:${taskDefinition.revision} (newest ACTIVE revision: what the schedule runs)`);
  printAlarms(context, alarms);
}

/** Alarms in ALARM that are the workload's: named (its rollback alarms) or watching one of its dimension values. */
async function alarmsInAlarm(aws: AwsCli, of: { names: string[]; dimensions: string[] }): Promise<any[]> {
  const result = await aws.call('cloudwatch', 'describe-alarms', ['--state-value', 'ALARM']);
  const all = [...(result.MetricAlarms ?? []), ...(result.CompositeAlarms ?? [])];
  const values = new Set(of.dimensions.filter(Boolean));
  const dimensionsOf = (alarm: any) => [
    ...(alarm.Dimensions ?? []),
    ...(alarm.Metrics ?? []).flatMap((m: any) => m.MetricStat?.Metric?.Dimensions ?? []),
  ];
  return all.filter(alarm => of.names.includes(alarm.AlarmName) || dimensionsOf(alarm).some((d: any) => values.has(d.Value)));
}

function printAlarms(context: VerbContext, alarms: any[]): void {
  context.io.out(`  alarms in ALARM  ${alarms.length === 0 ? 'none' : ''}`.trimEnd());
  for (const alarm of alarms) context.io.out(`    ${alarm.AlarmName}: ${alarm.StateReason ?? ''}`);
}

/** ECS and the CLI print epoch seconds (JSON numbers) or ISO strings. */
function time(value: number | string): string {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace(/\.\d+Z$/, 'Z');
}
