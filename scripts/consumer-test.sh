#!/usr/bin/env bash
# A real consumer: packs the library, installs the tarball into a fresh TypeScript CDK app together with aws-cdk-lib
# and the aws-cdk CLI, type-checks it and runs `cdk synth` on the README's headline example, on this machine's Node
# (20, the package's `engines` floor) and on Node 22 LTS. Needs lib/ (npx projen compile).
set -euo pipefail
# aws-cdk-lib 2.257 writes cloud assembly schema 53, which needs CLI 2.1125.0 or later. On 2026-12-01 the registry's
# `latest` aws-cdk was 2.1148.1; the deprecated 3.0.0 reads schema 43 only.
CDK_CLI_VERSION="${CDK_CLI_VERSION:-2.1148.1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
app="$(mktemp -d)"
trap 'rm -rf "$app"' EXIT
# scripts/packed-tests.sh gives the tarball it packed and the node_modules that the first-hour test installed from it.
tarball="${CDK_BACKEND_PLATFORM_TARBALL:-$app/$(cd "$root" && npm pack --silent --pack-destination "$app" | tail -1)}"
cd "$app"
cdk_lib="$(node -p "require('$root/package.json').devDependencies['aws-cdk-lib']")"
constructs="$(node -p "require('$root/package.json').devDependencies['constructs']")"
cat > package.json <<JSON
{ "name": "consumer-app", "private": true, "version": "0.0.0" }
JSON
packages=("$tarball" "aws-cdk-lib@$cdk_lib" "constructs@$constructs" "aws-cdk@$CDK_CLI_VERSION" typescript@~5.9.0 tsx@4.23.15 @types/node@^20)
# Reused only when it holds what this app would install: this tarball's version and every range above.
reusable() {
  [[ -n "${CONSUMER_NODE_MODULES:-}" && -d "$CONSUMER_NODE_MODULES" ]] || return 1
  NODE_PATH="$root/node_modules" node -e '
const semver = require("semver");
const [modules, tarballVersion, ...specs] = process.argv.slice(1);
const version = name => { try { return require(`${modules}/${name}/package.json`).version; } catch { return undefined; } };
const wrong = [["cdk-backend-platform", tarballVersion], ...specs.map(spec => spec.split(/(?<=.)@/))]
  .filter(([name, range]) => !version(name) || !semver.satisfies(version(name), range))
  .map(([name, range]) => `${name} ${version(name) ?? "missing"} (wants ${range})`);
if (wrong.length) { console.log("not reusing " + modules + ": " + wrong.join(", ")); process.exit(1); }
' "$CONSUMER_NODE_MODULES" "$(tar -xOzf "$tarball" package/package.json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).version')" "${packages[@]:1}"
}
if reusable; then
  echo "consumer app: node_modules of the first-hour test (the same packages, installed from the same tarball)"
  ln -s "$CONSUMER_NODE_MODULES" node_modules
else
  npm install --no-audit --no-fund --silent "${packages[@]}"
fi
cat > cdk.json <<'JSON'
{ "app": "npx tsx app.ts" }
JSON
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "esModuleInterop": true, "skipLibCheck": true } }
JSON
cat > app.ts <<'TS'
import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { BackendPlatform } from 'cdk-backend-platform';

class BackendStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    new BackendPlatform(this, 'Backend', {
      environmentName: 'prod',
      hostedZone: zone,
      database: {},
      cleanupJob: { command: ['npx', 'tsx', 'cleanup-job.ts'] },
      scheduledApiCalls: [{ id: 'ResetQueue', schedule: events.Schedule.cron({ minute: '0', hour: '8' }), path: '/salons/reset-queue' }],
      alarmEmails: ['ops@example.com'],
    });
  }
}

const app = new App();
new BackendStack(app, 'ConsumerBackend');
app.synth();
TS
export CDK_DISABLE_CLI_TELEMETRY=true
npx cdk --version
# tsx runs app.ts without checking its types: the README's type check, then its synth.
npx tsc --noEmit
npx cdk synth --quiet --no-notices --no-version-reporting
# The same synth on Node 22 (the registry's `node` package): the CLI runs on it, and the app it spawns finds that
# node first on PATH. About 10 s more here, the first run adds the download.
node22="$(npx -y node@22 -p process.version)"
[[ "$node22" == v22.* ]] || { echo "npx -y node@22 runs $node22"; exit 1; }
npx -y node@22 node_modules/aws-cdk/bin/cdk synth --quiet --no-notices --no-version-reporting --output cdk.out.node22
node -e "
const t = require('./cdk.out/ConsumerBackend.template.json');
const n = Object.keys(t.Resources).length;
const types = new Set(Object.values(t.Resources).map(r => r.Type));
for (const type of ['AWS::ECS::Service', 'AWS::RDS::DBInstance', 'AWS::CodePipeline::Pipeline', 'AWS::CloudFront::Distribution']) {
  if (!types.has(type)) { console.error('missing ' + type); process.exit(1); }
}
const t22 = require('./cdk.out.node22/ConsumerBackend.template.json');
if (JSON.stringify(t22) !== JSON.stringify(t)) { console.error('Node $node22 synthesizes a different template than Node ' + process.version); process.exit(1); }
console.log('consumer app: cdk synth of the headline example with the packed tarball -> ' + n + ' resources, identical on Node ' + process.version + ' and $node22');
"
