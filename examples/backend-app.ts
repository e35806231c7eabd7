/**
 * Reference app: the headline example of the README, as written, in one stack per profile.
 * Run it with `npx projen synth:example`, or `npx cdk synth --app "npx ts-node examples/backend-app.ts"`.
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { BackendPlatform, EnvironmentProfile, ServiceDeployment } from '../src';

export interface BackendStackProps extends StackProps {
  readonly environmentName: string;
  readonly profile: EnvironmentProfile;
}

export class BackendStack extends Stack {
  public readonly platform: BackendPlatform;

  constructor(scope: Construct, id: string, props: BackendStackProps) {
    super(scope, id, props);
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    this.platform = new BackendPlatform(this, 'Backend', {
      environmentName: props.environmentName,
      profile: props.profile,
      hostedZone: zone,
      database: {},
      cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
      scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
      alarmEmails: ['ops@example.com'],
      service: { deployment: ServiceDeployment.blueGreen() },
      pipeline: { migrationCommand: ['npm', 'run', 'migration:run'] },
    });
  }
}

/** Adds the reference stacks to an app and returns them. */
export function createApp(app: App): Stack[] {
  return [
    new BackendStack(app, 'BackendProd', { environmentName: 'prod', profile: EnvironmentProfile.PRODUCTION }),
    new BackendStack(app, 'BackendDev', { environmentName: 'dev', profile: EnvironmentProfile.DEVELOPMENT }),
  ];
}

if (require.main === module) {
  const app = new App();
  createApp(app);
  app.synth();
}
