import { CfnElement, Stack } from 'aws-cdk-lib';

/** CloudFormation's quotas per template, and the page that documents them. */
export const CLOUDFORMATION_QUOTAS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html';
export const MAX_RESOURCES_PER_STACK = 500;
export const MAX_DYNAMIC_REFERENCES_PER_STACK = 60;

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

/** SNS's filter policy constraints, and the page that documents them. */
export const FILTER_POLICY_QUOTAS = 'https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html';
export const MAX_FILTER_POLICY_ATTRIBUTES = 5;
export const MAX_FILTER_POLICY_COMBINATIONS = 150;
/** Filter policies per topic (adjustable); SNS refuses the Subscribe call that attaches one more. */
export const MAX_FILTER_POLICIES_PER_TOPIC = 200;
