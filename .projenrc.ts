import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const cdkVersion = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-backend-platform',
  description:
    'Secure-by-default AWS CDK constructs for a production backend on ECS Fargate: CloudFront-only ALB service, private PostgreSQL, scheduled jobs and API calls, ECR-to-ECS pipeline and monitoring.',
  author: 'cdk-backend-platform maintainers',
  authorAddress: 'maintainers@cdk-backend-platform.dev',
  repositoryUrl: 'https://github.com/cdk-backend-platform/cdk-backend-platform.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'aws-cdk', 'ecs', 'fargate', 'alb', 'cloudfront', 'rds', 'codepipeline', 'platform'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion,
  constructsVersion: '10.5.1',
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',
  // What works, not what is supported: aws-cdk-lib (2.257 to 2.276) declares `>= 20.0.0` and the consumer test
  // synthesizes on Node 20 and 22; the README recommends 22 or 24 (Node 20 ended 2026-04-30, CDK's support 2026-10-30).
  minNodeVersion: '20.0.0',
  // minNodeVersion would otherwise become the workflows' Node: they keep the current LTS.
  workflowNodeVersion: 'lts/*',

  // Dev tsconfig at the top level, covering every TypeScript folder of the repo.
  tsconfigDevFile: 'tsconfig.dev.json',
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'integ', 'examples', 'scripts', 'bench'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  experimentalIntegRunner: true,
  jestOptions: {
    // CI must fail on drift, never rewrite the committed snapshots.
    updateSnapshot: UpdateSnapshot.NEVER,
    // jest 30 pulls unrs-resolver, whose per-platform optional packages this registry does not list,
    // leaving a lock file that `npm ci` rejects.
    jestVersion: '^29',
    // Jest's default leaves one of the two cores idle (cores - 1 workers): with both the suite runs about 3x faster here.
    // Coverage instrumentation costs about a sixth of the suite's time and nothing reads its report: `npx jest --coverage` when wanted.
    // test/sequencer.js: the slowest files first in a fresh clone, which has no cached timings.
    // test/setup-env.js: no stack traces in the assembly metadata of the suite's synths (a third of a synth's time under jest).
    jestConfig: { maxWorkers: '100%', collectCoverage: false, testSequencer: '<rootDir>/test/sequencer.js', setupFiles: ['<rootDir>/test/setup-env.js'] },
  },
  // ts-jest transpiles each file alone: the `typecheck` task type-checks every TypeScript file of the repo once,
  // instead of once per jest worker and test file (264 s of the CI run).
  tsJestOptions: { transformOptions: { isolatedModules: true } },

  // The CLI's YAML 1.2 parser (import-copilot), shipped inside the package: jsii libraries bundle their non-jsii dependencies.
  bundledDeps: ['yaml@^2.9.1'],

  devDeps: [
    // projen asks for @types/node@ts5.9, a tag this registry lacks.
    '@types/node@^20',
    'cdk-nag@~2.38.0',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    '@aws-cdk/integ-runner@2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // The update-safety suite diffs templates the way `cdk diff` does.
    '@aws-cdk/cloudformation-diff@2.187.5',
    // The generated property test of the input contract.
    'fast-check@^4.10.2',
  ],

  publishToPypi: {
    distName: 'cdk-backend-platform',
    module: 'cdk_backend_platform',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkbackendplatform',
    mavenGroupId: 'io.github.cdkbackendplatform',
    mavenArtifactId: 'cdk-backend-platform',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkBackendPlatform',
    packageId: 'CdkBackendPlatform',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-backend-platform/cdk-backend-platform-go',
  },

  // Day-two operations (src/cli, docs/day-two.md); it calls AWS through the user's AWS CLI, so no SDK is bundled.
  bin: { 'cdk-backend-platform': 'lib/cli/main.js' },

  gitignore: ['/node_modules', 'cdk.out/', '*.cdk.out/', 'cdk-integ.out.*', '.bench/', '.scratch/', '.jsii.tabl.json'],
});

// eslint-import-resolver-typescript 3.7+ depends on unrs-resolver too (see jestVersion above); projen's eslint adds it unpinned.
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.6.3');

// Top-level integ/ folder instead of projen's default test/ location.
project.tsconfigDev.addInclude('integ/**/*.ts');
project.tsconfigDev.addInclude('examples/**/*.ts');
project.tsconfigDev.addInclude('scripts/**/*.ts');
project.tsconfigDev.addInclude('bench/**/*.ts');
project.tsconfigDev.addInclude('.projenrc.ts');
project.addPackageIgnore('/integ/');
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/scripts/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/.ci/');
// Local synth output, maintainers' docs and scratch files are not part of the package (test/packaging.test.ts).
project.addPackageIgnore('/cdk.out/');
project.addPackageIgnore('*.cdk.out/');
project.addPackageIgnore('/integ.config.json');
project.addPackageIgnore('/docs/');
project.addPackageIgnore('/.scratch/');
project.addPackageIgnore('/.bench/');

