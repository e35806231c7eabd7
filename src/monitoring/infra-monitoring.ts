import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import {
  IMonitoredCache, IMonitoredDeployment, IMonitoredPipeline, IMonitoredScheduledWork, IMonitoredStaticSite, IMonitoredWebService, IMonitoredWorker,
} from './monitored';
import { InfraMonitoringProps, MetricsWorkspaceMonitoringOptions, MonitoringThresholds } from './monitoring-options';
import { notify, ruleMetric } from '../private/alarms';
import { addLateCheck } from '../private/collected-problems';
import { checkAll } from '../private/errors';
import { createKey } from '../private/kms';
import { pascal } from '../private/naming';
import { checkPropTypes } from '../private/prop-types';
import { addRollbackAlarms, ROLLS_BACK } from '../private/rollback-alarms';
import { invalidProp, isToken, validateEmail, validateIntegerRange, validateUnique } from '../private/validation';
import { warnWeakenedDefault } from '../private/warnings';

const PERIOD = Duration.minutes(1);
/** AMP's usage metrics come every minute at most; five-minute points do not page on a late one. */
const WORKSPACE_PERIOD = Duration.minutes(5);
/** CloudWatch's widgets per dashboard body. */
const MAX_WIDGETS_PER_DASHBOARD = 500;
const DASHBOARD_BODY = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html';
const Missing = cloudwatch.TreatMissingData;
/** CloudFront publishes its metrics in us-east-1 only. */
const CLOUDFRONT_METRICS_REGION = 'us-east-1';
const ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const BELOW = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;

/** When one of the library's alarms fires. */
interface AlarmRule {
  readonly threshold: number;
  readonly datapoints: number;
  readonly of: number;
  /** Missing data is decided per alarm: no data from a running service is a breach, no requests is not. */
  readonly missing: cloudwatch.TreatMissingData;
  readonly comparison?: cloudwatch.ComparisonOperator;
}

/**
 * A CloudWatch dashboard and the alarms that page on what matters for a Fargate backend: service saturation and
 * missing tasks, ALB and target 5xx rates, p99 latency, unhealthy hosts, database health, failed jobs and calls.
 * Every alarm notifies one SNS topic (ALARM and OK); the 5xx and latency alarms also roll deployments back.
 */
export class InfraMonitoring extends Construct {
  /** The dashboard; add your own widgets with `dashboard.addWidgets(...)`. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Topic receiving every alarm. */
  public readonly alarmTopic: sns.ITopic;
  /** Every alarm this construct routes, by name. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm };
  private pipelineRows = 0;
  private workspaceRows = 0;
  /** The widgets of the library's rows, and the last public call that added a row: the one a full dashboard names. */
  private widgetCount = 0;
  private lastRow?: { readonly prop: string; readonly value: string };
  /** The thresholds of the props, for the rows added later by `monitorWebService`. */
  private readonly thresholds: MonitoringThresholds;

