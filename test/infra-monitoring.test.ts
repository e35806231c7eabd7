import { CfnElement, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { givenStack } from './fixtures';
import {
  CleanupJobScheduler, EcrToEcsPipeline, InfraMonitoring, InfraMonitoringProps, PrivateCache, PrivateDatabase, ScheduledApiCalls,
  SecureAlbFargateService, ServiceDeployment, ServiceImage,
} from '../src';

function build(overrides: Partial<InfraMonitoringProps> = {}) {
  const { stack, vpc, zone, repository } = givenStack();
  const web = new SecureAlbFargateService(stack, 'Backend', { vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository) });
  const db = new PrivateDatabase(stack, 'Database', { vpc });
  const jobAlarm = new cloudwatch.Alarm(stack, 'JobAlarm', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
  const monitoring = new InfraMonitoring(stack, 'Monitoring', {
    service: web.service,
    loadBalancer: web.loadBalancer,
    targetGroups: [web.targetGroup],
    database: db.instance,
    additionalAlarms: [jobAlarm],
    alarmEmails: ['ops@example.com'],
    ...overrides,
  });
  return { monitoring, template: Template.fromStack(stack) };
}

describe('InfraMonitoring', () => {
  describe('GIVEN service, load balancer, database and a job alarm', () => {
    const { template, monitoring } = build();
    const resources = template.toJSON().Resources;
    const alarm = (name: string) => {
      const id = Object.keys(resources).find(k => k.startsWith(`Monitoring${name}`) && resources[k].Type === 'AWS::CloudWatch::Alarm');
      return resources[id!];
    };

    test.each([
      ['ServiceCpuHigh', 'CPUUtilization'], ['ServiceMemoryHigh', 'MemoryUtilization'], ['DatabaseCpuHigh', 'CPUUtilization'],
      ['DatabaseFreeStorageLow', 'FreeStorageSpace'], ['DatabaseConnectionsHigh', 'DatabaseConnections'], ['UnhealthyHosts', 'UnHealthyHostCount'],
      ['P99LatencyHigh', 'TargetResponseTime'],
    ])('THEN alarm %s on %s notifies the topic on ALARM and OK', (name, metric) => {
      expect(alarm(name)).toBeDefined();
      expect(alarm(name).Properties).toMatchObject({ MetricName: metric, AlarmActions: [{ Ref: expect.stringMatching(/MonitoringAlarmTopic/) }], OKActions: [expect.anything()] });
    });

    test.each([['LoadBalancer5xxRate', 'HTTPCode_ELB_5XX_Count'], ['Target5xxRate', 'HTTPCode_Target_5XX_Count'], ['ServiceTasksBelowDesired', 'RunningTaskCount']])(
      'THEN %s is a math expression over %s', (name, metric) => {
        expect(JSON.stringify(alarm(name).Properties.Metrics)).toContain(metric);
        expect(alarm(name).Properties.AlarmActions).toHaveLength(1);
      });

    test('THEN missing data is handled per alarm', () => {
      expect(alarm('ServiceTasksBelowDesired').Properties.TreatMissingData).toBe('breaching');
      expect(alarm('Target5xxRate').Properties.TreatMissingData).toBe('notBreaching');
      expect(alarm('ServiceCpuHigh').Properties.TreatMissingData).toBe('missing');
    });

    test('THEN the topic is KMS-encrypted with an e-mail subscription and job alarms are routed to it', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'X', AlarmActions: [{ Ref: Match.stringLikeRegexp('MonitoringAlarmTopic') }] });
    });

    test('THEN the service rolls back deployments when 5xx or latency alarms fire', () => {
      const [svc] = Object.values(template.findResources('AWS::ECS::Service')) as any[];
      expect(svc.Properties.DeploymentConfiguration.Alarms).toEqual({
        AlarmNames: ['MonitoringLoadBalancer5xxRate', 'MonitoringTarget5xxRate', 'MonitoringP99LatencyHigh'].map(id => ({ Ref: expect.stringMatching(new RegExp(`^${id}[A-F0-9]{8}$`)) })),
        Enable: true,
        Rollback: true,
      });
    });

    test('THEN the dashboard has service, load balancer, database and other-alarm sections', () => {
      expect(monitoring.dashboard).toBeDefined();
      const [dash] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as any[];
      const body = JSON.stringify(dash.Properties.DashboardBody);
      for (const section of ['Service and cluster', 'Load balancer', 'Database', 'Other alarms']) expect(body).toContain(section);
    });
  });

  describe('GIVEN a cache, a cleanup job, scheduled calls and the deploy pipeline', () => {
    const { stack, vpc, zone, repository } = givenStack();
    const web = new SecureAlbFargateService(stack, 'Backend', { vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository) });
    const cache = new PrivateCache(stack, 'Cache', { vpc });
    const job = new CleanupJobScheduler(stack, 'Cleanup', { cluster: web.cluster, image: web.containerImage, command: ['node', 'cleanup.js'] });
    const calls = new ScheduledApiCalls(stack, 'Calls', {
      baseUrl: 'https://api.example.com',
      calls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
    });
    const pipeline = new EcrToEcsPipeline(stack, 'Delivery', { service: web, migrationCommand: ['npm', 'run', 'migration:run'] });
    const monitoring = new InfraMonitoring(stack, 'Monitoring', { cache, cleanupJobs: [job], scheduledApiCalls: [calls], pipeline });
    monitoring.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: 'my own widget' }));
    const template = Template.fromStack(stack);
    const topic = { Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') };

    test('THEN cache CPU and memory alarms watch the worst of both nodes', () => {
      for (const metric of ['EngineCPUUtilization', 'DatabaseMemoryUsagePercentage']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Metrics: Match.arrayWith([
            Match.objectLike({ Expression: 'MAX([n0, n1])' }),
            Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metric, Namespace: 'AWS/ElastiCache' }) }) }),
          ]),
          Threshold: 90,
          AlarmActions: [topic],
        });
      }
    });

    test('THEN every job, call and pipeline alarm is routed to the topic', () => {
      const resources = template.toJSON().Resources;
      // The job's runtime guard (docs/adr/0013) brings its own error alarm.
      const routed = [...job.alarms, ...calls.alarms, ...pipeline.alarms]
        .map(alarm => resources[stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm)].Properties);
      expect(routed).toHaveLength(7);
      for (const props of routed) expect(props).toMatchObject({ AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }], OKActions: [expect.anything()] });
    });

    test('THEN failed pipeline executions are published to the topic, whose key EventBridge may use', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ source: ['aws.codepipeline'], detail: { state: ['FAILED'] } }),
        Targets: [Match.objectLike({ Arn: topic })],
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
      });
    });

    test('THEN the dashboard has cache, scheduled work and pipeline sections with graphs, and the user widget', () => {
      const [dash] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as any[];
      const body = JSON.stringify(dash.Properties.DashboardBody);
      for (const text of ['## Cache', 'Evictions', '## Scheduled jobs and API calls', 'Invocations', 'FailedInvocations', 'Dead-letter queue depth',
        '## Deploy pipeline', 'Migrations: runs / failures', 'my own widget']) {
        expect(body).toContain(text);
      }
    });
  });

  test('GIVEN a service with a routed container THEN each target group has its own unhealthy-host alarm on its own hosts', () => {
    const { stack, vpc, zone, repository } = givenStack();
    const web = new SecureAlbFargateService(stack, 'Backend', {
      vpc,
      hostedZone: zone,
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(repository),
      routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'] }],
    });
    expect(Object.keys(web.targetGroups)).toEqual(['app', 'api']);
    expect(web.targetGroups.app).toBe(web.targetGroup);

    new InfraMonitoring(stack, 'Monitoring', { service: web.service, loadBalancer: web.loadBalancer, targetGroups: Object.values(web.targetGroups) });

    const template = Template.fromStack(stack);
    const unhealthy = Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'UnHealthyHostCount' } }));
    const targetGroupOf = (alarm: any) => alarm.Properties.Dimensions.find((d: any) => d.Name === 'TargetGroup').Value['Fn::GetAtt'][0];
    expect(unhealthy.map(([id, alarm]) => [id.replace(/[0-9A-F]{8}$/, ''), targetGroupOf(alarm).replace(/[0-9A-F]{8}$/, '')])).toEqual([
      ['MonitoringUnhealthyHosts', 'BackendAppTargetGroup'],
      ['MonitoringUnhealthyHostsApiTargetGroup', 'BackendApiTargetGroup'],
    ]);
  });

  describe('GIVEN a blue/green web service that redeploys on secret changes as the deployment', () => {
    const { stack, vpc, zone, repository } = givenStack();
    const web = new SecureAlbFargateService(stack, 'Backend', {
      vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), deployment: ServiceDeployment.blueGreen(),
    });
    web.redeployOnRotation(new secretsmanager.Secret(stack, 'Token'));
    new InfraMonitoring(stack, 'Monitoring', { service: web.service, loadBalancer: web.loadBalancer, deployment: web });
    const template = Template.fromStack(stack);
    const [dash] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as any[];
    const body = JSON.stringify(dash.Properties.DashboardBody);
    const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);

    test('THEN a Deployments section shows the strategy, requests of the primary and alternate target groups, both functions and the deployment alarms', () => {
      for (const text of ['## Deployments', 'Strategy: **BLUE_GREEN**', 'Requests per target group', 'app primary', 'app alternate',
        'Smoke test: runs / errors', 'Redeploys after secret changes: runs / errors', 'Deployment alarms']) {
        expect(body).toContain(text);
      }
      for (const group of [web.targetGroup, web.alternateTargetGroups.app]) expect(body).toContain(logicalId(group));
      for (const fn of [web.smokeTestFunction!, web.rotationRedeployFunction!]) expect(body).toContain(logicalId(fn));
    });

    test('THEN the service rolls back on its unhealthy-host alarms and on monitoring\'s 5xx and latency alarms, all in one list', () => {
      const [svc] = Object.values(template.findResources('AWS::ECS::Service')) as any[];
      expect(svc.Properties.DeploymentConfiguration.Alarms).toEqual({
        AlarmNames: ['BackendAppUnhealthyHostsAlarm', 'BackendAppAlternateUnhealthyHostsAlarm', 'MonitoringLoadBalancer5xxRate', 'MonitoringTarget5xxRate', 'MonitoringP99LatencyHigh']
          .map(id => ({ Ref: expect.stringMatching(new RegExp(`^${id}[A-F0-9]{8}$`)) })),
        Enable: true,
        Rollback: true,
      });
      expect(svc.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    });

    test('THEN every deployment alarm (smoke test, unhealthy hosts, rotation redeploy) is routed to the topic and shown', () => {
      expect(web.deploymentAlarms.length).toBe(4);
      for (const alarm of web.deploymentAlarms) {
        expect(template.toJSON().Resources[logicalId(alarm)].Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }]);
        expect(body).toContain(logicalId(alarm));
      }
    });
  });

  test('GIVEN a rolling service as the deployment THEN the section shows its target group only, and no function', () => {
    const { stack, vpc, zone, repository } = givenStack();
    const web = new SecureAlbFargateService(stack, 'Backend', { vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository) });
    new InfraMonitoring(stack, 'Monitoring', { deployment: web });
    const [dash] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard')) as any[];
    const body = JSON.stringify(dash.Properties.DashboardBody);
    expect(body).toContain('Strategy: **ROLLING**');
    expect(body).toContain('app primary');
    for (const text of ['alternate', 'Smoke test', 'Redeploys', 'Deployment alarms']) expect(body).not.toContain(text);
  });

  test('GIVEN deploymentAlarms false THEN the service rolls back on no alarm and no alarm description promises a rollback', () => {
    const { template } = build({ deploymentAlarms: false });
    const [svc] = Object.values<any>(template.findResources('AWS::ECS::Service'));
    expect(svc.Properties.DeploymentConfiguration.Alarms).toEqual({ AlarmNames: [], Enable: false, Rollback: false });
    const descriptions = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).map(alarm => alarm.Properties.AlarmDescription);
    expect(descriptions.filter(d => /rolls the deployment back/.test(d))).toEqual([]);
  });

  test('GIVEN the default THEN each rollback alarm\'s description says it rolls the deployment back', () => {
    const { template } = build();
    const alarms = Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm'));
    const promising = alarms.filter(([, alarm]) => /ECS rolls the deployment back$/.test(alarm.Properties.AlarmDescription)).map(([id]) => id.replace(/[A-F0-9]{8}$/, ''));
    expect(promising.sort()).toEqual(['MonitoringLoadBalancer5xxRate', 'MonitoringP99LatencyHigh', 'MonitoringTarget5xxRate']);
  });

  test('GIVEN a custom threshold THEN the alarm uses it', () => {
    const { template } = build({ thresholds: { p99Latency: Duration.millis(800), serviceCpuPercent: 75 } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Threshold: 0.8, ExtendedStatistic: 'p99' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Namespace: 'AWS/ECS', Threshold: 75 });
  });

  describe('GIVEN bad input THEN synth fails naming the prop', () => {
    test.each([
      [{ alarmEmails: ['ops@'] }, /invalid alarmEmails\[0\] "ops@"/],
      [{ thresholds: { target5xxPercent: 0 } }, /invalid thresholds.target5xxPercent 0/],
      [{ service: undefined, deploymentAlarms: true }, /invalid deploymentAlarms true: deployment alarms need the service/],
    ] as Array<[Partial<InfraMonitoringProps>, RegExp]>)('%#', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });
  });

  describe('GIVEN monitorMetricsWorkspace on a workspace of one\'s own', () => {
    const WS = 'ws-0123abcd-0123-0123-0123-0123456789ab';
    function monitored(options: object) {
      const { stack } = givenStack();
      const monitoring = new InfraMonitoring(stack, 'Monitoring', {});
      monitoring.monitorMetricsWorkspace(options as any);
      return { monitoring, template: Template.fromStack(stack) };
    }

    test('THEN an alarm on discarded samples (Metrics Insights over every reason) pages at the given threshold', () => {
      const { template, monitoring } = monitored({ workspaceId: WS, discardedSamplesThreshold: 100 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 100,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        Metrics: [{ Id: 'expr_1', Period: 300, ReturnData: true, Expression: `SELECT SUM(DiscardedSamples) FROM "AWS/Prometheus" WHERE Workspace = '${WS}'` }],
      });
      expect(Object.keys(monitoring.alarms)).toEqual(['MetricsWorkspaceDiscardedSamples']);
    });

    test('THEN the dashboard gets the row: ingestion rate and active series (AWS/Usage, by ResourceId), discarded samples (AWS/Prometheus, by Workspace, per Reason) and the alarm', () => {
      const { template } = monitored({ workspaceId: WS });
      const [dashboard] = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
      const body = dashboard.Properties.DashboardBody;
      // Deploy-time values (the Region) read X; the workspace ID is a literal here.
      const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : 'X')).join('');
      const widgets: any[] = JSON.parse(text).widgets;
      const row = widgets.slice(widgets.findIndex(w => w.properties.markdown === '## Prometheus metrics workspace') + 1);
      expect(row.map(w => w.properties.title)).toEqual(['Ingestion rate (samples/s)', 'Active series', 'Discarded samples by reason', 'Alarms']);
      // The dimension names are those AMP vends (AWS's own workspace dashboard filters on them): an unknown one finds nothing.
      expect(row.slice(0, 3).map(w => w.properties.metrics[0][0].expression)).toEqual([
        `SEARCH('Namespace="AWS/Usage" MetricName="ResourceCount" Service="Prometheus" Resource="IngestionRate" ResourceId="${WS}"', 'Average', 300)`,
        `SEARCH('Namespace="AWS/Usage" MetricName="ResourceCount" Service="Prometheus" Resource="ActiveSeries" ResourceId="${WS}"', 'Average', 300)`,
        `SEARCH('Namespace="AWS/Prometheus" MetricName="DiscardedSamples" Workspace="${WS}"', 'Sum', 300)`,
      ]);
      expect(row[2].properties.metrics[0][0].label).toBe('${PROP(\'Dim.Reason\')}');
    });

    test('WHEN two workspaces are monitored THEN each has its alarm', () => {
      const { stack } = givenStack();
      const monitoring = new InfraMonitoring(stack, 'Monitoring', {});
      monitoring.monitorMetricsWorkspace({ workspaceId: WS });
      monitoring.monitorMetricsWorkspace({ workspaceId: 'ws-other' });
      expect(Object.keys(monitoring.alarms)).toEqual(['MetricsWorkspaceDiscardedSamples', 'MetricsWorkspaceDiscardedSamples2']);
    });

    test.each<[object, RegExp]>([
      [{ workspaceId: WS, discardedSamplesThreshold: -1 }, /invalid monitorMetricsWorkspace\(options\)\.discardedSamplesThreshold -1: give a whole number of samples, 0 or more/],
      [{ workspaceId: WS, discardedSamplesThreshold: 1.5 }, /invalid monitorMetricsWorkspace\(options\)\.discardedSamplesThreshold 1\.5/],
      [{}, /invalid monitorMetricsWorkspace\(options\)\.workspaceId undefined: it is required/],
      [{ workspaceId: WS, discardedSample: 3 }, /monitorMetricsWorkspace\(options\)\.discardedSample 3: MetricsWorkspaceMonitoringOptions has no such prop/],
    ])('GIVEN %j THEN it is refused naming the option', (options, error) => {
      expect(() => monitored(options)).toThrow(error);
    });
  });
});
