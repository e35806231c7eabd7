import * as fs from 'fs';
import * as path from 'path';
import { DeployRule, TemplateRule, UpdateRule } from './rule';

const RULES_DIR = path.join(__dirname, 'rules');

/** Every rule exported by a file of test/deploy-readiness/rules/. */
export const RULES: DeployRule[] = fs.readdirSync(RULES_DIR).filter(file => file.endsWith('.ts')).sort()
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  .flatMap(file => Object.values<DeployRule>(require(path.join(RULES_DIR, file))).filter(value => value && typeof value === 'object' && 'phase' in value));
export const TEMPLATE_RULES = RULES.filter((rule): rule is TemplateRule => rule.phase !== 'update');
export const UPDATE_RULES = RULES.filter((rule): rule is UpdateRule => rule.phase === 'update');
