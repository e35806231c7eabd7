#!/usr/bin/env bash
# The README's first hour, run as written: its install lines, its app.ts, its commands, then its custom-domain and
# worker steps and its plain-JavaScript variant, in a fresh folder, with the packed tarball in place of the registry
# package (the one change made to a command). Commands that need AWS (bootstrap, deploy, destroy, ECR login, docker)
# are listed and skipped. The code and commands are read from README.md between its `<!-- first-hour:... -->`
# markers, so the README cannot drift from what this runs. Needs lib/ (npx projen compile).
set -euo pipefail
# scripts/packed-tests.sh gives a tarball it packed (CDK_BACKEND_PLATFORM_TARBALL) and a folder it removes itself
# (FIRST_HOUR_DIR), so that scripts/consumer-test.sh reuses what the README's install lines installed there.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -n "${FIRST_HOUR_DIR:-}" ]]; then work="$FIRST_HOUR_DIR"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
tarball="${CDK_BACKEND_PLATFORM_TARBALL:-$work/$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -1)}"
export CDK_DISABLE_CLI_TELEMETRY=true

# README -> one file per marked block: <name>.txt holds the code of the block that follows `<!-- first-hour:<name> -->`
# or sits between `<!-- first-hour:<name>:start -->` and `:end -->`.
node -e '
const fs = require("fs");
const readme = fs.readFileSync(process.argv[1], "utf8");
const code = text => [...text.matchAll(/```[a-z]*[^\n]*\n([\s\S]*?)```/g)].map(m => m[1]).join("");
const names = new Set();
for (const m of readme.matchAll(/<!-- first-hour:([a-z.-]+):start -->([\s\S]*?)<!-- first-hour:\1:end -->/g)) { fs.writeFileSync(`${process.argv[2]}/${m[1]}.txt`, code(m[2])); names.add(m[1]); }
for (const m of readme.matchAll(/<!-- first-hour:([a-z.-]+) -->\n(```[^\n]*\n[\s\S]*?```)/g)) { fs.writeFileSync(`${process.argv[2]}/${m[1]}.txt`, code(m[2])); names.add(m[1]); }
for (const need of ["install", "app.ts", "commands", "domain", "domain-commands", "worker", "app.js", "js-commands"]) {
  if (!names.has(need)) { console.error(`README.md has no first-hour:${need} block`); process.exit(1); }
}
' "$root/README.md" "$work"

# A README command runs unless it needs AWS; the install line gets the tarball instead of the registry package.
needs_aws='^(npx cdk (bootstrap|deploy|destroy)|aws |docker )'
runnable() {
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    if [[ "$line" =~ $needs_aws ]]; then printf 'echo %q\n' "skipped (needs AWS): ${line%%  *}"; continue; fi
    line="${line//npm install cdk-backend-platform /npm install $tarball }"
    printf 'echo %q\n' "\$ ${line%%  *}"
    # The template a synth prints goes to a file: the checks below read cdk.out.
    # What it prints on stderr (warnings, notes) is kept too, and shown: the checks below read it.
    if [[ "$line" == "npx cdk synth"* ]]; then printf '{ %s\n} > synth.out 2> synth.err || { cat synth.err >&2; exit 1; }\ncat synth.err >&2\n' "$line"; else echo "$line"; fi
  done < "$1"
}

cd "$work"
echo "== install (README: first-hour:install)"
bash -euo pipefail -c "$(runnable install.txt)
cp '$work/app.ts.txt' app.ts
echo '== first deploy (README: first-hour:commands)'
$(runnable commands.txt)
node -e '
const t = require(\"./cdk.out/MyBackendDev.template.json\");
for (const o of [\"BackendServiceUrl\", \"BackendRepositoryUri\", \"BackendDatabaseEndpoint\"]) if (!t.Outputs[o]) { console.error(\"no output \" + o); process.exit(1); }
console.log(\"first hour: \" + Object.keys(t.Resources).length + \" resources, outputs \" + Object.keys(t.Outputs).join(\", \"));
'
node '$root/scripts/first-hour-synth-lines.js' synth.err
echo '== custom domain + worker (README: first-hour:domain, first-hour:worker, first-hour:domain-commands)'
sed -n '/^const app = new App();/q;p' app.ts > app.domain.ts
cat '$work/domain.txt' '$work/worker.txt' >> app.domain.ts
mv app.domain.ts app.ts
rm -rf cdk.out
$(runnable domain-commands.txt)
node -e '
const t = require(\"./cdk.out/MyBackendDev.template.json\");
const certs = require(\"./cdk.out/MyBackendDevCloudFrontCertificates.template.json\");
const cert = Object.values(certs.Resources).find(r => r.Type === \"AWS::CertificateManager::Certificate\");
if (!cert || cert.Properties.DomainName !== \"api.example.com\") { console.error(\"no us-east-1 certificate for api.example.com\"); process.exit(1); }
const url = JSON.stringify(t.Outputs.BackendServiceUrl.Value);
if (url !== JSON.stringify(\"https://api.example.com\")) { console.error(\"BackendServiceUrl is \" + url); process.exit(1); }
if (!Object.values(t.Resources).some(r => r.Type === \"AWS::SQS::Queue\")) { console.error(\"no worker queue\"); process.exit(1); }
console.log(\"custom domain: BackendServiceUrl https://api.example.com, certificate in MyBackendDevCloudFrontCertificates; worker queue present\");
'
echo '== plain JavaScript (README: first-hour:app.js, first-hour:js-commands)'
rm -rf cdk.out app.ts
cp '$work/app.js.txt' app.js
$(runnable js-commands.txt)
node -e '
const t = require(\"./cdk.out/MyBackendDev.template.json\");
if (!t.Outputs.BackendServiceUrl) { console.error(\"no BackendServiceUrl output\"); process.exit(1); }
console.log(\"JavaScript: \" + Object.keys(t.Resources).length + \" resources\");
'
node '$root/scripts/first-hour-synth-lines.js' synth.err
"
