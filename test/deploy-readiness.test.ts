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

/** Resource types that hold data, or whose replacement users see (a new address, a new certificate). */
const STATEFUL = [
  'AWS::RDS::DBInstance', 'AWS::SecretsManager::Secret', 'AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket',
  'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::CertificateManager::Certificate', 'AWS::EC2::VPC', 'AWS::EC2::Subnet',
  'AWS::KMS::Key', 'AWS::ElastiCache::ReplicationGroup', 'AWS::SQS::Queue', 'AWS::Backup::BackupVault', 'AWS::CloudFront::Distribution',
];
const UNSAFE = [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE, ResourceImpact.WILL_DESTROY, ResourceImpact.WILL_ORPHAN];

const rules = RULES;
const templateRules = TEMPLATE_RULES;
const updateRules = UPDATE_RULES;

test('every rule has a unique id and names its source', () => {
  expect(rules.length).toBeGreaterThan(0);
  expect(new Set(rules.map(rule => rule.id)).size).toBe(rules.length);
  for (const rule of rules) expect(rule.source).toMatch(/^https:\/\/|aws\/[\w-]+#\d+/);
});

describe.each(rules.map(rule => [rule.id, rule] as const))('rule %s', (_id, rule) => {
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

describe.each(templateRules.map(rule => [rule.id, rule] as const))('%s', (_id, rule) => {
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
  for (const rule of updateRules) {
    test(`THEN ${rule.id} holds`, () => {
      expect(rule.check(before, after)).toEqual([]);
    });
  }
  test.each(templateRules.map(rule => [rule.id, rule] as const))('THEN the new template satisfies %s', (_id, rule) => {
    expect(rule.check(after)).toEqual([]);
  });
});
