import { Template } from 'aws-cdk-lib/assertions';
import { givenStack } from '../test/fixtures';
import { EcrToEcsPipeline, SecureAlbFargateService, ServiceImage } from '../src';
const g = givenStack();
const web = new SecureAlbFargateService(g.stack, 'Backend', { vpc: g.vpc, hostedZone: g.zone, environmentName: 'prod', appName: 'salon', image: ServiceImage.fromEcrRepository(g.repository) });
new EcrToEcsPipeline(g.stack, 'Delivery', { service: web });
const t = Template.fromStack(g.stack).toJSON();
for (const [id, r] of Object.entries<any>(t.Resources)) {
  if (r.Type === 'AWS::CodePipeline::Pipeline') console.log(JSON.stringify(r.Properties.Stages.map((s: any) => s.Actions.map((a: any) => a.Configuration)), null, 1));
  if (r.Type === 'AWS::Events::Rule') console.log(id, JSON.stringify(r.Properties.EventPattern));
  if (r.Type === 'AWS::SSM::Parameter') console.log(id, JSON.stringify(r.Properties));
}
