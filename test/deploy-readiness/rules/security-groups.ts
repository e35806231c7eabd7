import { ORIGIN_FACING_MAPPING_ID, ORIGIN_FACING_PREFIX_LIST_IDS, ORIGIN_FACING_PREFIX_LIST_WEIGHT } from '../../../src/private/cloudfront-prefix-list';
import { CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

const QUOTA = 60;

/**
 * What one rule counts: a managed prefix list counts its weight (its maximum entries), every other source 1. The
 * CloudFront origin-facing list is recognised by its built-in `pl-` IDs or the stack mapping that resolves them.
 */
function weight(rule: any): number {
  const prefixList = rule?.SourcePrefixListId ?? rule?.DestinationPrefixListId;
  if (prefixList === undefined) return 1;
  const fromMapping = prefixList?.['Fn::FindInMap']?.[0] === ORIGIN_FACING_MAPPING_ID;
  return fromMapping || ORIGIN_FACING_PREFIX_LIST_IDS.includes(prefixList) ? ORIGIN_FACING_PREFIX_LIST_WEIGHT : 1;
}

/** Each security group's inbound and outbound rules: inline ones plus the separate resources that target it. */
function ruleCounts(template: CfnTemplate): Map<string, { inbound: number; outbound: number }> {
  const counts = new Map<string, { inbound: number; outbound: number }>();
  for (const [id, group] of resourcesOfType(template, 'AWS::EC2::SecurityGroup')) {
    const inline = (rules: any) => (Array.isArray(rules) ? rules.reduce((sum: number, rule: any) => sum + weight(rule), 0) : 0);
    counts.set(id, { inbound: inline(group.Properties?.SecurityGroupIngress), outbound: inline(group.Properties?.SecurityGroupEgress) });
  }
  const add = (type: string, direction: 'inbound' | 'outbound') => {
    for (const [, rule] of resourcesOfType(template, type)) {
      const target = counts.get(referencedId(rule.Properties?.GroupId) ?? '');
      if (target) target[direction] += weight(rule.Properties);
    }
  };
  add('AWS::EC2::SecurityGroupIngress', 'inbound');
  add('AWS::EC2::SecurityGroupEgress', 'outbound');
  return counts;
}

export const securityGroupRulesWithinQuota: TemplateRule = {
  id: 'security-group-rules-within-quota',
  phase: 'create',
  rule: `A security group holds at most ${QUOTA} inbound and ${QUOTA} outbound rules; a rule referencing a managed prefix list counts its weight `
    + `(${ORIGIN_FACING_PREFIX_LIST_WEIGHT} for the CloudFront origin-facing list), so the rule past the quota fails its create with RulesPerSecurityGroupLimitExceeded.`,
  source: 'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups',
  check(template: CfnTemplate): string[] {
    return [...ruleCounts(template)].flatMap(([id, { inbound, outbound }]) => [
      ...(inbound > QUOTA ? [`${id} holds ${inbound} inbound rules (prefix lists by weight), over the quota of ${QUOTA}`] : []),
      ...(outbound > QUOTA ? [`${id} holds ${outbound} outbound rules (prefix lists by weight), over the quota of ${QUOTA}`] : []),
    ]);
  },
  counterexample: {
    Resources: {
      Alb: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'alb' } },
      CloudFront: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: { GroupId: { 'Fn::GetAtt': ['Alb', 'GroupId'] }, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourcePrefixListId: { 'Fn::FindInMap': [ORIGIN_FACING_MAPPING_ID, { Ref: 'AWS::Region' }, 'PrefixListId'] } },
      },
      ...Object.fromEntries(Array.from({ length: 6 }, (_, n) => [`SmokeTest${n}`, {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: { GroupId: { 'Fn::GetAtt': ['Alb', 'GroupId'] }, IpProtocol: 'tcp', FromPort: 8443 + n, ToPort: 8443 + n, SourceSecurityGroupId: { 'Fn::GetAtt': [`Fn${n}`, 'GroupId'] } },
      }])),
    },
  },
};
