import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A finding of a compliance rule that a construct accepts on purpose, with the reason.
 * `id` is a cdk-nag rule id (`AwsSolutions-IAM5`) or a cfn-guard Control Tower rule name.
 */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  /** cdk-nag granular findings (e.g. `Resource::*`), where the rule reports them; `/.../` strings are regular expressions. */
  readonly appliesTo?: string[];
}

/** The NIST 800-53 R5 and HIPAA packs' "no inline policy" findings, acknowledged for one reason. */
export function inlinePolicyAcknowledgements(reason: string): Acknowledgement[] {
  return ['NIST.800.53.R5', 'HIPAA.Security'].map(pack => ({ id: `${pack}-IAMNoInlinePolicy`, reason }));
}

/** The managed basic execution policy (CloudWatch Logs) of a function's role, which cdk-nag flags (AwsSolutions-IAM4). */
export const BASIC_EXECUTION_POLICY_ACKNOWLEDGEMENT: Acknowledgement = {
  id: 'AwsSolutions-IAM4',
  reason: 'The AWS managed basic execution policy (CloudWatch Logs) is the least privilege a Lambda function needs and follows AWS\'s changes.',
  appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
};

/** Why a small function of the library's own stays outside the VPC, reserves no concurrency and has no dead-letter queue. */
export interface SmallFunctionReasons {
  readonly vpc: string;
  readonly concurrency: string;
  readonly dlq: string;
}

/** The Control Tower and NIST/HIPAA Lambda findings of a small function of the library's own, each with its reason. */
export function smallFunctionAcknowledgements(reasons: SmallFunctionReasons): Acknowledgement[] {
  const { vpc, concurrency, dlq } = reasons;
  return [
    { id: 'lambda_inside_vpc_check', reason: vpc },
    { id: 'lambda_concurrency_check', reason: concurrency },
    { id: 'lambda_dlq_check', reason: dlq },
    ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap(pack => [
      { id: `${pack}-LambdaInsideVPC`, reason: vpc },
      { id: `${pack}-LambdaConcurrency`, reason: concurrency },
      { id: `${pack}-LambdaDLQ`, reason: dlq },
    ]),
  ];
}

const NAG_KEY = 'cdk_nag';
const GUARD_KEY = 'guard';

/**
 * Records acknowledgements in resource metadata, the format cdk-nag reads (`cdk_nag.rules_to_suppress`) and the
 * format cfn-guard's suppression convention uses (`guard.SuppressedRules`), so consumers running either tool on
 * their own app see the same reasoned exceptions. Written as metadata so the library needs no cdk-nag dependency.
 */
export function acknowledge(scope: IConstruct, acknowledgements: Acknowledgement[], options: { recursive?: boolean } = {}): void {
  for (const resource of resourcesOf(scope, options.recursive ?? false)) {
    const nag = acknowledgements.filter(a => !isGuardRule(a.id));
    const guard = acknowledgements.filter(a => isGuardRule(a.id));
    if (nag.length > 0) {
      const existing = resource.getMetadata(NAG_KEY)?.rules_to_suppress ?? [];
      resource.addMetadata(NAG_KEY, {
        rules_to_suppress: [...existing, ...nag.map(nagSuppression)],
      });
    }
    if (guard.length > 0) {
      const existing = resource.getMetadata(GUARD_KEY) ?? { SuppressedRules: [], Reasons: {} };
      resource.addMetadata(GUARD_KEY, {
        SuppressedRules: [...existing.SuppressedRules, ...guard.map(a => a.id)],
        Reasons: { ...existing.Reasons, ...Object.fromEntries(guard.map(a => [a.id, a.reason])) },
      });
    }
  }
}

function nagSuppression(a: Acknowledgement) {
  return { id: a.id, reason: a.reason, ...(a.appliesTo ? { applies_to: a.appliesTo.map(nagAppliesTo) } : {}) };
}

function nagAppliesTo(finding: string): string | { regex: string } {
  return finding.startsWith('/') && finding.endsWith('/') ? { regex: `${finding}g` } : finding;
}

/** cdk-nag ids carry a pack prefix and a dash (`AwsSolutions-S1`); guard rule names are snake_case. */
function isGuardRule(id: string): boolean {
  return !id.includes('-');
}

function resourcesOf(scope: IConstruct, recursive: boolean): CfnResource[] {
  if (CfnResource.isCfnResource(scope)) return [scope];
  if (recursive) return scope.node.findAll().filter(CfnResource.isCfnResource);
  const child = scope.node.defaultChild;
  return child && CfnResource.isCfnResource(child) ? [child] : [];
}
