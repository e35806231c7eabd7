/**
 * Deploys the headline BackendPlatform in the development profile with the placeholder image and asserts that
 * the service answers through CloudFront and the database is private.
 * A real run needs a public hosted zone: set INTEG_HOSTED_ZONE_ID and INTEG_ZONE_NAME.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { BackendPlatform, EnvironmentProfile, ServiceImage } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegBackendPlatform');
const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
  hostedZoneId: process.env.INTEG_HOSTED_ZONE_ID ?? 'Z0123456789ABC',
  zoneName: process.env.INTEG_ZONE_NAME ?? 'integ.example.com',
});
const platform = new BackendPlatform(stack, 'Backend', {
  environmentName: 'integ',
  profile: EnvironmentProfile.DEVELOPMENT,
  hostedZone,
  image: ServiceImage.placeholder(),
  database: {},
  cleanupJob: { command: ['sh', '-c', 'echo cleanup'] },
  scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/health', method: events.HttpMethod.GET }],
});

const integ = new IntegTest(app, 'BackendPlatformTest', { testCases: [stack] });
integ.assertions.httpApiCall(`${platform.service.serviceUrl}/health`).expect(ExpectedResult.objectLike({ status: 200 }));
integ.assertions.awsApiCall('RDS', 'describeDBInstances', { DBInstanceIdentifier: platform.database!.instance.instanceIdentifier })
  .expect(ExpectedResult.objectLike({ DBInstances: [{ PubliclyAccessible: false, StorageEncrypted: true }] }));
