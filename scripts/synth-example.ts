/**
 * The main job: synthesize the reference app in examples/ to cdk.out/ with no AWS account, then print what it
 * made (resources by type per stack) and its compliance summary (cdk-nag AwsSolutions + cfn-guard Control Tower).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { createApp } from '../examples/backend-app';
import { checkCompliance } from '../test/compliance';

const outdir = path.resolve(process.argv[2] ?? 'cdk.out');
fs.rmSync(outdir, { recursive: true, force: true });
const started = Date.now();
const app = new App({ outdir });
const stacks = createApp(app);
const report = checkCompliance(app, stacks);
const elapsed = Date.now() - started;

for (const stack of stacks) {
  const template = JSON.parse(fs.readFileSync(path.join(outdir, stack.templateFile), 'utf8'));
  const byType = new Map<string, number>();
  for (const resource of Object.values<{ Type: string }>(template.Resources ?? {})) {
    byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1);
  }
  const total = [...byType.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${stack.stackName}: ${total} resources -> ${path.relative(process.cwd(), path.join(outdir, stack.templateFile))}`);
  for (const [type, count] of [...byType.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    console.log(`  ${String(count).padStart(4)}  ${type}`);
  }
}
console.log('\nCompliance (unacknowledged findings):');
console.log(`  cdk-nag AwsSolutions errors:   ${report.nagErrors.length}`);
console.log(`  cdk-nag AwsSolutions warnings: ${report.nagWarnings.length}`);
console.log(`  cfn-guard Control Tower:       ${report.guardViolations.length}`);
for (const f of [...report.nagErrors, ...report.guardViolations]) console.log(`    ${f.tool} ${f.rule} ${f.resource}`);
console.log(`\nSynthesized and checked in ${(elapsed / 1000).toFixed(1)} s`);
if (report.nagErrors.length + report.guardViolations.length > 0) process.exitCode = 1;
