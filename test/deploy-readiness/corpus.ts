import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
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
  const named: NamedTemplate[] = createApp(app).map(stack => ({ name: `examples/${stack.stackName}`, template: templateOf(stack) }));
  for (const [name, build] of constructCases) {
    named.push({ name: `case/${name}`, template: templateOf(build(new App()).stack) });
  }
  return named;
}

function templateOf(stack: Stack): CfnTemplate {
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}
