import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Manifest } from 'aws-cdk-lib/cloud-assembly-schema';
import { constructCases } from './construct-cases';
import { teardownOutcomes, teardownStack } from './teardown-report';
import { BackendStack } from '../examples/backend-app';
import { BackendPlatform, EnvironmentProfile } from '../src';

/**
 * The README's architecture diagram and "resources created" table are checked against synthesized templates, so
 * they cannot drift from what the constructs make. `UPDATE_README=1 npx jest test/readme-sync.test.ts` rewrites the table.
 */
const README = path.join(__dirname, '..', 'README.md');
const readme = fs.readFileSync(README, 'utf8');

/**
 * Compares a generated table with the README's, between `<!-- name:start -->` and `<!-- name:end -->`;
 * with `UPDATE_README=1`, rewrites it instead.
 */
function expectReadmeTable(name: string, table: string): void {
  const markers = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n?<!-- ${name}:end -->`);
  const current = markers.exec(readme)?.[1];
  if (process.env.UPDATE_README && current !== table) {
    fs.writeFileSync(README, fs.readFileSync(README, 'utf8').replace(markers, `<!-- ${name}:start -->\n${table}\n<!-- ${name}:end -->`));
    return;
  }
  expect(current).toBe(table);
}

/** Diagram label -> the resource type that must exist for it (and vice versa). */
const DIAGRAM: Array<[string, string]> = [
  ['CloudFront', 'AWS::CloudFront::Distribution'],
  ['ALB', 'AWS::ElasticLoadBalancingV2::LoadBalancer'],
  ['Fargate service', 'AWS::ECS::Service'],
  ['RDS PostgreSQL', 'AWS::RDS::DBInstance'],
  ['Valkey/Redis', 'AWS::ElastiCache::ReplicationGroup'],
  ['Cleanup job', 'AWS::Events::Rule'],
  ['Scheduled API calls', 'AWS::Events::ApiDestination'],
  ['ECR repository', 'AWS::ECR::Repository'],
  ['EcrToEcsPipeline', 'AWS::CodePipeline::Pipeline'],
  ['SSM', 'AWS::SSM::Parameter'],
  ['InfraMonitoring', 'AWS::CloudWatch::Dashboard'],
  ['SNS topic', 'AWS::SNS::Topic'],
];

describe('architecture diagram', () => {
  const [diagram] = [...readme.matchAll(/```mermaid\n([\s\S]*?)```/g)].map(m => m[1]);
  const stack = new Stack(new App(), 'Diagram');
  new BackendPlatform(stack, 'Backend', {
    environmentName: 'prod',
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' }),
    database: {},
    cache: {},
    cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
    scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
  });
  const types = new Set(Object.values<any>(Template.fromStack(stack).toJSON().Resources).map(r => r.Type));

  test.each(DIAGRAM)('shows %s exactly when the platform creates %s', (label, type) => {
    expect(diagram.includes(label)).toBe(types.has(type));
  });
});

/** Resource types (with counts) under a construct's path, as a README table row. */
function row(name: string, stack: Stack, id: string): string {
  const counts = new Map<string, number>();
  for (const resource of stack.node.findChild(id).node.findAll().filter(CfnResource.isCfnResource)) {
    counts.set(resource.cfnResourceType, (counts.get(resource.cfnResourceType) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const list = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${type.replace(/^AWS::/, '')}${n > 1 ? ` x${n}` : ''}`);
  return `| \`${name}\` | ${total} | ${list.join(', ')} |`;
}

test('the "resources created" table matches what each construct synthesizes', () => {
  const ownIds: { [name: string]: [string, string] } = {
    'SecureAlbFargateService': ['SecureAlbFargateService', 'Backend'],
    'PrivateDatabase (production)': ['PrivateDatabase', 'Database'],
    'PrivateCache (production)': ['PrivateCache', 'Cache'],
    'DataBackups': ['DataBackups', 'Backups'],
    'EcrToEcsPipeline with the CI pipeline': ['EcrToEcsPipeline (with CI)', 'Delivery'],
    'CleanupJobScheduler': ['CleanupJobScheduler', 'Cleanup'],
    'ScheduledApiCalls': ['ScheduledApiCalls (one call)', 'Calls'],
    'InfraMonitoring': ['InfraMonitoring (service, ALB, database)', 'Monitoring'],
    'StaticSite': ['StaticSite', 'Site'],
  };
  const rows = constructCases.filter(([name]) => ownIds[name]).map(([name, build]) => row(ownIds[name][0], build(new App()).stack, ownIds[name][1]));
  const platform = new BackendStack(new App(), 'Platform', { environmentName: 'prod', profile: EnvironmentProfile.PRODUCTION });
  rows.push(row('BackendPlatform (headline, production)', platform, 'Backend'));
  const table = ['| construct | resources | CloudFormation types |', '| --- | --- | --- |', ...rows].join('\n');
  expectReadmeTable('resources', table);
});

