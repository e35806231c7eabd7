import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { platform, web, worker, synthesized } from './builders';
import { estimateMonthlyCost, estimateObservabilityCost } from '../bench/cost';
import { AMP_SAMPLE_INGESTED_FIRST_TIER_USD } from '../bench/observability-prices';
import { EnvironmentProfile, ServiceImage } from '../src';

const WORKSPACE = 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0123-0123-0123-0123456789ab';
const containersOf = (construct: any) => {
  const [definition] = Object.values<any>(Template.fromStack(Stack.of(construct)).findResources('AWS::ECS::TaskDefinition'));
  return definition.Properties.ContainerDefinitions as any[];
};
const named = (containers: any[], name: string) => containers.find(c => c.Name === name);
const configOf = (collector: any) => {
  // The region is a deploy-time value of an environment-agnostic stack: the text is an Fn::Join around it.
  const value = collector.Environment.find((e: any) => e.Name === 'AOT_CONFIG_CONTENT').Value;
  const text = typeof value === 'string' ? value : value['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
  return JSON.parse(text);
};
const statements = (construct: any) => Object.values<any>(Template.fromStack(Stack.of(construct)).findResources('AWS::IAM::Policy'))
  .flatMap(p => p.Properties.PolicyDocument.Statement);

describe('Prometheus metrics and tracing through an ADOT collector sidecar', () => {
  describe('GIVEN a web service scraping /metrics on 9464 into a given workspace', () => {
    const service = web({ metrics: { port: 9464, scrapeInterval: Duration.seconds(30), workspaceArn: WORKSPACE } });
    const collector = named(containersOf(service), 'otel_collector');

    test('THEN a pinned ADOT collector sidecar, not essential, health-checked, joins the task', () => {
      expect(collector).toMatchObject({
        Image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.50.0',
        Essential: false,
        MemoryReservation: 128,
        HealthCheck: { Command: ['CMD-SHELL', '/healthcheck'] },
      });
    });

    test('THEN its configuration scrapes the main container on localhost and remote-writes with SigV4 to the workspace', () => {
      const config = configOf(collector);
      expect(config.receivers.prometheus.config.scrape_configs).toEqual([
        { job_name: 'backend', scrape_interval: '30s', metrics_path: '/metrics', static_configs: [{ targets: ['localhost:9464'] }] },
      ]);
      expect(config.exporters.prometheusremotewrite).toEqual({
        endpoint: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-0123-0123-0123-0123456789ab/api/v1/remote_write',
        auth: { authenticator: 'sigv4auth' },
      });
      expect(config.service.pipelines).toEqual({
        metrics: { receivers: ['prometheus'], processors: ['resourcedetection', 'resource/task', 'batch'], exporters: ['prometheusremotewrite'] },
      });
      expect(config.receivers.otlp).toBeUndefined();
    });

    test('THEN each task labels its own series: the ECS detector finds the task, whose ARN becomes the instance label', () => {
      const config = configOf(collector);
      expect(config.processors.resourcedetection).toEqual({ detectors: ['env', 'ecs'], timeout: '5s', override: false });
      // The prometheusremotewrite exporter writes service.instance.id as `instance`: localhost:9464 in every task without this.
      expect(config.processors['resource/task']).toEqual({
        attributes: [{ key: 'service.instance.id', from_attribute: 'aws.ecs.task.arn', action: 'upsert' }],
      });
      const processors: string[] = config.service.pipelines.metrics.processors;
      expect(processors.indexOf('resourcedetection')).toBeLessThan(processors.indexOf('resource/task'));
    });

    test('THEN the task role may remote-write to that workspace only, and nothing about X-Ray', () => {
      const remoteWrite = statements(service).filter((s: any) => [s.Action].flat().includes('aps:RemoteWrite'));
      expect(remoteWrite).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: WORKSPACE })]);
      expect(statements(service).some((s: any) => [s.Action].flat().some((a: string) => a.startsWith('xray:')))).toBe(false);
    });
  });

  describe('GIVEN a worker with tracing', () => {
    const built = worker({ tracing: true });
    const containers = containersOf(built);

    test('THEN the main container gets the OpenTelemetry SDK variables pointing at the sidecar', () => {
      const env = Object.fromEntries(named(containers, 'worker').Environment.map((e: any) => [e.Name, e.Value]));
      expect(env).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_SERVICE_NAME: 'worker',
        OTEL_RESOURCE_ATTRIBUTES: expect.stringMatching(/^service\.namespace=.+,deployment\.environment=prod$/),
      });
    });

    test('THEN the collector receives OTLP on localhost and exports to X-Ray, with the X-Ray actions in a policy of their own', () => {
      const config = configOf(named(containers, 'otel_collector'));
      expect(config.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } });
      expect(config.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['resourcedetection', 'batch'], exporters: ['awsxray'] });
      expect(config.processors['resource/task']).toBeUndefined();
      const xray = statements(built).filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('xray:')));
      expect(xray).toEqual([expect.objectContaining({ Resource: '*', Action: expect.arrayContaining(['xray:PutTraceSegments', 'xray:GetSamplingRules']) })]);
      expect(statements(built).some((s: any) => [s.Action].flat().includes('aps:RemoteWrite'))).toBe(false);
    });
  });

  describe('GIVEN a platform whose service and a worker collect metrics without naming a workspace', () => {
    const built = platform({ service: { metrics: { port: 9464 } } });
    built.addWorker('Jobs', { queue: {}, metrics: { port: 9464 } });
    const template = Template.fromStack(Stack.of(built));

    test('THEN the platform creates one workspace, retained in production, and both write to it', () => {
      const workspaces = template.findResources('AWS::APS::Workspace');
      expect(Object.keys(workspaces)).toEqual([expect.stringMatching(/^PlatformMetricsWorkspace/)]);
      const [id] = Object.keys(workspaces);
      expect(workspaces[id].DeletionPolicy).toBe('Retain');
      expect(built.metricsWorkspace).toBeDefined();
      const writes = statements(built).filter((s: any) => [s.Action].flat().includes('aps:RemoteWrite'));
      expect(writes).toHaveLength(2);
      for (const write of writes) expect(write.Resource).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    });
  });

  describe('GIVEN the platform\'s workspace, stateful data', () => {
    const workspaceOf = (built: any) => Template.fromStack(Stack.of(built)).findResources('AWS::APS::Workspace');

    test('THEN its construct ID and logical ID are pinned: directly under the platform, whichever workload created it', () => {
      const built = platform({ service: { metrics: { port: 9464 } } });
      expect(built.metricsWorkspace?.node.path).toBe('TestStack/Platform/MetricsWorkspace');
      expect(Object.keys(workspaceOf(built))).toEqual(['PlatformMetricsWorkspaceA5142E9C']);
    });

    test('WHEN metrics move from the service to a worker THEN the workspace keeps its logical ID and properties', () => {
      const before = platform({ service: { metrics: { port: 9464 } } });
      before.addWorker('Jobs', { queue: {} });
      const after = platform({});
      after.addWorker('Jobs', { queue: {}, metrics: { port: 9464 } });
      expect(workspaceOf(after)).toEqual(workspaceOf(before));
      expect(Object.keys(workspaceOf(after))).toEqual(['PlatformMetricsWorkspaceA5142E9C']);
    });

    test('THEN the platform monitors it: a dashboard row of ingestion rate, active series and discarded samples, and an alarm on discarded samples', () => {
      const built = platform({ service: { metrics: { port: 9464 } } });
      const template = Template.fromStack(Stack.of(built));
      const workspaceId = { 'Fn::GetAtt': ['PlatformMetricsWorkspaceA5142E9C', 'WorkspaceId'] };
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'PlatformMonitoringAlarmTopicFF944DCF' }],
        Metrics: [{
          Id: 'expr_1',
          Period: 300,
          ReturnData: true,
          Label: 'Discarded samples',
          Expression: { 'Fn::Join': ['', ['SELECT SUM(DiscardedSamples) FROM "AWS/Prometheus" WHERE Workspace = \'', workspaceId, '\'']] },
        }],
      });
      const [dashboard] = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
      // The body is a join around deploy-time values; the workspace ID reads <WorkspaceId>.
      const text = dashboard.Properties.DashboardBody['Fn::Join'][1]
        .map((part: any) => (typeof part === 'string' ? part : part['Fn::GetAtt']?.[1] === 'WorkspaceId' ? '<WorkspaceId>' : 'X')).join('');
      const widgets: any[] = JSON.parse(text).widgets;
      const row = widgets.slice(widgets.findIndex(w => w.properties.markdown === '## Prometheus metrics workspace') + 1);
      expect(row.map(w => w.properties.title)).toEqual(['Ingestion rate (samples/s)', 'Active series', 'Discarded samples by reason', 'Alarms']);
      const expressions = row.slice(0, 3).map(w => w.properties.metrics[0][0].expression);
      expect(expressions).toEqual([
        'SEARCH(\'Namespace="AWS/Usage" MetricName="ResourceCount" Service="Prometheus" Resource="IngestionRate" ResourceId="<WorkspaceId>"\', \'Average\', 300)',
        'SEARCH(\'Namespace="AWS/Usage" MetricName="ResourceCount" Service="Prometheus" Resource="ActiveSeries" ResourceId="<WorkspaceId>"\', \'Average\', 300)',
        'SEARCH(\'Namespace="AWS/Prometheus" MetricName="DiscardedSamples" Workspace="<WorkspaceId>"\', \'Sum\', 300)',
      ]);
      expect(row[2].properties.metrics[0][0].label).toBe('${PROP(\'Dim.Reason\')}');
    });

    test('WHEN the workspace comes with a worker added after construction THEN it is monitored once, the same way', () => {
      const built = platform({});
      built.addWorker('Jobs', { queue: {}, metrics: { port: 9464 } });
      built.addWorker('Mailer', { queue: {}, metrics: { port: 9464 } });
      const alarms = Object.keys(Template.fromStack(Stack.of(built)).findResources('AWS::CloudWatch::Alarm')).filter(id => /DiscardedSamples/.test(id));
      expect(alarms).toEqual([expect.stringMatching(/^PlatformMonitoringMetricsWorkspaceDiscardedSamples[0-9A-F]{8}$/)]);
    });

    test('WHEN every workload names its workspace THEN no row and no alarm', () => {
      const built = platform({ service: { metrics: { port: 9464, workspaceArn: WORKSPACE } } });
      const template = Template.fromStack(Stack.of(built));
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter(id => /DiscardedSamples/.test(id))).toEqual([]);
      template.resourceCountIs('AWS::APS::Workspace', 0);
    });
  });

  test('GIVEN a platform scraping every 30 s THEN the bench\'s cost estimate counts AMP ingestion at the assumed series per task', () => {
    const built = platform({ service: { metrics: { port: 9464, scrapeInterval: Duration.seconds(30) }, minCapacity: 2 } });
    const lines = estimateMonthlyCost(Template.fromStack(Stack.of(built)).toJSON() as any).filter(l => l.item.startsWith('AMP ingestion'));
    // 500 series x 2 tasks x 86,400 scrapes in 30 days = 86.4 M samples at 0.90 USD per 10 M.
    expect(lines).toEqual([{ item: expect.stringMatching(/^AMP ingestion PlatformService[0-9A-F]{8}: 500 series \(assumed\) x 2 task\(s\) every 30 s, 86\.4 M samples$/), monthlyUsd: expect.any(Number) }]);
    expect(lines[0].monthlyUsd).toBeCloseTo(86.4e6 * AMP_SAMPLE_INGESTED_FIRST_TIER_USD, 6);
    expect(lines[0].monthlyUsd).toBeCloseTo(7.776, 3);
  });

  describe('GIVEN the bench\'s price of each observability option', () => {
    const optionsOf = (props: object) => estimateObservabilityCost(Template.fromStack(Stack.of(platform(props))).toJSON() as any);

    test('WHEN production traces and scrapes with 2 tasks THEN AMP, X-Ray at 5 requests/s per task all sampled (the SDK default), and enhanced Container Insights at price unknown', () => {
      const lines = optionsOf({ service: { metrics: { port: 9464 }, tracing: true, minCapacity: 2 } });
      expect(lines.map(l => l.option)).toEqual(['AMP ingestion', 'X-Ray tracing', 'X-Ray tracing', 'Container Insights enhanced']);
      // 500 series x 2 tasks x 43,200 scrapes (60 s) = 43.2 M samples at 0.90 USD per 10 M.
      expect(lines[0].monthlyUsd).toBeCloseTo(3.888, 3);
      // 5 requests/s x 2 tasks x 2,592,000 s = 25.92 M traces: 5 USD per million recorded, 0.50 per million scanned once.
      expect(lines[1].item).toMatch(/^X-Ray PlatformService[0-9A-F]{8}: 5 requests\/s per task \(assumed\) x 2 task\(s\), sampler parentbased_always_on \(SDK default\), every trace, 25\.92 M traces, recorded$/);
      expect(lines[1].monthlyUsd).toBeCloseTo(129.6, 6);
      expect(lines[2].monthlyUsd).toBeCloseTo(12.96, 6);
      expect(lines[3]).toEqual({ option: 'Container Insights enhanced', item: expect.stringMatching(/ 1 service\(s\), 2 task\(s\) at minimum; billed per observation, tiered$/), monthlyUsd: undefined });
    });

    test('WHEN the SDK samples 5 % of traces THEN X-Ray counts 5 % of the requests', () => {
      const lines = optionsOf({
        service: { tracing: true, minCapacity: 2, environment: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' } },
      });
      const recorded = lines.find(l => l.option === 'X-Ray tracing')!;
      expect(recorded.item).toMatch(/sampler parentbased_traceidratio 0\.05, 1\.30 M traces, recorded$/);
      expect(recorded.monthlyUsd).toBeCloseTo(6.48, 6);
    });

    test('WHEN the development profile neither scrapes nor traces THEN only standard Container Insights, at price unknown', () => {
      const lines = optionsOf({ profile: EnvironmentProfile.DEVELOPMENT });
      expect(lines).toEqual([{ option: 'Container Insights standard', item: expect.stringMatching(/billed as custom metrics per cluster, service and task family$/), monthlyUsd: undefined }]);
    });
  });

  test('GIVEN the development profile THEN the workspace is deleted with the stack', () => {
    const built = platform({ profile: EnvironmentProfile.DEVELOPMENT, service: { metrics: { port: 9464 } } });
    const [workspace] = Object.values<any>(Template.fromStack(Stack.of(built)).findResources('AWS::APS::Workspace'));
    expect(workspace.DeletionPolicy).toBe('Delete');
  });

  test('GIVEN no metrics anywhere THEN the platform has no workspace and no collector', () => {
    const built = platform({});
    expect(built.metricsWorkspace).toBeUndefined();
    Template.fromStack(Stack.of(built)).resourceCountIs('AWS::APS::Workspace', 0);
    expect(containersOf(built.service).map(c => c.Name)).toEqual(['app']);
  });

  test.each<[string, Parameters<typeof web>[0], RegExp]>([
    ['a standalone service without a workspace', { metrics: { port: 9464 } }, /invalid metrics\.workspaceArn undefined: name the Amazon Managed Service for Prometheus workspace/],
    ['a metrics port the collector takes', { metrics: { port: 4318, workspaceArn: WORKSPACE } }, /invalid metrics\.port 4318: the collector sidecar listens on 4317, 4318, 13133/],
    ['a main container on a collector port', { containerPort: 4317, tracing: true }, /invalid tracing true: the collector sidecar listens on 4317, 4318, 13133 and the main container on 4317/],
    ['a scrape interval out of bounds', { metrics: { port: 9464, workspaceArn: WORKSPACE, scrapeInterval: Duration.seconds(5) } }, /metrics\.scrapeInterval "5 seconds": give whole seconds from 10 to 300/],
    ['a sidecar named like the collector', { tracing: true, sidecars: [{ name: 'otel_collector', image: ServiceImage.placeholder() }] }, /sidecars\[0\]\.name "otel_collector": it is the name of another container/],
  ])('GIVEN %s THEN synth refuses it', (_, props, message) => {
    expect(() => web(props)).toThrow(message);
  });

  test('GIVEN a platform service with a bad metrics path THEN the error names the platform prop', () => {
    expect(synthesized(() => platform({ service: { metrics: { port: 9464, path: 'metrics' } } }))).toThrow(/service\.metrics\.path "metrics"/);
  });
});
