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
};
const create = loaders[variant]();
const { App } = require('aws-cdk-lib');
const importMs = ms(started);

const constructStart = process.hrtime.bigint();
const app = new App({ outdir });
const stacks = create(app);
const constructMs = ms(constructStart);
const synthStart = process.hrtime.bigint();
const assembly = app.synth();
const synthMs = ms(synthStart);
const resources = stacks.reduce((n: number, s: any) => n + Object.keys(assembly.getStackArtifact(s.artifactId).template.Resources ?? {}).length, 0);
console.log(JSON.stringify({ variant, importMs, constructMs, synthMs, resources, stacks: stacks.map((s: any) => s.artifactId) }));
