import * as fs from 'fs';
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnTemplate, NamedTemplate } from './rule';
import { createApp } from '../../examples/backend-app';
import { constructCases } from '../construct-cases';

const INTEG = path.join(__dirname, '..', '..', 'integ');

/**
 * Every template of the integ apps (seed apps included) as committed in their snapshots, less the assertion
 * stacks (integ-tests' own custom resources). The snapshots are what CI verifies the integ apps still synthesize to.
 */
export function integTemplates(): NamedTemplate[] {
  const templates: NamedTemplate[] = [];
  for (const dir of fs.readdirSync(INTEG).filter(name => name.endsWith('.snapshot')).sort()) {
    const manifest = JSON.parse(fs.readFileSync(path.join(INTEG, dir, 'integ.json'), 'utf8'));
    const stacks = new Set<string>(Object.values<any>(manifest.testCases).flatMap(testCase => testCase.stacks));
    for (const file of fs.readdirSync(path.join(INTEG, dir)).filter(name => name.endsWith('.template.json')).sort()) {
      const stack = file.replace(/\.template\.json$/, '');
      if (!stacks.has(stack)) continue;
      templates.push({ name: `${dir.replace(/\.ts\.snapshot$/, '')}/${stack}`, template: JSON.parse(fs.readFileSync(path.join(INTEG, dir, file), 'utf8')) });
    }
  }
  return templates;
}

/** The reference app (both profiles) and every construct case, synthesized from the current source. */
export function synthesizedTemplates(): NamedTemplate[] {
  const app = new App();
  const named: NamedTemplate[] = createApp(app).flatMap(stack => templatesOf(`examples/${stack.stackName}`, stack));
  for (const [name, build] of constructCases) named.push(...templatesOf(`case/${name}`, build(new App()).stack));
  return named;
}

/** A stack's template and its nested stacks' (workloads in stacks of their own, docs/adr/0015), each a template of its own. */
function templatesOf(name: string, stack: Stack): NamedTemplate[] {
  const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  return [stack, ...nested].map(s => ({
    name: s === stack ? name : `${name}/${s.node.path}`,
    template: Template.fromStack(s).toJSON() as CfnTemplate,
  }));
}
