import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Aspects, NestedStack, Stack } from 'aws-cdk-lib';
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
      const templateFile = assembly.getStackArtifact(stack.artifactId).templateFile;
      guardViolations.push(...guardFindings(JSON.parse(fs.readFileSync(path.join(assembly.directory, templateFile), 'utf8')), templateFile));
      for (const nested of nestedStacksOf(stack)) guardViolations.push(...nestedGuardFindings(nested, assembly.directory));
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

/** The stacks nested in `stack`, at any depth (each workload with `ownStack`). */
function nestedStacksOf(stack: Stack): NestedStack[] {
  return stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c) && c !== stack);
}

/**
 * The Control Tower rules over a nested stack's template. Guard cannot read it as written: a value the parent passes in
 * is a parameter (`{ Ref: 'referenceto...' }`), and the rules that follow a reference to the resource it names (a log
 * group's `KmsKeyId` to its key, a queue's redrive target, ...) look for a resource of that name in the same template,
 * find none and fail with an "unresolved context" check that has no path; the plugin's result reader (0.0.62,
 * `lib/check.js`) then dereferences `check.traversed.to` of it and throws "Cannot read properties of undefined (reading
 * 'to')". So guard reads a copy in which each parameter the parent fills with one of its resources (`Ref` or
 * `Fn::GetAtt`) is that resource, under the parameter's name: the rules then check the resource the workload really
 * uses. Findings on the copies are the parent's own, reported with the parent's template, and left out here.
 */
function nestedGuardFindings(nested: NestedStack, assemblyDir: string): Finding[] {
  const parent = nested.nestedStackParent!;
  const templateOf = (s: Stack) => JSON.parse(fs.readFileSync(path.join(assemblyDir, s.templateFile), 'utf8'));
  const parentTemplate = templateOf(parent);
  const template = templateOf(nested);
  const resource = parentTemplate.Resources[parent.resolve(nested.nestedStackResource!.logicalId)];
  const passed: { [parameter: string]: unknown } = resource.Properties.Parameters ?? {};
  const copies = new Set<string>();
  // Each parameter as the resource it stands for, then what those resources name in the parent, and so on.
  const pending: Array<[string, string]> = Object.entries<any>(passed).map(([parameter, value]) => [parameter, value?.Ref ?? value?.['Fn::GetAtt']?.[0]]);
  for (let next = pending.shift(); next; next = pending.shift()) {
    const [name, id] = next;
    const source = parentTemplate.Resources[id];
    if (!source || template.Resources[name]) continue;
    template.Resources[name] = { Type: source.Type, Properties: source.Properties };
    copies.add(name);
    pending.push(...referencedIds(source.Properties).map((ref): [string, string] => [ref, ref]));
  }
  return guardFindings(template, path.basename(nested.templateFile)).filter(f => !copies.has(f.resource)).map(f => ({ ...f, resource: `${nested.node.path}/${f.resource}` }));
}

