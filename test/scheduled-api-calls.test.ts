import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { givenStack } from './fixtures';
import { ScheduledApiCall, ScheduledApiCalls, ScheduledApiCallsProps } from '../src';

/** The four schedules of seed 001. */
const seedCalls: ScheduledApiCall[] = [
  { id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' },
  { id: 'ReviewSms', schedule: events.Schedule.expression('rate(1 minute)'), path: '/sms/review' },
  { id: 'ConfirmationSms', schedule: events.Schedule.expression('rate(30 minutes)'), path: '/sms/confirmation' },
  { id: 'CampaignSms', schedule: events.Schedule.expression('rate(15 minutes)'), path: '/sms/campaign', body: events.RuleTargetInput.fromObject({ kind: 'campaign' }) },
];

function build(overrides: Partial<ScheduledApiCallsProps> = {}) {
  const { stack } = givenStack();
  const calls = new ScheduledApiCalls(stack, 'Calls', { baseUrl: 'https://api.example.com/', calls: seedCalls, ...overrides });
  return { calls, template: Template.fromStack(stack) };
}

describe('ScheduledApiCalls', () => {
  describe('GIVEN the seed schedules', () => {
    const { template } = build();

    test('THEN one API-key connection whose key is a Secrets Manager reference, never clear text', () => {
      template.resourceCountIs('AWS::Events::Connection', 1);
      template.hasResourceProperties('AWS::Events::Connection', {
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^\\{\\{resolve:secretsmanager:')])] } } },
      });
      template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 48 }) });
    });

    test('THEN one destination and rule per call, each with retries and the DLQ', () => {
      template.resourceCountIs('AWS::Events::ApiDestination', 4);
      template.hasResourceProperties('AWS::Events::ApiDestination', {
        InvocationEndpoint: 'https://api.example.com/salons/reset-queue', HttpMethod: 'POST', InvocationRateLimitPerSecond: 10,
      });
      const rules = Object.values(template.findResources('AWS::Events::Rule')).map((r: any) => r.Properties);
      expect(rules.map(r => r.ScheduleExpression).sort()).toEqual(['cron(0 8 * * ? *)', 'rate(1 minute)', 'rate(15 minutes)', 'rate(30 minutes)']);
      for (const rule of rules) {
        expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
        expect(rule.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/CallsDeadLetterQueue/);
      }
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)', Targets: [Match.objectLike({ Input: '{"kind":"campaign"}' })] });
    });

    test('THEN each call and the DLQ have an alarm', () => {
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'FailedInvocations' }, 4);
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' }, 1);
    });
  });

  describe('GIVEN bad input THEN synth fails naming the prop', () => {
    test.each([
      [{ baseUrl: 'http://api.example.com' }, /invalid baseUrl "http:\/\/api.example.com": API destinations call HTTPS endpoints only/],
      [{ calls: [seedCalls[0], seedCalls[0]] }, /invalid calls\[\]\.id "ResetQueue": another entry already uses it/],
      [{ calls: [{ ...seedCalls[0], path: 'salons' }] }, /invalid calls\[0\]\.path "salons"/],
      [{ calls: [{ ...seedCalls[0], id: 'reset-queue' }] }, /invalid calls\[0\]\.id "reset-queue"/],
      [{ calls: [{ ...seedCalls[0], schedule: events.Schedule.expression('cron(0 8 * * *)') }] }, /invalid calls\[0\]\.schedule "cron\(0 8 \* \* \*\)"/],
      [{ rateLimitPerSecond: 0 }, /invalid rateLimitPerSecond 0/],
    ] as Array<[Partial<ScheduledApiCallsProps>, RegExp]>)('%#', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });
  });
});
