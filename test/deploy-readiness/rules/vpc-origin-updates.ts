import { CfnTemplate, referencedId, resourcesOfType, UpdateRule } from '../rule';

/** Create-only properties of a load balancer: a change replaces it, and so changes the ARN a VPC origin names. */
const LB_CREATE_ONLY = ['Name', 'Scheme', 'Type'];

function usedByDistribution(template: CfnTemplate, originId: string): boolean {
  return resourcesOfType(template, 'AWS::CloudFront::Distribution')
    .some(([, d]) => (d.Properties?.DistributionConfig?.Origins ?? []).some((o: any) => referencedId(o.VpcOriginConfig?.VpcOriginId) === originId));
}

export const vpcOriginNotUpdatedInPlace: UpdateRule = {
  id: 'vpc-origin-not-updated-in-place',
  phase: 'update',
  rule: 'CloudFront refuses UpdateVpcOrigin (tags included) while a distribution is associated with the VPC origin (409 "currently associated with one '
    + 'or more distributions"); every property of AWS::CloudFront::VpcOrigin updates in place, so a change to a VPC origin that a deployed '
    + 'distribution uses, or to the ARN of its load balancer through a replacement, fails the stack update. Such a change needs a new VPC origin '
    + '(a new logical ID), which CloudFormation creates, moves the distribution to, and deletes in cleanup.',
  source: 'aws/aws-cdk#35765',
  check(before, after) {
    const findings: string[] = [];
    const b = before.Resources ?? {};
    for (const [id, origin] of resourcesOfType(after, 'AWS::CloudFront::VpcOrigin')) {
      const old = b[id];
      if (!old || old.Type !== origin.Type || !usedByDistribution(before, id)) continue;
      if (JSON.stringify(old.Properties ?? {}) !== JSON.stringify(origin.Properties ?? {})) {
        findings.push(`${id} is updated in place while a distribution uses it: ${JSON.stringify(old.Properties)} -> ${JSON.stringify(origin.Properties)}`);
        continue;
      }
      const lbId = referencedId(origin.Properties?.VpcOriginEndpointConfig?.Arn);
      const lbBefore = b[lbId ?? ''];
      const lbAfter = after.Resources?.[lbId ?? ''];
      if (lbBefore && lbAfter && LB_CREATE_ONLY.some(p => JSON.stringify(lbBefore.Properties?.[p]) !== JSON.stringify(lbAfter.Properties?.[p]))) {
        findings.push(`${id}: its load balancer ${lbId} is replaced, so its Arn changes in place while a distribution uses it`);
      }
    }
    return findings;
  },
  counterexample: {
    before: {
      Resources: {
        Origin: { Type: 'AWS::CloudFront::VpcOrigin', Properties: { VpcOriginEndpointConfig: { Arn: { Ref: 'Lb' }, Name: 'o', OriginProtocolPolicy: 'http-only' } } },
        Dist: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Origins: [{ Id: 'o', DomainName: 'x', VpcOriginConfig: { VpcOriginId: { 'Fn::GetAtt': ['Origin', 'Id'] } } }] } } },
      },
    },
    after: {
      Resources: {
        Origin: { Type: 'AWS::CloudFront::VpcOrigin', Properties: { VpcOriginEndpointConfig: { Arn: { Ref: 'Lb' }, Name: 'o', OriginProtocolPolicy: 'https-only' } } },
        Dist: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Origins: [{ Id: 'o', DomainName: 'lb.example.com', VpcOriginConfig: { VpcOriginId: { 'Fn::GetAtt': ['Origin', 'Id'] } } }] } } },
      },
    },
  },
};
