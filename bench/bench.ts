/**
 * `npx projen bench`: cold synth of (a) the headline platform app, (b) the same backend with aws-cdk-lib's
 * ecs-patterns and L2 constructs, (c) an empty stack, alternating, each run in a fresh process; then the rollout
 * model per service and the monthly cost estimate per stack. BENCH_RUNS sets the runs per variant (default 5).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { CostLine, estimateMonthlyCost, prices } from './cost';
import { printObservabilityOptions } from './observability-bench';
import { createPlatformApp } from './platform-app';
import * as rollout from './rollout-model';
import { createScaleApp, KINDS } from './scale-app';
// The bench measures the published JavaScript (lib/), like platform-app.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ServiceDeployment } = require('../lib') as typeof import('../src');

interface Run {
  variant: string;
  importMs: number;
  constructMs: number;
  synthMs: number;
  resources: number;
  stacks: string[];
  templates: Array<{ name: string; resources: number; bytes: number }>;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const VARIANTS = ['platform', 'baseline', 'empty'];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  for (const variant of VARIANTS) {
    const outdir = path.join(work, `${variant}-${i}`);
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'run-one.ts'), variant, outdir], {
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.dev.json') },
      encoding: 'utf8',
    });
    runs.push(JSON.parse(output.trim().split('\n').pop()!));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = Object.fromEntries(VARIANTS.map(variant => {
  const mine = runs.filter(r => r.variant === variant);
  const constructAndSynth = median(mine.map(r => r.constructMs + r.synthMs));
  const total = median(mine.map(r => r.importMs + r.constructMs + r.synthMs));
  return [variant, { importMs: median(mine.map(r => r.importMs)), constructAndSynth, total, resources: mine[0].resources, stacks: mine[0].stacks }];
}));

console.log(`\nCold synth, median of ${RUNS} alternating runs per variant (fresh process each; ms)\n`);
console.log('variant    stacks  resources  import  construct+synth  total  construct+synth per resource');
for (const [variant, s] of Object.entries(summary)) {
  console.log(`${variant.padEnd(10)} ${String(s.stacks.length).padStart(6)} ${String(s.resources).padStart(10)} ${s.importMs.toFixed(0).padStart(7)} ${s.constructAndSynth.toFixed(0).padStart(16)} ${s.total.toFixed(0).padStart(6)} ${(s.constructAndSynth / s.resources).toFixed(2).padStart(29)}`);
}
const p = summary.platform;
const b = summary.baseline;
const perStackRatio = (p.constructAndSynth / p.stacks.length) / (b.constructAndSynth / b.stacks.length);
const perResourceRatio = (p.constructAndSynth / p.resources) / (b.constructAndSynth / b.resources);
console.log(`\nplatform / baseline: ${perStackRatio.toFixed(2)}x per stack, ${perResourceRatio.toFixed(2)}x per resource (target <= 1.2x per resource)`);
console.log(`whole platform app (both profiles) cold: ${(p.total / 1000).toFixed(2)} s including imports (target < 2 s)`);

const templateOf = (variant: string, stack: string) => JSON.parse(fs.readFileSync(path.join(work, `${variant}-0`, `${stack}.template.json`), 'utf8'));

console.log('\nRollout model: worst case per new task = health check interval x healthy threshold + deregistration delay');
console.log('(ALB defaults: 30 s x 5 + 300 s = 450 s)');
for (const variant of ['platform', 'baseline']) {
  for (const stack of summary[variant].stacks) {
    for (const [id, tg] of Object.entries<any>(templateOf(variant, stack).Resources).filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
      const interval = tg.Properties.HealthCheckIntervalSeconds ?? 30;
      const healthy = tg.Properties.HealthyThresholdCount ?? 5;
      const deregistration = Number((tg.Properties.TargetGroupAttributes ?? []).find((a: any) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? 300);
      const step = interval * healthy + deregistration;
      console.log(`  ${variant.padEnd(9)} ${stack.padEnd(12)} ${id.slice(0, 40).padEnd(40)} ${interval} s x ${healthy} + ${deregistration} s = ${step} s (${(450 / step).toFixed(1)}x faster than defaults)`);
    }
  }
}

console.log('\nRollout model (bench/rollout-model.ts: figures and their sources there; TASK_START_S is an assumption, not a measurement)');
console.log('stack        strategy     to production traffic  to finished deployment  to roll back (alarm fired on a fault)');
for (const stack of summary.platform.stacks) {
  const resources = Object.values<any>(templateOf('platform', stack).Resources);
  const tg = resources.find(r => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
  const service = resources.find(r => r.Type === 'AWS::ECS::Service').Properties;
  const hook = resources.find(r => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SMOKE_TEST_TIMEOUT_MS);
  const settings = {
    intervalS: tg.HealthCheckIntervalSeconds ?? 30,
    healthyThreshold: tg.HealthyThresholdCount ?? 5,
    deregistrationS: Number((tg.TargetGroupAttributes ?? []).find((a: any) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? 300),
    bakeMinutes: service.DeploymentConfiguration?.BakeTimeInMinutes,
    smokeTestTimeoutS: hook ? Number(hook.Properties.Environment.Variables.SMOKE_TEST_TIMEOUT_MS) / 1000 : undefined,
  };
  for (const [name, times] of [['rolling', rollout.rolling(settings)], ['blue/green', rollout.blueGreen(settings)]] as const) {
    console.log(`  ${stack.padEnd(12)} ${name.padEnd(12)} ${`${times.toProductionS} s`.padStart(21)} ${`${times.toFinishedS} s`.padStart(23)} ${`${times.rollbackS} s`.padStart(36)}`);
  }
}

console.log('\nMonthly cost estimate (USD, list prices in bench/prices.json; traffic excluded)');
for (const variant of ['platform', 'baseline']) {
  for (const stack of summary[variant].stacks) {
    const lines: CostLine[] = estimateMonthlyCost(templateOf(variant, stack));
    const total = lines.reduce((sum, l) => sum + l.monthlyUsd, 0);
    console.log(`\n  ${variant} ${stack}: ${total.toFixed(2)} USD/month`);
    for (const line of lines.sort((x, y) => y.monthlyUsd - x.monthlyUsd)) console.log(`    ${line.monthlyUsd.toFixed(2).padStart(8)}  ${line.item}`);
  }
}

// The seed 000 edge (EdgeMode.PUBLIC_ALB) against the default VPC origin, both profiles: the edge changes the ALB's
// public IPv4 addresses, an origin secret and the rollout path not at all (same target groups).
const publicAlb = new App();
// Blue/green needs a test route only the VPC reaches, so the public-ALB variant rolls.
for (const stack of createPlatformApp(publicAlb, ['production', 'development'], { edgeMode: 'PUBLIC_ALB', deployment: ServiceDeployment.rolling() })) {
  const lines = estimateMonthlyCost(Template.fromStack(stack).toJSON() as Parameters<typeof estimateMonthlyCost>[0]);
  const edgeLines = lines.filter(l => /ALB|secret/.test(l.item)).map(l => `${l.item} ${l.monthlyUsd.toFixed(2)}`).join('; ');
  console.log(`\n  platform ${stack.stackName} with service.edgeMode PUBLIC_ALB: ${lines.reduce((sum, l) => sum + l.monthlyUsd, 0).toFixed(2)} USD/month (${edgeLines})`);
}

// The development profile with a Graviton (ARM64) image: Fargate Spot runs ARM64 tasks too, at Graviton's lower price.
const graviton = new App();
const arm = createPlatformApp(graviton, ['development'], { cpuArchitecture: ecs.CpuArchitecture.ARM64 })[0];
const armLines = estimateMonthlyCost(Template.fromStack(arm).toJSON() as Parameters<typeof estimateMonthlyCost>[0]);
console.log(`\n  platform BackendDev with service.cpuArchitecture ARM64: ${armLines.reduce((sum, l) => sum + l.monthlyUsd, 0).toFixed(2)} USD/month`);
for (const line of armLines.sort((x, y) => y.monthlyUsd - x.monthlyUsd)) console.log(`    ${line.monthlyUsd.toFixed(2).padStart(8)}  ${line.item}`);

printObservabilityOptions();

// Scale (issue #30): a platform of 1, 10 and 30 workloads in stacks of their own, each size in fresh processes.
const SCALE_RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 3);
const scaleRuns: Run[] = [];
for (let i = 0; i < SCALE_RUNS; i++) {
  for (const workloads of [1, 10, 30]) {
    const outdir = path.join(work, `scale-${workloads}-${i}`);
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'run-one.ts'), `scale-${workloads}`, outdir], {
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.dev.json') },
      encoding: 'utf8',
    });
    scaleRuns.push(JSON.parse(output.trim().split('\n').pop()!));
  }
}
console.log(`\nScale: added workloads (web, worker, job in turn) in stacks of their own, with database, cache and data bucket; median of ${SCALE_RUNS} runs`);
console.log('workloads  templates  resources  platform stack: resources / bytes  largest workload template  construct+synth  per workload');
for (const workloads of [1, 10, 30]) {
  const mine = scaleRuns.filter(r => r.variant === `scale-${workloads}`);
  const ms = median(mine.map(r => r.constructMs + r.synthMs));
  const [platformTemplate, ...nested] = mine[0].templates;
  const largest = Math.max(...nested.map(t => t.resources));
  console.log(`${String(workloads).padStart(9)} ${String(mine[0].templates.length).padStart(10)} ${String(mine[0].resources).padStart(10)} ${`${platformTemplate.resources} / ${platformTemplate.bytes}`.padStart(35)} ${String(largest).padStart(26)} ${`${ms.toFixed(0)} ms`.padStart(16)} ${`${(ms / workloads).toFixed(0)} ms`.padStart(13)}`);
}
// Resources one workload of each kind adds, in the platform's stack or in a stack of its own.
const resourcesOf = (workloads: number, ownStack: boolean, kind: string) => {
  const app = new App();
  const [stack] = createScaleApp(app, workloads, ownStack, [kind]);
  const count = (s: Stack) => Object.keys(Template.fromStack(s).toJSON().Resources).length;
  const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  return { platform: count(stack), own: nested.reduce((n, s) => n + count(s), 0) };
};
console.log('\nResources per workload kind: in the platform\'s stack, or in a stack of its own (+ what the platform\'s stack gains)');
for (const kind of KINDS) {
  const base = resourcesOf(0, false, kind).platform;
  const inStack = resourcesOf(1, false, kind).platform - base;
  const own = resourcesOf(1, true, kind);
  console.log(`  ${kind.padEnd(7)} in the platform's stack: ${inStack}; in its own stack: ${own.own} (+${own.platform - base})`);
}

// Development egress: the NAT instance the profile uses against the two designs issue #29 asks to weigh.
const hours = prices.hoursPerMonth;
const natInstance = (prices.ec2InstanceHour['t4g.nano'] + prices.publicIpv4Hour) * hours + 8 * prices.ebsGp3GbMonth;
const natGateway = (prices.natGatewayHour + prices.publicIpv4Hour) * hours;
// ECR API, ECR Docker, CloudWatch Logs, Secrets Manager and SSM, in each of the two AZs (the S3 gateway endpoint is free).
const endpoints = 5 * 2 * prices.interfaceEndpointAzHour * hours;
console.log('\nDevelopment egress options (USD/month, before data charges)');
console.log(`  ${natInstance.toFixed(2).padStart(8)}  one t4g.nano NAT instance with its public IPv4 and 8 GiB gp3 (the profile's choice)`);
console.log(`  ${natGateway.toFixed(2).padStart(8)}  one NAT gateway with its public IPv4`);
console.log(`  ${endpoints.toFixed(2).padStart(8)}  interface endpoints for ECR (2), Logs, Secrets Manager and SSM in 2 AZs, no NAT (and no egress to anything else)`);
fs.rmSync(work, { recursive: true, force: true });