/** The logical IDs a value names through `Ref` and `Fn::GetAtt`, at any depth. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (!value || typeof value !== 'object') return [];
  const { 'Ref': ref, 'Fn::GetAtt': getAtt } = value as { 'Ref'?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof ref === 'string') return [ref];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(value).flatMap(referencedIds);
}

/** Each Control Tower rule file, with the resource types it selects (each selects `Resources.*[ Type == "AWS::..." ]`). */
const CONTROL_TOWER_RULES: ReadonlyArray<{ readonly file: string; readonly types: ReadonlySet<string> }> = (() => {
  const root = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
  const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap(entry => entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)]);
  return files(root).map(file => {
    const types = new Set([...fs.readFileSync(file, 'utf8').matchAll(/["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']/g)].map(match => match[1]));
    if (types.size === 0) throw new Error(`${file} names no resource type: guard must read every template with it`);
    return { file, types };
  });
})();

/**
 * The Control Tower rules over a template, reported per rule, without the resources whose template metadata
 * acknowledges that rule. Guard's time grows with rules x resources (a 154-resource template took 12.6 s with all 237
 * rules; it reads the whole template once per rule file), and every rule only looks at resources of the types it names,
 * and at what those reference (a log group's key, a queue's redrive target): so each rule reads a copy of the template
 * with only the resources of the types it names and what they reference, at any depth. Rules are run together, in one
 * guard process per group (see `ruleGroups`), over the union of what the group's rules need. The findings are the
 * same as over the whole template with every rule (compared on every compliance case, the reference app and the seeds
 * when this was written, 2026-12-02). `fileName` names the copy guard reads.
 */
function guardFindings(template: any, fileName: string): Finding[] {
  const resources: { [id: string]: { Type: string; Properties?: unknown; Metadata?: any } } = template.Resources ?? {};
  const present = new Set(Object.values(resources).map(r => r.Type));
  const rules = CONTROL_TOWER_RULES.filter(rule => [...rule.types].some(type => present.has(type)));
  const findings: Finding[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
  for (const group of ruleGroups(rules, resources)) {
    const kept = Object.fromEntries(Object.keys(resources).filter(id => group.resources.has(id)).map(id => [id, resources[id]]));
    const file = path.join(dir, fileName);
    fs.writeFileSync(file, JSON.stringify({ ...template, Resources: kept }));
    const exitCode = process.exitCode;
    const guard = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: group.rules.map(rule => rule.file) });
    const report = guard.validate({ templatePaths: [file] });
    process.exitCode = exitCode;
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        const suppressed: string[] = resources[resource.resourceLogicalId]?.Metadata?.guard?.SuppressedRules ?? [];
        if (suppressed.includes(violation.ruleName)) continue;
        findings.push({ tool: 'cfn-guard', rule: violation.ruleName, resource: resource.resourceLogicalId ?? '(template)', message: violation.description ?? '' });
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return findings;
}

/** The resources of `types` in a template, and what they reference, at any depth. */
function resourcesFor(types: ReadonlySet<string>, resources: { [id: string]: { Type: string } }): Set<string> {
  const kept = new Set<string>();
  const pending = Object.keys(resources).filter(id => types.has(resources[id].Type));
  for (let id = pending.shift(); id !== undefined; id = pending.shift()) {
    if (kept.has(id) || !resources[id]) continue;
    kept.add(id);
    pending.push(...referencedIds(resources[id]));
  }
  return kept;
}

interface RuleGroup { readonly rules: Array<typeof CONTROL_TOWER_RULES[number]>; readonly resources: Set<string> }

/**
 * The rules in groups, each run by one guard process over the resources its rules need. A guard process costs about
 * GUARD_PROCESS_COST (start, rules parsed), and each rule about the size of the template it reads: rules are first
 * grouped by the types they name, and a group joins a larger one when reading that one's resources costs less than a
 * process of its own. Which rule runs with which only changes the time, never what a rule reads less than it needs.
 */
function ruleGroups(rules: Array<typeof CONTROL_TOWER_RULES[number]>, resources: { [id: string]: { Type: string } }): RuleGroup[] {
  const byTypes = new Map<string, RuleGroup>();
  for (const rule of rules) {
    const key = [...rule.types].sort().join(',');
    const group = byTypes.get(key) ?? { rules: [], resources: resourcesFor(rule.types, resources) };
    group.rules.push(rule);
    byTypes.set(key, group);
  }
  const sizes = new Map(Object.keys(resources).map(id => [id, JSON.stringify(resources[id]).length]));
  const size = (ids: Set<string>) => [...ids].reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0);
  const cost = (ruleCount: number, ids: Set<string>) => ruleCount * size(ids);
  const merged: RuleGroup[] = [];
  for (const group of [...byTypes.values()].sort((a, b) => b.resources.size - a.resources.size)) {
    let best: { into: RuleGroup; extra: number } | undefined;
    for (const into of merged) {
      const union = new Set([...into.resources, ...group.resources]);
      const extra = cost(into.rules.length + group.rules.length, union) - cost(into.rules.length, into.resources);
      if (!best || extra < best.extra) best = { into, extra };
    }
    if (best && best.extra < GUARD_PROCESS_COST + cost(group.rules.length, group.resources)) {
      best.into.rules.push(...group.rules);
      for (const id of group.resources) best.into.resources.add(id);
    } else {
      merged.push({ rules: [...group.rules], resources: new Set(group.resources) });
    }
  }
  return merged;
}

/** What starting one guard process costs, in template characters read by one rule (measured 2026-12-02). */
const GUARD_PROCESS_COST = 100_000;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
