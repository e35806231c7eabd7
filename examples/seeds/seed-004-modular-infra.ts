/**
 * Seed 004: the modular CDKTF stack (networking, ALB, ECS Fargate, PostgreSQL, monitoring, scheduled backups to S3)
 * as one platform in the development profile.
 * Differences from the seed: the self-run Prometheus becomes an ADOT collector sidecar that scrapes the service's
 * `/metrics` on port 9464 into the platform's Amazon Managed Service for Prometheus workspace (deleted with the
 * development teardown), with a dashboard row and an alarm on discarded samples; ECS and ALB metrics stay in
 * CloudWatch with Container Insights and the platform's alarms;
 * the backup Lambda becomes an AWS Backup plan (`backups`: daily recovery points kept 35 days, monthly ones 12 months,
 * in a retained vault with its own key), which the development profile leaves off unless asked; a nightly Fargate job
 * still writes a pg_dump to a retained, encrypted bucket, because a logical dump restores into any PostgreSQL (a newer
 * major version, a laptop) where a snapshot only restores into RDS. The ALB listens on HTTPS behind CloudFront
 * instead of plain HTTP. Everything else follows the development teardown: `cdk destroy` deletes it.
 */
import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { BackendPlatform, EnvironmentProfile } from '../../src';

export class ModularInfraStack extends Stack {
  public readonly platform: BackendPlatform;
  public readonly backupBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'app.example.com' });
    this.backupBucket = new s3.Bucket(this, 'Backups', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.platform = new BackendPlatform(this, 'Backend', {
      environmentName: 'dev',
      profile: EnvironmentProfile.DEVELOPMENT,
      hostedZone,
      database: {},
      backups: {},
      cleanupJob: {
        command: ['sh', '-c', 'PGPASSWORD="$DB_PASSWORD" pg_dump "host=$DB_HOST port=$DB_PORT dbname=$DB_NAME user=$DB_USER sslmode=require"'
          + ' | gzip | aws s3 cp - "s3://$BACKUP_BUCKET/$(date +%F).sql.gz"'],
        schedule: events.Schedule.cron({ minute: '30', hour: '2' }),
      },
      service: { environment: { BACKUP_BUCKET: this.backupBucket.bucketName }, metrics: { port: 9464 } },
    });
    this.backupBucket.grantWrite(this.platform.cleanupJob!.taskDefinition.taskRole);
    NagSuppressions.addResourceSuppressions(this.platform.cleanupJob!.taskDefinition.taskRole, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The backup job writes one dated dump per night into its own bucket (CDK grantWrite actions).',
      appliesTo: [{ regex: '/^Action::s3:.*\\*$/' }, { regex: '/^Resource::<Backups[0-9A-F]+\\.Arn>\\/\\*$/' }],
    }], true);
  }
}