test('the acknowledged-findings table lists every rule the production platform acknowledges, with its reasons', () => {
  const stack = new BackendStack(new App(), 'Acknowledged', { environmentName: 'prod', profile: EnvironmentProfile.PRODUCTION });
  const reasons = new Map<string, Set<string>>();
  const note = (rule: string, reason: string) => reasons.set(rule, (reasons.get(rule) ?? new Set()).add(reason));
  for (const resource of Object.values<any>(Template.fromStack(stack).toJSON().Resources)) {
    for (const [rule, reason] of Object.entries<string>(resource.Metadata?.guard?.Reasons ?? {})) note(rule, reason);
    for (const suppression of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) note(suppression.id, suppression.reason);
  }
  const rows = [...reasons.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, why]) => `| \`${rule}\` | ${[...why].sort().join('<br/>')} |`);
  const table = ['| rule | why it is acknowledged |', '| --- | --- |', ...rows].join('\n');
  expectReadmeTable('acknowledged', table);
});

test('the "what cdk destroy leaves" table lists every stateful resource of both profiles as their templates delete it', () => {
  const production = teardownOutcomes(teardownStack(EnvironmentProfile.PRODUCTION));
  const development = teardownOutcomes(teardownStack(EnvironmentProfile.DEVELOPMENT));
  const paths = [...new Set([...production.keys(), ...development.keys()])];
  const absent = (p: string) => p.startsWith('Backups/') ? 'not created (no backups by default)' : 'not created (shares `LogsKey`)';
  const cell = (p: string, outcome: { outcome: string; billed: boolean } | undefined) => outcome ? (outcome.billed ? `**${outcome.outcome}**` : outcome.outcome) : absent(p);
  const rows = paths.map(p => `| \`${p}\` | ${(production.get(p) ?? development.get(p))!.type.replace(/^AWS::/, '')} | ${cell(p, production.get(p))} | ${cell(p, development.get(p))} |`);
  const count = (outcomes: typeof production) => [...outcomes.values()].filter(o => o.billed).length;
  rows.push(`| **left billed after \`cdk destroy\`** | | **${count(production)}** | **${count(development)}** |`);
  const table = ['| resource (below the platform) | type | production: `TeardownPolicy.RETAIN` | development: `TeardownPolicy.DESTROY` |', '| --- | --- | --- | --- |', ...rows].join('\n');
  expectReadmeTable('teardown', table);
});

/** Words the README uses for stateful resources, and the platform paths they name. */
const RESOURCE_WORDS: Array<[RegExp, RegExp]> = [
  [/image-tag parameter|ecr-imgTag/i, /ImageTagParameter$/],
  [/SSM parameters?|service-url/i, /Parameter$/],
  [/log groups?/i, /(LogGroup|FlowLogs)$/],
  [/access-log bucket/i, /AccessLogsBucket$/],
  [/origin secret/i, /OriginVerifySecret$/],
  [/artifact(s)? bucket/i, /ArtifactBucket$/],
  [/\brepositor(y|ies)\b/i, /^Repository$/],
];

test('the README\'s retention claims match the templates: whatever a sentence says is retained, production retains', () => {
  const production = teardownOutcomes(teardownStack(EnvironmentProfile.PRODUCTION));
  expect(production.get('Service/ImageTagParameter')?.outcome).toBe('deleted');
  const sentences = readme.replace(/<!-- teardown:start -->[\s\S]*<!-- teardown:end -->/, '').replace(/\n/g, ' ').split(/(?<=[.;:])\s/);
  const claims = sentences.filter(s => /\b(retained|kept) on delete|are retained\b|is retained\b/i.test(s));
  expect(claims.length).toBeGreaterThan(0);
  const wrong = claims.flatMap(claim => RESOURCE_WORDS.filter(([word]) => word.test(claim))
    .filter(([, paths]) => [...production].some(([p, o]) => paths.test(p) && !o.billed))
    .map(([word]) => `${word}: ${claim}`));
  expect(wrong).toEqual([]);
});

