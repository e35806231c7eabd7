/**
 * One AWS runtime rule of the deploy-readiness suite: something CloudFormation or a service does with a template
 * that no schema check sees (docs/deploy-readiness.md). Each rule names the AWS document or known issue it encodes,
 * and carries a counterexample: a template fragment it must refuse, so a rule that can no longer fail fails its test.
 */

/** A synthesized CloudFormation template, as JSON. */
export interface CfnTemplate {
  readonly Resources?: { readonly [logicalId: string]: CfnResource };
  readonly Parameters?: { readonly [name: string]: unknown };
  readonly Outputs?: { readonly [name: string]: unknown };
  readonly [section: string]: unknown;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly [key: string]: unknown;
}

/** A template of the corpus, named so a finding says where it is. */
export interface NamedTemplate {
  readonly name: string;
  readonly template: CfnTemplate;
}

/** When in a platform's life the rule applies. */
export type Phase = 'create' | 'update' | 'destroy';

interface RuleBase {
  /** Short kebab-case name, unique in the suite. */
  readonly id: string;
  readonly phase: Phase;
  /** What AWS does, in one sentence. */
  readonly rule: string;
  /** The AWS documentation page or known issue the rule comes from. */
  readonly source: string;
}

/** A rule about one template: what happens when it is created, or when its stack is deleted. */
export interface TemplateRule extends RuleBase {
  readonly phase: 'create' | 'destroy';
  /** A template the rule must refuse. */
  readonly counterexample: CfnTemplate;
  /** One line per violation, naming the logical ID. Empty when the template satisfies the rule. */
  check(template: CfnTemplate): string[];
}

/** A rule about a change: what CloudFormation does when a deployed template is updated to another. */
export interface UpdateRule extends RuleBase {
  readonly phase: 'update';
  /** A before/after pair the rule must refuse. */
  readonly counterexample: { readonly before: CfnTemplate; readonly after: CfnTemplate };
  check(before: CfnTemplate, after: CfnTemplate): string[];
}

export type DeployRule = TemplateRule | UpdateRule;

/** The resources of a template of one type, with their logical IDs. */
export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
}

/** The logical ID a `{ Ref }` or `{ Fn::GetAtt }` points at, if the value is one. */
export function referencedId(value: any): string | undefined {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}
