import { CfnResource, CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function trusts(role: CfnResource, service: string): boolean {
  return asArray<any>(role.Properties?.AssumeRolePolicyDocument?.Statement).some(s => s.Effect === 'Allow'
    && asArray(s.Action).includes('sts:AssumeRole') && asArray(s.Principal?.Service).includes(service));
}

/** Every statement that applies to a role: its inline policies and the AWS::IAM::Policy resources attached to it. */
function statementsOf(template: CfnTemplate, roleId: string): any[] {
  const role = template.Resources?.[roleId];
  const inline = asArray<any>(role?.Properties?.Policies).flatMap(p => asArray(p.PolicyDocument?.Statement));
  const attached = resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray<any>(p.Properties?.Roles).some(r => referencedId(r) === roleId))
    .flatMap(([, p]) => asArray(p.Properties?.PolicyDocument?.Statement));
  return [...inline, ...attached];
}

function allowsOn(statements: any[], action: string, targetId: string | undefined): boolean {
  return statements.some(s => s.Effect === 'Allow' && asArray<string>(s.Action).some(a => a === action || a === '*' || a === `${action.split(':')[0]}:*`)
    && asArray<any>(s.Resource).some(r => r === '*' || (targetId !== undefined && referencedId(r) === targetId)));
}

function managedPolicies(role: CfnResource): string {
  return JSON.stringify(role.Properties?.ManagedPolicyArns ?? []);
}

export const blueGreenHookRoleInvokesHook: TemplateRule = {
  id: 'blue-green-hook-role-invokes-the-hook',
  phase: 'create',
  rule: 'ECS invokes a lifecycle hook\'s Lambda function with the hook\'s RoleArn: a role that ecs.amazonaws.com can assume and that allows '
    + 'lambda:InvokeFunction on the function; if the invocation fails the deployment rolls back.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html',
  check(template) {
    const resources = template.Resources ?? {};
    const findings: string[] = [];
    for (const [serviceId, service] of resourcesOfType(template, 'AWS::ECS::Service')) {
      for (const hook of asArray<any>(service.Properties?.DeploymentConfiguration?.LifecycleHooks)) {
        const roleId = referencedId(hook.RoleArn);
        const role = resources[roleId ?? ''];
        if (!role || role.Type !== 'AWS::IAM::Role') {
          if (roleId !== undefined || hook.RoleArn === undefined) findings.push(`${serviceId}: a lifecycle hook has no role of the template (${JSON.stringify(hook.RoleArn)})`);
          continue;
        }
        if (!trusts(role, 'ecs.amazonaws.com')) findings.push(`${serviceId}: hook role ${roleId} is not assumable by ecs.amazonaws.com`);
        const fnId = referencedId(hook.HookTargetArn);
        if (!allowsOn(statementsOf(template, roleId!), 'lambda:InvokeFunction', fnId)) {
          findings.push(`${serviceId}: hook role ${roleId} may not lambda:InvokeFunction ${fnId ?? JSON.stringify(hook.HookTargetArn)}`);
        }
      }
    }
    return findings;
  },
  counterexample: {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs.amazonaws.com' } }] } } },
      Service: { Type: 'AWS::ECS::Service', Properties: { DeploymentConfiguration: { Strategy: 'BLUE_GREEN', LifecycleHooks: [{ HookTargetArn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }] } } },
    },
  },
};

