/**
 * Seed 002: a scalable backend (ALB, autoscaled compute, PostgreSQL with credentials in Secrets Manager, an S3
 * bucket of data files, Fargate download agents, CloudWatch alarms and dashboard).
 * Differences from the seed: the backend runs on Fargate (2..10 tasks) instead of an EC2 Auto Scaling group, and the
 * public entry is CloudFront -> ALB (HTTPS only) instead of API Gateway; the download agents are a queue worker of
 * the platform (its cluster, image, database connection and monitoring), scaling from zero on the downloads waiting.
 */
import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { BackendPlatform, WorkerService } from '../../src';

export class ScalableBackendStack extends Stack {
  public readonly platform: BackendPlatform;
  public readonly downloadAgents: WorkerService;
  public readonly dataBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'data.example.com' });
    this.platform = new BackendPlatform(this, 'Backend', {
      environmentName: 'prod',
      hostedZone,
      database: { databaseName: 'downloads' },
      service: { minCapacity: 2, maxCapacity: 10 },
      alarmEmails: ['ops@data.example.com'],
    });
    this.dataBucket = new s3.Bucket(this, 'DataFiles', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.dataBucket.grantReadWrite(this.platform.service.taskRole);

    // The download agents: long-running Fargate workers with no load balancer, fed by a queue the backend writes to.
    this.downloadAgents = this.platform.addWorker('DownloadAgents', {
      queue: { messagesPerTask: 5, visibilityTimeout: Duration.minutes(15) },
      minCapacity: 0,
      maxCapacity: 10,
      command: ['node', 'dist/download-agent.js'],
      environment: { DATA_BUCKET: this.dataBucket.bucketName },
    });
    this.dataBucket.grantRead(this.downloadAgents.taskRole);
    this.downloadAgents.queue!.grantSendMessages(this.platform.service.taskRole);
    this.platform.service.container.addEnvironment('DOWNLOAD_QUEUE_URL', this.downloadAgents.queue!.queueUrl);
    for (const role of [this.platform.service.taskRole, this.downloadAgents.taskRole]) {
      NagSuppressions.addResourceSuppressions(role, [{
        id: 'AwsSolutions-IAM5',
        reason: 'The backend manages and the agents read any data file of this one bucket (CDK grant actions).',
        appliesTo: [{ regex: '/^Action::s3:.*\\*$/' }, { regex: '/^Resource::<DataFiles[0-9A-F]+\\.Arn>\\/\\*$/' }],
      }], true);
    }

    // Your own metric on the platform's dashboard and topic.
    const objects = new cloudwatch.Metric({
      namespace: 'AWS/S3',
      metricName: 'NumberOfObjects',
      statistic: 'Average',
      period: Duration.days(1),
      dimensionsMap: { BucketName: this.dataBucket.bucketName, StorageType: 'AllStorageTypes' },
    });
    this.platform.monitoring.dashboard.addWidgets(new cloudwatch.GraphWidget({ title: 'Data files', left: [objects], width: 12 }));
    this.platform.monitoring.addAlarm('DataFilesMissing', {
      alarmDescription: 'The data bucket is empty: agents have nothing to download',
      metric: objects,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
