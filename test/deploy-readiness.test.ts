/**
 * Deploy readiness: AWS's runtime rules (test/deploy-readiness/rules/, one file each, with its source) over every
 * template the project synthesizes, and over every change a user makes over a platform's life
 * (docs/deploy-readiness.md).
 */
import * as fs from 'fs';
import * as path from 'path';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { integTemplates, synthesizedTemplates } from './deploy-readiness/corpus';
import { RULES, TEMPLATE_RULES, UPDATE_RULES } from './deploy-readiness/rules-index';
import { synthState, TRANSITIONS } from './deploy-readiness/transitions';
import { STATEFUL as STATEFUL_TYPES, UNSAFE } from './stateful';

// A distribution's replacement is a new *.cloudfront.net address, which users and DNS records point at. A removed
// workload's SSM parameters (its image tag, URL, name) go with it: they describe that workload and nothing else.
const STATEFUL = [...STATEFUL_TYPES.filter(type => type !== 'AWS::SSM::Parameter'), 'AWS::CloudFront::Distribution'];


test('every rule has a unique id and names its source', () => {
  expect(RULES.length).toBeGreaterThan(0);
  expect(new Set(RULES.map(rule => rule.id)).size).toBe(RULES.length);
  for (const rule of RULES) expect(rule.source).toMatch(/^https:\/\/|aws\/[\w-]+#\d+/);
});

describe.each(RULES.map(rule => [rule.id, rule] as const))('rule %s', (_id, rule) => {
  test('refuses its counterexample (the rule can fail)', () => {
    const found = rule.phase === 'update'
      ? rule.check(rule.counterexample.before, rule.counterexample.after)
      : rule.check(rule.counterexample);
    expect(found.length).toBeGreaterThan(0);
  });
});

const corpus = [...integTemplates(), ...synthesizedTemplates()];

test('the corpus holds every integ app and the reference app in both profiles', () => {
  const integApps = fs.readdirSync(path.join(__dirname, '..', 'integ')).filter(file => /^integ\..*\.ts$/.test(file)).map(file => file.replace(/\.ts$/, ''));
  for (const app of integApps) expect(corpus.some(entry => entry.name.startsWith(`${app}/`))).toBe(true);
  expect(corpus.filter(entry => entry.name.startsWith('examples/')).length).toBe(2);
});

describe.each(TEMPLATE_RULES.map(rule => [rule.id, rule] as const))('%s', (_id, rule) => {
  test.each(corpus.map(entry => [entry.name, entry] as const))(`holds for %s (${rule.phase})`, (_name, entry) => {
    expect(rule.check(entry.template)).toEqual([]);
  });
});

describe.each(TRANSITIONS.map(transition => [transition.name, transition] as const))('GIVEN a deployed platform WHEN %s', (_name, transition) => {
  const before = synthState(transition.before);
  const after = synthState(transition.after);
  test('THEN the change is real', () => {
    expect(JSON.stringify(after)).not.toEqual(JSON.stringify(before));
  });
  test('THEN nothing that holds data is replaced, removed or orphaned, but what the change is about', () => {
    const unsafe: string[] = [];
    fullDiff(before as any, after as any).resources.forEachDifference((id, change) => {
      const type = change.resourceType ?? '';
      // A removed workload's log groups are kept on purpose (their names are generated, so re-adding it never collides).
      const keptLogs = type === 'AWS::Logs::LogGroup' && change.changeImpact === ResourceImpact.WILL_ORPHAN;
      if (STATEFUL.includes(type) && UNSAFE.includes(change.changeImpact) && !keptLogs && !transition.replaces?.test(id)) unsafe.push(`${id} ${type} ${change.changeImpact}`);
    });
    expect(unsafe).toEqual([]);
  });
  for (const rule of UPDATE_RULES) {
    test(`THEN ${rule.id} holds`, () => {
      expect(rule.check(before, after)).toEqual([]);
    });
  }
  test.each(TEMPLATE_RULES.map(rule => [rule.id, rule] as const))('THEN the new template satisfies %s', (_id, rule) => {
    expect(rule.check(after)).toEqual([]);
  });
});
