import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * What `npm publish` ships: the compiled library, its jsii assembly and the user docs, nothing a maintainer left in
 * the work tree (synth output in cdk.out/, integ snapshots, sources, tests, scratch files).
 */
const root = path.join(__dirname, '..');
// The main job leaves templates in cdk.out/; make sure there is one while packing, as on a maintainer's machine.
const probe = path.join(root, 'cdk.out', 'packaging-probe.template.json');
const probeCreated = !fs.existsSync(probe);
fs.mkdirSync(path.dirname(probe), { recursive: true });
fs.writeFileSync(probe, '{}');
let files: string[];
try {
  files = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
  }))[0].files.map((f: { path: string }) => f.path);
} finally {
  if (probeCreated) fs.rmSync(probe);
}

test('the tarball holds the compiled library with its types, the jsii assembly and the user docs', () => {
  expect(files).toEqual(expect.arrayContaining([
    'package.json', 'README.md', 'LICENSE', 'API.md', '.jsii', 'lib/index.js', 'lib/index.d.ts',
    'lib/private/prop-schema.generated.js', 'lib/platform/backend-platform.js',
  ]));
});

test('the tarball holds nothing else: no sources, tests, integ snapshots, synth output or maintainers\' files', () => {
  const allowed = /^(package\.json|README\.md|LICENSE|API\.md|CHANGELOG\.md|\.jsii|\.jsii\.tabl\.json|lib\/.+\.(js|d\.ts))$/;
  // jsii ships non-jsii runtime dependencies bundled: the YAML parser of import-copilot, and nothing else.
  const bundled: string[] = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).bundledDependencies ?? [];
  expect(bundled).toEqual(['yaml']);
  expect(files.filter(file => !allowed.test(file) && !bundled.some(name => file.startsWith(`node_modules/${name}/`)))).toEqual([]);
});

test('the README links only to files the tarball ships, or to absolute URLs', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  // Markdown links and images whose target is neither a URL nor an anchor of the README itself.
  const relative = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map(m => m[1])
    .filter(target => !/^[a-z]+:/i.test(target) && !target.startsWith('#'));
  const shipped = new Set(files);
  expect(relative.filter(target => !shipped.has(target.replace(/^\.\//, '').replace(/#.*$/, '')))).toEqual([]);
});
