/**
 * Seed 001: a NestJS API on Fargate with Redis (cache, sessions, BullMQ), an RDS database that lives outside the
 * stack (connection details in SSM, its security group imported), four scheduled calls through API destinations
 * with an API key, and the CI (GitHub -> CodeBuild -> ECR) and CD (ECR -> migrate -> deploy) pipelines.
 * Differences from the seed: a dedicated VPC instead of the default VPC; Valkey instead of Redis OSS (same protocol).
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { BackendPlatform } from '../../src';

export class SalonApiStack extends Stack {
  public readonly platform: BackendPlatform;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'salon.example.com' });
    this.platform = new BackendPlatform(this, 'Backend', {
      environmentName: 'prod',
      appName: 'salon',
      hostedZone,
      service: { containerPort: 3000, healthCheckPath: '/api/health' },
      existingDatabase: {
        securityGroupId: 'sg-0123456789abcdef0',
        hostParameterName: '/salon/prod/db/host',
        usernameParameterName: '/salon/prod/db/user',
        passwordParameterName: '/salon/prod/db/password',
        databaseName: 'salon',
      },
      cache: {},
      scheduledApiCalls: [
        { id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' },
        { id: 'ReviewSms', schedule: events.Schedule.rate(Duration.minutes(1)), path: '/sms/review' },
        { id: 'ConfirmationSms', schedule: events.Schedule.rate(Duration.minutes(30)), path: '/sms/confirmation' },
        { id: 'CampaignSms', schedule: events.Schedule.rate(Duration.minutes(15)), path: '/sms/campaign' },
      ],
      pipeline: {
        migrationCommand: ['npm', 'run', 'migration:run'],
        source: {
          connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/0123abcd-4567-89ef-0123-456789abcdef',
          owner: 'salon-co',
          repo: 'salon-api',
          branch: 'main',
        },
      },
      alarmEmails: ['dev@salon.example.com'],
    });
  }
}
