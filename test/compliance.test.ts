import { App } from 'aws-cdk-lib';
import { checkCompliance, describe as describeFindings } from './compliance';
import { givenStack } from './fixtures';
import { PrivateDatabase, SecureAlbFargateService, ServiceImage } from '../src';

/** Each case builds one construct (or the platform) alone in a fresh app. */
const cases: Array<[string, (app: App) => ReturnType<typeof givenStack>]> = [
  ['SecureAlbFargateService', (app) => {
    const given = givenStack({}, app);
    new SecureAlbFargateService(given.stack, 'Backend', {
      vpc: given.vpc, hostedZone: given.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(given.repository),
    });
    return given;
  }],
  ['PrivateDatabase (production)', (app) => {
    const given = givenStack({}, app);
    new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc });
    return given;
  }],
  ['PrivateDatabase (development)', (app) => {
    const given = givenStack({}, app);
    new PrivateDatabase(given.stack, 'Database', { vpc: given.vpc, production: false });
    return given;
  }],
];

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
