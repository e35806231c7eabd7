import { CfnResource, CfnTemplate, referencedId, resourcesOfType, UpdateRule } from '../rule';

const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';

/** A blue/green rule: it forwards to two weighted target groups, whose weights ECS moves during deployments. */
function isBlueGreen(rule: CfnResource): boolean {
  return (rule.Properties?.Actions ?? []).some((action: any) => (action.ForwardConfig?.TargetGroups ?? []).length === 2);
}

/** The target groups a rule forwards to. */
function targetGroupsOf(rule: CfnResource): string[] {
  return (rule.Properties?.Actions ?? []).flatMap((action: any) => (action.ForwardConfig?.TargetGroups ?? [])
    .map((group: any) => referencedId(group.TargetGroupArn)).filter((id: string | undefined) => id !== undefined));
}

/** The ECS services whose load balancers name one of the target groups: the rule's owners. */
function ownersOf(template: CfnTemplate, groups: string[]): Array<[string, CfnResource]> {
  return resourcesOfType(template, 'AWS::ECS::Service').filter(([, service]) => (service.Properties?.LoadBalancers ?? [])
    .some((lb: any) => groups.includes(referencedId(lb.TargetGroupArn) ?? '')));
}

/** A blue/green service and its production rule at a priority: the same rule moved is the counterexample. */
function blueGreenTemplate(priority: number): CfnTemplate {
  return {
    Resources: {
      Service: { Type: 'AWS::ECS::Service', Properties: { LoadBalancers: [{ TargetGroupArn: { Ref: 'Blue' }, ContainerName: 'app', ContainerPort: 8080 }] } },
      Rule: {
        Type: LISTENER_RULE,
        Properties: {
          ListenerArn: { Ref: 'Listener' },
          Priority: priority,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/reports/*'] } }],
          Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: { Ref: 'Blue' }, Weight: 100 }, { TargetGroupArn: { Ref: 'Green' }, Weight: 0 }] } }],
        },
      },
    },
  };
}

export const blueGreenListenerRuleUnchanged: UpdateRule = {
  id: 'blue-green-listener-rule-unchanged',
  phase: 'update',
  rule: 'ECS moves the weights of a blue/green listener rule between its two target groups; a CloudFormation update of the rule writes the '
    + 'template\'s weights back, so traffic can go to an empty target group (503) until the next deployment: a rule of a service that is not itself '
    + 'changed must keep exactly its properties.',
  source: 'aws/aws-cdk#36649',
  check(before: CfnTemplate, after: CfnTemplate): string[] {
    return resourcesOfType(after, LISTENER_RULE).flatMap(([id, rule]) => {
      const old = before.Resources?.[id];
      if (!old || old.Type !== LISTENER_RULE || !isBlueGreen(old)) return [];
      if (JSON.stringify(old.Properties) === JSON.stringify(rule.Properties)) return [];
      const owners = ownersOf(before, targetGroupsOf(old));
      const ownerChanged = owners.some(([service, props]) => JSON.stringify(after.Resources?.[service]) !== JSON.stringify(props));
      return ownerChanged ? [] : [`${id} (blue/green) changes on update while its service ${owners.map(([service]) => service).join(', ') || '(none)'} does not`];
    });
  },
  counterexample: { before: blueGreenTemplate(2500), after: blueGreenTemplate(1500) },
};

export const listenerRulePriorityStable: UpdateRule = {
  id: 'listener-rule-priority-stable',
  phase: 'update',
  rule: 'A listener rule that stays in the template keeps its priority: a priority moved by an unrelated change is an update of that rule, '
    + 'and for a blue/green rule one that writes its weights back (the same defect as blue-green-listener-rule-unchanged, for every rule).',
  source: 'aws/aws-cdk#36649',
  check(before: CfnTemplate, after: CfnTemplate): string[] {
    return resourcesOfType(after, LISTENER_RULE).flatMap(([id, rule]) => {
      const old = before.Resources?.[id];
      if (!old || old.Type !== LISTENER_RULE) return [];
      const [from, to] = [old.Properties?.Priority, rule.Properties?.Priority];
      return JSON.stringify(from) === JSON.stringify(to) ? [] : [`${id} moves from priority ${JSON.stringify(from)} to ${JSON.stringify(to)}`];
    });
  },
  counterexample: blueGreenListenerRuleUnchanged.counterexample,
};