// The runtime prop types come from the jsii assembly: refresh them after changing a public struct (a test fails while stale).
project.addTask('schema', {
  description: 'Regenerate src/private/prop-schema.generated.ts from the jsii assembly',
  steps: [
    { spawn: 'compile' },
    { exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/prop-schema.ts' },
  ],
});

// One type check of src, test, integ, examples, scripts and bench, before jest (which only transpiles).
const typecheck = project.addTask('typecheck', {
  description: 'Type-check every TypeScript file of the repository (tsconfig.dev.json)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
project.testTask.prependSpawn(typecheck);

// The integ apps are type-checked by `typecheck`; integ-runner only needs to run them (about 10 s less per app).
const integApp = 'node -r ts-node/register/transpile-only {filePath}';
project.tasks.tryFind('integ')!.reset();
project.tasks.tryFind('integ')!.exec(`integ-runner $@ --language typescript --app "${integApp}"`, { receiveArgs: true });
project.tasks.tryFind('integ:update')!.reset();
project.tasks.tryFind('integ:update')!.exec(`integ-runner $@ --language typescript --app "${integApp}" --update-on-failed`, { receiveArgs: true });

// Main job: synthesize the reference platform app and print what it made.
project.addTask('synth:example', {
  description: 'Synthesize the reference app in examples/ to cdk.out/ and print resources and compliance findings',
  exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/synth-example.ts',
});

// README examples must compile under jsii-rosetta in strict mode (rosetta/default.ts-fixture), so every binding's docs translate.
const rosetta = project.addTask('rosetta:check', {
  description: 'Compile every README example with jsii-rosetta --strict (translations for Python, Java, C#, Go)',
  exec: 'jsii-rosetta extract --strict --compile',
});
// docgen and rosetta each use one core: side by side after compile.
project.postCompileTask.reset();
project.postCompileTask.exec(`bash scripts/parallel.sh "projen docgen" "projen ${rosetta.name}"`);
project.addPackageIgnore('/rosetta/');

// The four bindings generate, the Python compiles and the Go parses; then a real consumer synthesizes with the packed tarball.
const bindings = project.addTask('test:bindings', {
  description: 'jsii-pacmak --code-only for Python, Java, .NET and Go; python3 -m compileall; gofmt parse of the Go',
  exec: 'bash scripts/check-bindings.sh',
});
project.addTask('test:consumer', {
  description: 'npm pack, install the tarball with aws-cdk-lib and the aws-cdk CLI in a fresh app, cdk synth the headline example',
  exec: 'bash scripts/consumer-test.sh',
});
// The README's first hour as written (its code and commands, read between markers), with the packed tarball, in TypeScript and JavaScript.
project.addTask('test:first-hour', {
  description: 'Run the README\'s first-hour install lines, app.ts, commands (AWS ones skipped), custom-domain and worker steps and JavaScript variant with the packed tarball',
  exec: 'bash scripts/first-hour-test.sh',
});
// Both with one `npm pack` and one install of the tarball (the consumer app reuses the first hour's node_modules).
const packed = project.addTask('test:packed', {
  description: 'test:first-hour, then test:consumer in the node_modules the first hour installed (one npm pack, one install)',
  exec: 'bash scripts/packed-tests.sh',
});

// Phases that would leave one of the two cores idle run side by side (scripts/parallel.sh): the single-threaded type
// check beside the single-threaded lint, and the integ apps' synths beside the packed tests' npm installs.
const jestStep = project.testTask.steps.find(step => step.exec?.startsWith('jest') || step.execArgs?.[0] === 'jest');
if (!jestStep) throw new Error('no jest step in the test task');
project.testTask.reset();
project.testTask.exec('bash scripts/parallel.sh "projen typecheck" "projen eslint"');
project.testTask.addSteps(jestStep);
project.testTask.exec(`bash scripts/parallel.sh "projen integ" "projen ${bindings.name}" "projen ${packed.name}"`);

// API compatibility with the previous release (jsii-diff), once there is one on npm.
const release = project.tasks.tryFind('release');
const compat = project.tasks.tryFind('compat');
if (release && compat) {
  release.spawn(compat, { condition: 'npm view cdk-backend-platform version' });
}

// Benchmark: cold synth of the platform vs an ecs-patterns baseline vs an empty stack, rollout model, cost.
project.addTask('bench', {
  description: 'Time cold synth (platform vs ecs-patterns baseline vs empty stack), print the rollout model and monthly cost',
  steps: [
    { spawn: 'compile' },
    { exec: 'ts-node --transpile-only --project tsconfig.dev.json bench/bench.ts' },
  ],
});

project.synth();
