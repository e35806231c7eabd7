import { App } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { checkCompliance, describe as d } from '../test/compliance';
import { givenStack } from '../test/fixtures';
import { EcrToEcsPipeline, SecureAlbFargateService, ServiceImage } from '../src';
const app = new App();
const g = givenStack({}, app);
const web = new SecureAlbFargateService(g.stack, 'Backend', { vpc: g.vpc, hostedZone: g.zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(g.repository) });
new EcrToEcsPipeline(g.stack, 'Pipeline', { service: web, manualApproval: true, notificationTopic: new sns.Topic(g.stack, 'T', { enforceSSL: true }),
  source: { connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/abc-123', owner: 'o', repo: 'r' } });
const r = checkCompliance(app, [g.stack]);
const own = (f: any[]) => f.filter(x => !x.resource.includes('/Vpc/') && !/^Vpc/.test(x.resource) && !/\/T\b|^T[0-9A-F]/.test(x.resource));
console.log(d(own([...r.nagErrors, ...r.nagWarnings])).join('\n'));
console.log('--guard');
console.log(d(own(r.guardViolations)).join('\n'));