  constructor(scope: Construct, id: string, props: InfraMonitoringProps) {
    super(scope, id);
    checkPropTypes(this, 'InfraMonitoringProps', props);
    validateProps(this, props);
    this.alarms = {};
    this.alarmTopic = props.alarmTopic ?? new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Backend alarms',
      masterKey: this.topicKey(),
      enforceSSL: true,
    });
    for (const email of props.alarmEmails ?? []) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.thresholds = props.thresholds ?? {};
    const t = this.thresholds;
    if (props.service) this.monitorService(props.service, t);
    if (props.loadBalancer) this.monitorLoadBalancer(props, t);
    if (props.deployment) this.monitorDeployment(props.deployment);
    if (props.database) this.monitorDatabase(props.database, t);
    if (props.cache) this.monitorCache(props.cache, t);
    if (props.cleanupJobs?.length || props.scheduledApiCalls?.length) {
      this.monitorScheduledWork(props.cleanupJobs ?? [], props.scheduledApiCalls ?? []);
    }
    if (props.pipeline) this.monitorPipeline(props.pipeline);
    if (props.additionalAlarms?.length) {
      props.additionalAlarms.forEach(alarm => notify(alarm, this.alarmTopic));
      this.section('Other alarms', new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.additionalAlarms, width: 24 }));
    }
    this.refuseOverfullDashboard();
  }

  /**
   * CloudWatch's 500 widgets per dashboard: each workload's row adds five or six, so about 90 workloads fill it. Checked
   * at synth, naming the last call that added a row; widgets added with `dashboard.addWidgets` are the caller's to count.
   */
  private refuseOverfullDashboard(): void {
    addLateCheck(this, () => {
      if (this.widgetCount > MAX_WIDGETS_PER_DASHBOARD && this.lastRow) {
        invalidProp(this, this.lastRow.prop, this.lastRow.value, `the dashboard would hold ${this.widgetCount} widgets, over CloudWatch's ${MAX_WIDGETS_PER_DASHBOARD} `
          + `per dashboard (${DASHBOARD_BODY}); put some workloads in another platform`);
      }
    });
  }

  /** Add an alarm on any metric, routed to the topic and shown on the dashboard. */
  public addAlarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    return this.createAlarm(this, id, props);
  }

  private createAlarm(scope: Construct, id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = notify(new cloudwatch.Alarm(scope, id, props), this.alarmTopic);
    this.alarms[id] = alarm;
    return alarm;
  }

  /**
   * Where a workload's own alarms live: beside it when it has a stack of its own, so they come and go with it and
   * the platform's stack does not grow with each workload (docs/adr/0015); under the monitoring otherwise.
   */
  private alarmScopeOf(workload: IConstruct): Construct {
    const stack = Stack.of(workload);
    if (stack === Stack.of(this)) return this;
    return (stack.node.tryFindChild('Monitoring') as Construct | undefined) ?? new Construct(stack, 'Monitoring');
  }

  /**
   * A dashboard row for a worker: running vs desired tasks, CPU and memory, and for a queue worker the backlog, the
   * age of the oldest message and the dead-letter queue; its alarms are shown (route them with the worker's
   * `alarmTopic`). `BackendPlatform.addWorker` calls it.
   */
  public monitorWorker(worker: IMonitoredWorker): void {
    this.lastRow = { prop: 'monitorWorker(worker)', value: worker.node.path };
    const { running, desired } = this.taskCounts(worker.service);
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({ title: 'Running vs desired tasks', left: [running, desired], width: 6 }),
      new cloudwatch.GraphWidget({
        title: 'CPU and memory (%)', left: [worker.service.metricCpuUtilization({ period: PERIOD }), worker.service.metricMemoryUtilization({ period: PERIOD })], width: 6,
      }),
    ];
    if (worker.queue) {
      widgets.push(new cloudwatch.GraphWidget({
        title: 'Queue: waiting / oldest (s)',
        left: [worker.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' })],
        right: [worker.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' })],
        width: 6,
      }));
    }
    if (worker.deadLetterQueue) {
      widgets.push(new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth', left: [worker.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })], width: 6,
      }));
    }
    if (worker.alarms.length) widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: worker.alarms, width: 6 }));
    this.section(`Worker ${worker.node.id}`, ...widgets);
  }

  /**
   * A dashboard row and alarms for one more web service behind the load balancer: running vs desired tasks, CPU and
   * memory, and per target group requests, target 5xx rate, p99 response time and unhealthy hosts. Its missing
   * tasks, 5xx rate, latency and unhealthy hosts page the topic, and the 5xx and latency alarms roll its deployments
   * back (as the load balancer's alarms do for the first service), at the `thresholds` of the props. `BackendPlatform.addService` calls it.
   */
  public monitorWebService(webService: IMonitoredWebService): void {
    this.lastRow = { prop: 'monitorWebService(webService)', value: webService.node.path };
    const thresholds = this.thresholds;
    const id = webService.node.id;
    const { service } = webService;
    const { running, desired } = this.taskCounts(service);
    const scope = this.alarmScopeOf(webService);
    const alarms = [this.watchTasks(`${id}TasksBelowDesired`, running, desired, scope)];
    const rollback: cloudwatch.Alarm[] = [];
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({ title: 'Running vs desired tasks', left: [running, desired], width: 6 }),
      new cloudwatch.GraphWidget({
        title: 'CPU and memory (%)', left: [service.metricCpuUtilization({ period: PERIOD }), service.metricMemoryUtilization({ period: PERIOD })], width: 6,
      }),
    ];
    for (const [container, targetGroup] of Object.entries(webService.targetGroups)) {
      const name = `${id}${container === 'app' ? '' : pascal(container)}`;
      const requests = targetGroup.metrics.requestCount({ period: PERIOD });
      const target5xx = targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: PERIOD });
      // Under blue/green production runs in either group after a deployment: the rollback alarms watch both.
      const alternate = webService.alternateTargetGroups[container];
      const groups = alternate ? [targetGroup, alternate] : [targetGroup];
      rollback.push(
        this.watch(`${name}Target5xxRate`, `The application (${webService.node.path}, ${container}) answers 5xx for too many requests: ${ROLLS_BACK}`,
          percentOf(combine(groups.map(g => g.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: PERIOD })), '+', 'errors', 'Target 5xx'),
            combine(groups.map(g => g.metrics.requestCount({ period: PERIOD })), '+', 'requests', 'Requests'), 'Target 5xx %'),
          { threshold: thresholds.target5xxPercent ?? 5, datapoints: 2, of: 3, missing: Missing.NOT_BREACHING }, scope),
        this.watch(`${name}P99LatencyHigh`, `p99 response time of ${webService.node.path} (${container}) is too high: ${ROLLS_BACK}`,
          combine(groups.map(g => g.metrics.targetResponseTime({ period: PERIOD, statistic: 'p99' })), 'MAX', 'p99', 'p99 response time (s)'),
          { threshold: seconds(thresholds.p99Latency ?? Duration.seconds(2)), datapoints: 3, of: 5, missing: Missing.NOT_BREACHING }, scope),
      );
      alarms.push(this.watch(`${name}UnhealthyHosts`, `Targets of ${webService.node.path} (${container}) fail their health checks`,
        targetGroup.metrics.unhealthyHostCount({ period: PERIOD, statistic: 'Maximum' }),
        { threshold: 0, datapoints: 3, of: 5, missing: Missing.NOT_BREACHING, comparison: ABOVE }, scope));
      widgets.push(new cloudwatch.GraphWidget({ title: `${container}: requests / target 5xx`, left: [requests], right: [target5xx], width: 6 }));
    }
    addRollbackAlarms(service, rollback);
    webService.deploymentAlarms.forEach(alarm => notify(alarm, this.alarmTopic));
    widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms, ...rollback, ...webService.deploymentAlarms], width: 6 }));
    this.section(`Web service ${id}`, ...widgets);
  }

  /** A dashboard row for one more scheduled job or call set, whose alarms are routed to the topic. `BackendPlatform.addScheduledJob` calls it. */
  public monitorScheduledJob(job: IMonitoredScheduledWork): void {
    this.lastRow = { prop: 'monitorScheduledJob(job)', value: job.node.path };
    this.scheduledWorkRow(`Scheduled job ${job.node.id}`, [job]);
  }

  /**
   * A dashboard row for an Amazon Managed Service for Prometheus workspace: samples ingested per second and active
   * series (AMP's `ResourceCount` usage metrics `IngestionRate` and `ActiveSeries`, namespace `AWS/Usage`), and samples
   * discarded by reason (`DiscardedSamples`, namespace `AWS/Prometheus`), as AMP vends them to CloudWatch at no charge
   * (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-CW-usage-metrics.html); an alarm pages when samples are
   * discarded, since each is a gap in the metrics. `BackendPlatform` calls it for its workspace.
   */
  public monitorMetricsWorkspace(options: MetricsWorkspaceMonitoringOptions): void {
    checkPropTypes(this, 'MetricsWorkspaceMonitoringOptions', options, 'monitorMetricsWorkspace(options).');
    const threshold = options.discardedSamplesThreshold ?? 0;
    if (!isToken(threshold) && !(Number.isInteger(threshold) && threshold >= 0)) {
      invalidProp(this, 'monitorMetricsWorkspace(options).discardedSamplesThreshold', threshold, 'give a whole number of samples, 0 or more');
    }
    this.lastRow = { prop: 'monitorMetricsWorkspace(options)', value: options.workspaceId };
    const id = options.workspaceId;
    const period = WORKSPACE_PERIOD;
    // The AWS page lists the metrics, not their dimensions; the dimension names below are those AWS's own workspace
    // dashboard filters on (aws-observability/aws-observability-accelerator,
    // artifacts/grafana-dashboards/amp/amp-workspace-dashboard.json). A search or query on a dimension AMP does not
    // vend finds nothing, and an alarm on it never fires.
    // The usage metrics name the workspace in their ResourceId dimension (with Service, Resource and the usage metrics'
    // others); a search matches those it names, whatever the others.
    const usage = (resource: string, label: string) => new cloudwatch.MathExpression({
      expression: `SEARCH('Namespace="AWS/Usage" MetricName="ResourceCount" Service="Prometheus" Resource="${resource}" ResourceId="${id}"', 'Average', ${period.toSeconds()})`,
      usingMetrics: {},
      period,
      label,
    });
    // Discarded samples are per Reason and Workspace (dimensions); Metrics Insights sums the reasons, and an alarm may
    // evaluate it (AWS's dashboard: SELECT SUM(DiscardedSamples) FROM "AWS/Prometheus" WHERE Workspace = '<id>' GROUP BY Reason).
    const discarded = new cloudwatch.MathExpression({
      expression: `SELECT SUM(DiscardedSamples) FROM "AWS/Prometheus" WHERE Workspace = '${id}'`,
      usingMetrics: {},
      period,
      label: 'Discarded samples',
    });
    const alarm = this.createAlarm(this, `MetricsWorkspaceDiscardedSamples${this.workspaceRows === 0 ? '' : this.workspaceRows + 1}`, {
      alarmDescription: 'The Prometheus workspace discards samples (over a limit, out of order, or malformed): the metrics have gaps',
      metric: discarded,
      threshold,
      comparisonOperator: ABOVE,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: Missing.NOT_BREACHING,
    });
    this.workspaceRows++;
    this.section('Prometheus metrics workspace',
      new cloudwatch.GraphWidget({ title: 'Ingestion rate (samples/s)', left: [usage('IngestionRate', 'Ingestion rate')], width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Active series', left: [usage('ActiveSeries', 'Active series')], width: 6 }),
      new cloudwatch.GraphWidget({
        title: 'Discarded samples by reason',
        left: [new cloudwatch.MathExpression({
          expression: `SEARCH('Namespace="AWS/Prometheus" MetricName="DiscardedSamples" Workspace="${id}"', 'Sum', ${period.toSeconds()})`,
          usingMetrics: {},
          period,
          label: '${PROP(\'Dim.Reason\')}',
        })],
        width: 6,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [alarm], width: 6 }),
    );
  }

  /**
   * A dashboard row for a static site: requests, and the 4xx and 5xx error rates of its distribution. CloudFront
   * publishes its metrics in us-east-1 only and an alarm watches metrics of its own region, so the 5xx alarm (over 5 %
   * for 5 of 5 minutes) exists only when this stack is in us-east-1; the row shows the metrics from any region.
   * `BackendPlatform.addStaticSite` calls it.
   */
  public monitorStaticSite(site: IMonitoredStaticSite): void {
    this.lastRow = { prop: 'monitorStaticSite(site)', value: site.node.path };
    const inUsEast1 = Stack.of(this).region === CLOUDFRONT_METRICS_REGION;
    const metric = (metricName: string, statistic: string, label: string) => new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: site.distribution.distributionId, Region: 'Global' },
      // An alarm takes metrics of its own region only, written without one.
      region: inUsEast1 ? undefined : CLOUDFRONT_METRICS_REGION,
      statistic,
      period: PERIOD,
      label,
    });
    const serverErrors = metric('5xxErrorRate', 'Average', '5xx error rate');
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({ title: 'Requests', left: [metric('Requests', 'Sum', 'Requests')], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Error rates (%)', left: [metric('4xxErrorRate', 'Average', '4xx error rate'), serverErrors], width: 8 }),
    ];
    if (inUsEast1) {
      const alarm = this.watch(`${pascal(site.node.id)}Site5xxErrorRate`, `The static site ${site.node.path} answers more than 5 % of requests with a 5xx error`,
        serverErrors, { threshold: 5, comparison: ABOVE, datapoints: 5, of: 5, missing: Missing.NOT_BREACHING }, this.alarmScopeOf(site));
      widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [alarm], width: 8 }));
    }
    this.section(`Static site ${site.node.id}`, ...widgets);
  }

  /** The library's own alarms: `datapoints` breaching one-minute points out of the last `of` page. */
  private watch(id: string, description: string, metric: cloudwatch.IMetric, rule: AlarmRule, scope: Construct = this): cloudwatch.Alarm {
    return this.createAlarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold: rule.threshold,
      comparisonOperator: rule.comparison,
      evaluationPeriods: rule.of,
      datapointsToAlarm: rule.datapoints,
      treatMissingData: rule.missing,
    });
  }

  private topicKey(): kms.Key {
    const key = createKey(this, 'AlarmTopicKey', 'Backend alarm topic');
    // CloudWatch publishes alarm notifications, EventBridge pipeline and job failure events, to the encrypted topic.
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    key.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    return key;
  }

  /** A titled dashboard row. */
  private section(title: string, ...widgets: cloudwatch.IWidget[]): void {
    this.widgetCount += 1 + widgets.length;
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    this.dashboard.addWidgets(...widgets);
  }

  /** Node metrics are per cache cluster (node); alarms watch the worst node so a failover does not hide it. */
  private monitorCache(cache: IMonitoredCache, t: MonitoringThresholds): void {
    const perNode = (metricName: string, statistic: string) => cache.nodeIds.map((node, i) => new cloudwatch.Metric({
      namespace: 'AWS/ElastiCache', metricName, statistic, period: PERIOD, dimensionsMap: { CacheClusterId: node }, label: `${metricName} node ${i + 1}`,
    }));
    const worst = (metricName: string, label: string) => {
      const nodes = perNode(metricName, 'Maximum');
      const usingMetrics = Object.fromEntries(nodes.map((m, i) => [`n${i}`, m]));
      return new cloudwatch.MathExpression({ expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`, usingMetrics, period: PERIOD, label });
    };
    this.watch('CacheCpuHigh', 'Cache engine CPU stays high on a node: commands queue up',
      worst('EngineCPUUtilization', 'Busiest node engine CPU %'),
      { threshold: t.cacheCpuPercent ?? 90, datapoints: 4, of: 5, missing: Missing.BREACHING });
    this.watch('CacheMemoryHigh', 'Cache memory nearly full on a node: keys are evicted, queued jobs may be lost',
      worst('DatabaseMemoryUsagePercentage', 'Fullest node memory %'),
      { threshold: t.cacheMemoryPercent ?? 90, datapoints: 3, of: 5, missing: Missing.BREACHING });
    this.section('Cache',
      new cloudwatch.GraphWidget({ title: 'Engine CPU (%)', left: perNode('EngineCPUUtilization', 'Average'), width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Memory used (%)', left: perNode('DatabaseMemoryUsagePercentage', 'Average'), width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Connections', left: perNode('CurrConnections', 'Maximum'), width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Evictions', left: perNode('Evictions', 'Sum'), width: 6 }),
    );
  }

  /** No Container Insights data means the service reports nothing at all: that is a breach. */
  private watchTasks(id: string, running: cloudwatch.IMetric, desired: cloudwatch.IMetric, scope: Construct = this): cloudwatch.Alarm {
    return this.watch(id, 'Fewer tasks run than desired for 5 minutes: tasks crash or cannot be placed',
      new cloudwatch.MathExpression({ expression: 'desired - running', usingMetrics: { desired, running }, period: PERIOD, label: 'Missing tasks' }),
      { threshold: 0, datapoints: 5, of: 5, missing: Missing.BREACHING, comparison: ABOVE }, scope);
  }

  private monitorScheduledWork(jobs: IMonitoredScheduledWork[], calls: IMonitoredScheduledWork[]): void {
    this.scheduledWorkRow('Scheduled jobs and API calls', [...jobs, ...calls]);
  }

  /** Container Insights task counts of a service: the minimum running and the maximum desired per minute. */
  private taskCounts(service: ecs.FargateService): { running: cloudwatch.Metric; desired: cloudwatch.Metric } {
    const insights = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName,
      statistic,
      period: PERIOD,
      dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
    });
    return { running: insights('RunningTaskCount', 'Minimum'), desired: insights('DesiredTaskCount', 'Maximum') };
  }

  private scheduledWorkRow(title: string, work: IMonitoredScheduledWork[]): void {
    const rules = work.flatMap(w => Object.entries(w.scheduleRules).map(([name, rule]) => ({ name, rule })));
    const alarms = work.flatMap(w => w.alarms);
    alarms.forEach(alarm => notify(alarm, this.alarmTopic));
    const deadLetters = work.map(w => w.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5), statistic: 'Maximum', label: `${w.node.id} dead letters`,
    }));
    this.section(title,
      new cloudwatch.GraphWidget({ title: 'Invocations', left: rules.map(r => ruleMetric(r.rule.ruleName, 'Invocations', r.name)), width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Failed invocations', left: rules.map(r => ruleMetric(r.rule.ruleName, 'FailedInvocations', r.name)), width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Dead-letter queue depth', left: deadLetters, width: 6 }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 6 }),
    );
  }

  /**
   * A dashboard row for one more deploy pipeline, whose failed executions and alarms go to the topic
   * (`BackendPlatform` calls it for the pipeline of each further ECR repository).
   */
  public monitorPipeline(pipeline: IMonitoredPipeline): void {
    this.lastRow = { prop: 'monitorPipeline(pipeline)', value: pipeline.pipeline.node.path };
    pipeline.notifyOnFailure(this.alarmTopic);
    const widgets: cloudwatch.IWidget[] = [];
    const migration = pipeline.migrationProject;
    if (migration) {
      widgets.push(
        new cloudwatch.GraphWidget({
          title: 'Migrations: runs / failures',
          left: [migration.metricBuilds({ period: Duration.minutes(5) }), migration.metricFailedBuilds({ period: Duration.minutes(5) })],
          width: 8,
        }),
        new cloudwatch.GraphWidget({ title: 'Migration duration (s)', left: [migration.metricDuration({ period: Duration.minutes(5), statistic: 'Maximum' })], width: 8 }),
      );
    }
    if (pipeline.alarms.length) widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Pipeline alarms', alarms: pipeline.alarms, width: 8 }));
    widgets.push(new cloudwatch.TextWidget({
      markdown: `Failed executions of \`${pipeline.pipeline.node.path}\` are published to the alarm topic.`, width: 8, height: 6,
    }));
    // The first pipeline keeps its title; the pipeline of each further repository is named by its construct ID.
    this.section(this.pipelineRows++ === 0 ? 'Deploy pipeline' : `Deploy pipeline ${pipeline.pipeline.node.scope?.node.id}`, ...widgets);
  }

  private monitorService(service: ecs.FargateService, t: MonitoringThresholds): void {
    const cpu = service.metricCpuUtilization({ period: PERIOD });
    const memory = service.metricMemoryUtilization({ period: PERIOD });
    const { running, desired } = this.taskCounts(service);
    this.watch('ServiceCpuHigh', 'Service CPU stays high: autoscaling is at its maximum or cannot keep up',
      cpu,
      { threshold: t.serviceCpuPercent ?? 90, datapoints: 4, of: 5, missing: Missing.MISSING });
    this.watch('ServiceMemoryHigh', 'Service memory stays high: tasks risk being killed out of memory',
      memory,
      { threshold: t.serviceMemoryPercent ?? 90, datapoints: 4, of: 5, missing: Missing.MISSING });
    this.watchTasks('ServiceTasksBelowDesired', running, desired);
    this.section('Service and cluster',
      new cloudwatch.GraphWidget({ title: 'CPU and memory (%)', left: [cpu, memory], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Running vs desired tasks', left: [running, desired], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Cluster CPU and memory reserved (%)',
        width: 8,
        left: [
          new cloudwatch.Metric({ namespace: 'AWS/ECS', metricName: 'CPUReservation', dimensionsMap: { ClusterName: service.cluster.clusterName }, period: PERIOD }),
          new cloudwatch.Metric({ namespace: 'AWS/ECS', metricName: 'MemoryReservation', dimensionsMap: { ClusterName: service.cluster.clusterName }, period: PERIOD }),
        ],
      }),
    );
  }

  private monitorLoadBalancer(props: InfraMonitoringProps, t: MonitoringThresholds): void {
    const lb = props.loadBalancer!.metrics;
    const requests = lb.requestCount({ period: PERIOD });
    const elb5xx = lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: PERIOD });
    const target5xx = lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: PERIOD });
    const p = (stat: string) => lb.targetResponseTime({ period: PERIOD, statistic: stat });
    const rollsBack = props.service !== undefined && props.deploymentAlarms !== false;
    const rollback = (description: string) => (rollsBack ? `${description}: ${ROLLS_BACK}` : description);
    const elb5xxAlarm = this.watch('LoadBalancer5xxRate', rollback('The load balancer itself answers 5xx (no healthy target, timeouts) for too many requests'),
      percentOf(elb5xx, requests, 'ALB 5xx %'),
      { threshold: t.loadBalancer5xxPercent ?? 5, datapoints: 2, of: 3, missing: Missing.NOT_BREACHING });
    const target5xxAlarm = this.watch('Target5xxRate', rollback('The application answers 5xx for too many requests'),
      percentOf(target5xx, requests, 'Target 5xx %'),
      { threshold: t.target5xxPercent ?? 5, datapoints: 2, of: 3, missing: Missing.NOT_BREACHING });
    const latencyAlarm = this.watch('P99LatencyHigh', rollback('p99 response time of the application is too high'),
      p('p99'),
      { threshold: seconds(t.p99Latency ?? Duration.seconds(2)), datapoints: 3, of: 5, missing: Missing.NOT_BREACHING });
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({ title: 'Requests', left: [requests], width: 6 }),
      new cloudwatch.GraphWidget({
        title: '4xx / 5xx',
        width: 6,
        left: [lb.httpCodeElb(elbv2.HttpCodeElb.ELB_4XX_COUNT, { period: PERIOD }), elb5xx,
          lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, { period: PERIOD }), target5xx],
      }),
      new cloudwatch.GraphWidget({ title: 'Target response time (s)', left: [p('p50'), p('p90'), p('p99')], width: 6 }),
    ];
    (props.targetGroups ?? []).forEach((targetGroup, i) => {
      // The first group keeps the IDs and title it had when only one was watched.
      const name = i === 0 ? '' : targetGroup.node.id;
      const healthy = targetGroup.metrics.healthyHostCount({ period: PERIOD, statistic: 'Minimum' });
      const unhealthy = targetGroup.metrics.unhealthyHostCount({ period: PERIOD, statistic: 'Maximum' });
      this.watch(`UnhealthyHosts${name}`, `Targets${name ? ` of ${name}` : ''} fail their health checks`,
        unhealthy,
        { threshold: 0, datapoints: 3, of: 5, missing: Missing.NOT_BREACHING, comparison: ABOVE });
      widgets.push(new cloudwatch.GraphWidget({ title: `Healthy / unhealthy hosts${name ? ` (${name})` : ''}`, left: [healthy, unhealthy], width: 6 }));
    });
    this.section('Load balancer', ...widgets);
    if (rollsBack) {
      addRollbackAlarms(props.service!, [elb5xxAlarm, target5xxAlarm, latencyAlarm]);
    } else if (props.service) {
      warnWeakenedDefault(this, 'deploymentAlarms', false, 'a rollout that raises 5xx or latency is no longer rolled back, only one whose tasks fail to start',
        'keep the default (true)');
    }
  }

  /**
   * Requests per target group show a blue/green shift (production moves from one group to the other) and a rolling
   * update (one group, tasks replaced); the deployment functions' runs and errors and the deployment alarms beside them.
   */
  private monitorDeployment(deployment: IMonitoredDeployment): void {
    deployment.deploymentAlarms.forEach(alarm => notify(alarm, this.alarmTopic));
    const requests = (groups: { [name: string]: elbv2.ApplicationTargetGroup }, which: string) => Object.entries(groups).map(([name, group]) =>
      group.metrics.requestCount({ period: PERIOD, statistic: 'Sum', label: `${name} ${which}` }));
    const runs = (fn: lambda.IFunction) => [fn.metricInvocations({ period: Duration.minutes(5) }), fn.metricErrors({ period: Duration.minutes(5) })];
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.TextWidget({ markdown: `Strategy: **${deployment.deploymentStrategy}**`, width: 24, height: 1 }),
      new cloudwatch.GraphWidget({
        title: 'Requests per target group', left: [...requests(deployment.targetGroups, 'primary'), ...requests(deployment.alternateTargetGroups, 'alternate')], width: 6,
      }),
    ];
    if (deployment.smokeTestFunction) {
      widgets.push(new cloudwatch.GraphWidget({ title: 'Smoke test: runs / errors', left: runs(deployment.smokeTestFunction), width: 6 }));
    }
    if (deployment.rotationRedeployFunction) {
      widgets.push(new cloudwatch.GraphWidget({ title: 'Redeploys after secret changes: runs / errors', left: runs(deployment.rotationRedeployFunction), width: 6 }));
    }
    if (deployment.deploymentAlarms.length) {
      widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Deployment alarms', alarms: deployment.deploymentAlarms, width: 6 }));
    }
    this.section('Deployments', ...widgets);
  }

  private monitorDatabase(database: rds.IDatabaseInstance, t: MonitoringThresholds): void {
    const cpu = database.metricCPUUtilization({ period: PERIOD });
    const freeStorage = database.metricFreeStorageSpace({ period: PERIOD, statistic: 'Minimum' });
    const connections = database.metricDatabaseConnections({ period: PERIOD, statistic: 'Maximum' });
    const readLatency = database.metric('ReadLatency', { period: PERIOD });
    const writeLatency = database.metric('WriteLatency', { period: PERIOD });
    this.watch('DatabaseCpuHigh', 'Database CPU stays high',
      cpu,
      { threshold: t.databaseCpuPercent ?? 80, datapoints: 8, of: 10, missing: Missing.BREACHING });
    this.watch('DatabaseFreeStorageLow', 'Database free storage is running out',
      freeStorage,
      { threshold: (t.databaseFreeStorageGiB ?? 5) * 1024 ** 3, datapoints: 5, of: 5, missing: Missing.BREACHING, comparison: BELOW });
    this.watch('DatabaseConnectionsHigh', 'Database connections near the limit',
      connections,
      { threshold: t.databaseConnections ?? 200, datapoints: 3, of: 5, missing: Missing.BREACHING });
    this.section('Database',
      new cloudwatch.GraphWidget({ title: 'CPU (%)', left: [cpu], width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Connections', left: [connections], width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Free storage (bytes)', left: [freeStorage], width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Read / write latency (s)', left: [readLatency, writeLatency], width: 6 }),
    );
  }
}

function validateProps(scope: Construct, props: InfraMonitoringProps): void {
  const t = props.thresholds ?? {};
  checkAll([
    () => (props.alarmEmails ?? []).forEach((email, i) => validateEmail(scope, `alarmEmails[${i}]`, email)),
    () => validateUnique(scope, 'alarmEmails', props.alarmEmails ?? []),
    () => {
      if (props.dashboardName !== undefined && !isToken(props.dashboardName) && !/^[A-Za-z0-9_-]{1,255}$/.test(props.dashboardName)) {
        invalidProp(scope, 'dashboardName', props.dashboardName, 'use 1-255 letters, digits, "-" or "_" (e.g. "shop-prod-backend")');
      }
    },
    () => validateIntegerRange(scope, 'thresholds.serviceCpuPercent', t.serviceCpuPercent, 1, 100),
    () => validateIntegerRange(scope, 'thresholds.serviceMemoryPercent', t.serviceMemoryPercent, 1, 100),
    () => validateIntegerRange(scope, 'thresholds.loadBalancer5xxPercent', t.loadBalancer5xxPercent, 1, 100),
    () => validateIntegerRange(scope, 'thresholds.target5xxPercent', t.target5xxPercent, 1, 100),
    () => validateIntegerRange(scope, 'thresholds.databaseCpuPercent', t.databaseCpuPercent, 1, 100),
    () => {
      if (props.deploymentAlarms && !props.service) {
        invalidProp(scope, 'deploymentAlarms', true, 'deployment alarms need the service; pass service too');
      }
    },
  ]);
}

/** Errors as a percentage of requests; a minute without requests counts as 0 %, not as missing data. */
function percentOf(errors: cloudwatch.IMetric, requests: cloudwatch.IMetric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({ expression: '100 * FILL(errors, 0) / MAX([requests, 1])', usingMetrics: { errors, requests }, period: PERIOD, label });
}

/**
 * One metric of several target groups: their sum (`+`) or, for a percentile, the worst of them (`MAX`). A group
 * without traffic has no data points, hence FILL. A single metric is returned as it is.
 */
function combine(metrics: cloudwatch.IMetric[], how: '+' | 'MAX', id: string, label: string): cloudwatch.IMetric {
  if (metrics.length === 1) return metrics[0];
  // IDs are unique across the alarm's nested expressions.
  const usingMetrics = Object.fromEntries(metrics.map((metric, i) => [`${id}${i}`, metric]));
  const filled = Object.keys(usingMetrics).map(key => `FILL(${key}, 0)`);
  const expression = how === '+' ? filled.join(' + ') : `MAX([${filled.join(', ')}])`;
  return new cloudwatch.MathExpression({ expression, usingMetrics, period: PERIOD, label });
}

/** A duration as the seconds CloudWatch's latency metrics count in. */
function seconds(duration: Duration): number {
  return duration.toMilliseconds() / 1000;
}