/** The shell lines of the README's first hour that set up the app, as written. */
const installLines = (doc: string) => doc.split('\n').filter(line => line.startsWith('npm install'));
const consumer = fs.readFileSync(path.join(__dirname, '..', 'scripts', 'consumer-test.sh'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
/** A README paragraph, lines joined, found by its first words. */
const paragraph = (start: string) => readme.split('\n\n').find(p => p.startsWith(start))!.replace(/\n/g, ' ');

test('the README\'s install lines name the versions the consumer test installs and synthesizes with', () => {
  const installed = installLines(readme).flatMap(line => line.split(' ').filter(w => /^[@a-z][^ ]*@/.test(w)));
  expect(installed).toEqual([
    `aws-cdk-lib@${pkg.devDependencies['aws-cdk-lib']}`,
    `constructs@^${pkg.devDependencies.constructs}`,
    `aws-cdk@${/CDK_CLI_VERSION:-([0-9.]+)/.exec(consumer)![1]}`,
    'typescript@~5.9.0', 'tsx@4.23.15', '@types/node@^20',
  ]);
  for (const tool of ['typescript@~5.9.0', 'tsx@4.23.15', '@types/node@^20', '"constructs@$constructs"', '"aws-cdk-lib@$cdk_lib"']) expect(consumer).toContain(tool);
  expect(installLines(fs.readFileSync(path.join(__dirname, '..', 'docs', 'coming-from-copilot.md'), 'utf8'))).toEqual(installLines(readme));
});

test('the README\'s cdk.json and tsconfig.json are the ones the consumer test synthesizes with', () => {
  for (const file of ['cdk.json', 'tsconfig.json']) {
    const written = new RegExp(`^echo '(.*)' > ${file}$`, 'm').exec(readme)![1];
    const tested = new RegExp(`^cat > ${file} <<'JSON'\n(.*)\nJSON$`, 'm').exec(consumer)![1];
    expect(written).toBe(tested);
  }
  expect(readme).toMatch(/^npx tsc --noEmit /m);
  expect(consumer).toMatch(/^npx tsc --noEmit$/m);
});

test('the README names the package\'s Node floor and the Node the consumer test synthesizes on', () => {
  const need = paragraph('What you need:');
  const floor = /^>= (\d+)\.0\.0$/.exec(pkg.engines.node)![1];
  expect(need).toContain(`Node ${floor} still works (the package's \`engines\` floor, tested)`);
  const tested = [...consumer.matchAll(/npx -y node@(\d+) \S*cdk synth/g)].map(m => m[1]);
  expect(tested.length).toBeGreaterThan(0);
  for (const major of tested) expect(need).toMatch(new RegExp(`^What you need: Node\\.js [0-9 or]*\\b${major}\\b`));
});

test('the cloud assembly schema the README says aws-cdk-lib writes is the one the pinned aws-cdk-lib writes', () => {
  const [major, minor] = pkg.devDependencies['aws-cdk-lib'].split('.');
  const schema = Manifest.version().split('.')[0];
  expect(readme).toContain(`aws-cdk-lib ${major}.${minor}\nwrites cloud assembly schema ${schema},`);
  expect(readme).toContain(`but found ${schema}.0.0`);
  expect(consumer).toContain(`aws-cdk-lib ${major}.${minor} writes cloud assembly schema ${schema},`);
});

/** Claims about other packages' releases that go stale: each sentence making one must say when it was checked. */
const ECOSYSTEM_CLAIM = /registry's `latest`|`npm i [a-z]|\bnewest (aws-cdk|release|version)|TypeScript 7|end of life|end of support|support ended|deprecated (aws-cdk )?3\.0\.0/i;

test('every statement about other packages\' current versions carries the date it was checked', () => {
  const comments = consumer.split('\n').filter(line => line.startsWith('#')).map(line => line.slice(1)).join('\n');
  const docs = fs.readdirSync(path.join(__dirname, '..', 'docs')).filter(f => f.endsWith('.md'))
    .map(f => fs.readFileSync(path.join(__dirname, '..', 'docs', f), 'utf8'));
  const sentences = [readme, comments, ...docs].flatMap(doc => doc.split(/\n\s*\n/)
    .flatMap(p => p.replace(/\s*\n\s*/g, ' ').split(/(?<=\.)\s+(?=[A-Z`])/)));
  const claims = sentences.filter(s => ECOSYSTEM_CLAIM.test(s));
  expect(claims.length).toBeGreaterThan(3);
  expect(claims.filter(s => !/\b20\d\d-\d\d-\d\d\b/.test(s))).toEqual([]);
});
