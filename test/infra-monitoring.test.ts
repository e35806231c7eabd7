import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { givenStack } from './fixtures';
import { InfraMonitoring, InfraMonitoringProps, PrivateDatabase, SecureAlbFargateService, ServiceImage } from '../src';

function build(overrides: Partial<InfraMonitoringProps> = {}) {
  const { stack, vpc, zone, repository } = givenStack();
  const web = new SecureAlbFargateService(stack, 'Backend', { vpc, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository) });
  const db = new PrivateDatabase(stack, 'Database', { vpc });
  const jobAlarm = new cloudwatch.Alarm(stack, 'JobAlarm', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
  const monitoring = new InfraMonitoring(stack, 'Monitoring', {
    service: web.service,
    loadBalancer: web.loadBalancer,
    targetGroup: web.targetGroup,
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
      template.hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({ Alarms: { Enable: true, Rollback: true, AlarmNames: Match.anyValue() } }),
      });
      const [svc] = Object.values(template.findResources('AWS::ECS::Service')) as any[];
      expect(svc.Properties.DeploymentConfiguration.Alarms.AlarmNames).toHaveLength(3);
    });

    test('THEN the dashboard has service, load balancer, database and jobs sections and accepts user widgets', () => {
      monitoring.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: 'mine' }));
      const [dash] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as any[];
      const body = JSON.stringify(dash.Properties.DashboardBody);
      for (const section of ['Service and cluster', 'Load balancer', 'Database', 'Jobs, scheduled calls and pipeline']) expect(body).toContain(section);
    });
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
});
