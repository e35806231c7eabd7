import { CfnElement, Stack } from 'aws-cdk-lib';

/** CloudFormation's quotas per template, and the page that documents them. */
export const CLOUDFORMATION_QUOTAS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html';
export const MAX_RESOURCES_PER_STACK = 500;
export const MAX_DYNAMIC_REFERENCES_PER_STACK = 60;

/** CodePipeline's quotas (https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html), not adjustable. */
export const CODEPIPELINE_QUOTAS = 'https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html';
export const MAX_ACTIONS_PER_STAGE = 50;
export const MAX_STAGES_PER_PIPELINE = 50;

/** What aws-cdk-lib writes into the template for one element (the method the stack itself calls at synth). */
interface RenderedElement {
  _toCloudFormation(): object;
}

/**
 * The dynamic references (`{{resolve:...}}`) in the template of `stack` as it will be written: image tags read from
 * SSM, secrets read by CloudFormation, origin-verify headers. A nested stack is a template of its own and is not counted.
 * No public API renders an element before synthesis; the stack renders each one the same way when it writes the template.
 */
export function dynamicReferencesIn(stack: Stack): number {
  const elements = stack.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c) && c.stack === stack);
  const rendered = JSON.stringify(elements.map(element => stack.resolve((element as unknown as RenderedElement)._toCloudFormation())));
  return rendered.split('{{resolve:').length - 1;
}

/** Lambda's quotas, and the page that documents them: a function's resource-based policy holds at most 20 KB (not adjustable). */
export const LAMBDA_QUOTAS = 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html';
export const MAX_LAMBDA_RESOURCE_POLICY_BYTES = 20 * 1024;

/**
 * The most EventBridge rules that may invoke one function, each through a permission of its own (a statement of the
 * function's resource-based policy naming the rule's ARN). Counted at the longest each statement can be, since the
 * names are CloudFormation's: a statement ID of at most 100 characters (AddPermission's StatementId), function and rule
 * names of at most 64, the longest partition and region. About 40.
 */
export function maxRulesInvokingOneFunction(): number {
  const arn = (service: string, resource: string) => `arn:aws-iso-b:${service}:ap-southeast-7:123456789012:${resource}${'x'.repeat(64)}`;
  const statement = JSON.stringify({
    Sid: 'x'.repeat(100),
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: arn('lambda', 'function:'),
    Condition: { ArnLike: { 'AWS:SourceArn': arn('events', 'rule/') } },
  });
  const policy = JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [] });
  return Math.floor((MAX_LAMBDA_RESOURCE_POLICY_BYTES - policy.length) / (statement.length + 1));
}

/** SNS's filter policy constraints, and the page that documents them. */
export const FILTER_POLICY_QUOTAS = 'https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html';
export const MAX_FILTER_POLICY_ATTRIBUTES = 5;
export const MAX_FILTER_POLICY_COMBINATIONS = 150;
/** Filter policies per topic (adjustable); SNS refuses the Subscribe call that attaches one more. */
export const MAX_FILTER_POLICIES_PER_TOPIC = 200;

/**
 * Amazon Managed Service for Prometheus's quotas (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html):
 * "Workspaces per region per account" (Service Quotas code L-8873DB23), 25 by default and adjustable; CreateWorkspace
 * refuses the next one ("Limit exceeded. Maximum workspaces per account.", AMP-troubleshooting.html). The stored copy of
 * the AWS quota page stops before that row: 25 and "adjustable" come from the Service Quotas API's defaults as listed by
 * gruntwork-io/terraform-aws-utilities docs/quotas.md (2024-02, "Adjustable AWS Service Quotas" table), read 2026-12-02.
 * AMP vends the count as `ResourceCount`, resource `WorkspaceCount` (AMP-CW-usage-metrics.html).
 */
export const AMP_QUOTAS = 'https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html';
export const MAX_AMP_WORKSPACES_PER_REGION = 25;
