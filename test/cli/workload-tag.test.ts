import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { WORKLOAD_TAG } from '../../src/private/workload-tag';
import { platform } from '../builders';

/**
 * The command-line tool names a workload by the tag on its ECS service (a job: on its task definition). The tag is
 * what the tool's fixture in moto sets by API (moto's CloudFormation drops service tags): pin the template side here.
 */
test('the platform\'s web service, an added service, a worker and a scheduled job carry the workload tag, each with its name', () => {
  const built = platform({ cleanupJob: { command: ['node', 'cleanup.js'] } });
  built.addService('Admin', { pathPatterns: ['/admin/*'] });
  built.addWorker('Mailer', { queue: {} });
  built.addScheduledJob('NightlyReport', { command: ['node', 'report.js'], taskType: 'REPORT' });
  const template = Template.fromStack(Stack.of(built)).toJSON();
  const tagOf = (resource: any) => (resource.Properties.Tags ?? []).find((t: any) => t.Key === WORKLOAD_TAG)?.Value;
  const byType = (type: string) => Object.values<any>(template.Resources).filter(r => r.Type === type).map(tagOf).sort();

  expect(byType('AWS::ECS::Service')).toEqual(['admin', 'backend', 'mailer']);
  expect(byType('AWS::ECS::TaskDefinition')).toEqual(['admin', 'backend', 'cleanupjob', 'mailer', 'nightlyreport']);
  expect(byType('AWS::Events::Rule').filter(Boolean)).toEqual(expect.arrayContaining(['cleanupjob', 'nightlyreport']));
});
