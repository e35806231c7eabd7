/** The headline example (README) in the production and development profiles, built from the compiled library (lib/). */
import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
// The bench measures the published JavaScript, not ts-node's transpiling of src/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BackendPlatform, EnvironmentProfile, ServiceDeployment } = require('../lib') as typeof import('../src');

export function createPlatformApp(app: App, profiles = ['production', 'development'], service: object = {}): Stack[] {
  return profiles.map(profile => {
    const stack = new Stack(app, profile === 'production' ? 'BackendProd' : 'BackendDev');
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    new BackendPlatform(stack, 'Backend', {
      environmentName: profile === 'production' ? 'prod' : 'dev',
      profile: profile === 'production' ? EnvironmentProfile.PRODUCTION : EnvironmentProfile.DEVELOPMENT,
      hostedZone: zone,
      database: {},
      cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
      scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
      alarmEmails: ['ops@example.com'],
      service: { deployment: ServiceDeployment.blueGreen(), ...service },
    });
    return stack;
  });
}
