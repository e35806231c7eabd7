/** Deploys InfraMonitoring over a job-style alarm and asserts the alarm notifies the encrypted topic. */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { InfraMonitoring } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegInfraMonitoring');
const monitoring = new InfraMonitoring(stack, 'Monitoring', {});
const alarm = monitoring.addAlarm('Heartbeat', {
  metric: new cloudwatch.Metric({ namespace: 'Integ', metricName: 'Heartbeat' }),
  threshold: 1,
  evaluationPeriods: 1,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
});

const integ = new IntegTest(app, 'InfraMonitoringTest', { testCases: [stack] });
integ.assertions.awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [alarm.alarmName] })
  .expect(ExpectedResult.objectLike({ MetricAlarms: [{ AlarmActions: [monitoring.alarmTopic.topicArn], StateValue: 'OK' }] }));
