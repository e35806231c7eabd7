import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { checkCompliance, countByRule, NagPack } from './compliance';
import { BackendStack } from '../examples/backend-app';
import { EnvironmentProfile } from '../src';

/**
 * The NIST 800-53 R5 and HIPAA Security packs are reported, not gated at zero: many of their rules ask for services
 * outside this library (WAF, AWS Backup plans, S3 replication). The counts per rule are a ratchet: they may only
 * go down against test/compliance-packs-baseline.json. Lower the baseline when you fix something.
 */
const BASELINE_FILE = path.join(__dirname, 'compliance-packs-baseline.json');
const baseline: { [pack: string]: { [rule: string]: number } } = JSON.parse(fs.readFileSync(BASELINE_FILE, 'utf8'));

describe.each(['NIST.800.53.R5', 'HIPAA.Security'] as NagPack[])('%s over the production platform', (pack) => {
  const app = new App();
  const stack = new BackendStack(app, 'BackendProd', { environmentName: 'prod', profile: EnvironmentProfile.PRODUCTION });
  const report = checkCompliance(app, [stack], pack, { guard: false });
  const counts = countByRule([...report.nagErrors, ...report.nagWarnings]);

  test('the pack ran and its counts are reported', () => {
    fs.mkdirSync(path.join(__dirname, '..', 'test-reports'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, '..', 'test-reports', `compliance-${pack}.json`), JSON.stringify(counts, null, 2));
    expect(Object.keys(counts).length).toBeGreaterThan(0);
  });

  test('no rule has more findings than the baseline', () => {
    const grown = Object.entries(counts).filter(([rule, n]) => n > (baseline[pack]?.[rule] ?? 0)).map(([rule, n]) => `${rule}: ${n} > ${baseline[pack]?.[rule] ?? 0}`);
    expect(grown).toEqual([]);
  });
});