export const blueGreenInfrastructureRole: TemplateRule = {
  id: 'blue-green-infrastructure-role-manages-the-listeners',
  phase: 'create',
  rule: 'For blue/green with a load balancer, ECS moves listener-rule weights with the AdvancedConfiguration RoleArn: an infrastructure role trusted by '
    + 'ecs.amazonaws.com with AmazonECSInfrastructureRolePolicyForLoadBalancers (or the equivalent elasticloadbalancing permissions).',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html',
  check(template) {
    const resources = template.Resources ?? {};
    const findings: string[] = [];
    for (const [serviceId, service] of resourcesOfType(template, 'AWS::ECS::Service')) {
      for (const lb of asArray<any>(service.Properties?.LoadBalancers)) {
        const config = lb.AdvancedConfiguration;
        if (!config) continue;
        const roleId = referencedId(config.RoleArn);
        const role = resources[roleId ?? ''];
        if (!role || role.Type !== 'AWS::IAM::Role') {
          if (config.RoleArn === undefined) findings.push(`${serviceId}: blue/green AdvancedConfiguration has no RoleArn`);
          continue;
        }
        if (!trusts(role, 'ecs.amazonaws.com')) findings.push(`${serviceId}: infrastructure role ${roleId} is not assumable by ecs.amazonaws.com`);
        const managed = /AmazonECSInfrastructureRolePolicyForLoadBalancers/.test(managedPolicies(role));
        if (!managed && !allowsOn(statementsOf(template, roleId!), 'elasticloadbalancing:ModifyRule', config.ProductionListenerRule ? referencedId(config.ProductionListenerRule) : undefined)) {
          findings.push(`${serviceId}: infrastructure role ${roleId} has neither AmazonECSInfrastructureRolePolicyForLoadBalancers nor elasticloadbalancing:ModifyRule`);
        }
      }
    }
    return findings;
  },
  counterexample: {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs-tasks.amazonaws.com' } }] } } },
      Service: { Type: 'AWS::ECS::Service', Properties: { LoadBalancers: [{ AdvancedConfiguration: { RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, AlternateTargetGroupArn: 'tg' } }] } },
    },
  },
};

const HOOK_STATUSES = ['SUCCEEDED', 'FAILED', 'IN_PROGRESS'];

export const blueGreenHookReturnsStatus: TemplateRule = {
  id: 'blue-green-hook-returns-a-hook-status',
  phase: 'create',
  rule: 'A Lambda lifecycle hook must return a JSON object with hookStatus SUCCEEDED, FAILED or IN_PROGRESS; any other answer, or an error, rolls the '
    + 'deployment back. An inline hook\'s code returns hookStatus and names no other status; its timeout is within Lambda\'s 15 minutes.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html',
  check(template) {
    const resources = template.Resources ?? {};
    const findings: string[] = [];
    const hookFns = new Set(resourcesOfType(template, 'AWS::ECS::Service')
      .flatMap(([, s]) => asArray<any>(s.Properties?.DeploymentConfiguration?.LifecycleHooks).map(h => referencedId(h.HookTargetArn)))
      .filter((id): id is string => id !== undefined));
    for (const fnId of hookFns) {
      const fn = resources[fnId];
      const code = fn?.Properties?.Code?.ZipFile;
      if (fn?.Type !== 'AWS::Lambda::Function' || typeof code !== 'string') continue; // an asset: not readable here
      if (!/hookStatus/.test(code)) findings.push(`${fnId}: the hook's code never returns a hookStatus`);
      const statuses = [...code.matchAll(/hookStatus\s*:\s*(?:[^,}]*?\?\s*)?'([A-Z_]+)'(?:\s*:\s*'([A-Z_]+)')?/g)].flatMap(m => [m[1], m[2]]).filter(Boolean);
      const bad = statuses.filter(s => !HOOK_STATUSES.includes(s));
      if (bad.length > 0) findings.push(`${fnId}: the hook returns hookStatus ${bad.join(', ')}, which ECS does not accept`);
      if (Number(fn.Properties?.Timeout ?? 3) > 900) findings.push(`${fnId}: timeout over 900 s`);
    }
    return findings;
  },
  counterexample: {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { ZipFile: "exports.handler = async () => ({ hookStatus: ok ? 'SUCCESS' : 'FAILURE' });" } } },
      Service: { Type: 'AWS::ECS::Service', Properties: { DeploymentConfiguration: { LifecycleHooks: [{ HookTargetArn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }] } } },
    },
  },
};
