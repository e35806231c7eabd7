/**
 * Reference app: the backend of seed 000 (a CloudFront-only Fargate web service) in its own stack.
 * Run it with `npx projen synth:example`, or `npx cdk synth --app "npx ts-node examples/backend-app.ts"`.
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { SecureAlbFargateService, ServiceImage } from '../src';

export class BackendStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.ALL } },
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    });
    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', 'total-ctl-backend');
    new SecureAlbFargateService(this, 'Backend', {
      vpc,
      hostedZone: zone,
      appName: 'total-ctl',
      environmentName: 'prod',
      image: ServiceImage.fromEcrRepository(repository),
      cpu: 4096,
      memoryLimitMiB: 8192,
      environment: { API_PORT: '8080' },
    });
  }
}

/** Adds the reference stacks to an app and returns them. */
export function createApp(app: App): Stack[] {
  return [new BackendStack(app, 'TotalCtlBackend')];
}

if (require.main === module) {
  const app = new App();
  createApp(app);
  app.synth();
}
