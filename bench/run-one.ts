/**
 * One cold run in a fresh process: load the app module (and with it aws-cdk-lib and the library), construct the
 * stacks, synthesize to a directory. Prints one JSON line with the timings.
 */
const started = process.hrtime.bigint();
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

/* eslint-disable @typescript-eslint/no-require-imports -- loading inside the timed window is the point */
const variant = process.argv[2];
const outdir = process.argv[3];
const loaders: { [name: string]: () => (app: any) => any[] } = {
  platform: () => require('./platform-app').createPlatformApp,
  baseline: () => require('./baseline-app').createBaselineApp,
  empty: () => require('./empty-app').createEmptyApp,
  // scale-<n>: a platform of n added workloads, each in a stack of its own.
  scale: () => (app: any) => require('./scale-app').createScaleApp(app, Number(variant.split('-')[1])),
};
const create = loaders[variant.split('-')[0]]();
const fs = require('fs');
const path = require('path');
const { App } = require('aws-cdk-lib');
const importMs = ms(started);

const constructStart = process.hrtime.bigint();
const app = new App({ outdir });
const stacks = create(app);
const constructMs = ms(constructStart);
const synthStart = process.hrtime.bigint();
const assembly = app.synth();
const synthMs = ms(synthStart);
const { NestedStack } = require('aws-cdk-lib');
// Every template: each stack's, and each of its nested stacks' (workloads in stacks of their own).
const templates: Array<{ name: string; resources: number; bytes: number }> = stacks.flatMap((s: any) => [
  { name: s.artifactId, file: path.join(outdir, assembly.getStackArtifact(s.artifactId).templateFile) },
  ...s.node.findAll().filter((c: any) => c instanceof NestedStack).map((n: any) => ({ name: n.node.path, file: path.join(outdir, n.templateFile) })),
]).map(({ name, file }: { name: string; file: string }) => ({
  name, resources: Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).Resources ?? {}).length, bytes: fs.statSync(file).size,
}));
const resources = templates.reduce((n, t) => n + t.resources, 0);
console.log(JSON.stringify({ variant, importMs, constructMs, synthMs, resources, stacks: stacks.map((s: any) => s.artifactId), templates }));
