import { App } from 'aws-cdk-lib';
import { checkCompliance, describe as describeFindings } from './compliance';
import { constructCases as cases } from './construct-cases';
import { createApp } from '../examples/backend-app';


describe('BackendPlatform headline example, production and development profiles', () => {
  const app = new App();
  const stacks = createApp(app);
  const report = checkCompliance(app, stacks);

  test('has zero unacknowledged cdk-nag AwsSolutions errors and warnings', () => {
    expect(describeFindings([...report.nagErrors, ...report.nagWarnings])).toEqual([]);
  });

  test('has zero unacknowledged cfn-guard Control Tower violations', () => {
    expect(describeFindings(report.guardViolations)).toEqual([]);
  });
});

describe.each(cases)('%s', (_name, build) => {
  const app = new App();
  const { stack } = build(app);
  const report = checkCompliance(app, [stack]);
  const own = (findings: typeof report.nagErrors) => findings.filter(f => !f.resource.includes('/Vpc/') && !/^Vpc/.test(f.resource));

  test('cdk-nag ran (the fixture VPC without flow logs is flagged)', () => {
    expect(report.nagErrors.map(f => f.rule)).toContain('AwsSolutions-VPC7');
  });

  test('has zero unacknowledged cdk-nag AwsSolutions errors', () => {
    expect(describeFindings(own(report.nagErrors))).toEqual([]);
  });

  test('has zero unacknowledged cfn-guard Control Tower violations', () => {
    expect(describeFindings(own(report.guardViolations))).toEqual([]);
  });
});
