import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';

/** One unacknowledged compliance finding. */
export interface Finding {
  readonly tool: 'cdk-nag' | 'cfn-guard';
  readonly rule: string;
  readonly resource: string;
  readonly message: string;
}

export interface ComplianceReport {
  /** Unacknowledged cdk-nag AwsSolutions errors. */
  readonly nagErrors: Finding[];
  /** Unacknowledged cdk-nag AwsSolutions warnings. */
  readonly nagWarnings: Finding[];
  /** Control Tower guard rules violated by resources that do not acknowledge them. */
  readonly guardViolations: Finding[];
}

export type NagPack = 'AwsSolutions' | 'NIST.800.53.R5' | 'HIPAA.Security';

const GUARD = new CfnGuardValidator();

/**
 * Build an app with `build`, run the cdk-nag pack over it as an Aspect and the cfn-guard Control Tower rules over
 * each synthesized template, and return what no acknowledgement covers. Call before anything else synthesizes the app.
 */
export function checkCompliance(app: App, stacks: Stack[], pack: NagPack = 'AwsSolutions', options: { guard?: boolean } = {}): ComplianceReport {
  Aspects.of(app).add(nagPack(pack));
  const assembly = app.synth();
  const nagErrors: Finding[] = [];
  const nagWarnings: Finding[] = [];
  const guardViolations: Finding[] = [];
  for (const stack of stacks) {
    const annotations = Annotations.fromStack(stack);
    nagErrors.push(...toFindings(annotations.findError('*', Match.stringLikeRegexp(`^${escape(pack)}`))));
    nagWarnings.push(...toFindings(annotations.findWarning('*', Match.stringLikeRegexp(`^${escape(pack)}`))));
    if (options.guard ?? true) {
      guardViolations.push(...guardFindings(path.join(assembly.directory, assembly.getStackArtifact(stack.artifactId).templateFile)));
    }
  }
  return { nagErrors, nagWarnings, guardViolations };
}

/** Findings counted by rule id. */
export function countByRule(findings: Finding[]): { [rule: string]: number } {
  const counts: { [rule: string]: number } = {};
  for (const f of findings) counts[f.rule] = (counts[f.rule] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Human-readable lines for a failing expectation. */
export function describe(findings: Finding[]): string[] {
  return findings.map(f => `${f.tool} ${f.rule} ${f.resource}: ${f.message.split('\n')[0]}`);
}

function nagPack(pack: NagPack) {
  switch (pack) {
    case 'NIST.800.53.R5': return new NIST80053R5Checks();
    case 'HIPAA.Security': return new HIPAASecurityChecks();
    default: return new AwsSolutionsChecks();
  }
}

function toFindings(messages: { id: string; entry: { data?: unknown } }[]): Finding[] {
  return messages.map(m => {
    const text = String(m.entry.data);
    return { tool: 'cdk-nag', rule: text.split(':')[0], resource: m.id, message: text };
  });
}

/** cfn-guard reports per rule; drop resources whose template metadata acknowledges that rule. */
function guardFindings(templatePath: string): Finding[] {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
  const exitCode = process.exitCode;
  const report = GUARD.validate({ templatePaths: [templatePath] });
  process.exitCode = exitCode;
  const findings: Finding[] = [];
  for (const violation of report.violations) {
    for (const resource of violation.violatingResources) {
      const suppressed: string[] = template.Resources?.[resource.resourceLogicalId]?.Metadata?.guard?.SuppressedRules ?? [];
      if (suppressed.includes(violation.ruleName)) continue;
      findings.push({ tool: 'cfn-guard', rule: violation.ruleName, resource: resource.resourceLogicalId ?? '(template)', message: violation.description ?? '' });
    }
  }
  return findings;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
