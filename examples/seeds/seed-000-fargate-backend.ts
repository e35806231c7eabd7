/**
 * Seed 000: a containerized backend (4 vCPU / 8 GiB, 2..4 tasks) behind a CloudFront-only ALB at
 * `<env>-lb.<domain>`, its image tag read from `/total-ctl/<env>/backend/ecr-imgTag`, a cleanup job every 5 minutes
 * with the same image, monitoring over all of it, and the service URL and name in SSM.
 * The seed specifies an internet-facing ALB, so this example keeps `EdgeMode.PUBLIC_ALB` (the library's default is an
 * internal ALB behind a CloudFront VPC origin).
 * Differences from the seed: the MongoDB connection string is an ECS secret (SSM SecureString), not plain env.
 */
import { Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { BackendPlatform, EdgeMode } from '../../src';

export class FargateBackendStack extends Stack {
  public readonly platform: BackendPlatform;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const environmentName = 'prod';
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'total-ctl.example.com' });
    const mongo = ssm.StringParameter.fromSecureStringParameterAttributes(this, 'Mongo', { parameterName: `/total-ctl/${environmentName}/backend/mongodb` });
    this.platform = new BackendPlatform(this, 'Backend', {
      environmentName,
      appName: 'total-ctl',
      hostedZone,
      // The InfrastructureStack of the seed owns the repository.
      repository: ecr.Repository.fromRepositoryName(this, 'Repository', 'total-ctl-backend'),
      service: {
        cpu: 4096,
        memoryLimitMiB: 8192,
        containerPort: 3000,
        edgeMode: EdgeMode.PUBLIC_ALB,
        environment: { API_PORT: '3000', UPLOADS_BUCKET: 'total-ctl-uploads' },
        secrets: { MONGODB_CONNECTION_STRING: ecs.Secret.fromSsmParameter(mongo) },
      },
      cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
      alarmEmails: ['oncall@total-ctl.example.com'],
    });
    // Escape hatch: the application's own AWS permissions go on the task role.
    this.platform.service.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: ['arn:aws:s3:::total-ctl-uploads/*'],
    }));
    NagSuppressions.addResourceSuppressions(this.platform.service.taskRole, [
      { id: 'AwsSolutions-IAM5', reason: 'The app stores user uploads under any key of its own bucket.', appliesTo: ['Resource::arn:aws:s3:::total-ctl-uploads/*'] },
    ], true);
  }
}
