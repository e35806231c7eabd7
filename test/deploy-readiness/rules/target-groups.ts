import { CfnResource, CfnTemplate, resourcesOfType, TemplateRule, UpdateRule } from '../rule';

const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';
const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';

/** The listener and priority of a rule, as one key (a listener named by a token is keyed by its rendering). */
const slotOf = (rule: CfnResource) => `${JSON.stringify(rule.Properties?.ListenerArn)} ${JSON.stringify(rule.Properties?.Priority)}`;

export const listenerRulePrioritiesUnique: TemplateRule = {
  id: 'listener-rule-priorities-unique',
  phase: 'create',
  rule: 'A listener cannot have two rules with the same priority: Elastic Load Balancing refuses the second CreateRule with PriorityInUse, '
    + 'and the stack rolls back.',
  source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html',
  check(template) {
    const seen = new Map<string, string>();
    return resourcesOfType(template, LISTENER_RULE).flatMap(([id, rule]) => {
      const slot = slotOf(rule);
      const other = seen.get(slot);
      seen.set(slot, id);
      return other ? [`${id} takes priority ${JSON.stringify(rule.Properties?.Priority)} on the listener of ${other}`] : [];
    });
  },
  counterexample: {
    Resources: {
      A: { Type: LISTENER_RULE, Properties: { ListenerArn: { Ref: 'Listener' }, Priority: 7 } },
      B: { Type: LISTENER_RULE, Properties: { ListenerArn: { Ref: 'Listener' }, Priority: 7 } },
    },
  },
};

/** A rule removed from `before` and one added in `after` on the same listener at the same priority. */
function ruleTemplate(id: string): CfnTemplate {
  return { Resources: { [id]: { Type: LISTENER_RULE, Properties: { ListenerArn: { Ref: 'Listener' }, Priority: 7 } } } };
}

export const newListenerRuleTakesNoDeletedPriority: UpdateRule = {
  id: 'new-listener-rule-takes-no-deleted-priority',
  phase: 'update',
  rule: 'In a stack update CloudFormation creates new resources first and deletes the removed ones last, in the cleanup phase: a new listener rule '
    + 'at the priority of a rule the same update removes is created while the old one still holds it, and Elastic Load Balancing refuses it (PriorityInUse).',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html',
  check(before, after) {
    const removed = new Map(resourcesOfType(before, LISTENER_RULE).filter(([id]) => !after.Resources?.[id]).map(([id, rule]) => [slotOf(rule), id]));
    return resourcesOfType(after, LISTENER_RULE).filter(([id]) => !before.Resources?.[id])
      .filter(([, rule]) => removed.has(slotOf(rule)))
      .map(([id, rule]) => `${id} is created at priority ${JSON.stringify(rule.Properties?.Priority)} while ${removed.get(slotOf(rule))}, removed by the same update, still holds it`);
  },
  counterexample: { before: ruleTemplate('Reports'), after: ruleTemplate('Search') },
};

/** The target group properties whose change replaces it (CloudFormation: "Update requires: Replacement"). */
const CREATE_ONLY = ['Name', 'Port', 'Protocol', 'ProtocolVersion', 'TargetType', 'VpcId', 'IpAddressType'];

function targetGroupTemplate(port: number): CfnTemplate {
  return { Resources: { Group: { Type: TARGET_GROUP, Properties: { Name: 'reports', Port: port, Protocol: 'HTTP', TargetType: 'ip', VpcId: 'vpc-1' } } } };
}

export const replacedTargetGroupHasNoName: UpdateRule = {
  id: 'replaced-target-group-has-no-fixed-name',
  phase: 'update',
  rule: 'A change of a target group\'s name, port, protocol, protocol version, target type, VPC or address type replaces it: CloudFormation creates the '
    + 'new one before it deletes the old, so a fixed Name collides with the group still in use (a target group name is unique per account and Region); '
    + 'a replaced group must let CloudFormation generate its name.',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html',
  check(before, after) {
    return resourcesOfType(after, TARGET_GROUP).flatMap(([id, group]) => {
      const old = before.Resources?.[id];
      if (!old || old.Type !== TARGET_GROUP || group.Properties?.Name === undefined) return [];
      const changed = CREATE_ONLY.filter(prop => JSON.stringify(old.Properties?.[prop]) !== JSON.stringify(group.Properties?.[prop]));
      return changed.length > 0 && JSON.stringify(old.Properties?.Name) === JSON.stringify(group.Properties.Name)
        ? [`${id} is replaced (${changed.join(', ')}) but keeps its fixed Name ${JSON.stringify(group.Properties.Name)}`] : [];
    });
  },
  counterexample: { before: targetGroupTemplate(8080), after: targetGroupTemplate(9000) },
};
