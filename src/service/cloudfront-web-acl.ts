import { Aws, CfnRule, Fn, Stack } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { checkAll } from '../private/errors';
import { checkPropTypes } from '../private/prop-types';
import { invalidProp, isToken, validateIntegerRange } from '../private/validation';
import { warnWeakenedDefault } from '../private/warnings';

/** Region where CloudFront-scope web ACLs (and their certificates) must live. */
export const CLOUDFRONT_REGION = 'us-east-1';
const DEFAULT_RATE_LIMIT = 2000;

/** Props of `CloudFrontWebAcl`. */
export interface CloudFrontWebAclProps {
  /**
   * Requests one client IP may send in any 5-minute window before it is blocked for the rest of it.
   * @default 2000
   */
  readonly maxRequestsPerIpPer5Minutes?: number;
  /**
   * Count matching requests instead of blocking them, to try the rules on live traffic first (the CloudWatch
   * metrics and sampled requests show what would have been blocked). Turning it on warns at synth.
   * @default false
   */
  readonly countOnly?: boolean;
}

/** The AWS managed rule groups, in evaluation order, with the rules an API must not block by default. */
const MANAGED_RULE_GROUPS: { name: string; countedRules: string[] }[] = [
  { name: 'AWSManagedRulesAmazonIpReputationList', countedRules: [] },
  // SizeRestrictions_BODY blocks request bodies over the inspection limit: JSON APIs routinely send larger ones.
  { name: 'AWSManagedRulesCommonRuleSet', countedRules: ['SizeRestrictions_BODY'] },
  { name: 'AWSManagedRulesKnownBadInputsRuleSet', countedRules: [] },
];

/**
 * An AWS WAF web ACL for CloudFront: the AWS managed IP reputation, common and known-bad-inputs rule groups and a
 * per-IP rate limit, with metrics and sampled requests for every rule.
 *
 * CloudFront web ACLs live in us-east-1: create this in a us-east-1 stack and give its ARN to services in any
 * region with `EdgeWebAcl.fromArn(acl.webAclArn)` (the consuming stack needs `crossRegionReferences: true`), or let
 * a service in a us-east-1 stack create one with `EdgeWebAcl.managed()`.
 */
export class CloudFrontWebAcl extends Construct {
  /** ARN of the web ACL, what a CloudFront distribution takes. */
  public readonly webAclArn: string;
  /** The web ACL resource. */
  public readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: CloudFrontWebAclProps = {}) {
    super(scope, id);
    checkPropTypes(this, 'CloudFrontWebAclProps', props);
    const region = Stack.of(this).region;
    checkAll([
      () => validateIntegerRange(this, 'maxRequestsPerIpPer5Minutes', props.maxRequestsPerIpPer5Minutes, 10, 2_000_000_000),
      () => {
        if (!isToken(region) && region !== CLOUDFRONT_REGION) {
          invalidProp(this, 'stack region', region, `CloudFront web ACLs live in ${CLOUDFRONT_REGION}; create this construct in a ${CLOUDFRONT_REGION} stack and pass its webAclArn across regions`);
        }
      },
    ]);
    if (isToken(region)) {
      // An environment-agnostic stack: refuse the deploy in any other region before CloudFormation creates anything.
      new CfnRule(this, 'RegionRule', {
        assertions: [{
          assert: Fn.conditionEquals(Aws.REGION, CLOUDFRONT_REGION),
          assertDescription: `CloudFront web ACLs live in ${CLOUDFRONT_REGION}; deploy this stack there`,
        }],
      });
    }
    const countOnly = props.countOnly ?? false;
    if (countOnly) {
      warnWeakenedDefault(this, 'countOnly', true, 'the web ACL counts matching requests but blocks none', 'turn it off once the metrics show no false positives');
    }
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName,
    });
    const rules: wafv2.CfnWebACL.RuleProperty[] = MANAGED_RULE_GROUPS.map(({ name, countedRules }, priority) => ({
      name,
      priority,
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: countedRules.length > 0 ? countedRules.map(rule => ({ name: rule, actionToUse: { count: {} } })) : undefined,
        },
      },
      overrideAction: countOnly ? { count: {} } : { none: {} },
      visibilityConfig: visibility(name),
    }));
    rules.push({
      name: 'RateLimitPerIp',
      priority: rules.length,
      statement: {
        rateBasedStatement: {
          limit: props.maxRequestsPerIpPer5Minutes ?? DEFAULT_RATE_LIMIT,
          aggregateKeyType: 'IP',
          evaluationWindowSec: 300,
        },
      },
      action: countOnly ? { count: {} } : { block: {} },
      visibilityConfig: visibility('RateLimitPerIp'),
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: 'CloudFront edge: AWS managed rule groups and a per-IP rate limit',
      rules,
      visibilityConfig: visibility(`${this.node.addr}-webacl`),
    });
    this.webAclArn = this.webAcl.attrArn;
  }
}

/**
 * The web ACL of a service's CloudFront distribution: an existing one by ARN, or one the service creates in its
 * own stack (which must then be in us-east-1).
 */
export class EdgeWebAcl {
  /**
   * A CLOUDFRONT-scope web ACL by ARN: `acl.webAclArn` of a `CloudFrontWebAcl` in a us-east-1 stack, or any other.
   */
  public static fromArn(webAclArn: string): EdgeWebAcl {
    return new EdgeWebAcl(webAclArn, undefined);
  }

  /** A `CloudFrontWebAcl` created with the service, in the service's stack, which must be in us-east-1. */
  public static managed(props: CloudFrontWebAclProps = {}): EdgeWebAcl {
    return new EdgeWebAcl(undefined, props);
  }

  private constructor(
    /** ARN of the existing web ACL, for `fromArn`. */
    public readonly webAclArn: string | undefined,
    /** Props of the web ACL to create, for `managed`. */
    public readonly managedProps: CloudFrontWebAclProps | undefined,
  ) {}
}

/** Refuses a web ACL CloudFront cannot take: a REGIONAL one, or anything that is not a WAFv2 web ACL ARN. */
export function validateWebAcl(scope: Construct, prop: string, webAcl: EdgeWebAcl | undefined): void {
  if (!webAcl) return;
  if (webAcl.managedProps) {
    const region = Stack.of(scope).region;
    if (!isToken(region) && region !== CLOUDFRONT_REGION) {
      invalidProp(scope, prop, 'EdgeWebAcl.managed()', `this stack is in ${region} and CloudFront web ACLs live in ${CLOUDFRONT_REGION}; `
        + `create a CloudFrontWebAcl in a ${CLOUDFRONT_REGION} stack and pass EdgeWebAcl.fromArn(acl.webAclArn) (with crossRegionReferences: true)`);
    }
    return;
  }
  const arn = webAcl.webAclArn;
  if (arn === undefined || isToken(arn)) return;
  const [, , service, region, , resource = ''] = arn.split(':');
  if (service !== 'wafv2' || !resource.includes('/webacl/')) {
    invalidProp(scope, prop, arn, 'give the ARN of an AWS WAF (v2) web ACL, arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>');
  }
  if (resource.startsWith('regional/') || region !== CLOUDFRONT_REGION) {
    invalidProp(scope, prop, arn, `that web ACL has REGIONAL scope; CloudFront takes only CLOUDFRONT-scope (global) web ACLs, created in ${CLOUDFRONT_REGION}`);
  }
}
