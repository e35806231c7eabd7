import { CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

const EVENTBRIDGE_QUOTAS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html';
const PUT_TARGETS = 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html';
const LAMBDA_QUOTAS = 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html';
const MAX_TARGET_INPUT = 8192;
/** Statements of at most 506 bytes (test/rotation-redeploy.test.ts checks the bound) in a 20 KB resource-based policy. */
const MAX_PERMISSIONS_PER_FUNCTION = 40;

/** The length of a value written into a template: literal parts counted, each deploy-time value as an ARN (at most 2,048). */
function lengthOf(value: any): number {
  if (typeof value === 'string') return value.length;
  const join = value?.['Fn::Join'];
  if (!Array.isArray(join)) return 2048;
  return (join[1] as any[]).reduce((sum: number, part) => sum + lengthOf(part), 0) + join[0].length * Math.max(0, join[1].length - 1);
}

const rules = (template: CfnTemplate) => resourcesOfType(template, 'AWS::Events::Rule');

export const eventRuleTargetsWithinQuotas: TemplateRule = {
  id: 'event-rule-targets-within-quotas',
  phase: 'create',
  rule: 'An EventBridge rule has at most 5 targets, and a target\'s constant input or input-transformer template at most 8,192 characters; PutTargets refuses more.',
  source: `${EVENTBRIDGE_QUOTAS} and ${PUT_TARGETS}`,
  check(template: CfnTemplate): string[] {
    return rules(template).flatMap(([id, rule]) => {
      const targets: any[] = rule.Properties?.Targets ?? [];
      return [
        ...(targets.length > 5 ? [`${id} has ${targets.length} targets, over the quota of 5`] : []),
        ...targets.flatMap(target => [target.Input, target.InputTransformer?.InputTemplate].filter(input => input !== undefined)
          .filter(input => lengthOf(input) > MAX_TARGET_INPUT)
          .map(input => `${id} target ${target.Id} passes an input of ${lengthOf(input)} characters, over ${MAX_TARGET_INPUT}`)),
      ];
    });
  },
  counterexample: {
    Resources: {
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: { Targets: Array.from({ length: 6 }, (_, i) => ({ Id: `Target${i}`, Arn: 'arn:aws:sqs:eu-west-1:123456789012:q', Input: 'x'.repeat(i === 0 ? 9000 : 1) })) },
      },
    },
  },
};

/** The logical ID (or parameter) a rule target's or a permission's function is named by (a `Ref` or `Fn::GetAtt` of it). */
const functionKey = (value: any): string | undefined => referencedId(value);

export const lambdaTargetsHavePermission: TemplateRule = {
  id: 'lambda-targets-have-permission',
  phase: 'create',
  rule: 'EventBridge invokes a Lambda target only if the function\'s resource-based policy allows events.amazonaws.com for that rule (SourceArn): without a permission per rule the invocations fail with no error at deploy.',
  source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html',
  check(template: CfnTemplate): string[] {
    const functions = new Set(resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => id));
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').map(([, permission]) => permission.Properties ?? {});
    // A function of this template, or one passed in (a nested stack's parameter) that some permission here names: a
    // parameter no permission names cannot be told from any other ARN.
    const named = new Set(permissions.map(p => functionKey(p.FunctionName)));
    const isFunction = (fn: string | undefined) => fn !== undefined
      && (functions.has(fn) || (template.Parameters?.[fn] !== undefined && named.has(fn)));
    return rules(template).flatMap(([id, rule]) => ((rule.Properties?.Targets ?? []) as any[])
      .filter(target => isFunction(functionKey(target.Arn)))
      .filter(target => !permissions.some(p => functionKey(p.FunctionName) === functionKey(target.Arn)
        && p.Principal === 'events.amazonaws.com' && referencedId(p.SourceArn) === id))
      .map(target => `${id} invokes ${functionKey(target.Arn)} with no Lambda permission for events.amazonaws.com whose SourceArn is this rule`));
  },
  counterexample: {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      Rule: { Type: 'AWS::Events::Rule', Properties: { Targets: [{ Id: 'Target0', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }] } },
      Other: { Type: 'AWS::Events::Rule', Properties: {} },
      WrongRule: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': ['Other', 'Arn'] } } },
    },
  },
};

export const lambdaPermissionsWithinPolicyQuota: TemplateRule = {
  id: 'lambda-permissions-within-policy-quota',
  phase: 'create',
  rule: `A Lambda function's resource-based policy holds at most 20 KB (not adjustable): more than ${MAX_PERMISSIONS_PER_FUNCTION} rule permissions of the longest size fail AddPermission ("The final policy size is bigger than the limit").`,
  source: LAMBDA_QUOTAS,
  check(template: CfnTemplate): string[] {
    const perFunction = new Map<string, number>();
    for (const [, permission] of resourcesOfType(template, 'AWS::Lambda::Permission')) {
      const fn = functionKey(permission.Properties?.FunctionName) ?? JSON.stringify(permission.Properties?.FunctionName);
      perFunction.set(fn, (perFunction.get(fn) ?? 0) + 1);
    }
    return [...perFunction].filter(([, count]) => count > MAX_PERMISSIONS_PER_FUNCTION)
      .map(([fn, count]) => `${fn} has ${count} permissions in this template, over the ${MAX_PERMISSIONS_PER_FUNCTION} that fit its 20 KB resource-based policy`);
  },
  counterexample: {
    Resources: Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`Permission${i}`, {
      Type: 'AWS::Lambda::Permission', Properties: { FunctionName: { Ref: 'Fn' }, Principal: 'events.amazonaws.com', SourceArn: `arn:aws:events:eu-west-1:123456789012:rule/r${i}` },
    }])),
  },
};
