import * as fs from 'fs';
import * as path from 'path';
import { Duration, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import * as fc from 'fast-check';
import { backups, cache, calls, database, internalLoadBalancer, job, monitoring, pipeline, platform, promotion, staticSite, web, webAcl, worker } from './builders';
import { TEMPLATE_RULES } from './deploy-readiness/rules-index';
import { STRUCTS } from '../src/private/prop-schema.generated';

/**
 * The input contract, generated from the jsii assembly: for every public construct and every prop (and every prop of
 * its nested structs), a missing required value, values of the wrong type and deploy-time tokens. Each case either
 * synthesizes a template with no `undefined`, `null`, `NaN` or `[object Object]` pasted into it, or fails with the
 * library's error naming that prop. Wrong values are drawn by fast-check with a fixed seed; no case is listed by hand.
 */
const SEED = 20261123;
const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8'));
const builders: { [construct: string]: (props: any) => IConstruct } = {
  SecureAlbFargateService: web,
  PrivateDatabase: database,
  PrivateCache: cache,
  DataBackups: backups,
  CleanupJobScheduler: job,
  ScheduledApiCalls: calls,
  InfraMonitoring: monitoring,
  EcrToEcsPipeline: pipeline,
  BackendPlatform: platform,
  WorkerService: worker,
  CloudFrontWebAcl: webAcl,
  PromotionPipeline: promotion,
  InternalLoadBalancer: internalLoadBalancer,
  StaticSite: staticSite,
};

/** Public constructs and the struct their props are. */
const constructs: Array<[string, string]> = Object.values<any>(assembly.types)
  .filter(t => t.kind === 'class' && t.initializer?.parameters?.[2]?.name === 'props')
  .map(t => [t.name, t.initializer.parameters[2].type.fqn.split('.').pop()]);

/** Every prop path of a struct, one level into nested structs (`service.cpu`). */
function propPaths(struct: string): Array<{ path: string[]; type: string; optional: boolean }> {
  return Object.entries(STRUCTS[struct]).flatMap(([name, spec]) => {
    const optional = spec.startsWith('?');
    const type = optional ? spec.slice(1) : spec;
    const own = { path: [name], type, optional };
    if (!type.startsWith('struct:')) return [own];
    const nested = Object.entries(STRUCTS[type.slice('struct:'.length)]).map(([child, childSpec]) => ({
      path: [name, child], type: childSpec.replace(/^\?/, ''), optional: childSpec.startsWith('?'),
    }));
    return [own, ...nested];
  });
}

/** Values of any type but `type`, drawn by fast-check. */
function wrongValues(type: string): unknown[] {
  const anyValue = fc.oneof(
    fc.string({ maxLength: 8 }), fc.integer(), fc.constant(Number.NaN), fc.boolean(), fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
  );
  const fits = (value: unknown) => {
    if (value === null) return false;
    if (type === 'string') return typeof value === 'string';
    if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
    if (type === 'boolean') return typeof value === 'boolean';
    if (type.startsWith('array<')) return Array.isArray(value) && value.length === 0;
    if (type.startsWith('map<') || type.startsWith('struct:')) {
      return typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0;
    }
    return false;
  };
  return fc.sample(anyValue.filter((v: unknown) => !fits(v)), { seed: SEED + type.length, numRuns: 3 });
}

/** A deploy-time value of the prop's type, where one can exist. */
function tokenOf(type: string): unknown {
  if (type === 'string') return Fn.importValue('GeneratedString');
  if (type === 'number') return Token.asNumber(Fn.importValue('GeneratedNumber'));
  if (type === 'array<string>') return Token.asList(Fn.importValue('GeneratedList'));
  if (type === 'class:aws-cdk-lib.Duration') return Duration.seconds(Lazy.number({ produce: () => 120 }));
  return undefined;
}

/** Nested structs the builders need to be valid when one of their props is varied. */
const NESTED_BASES: { [prop: string]: object } = {
  cleanupJob: { command: ['node', 'cleanup.js'] },
  existingDatabase: { securityGroupId: 'sg-0123456789abcdef0', hostParameterName: '/db/host' },
  copy: { destinationVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' },
  vaultLock: { minRetention: Duration.days(1) },
  metrics: { port: 9464, workspaceArn: 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0123-4567-89ab-0123456789ab' },
  source: { connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0123abcd', owner: 'acme', repo: 'api' },
  // An imported zone holds only literals: any stack may name it.
  https: { hostedZone: route53.HostedZone.fromHostedZoneAttributes(new Stack(), 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' }) },
};

/** Sibling props a varied prop needs to mean anything (the platform's backups back up its database). */
const SIBLINGS: { [prop: string]: object } = {
  backups: { database: {} },
  // A worker reaches a load balancer on its port.
  internalLoadBalancer: { port: 8080 },
};

function withProp(prop: string[], value: unknown): object {
  const varied = prop.length === 1 ? { [prop[0]]: value } : { [prop[0]]: { ...NESTED_BASES[prop[0]], [prop[1]]: value } };
  return { ...SIBLINGS[prop[0]], ...varied };
}

/**
 * Strings of a template where `undefined`, `null`, `NaN` or `[object Object]` were pasted in
 * (`undefined-lb.example.com`, `/app/null/backend`); `null` as a word of the library's own jq scripts is no paste.
 */
const GARBAGE = /undefined|\bNaN\b|\[object Object\]|(^|[-/.:_])null([-/.:_]|$)/;
function garbageIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string' && GARBAGE.test(value)) found.push(value);
  else if (Array.isArray(value)) value.forEach(item => garbageIn(item, found));
  else if (typeof value === 'object' && value !== null) Object.entries(value).forEach(entry => garbageIn(entry, found));
  return found;
}
const synthesize = (built: IConstruct) => Template.fromStack(Stack.of(built)).toJSON();

interface Case { construct: string; prop: string[]; kind: string; value: unknown }
const cases: Case[] = constructs.flatMap(([construct, struct]) => propPaths(struct).flatMap(({ path: prop, type, optional }) => [
  ...(optional ? [] : [{ construct, prop, kind: 'missing', value: undefined }]),
  ...wrongValues(type).map(value => ({ construct, prop, kind: 'wrong type', value })),
  ...(tokenOf(type) !== undefined ? [{ construct, prop, kind: 'token', value: tokenOf(type) }] : []),
]));

test('every public construct has a builder, and the cases cover each of them', () => {
  expect(constructs.map(([name]) => name).sort()).toEqual(Object.keys(builders).sort());
  expect(new Set(cases.map(c => c.construct)).size).toBe(constructs.length);
});

describe.each(constructs.map(([name]) => name))('%s', (construct) => {
  const own = cases.filter(c => c.construct === construct);
  test(`${own.length} generated cases: each synthesizes clean or is refused naming its prop`, () => {
    const failures: string[] = [];
    for (const c of own) {
      const propName = c.prop.join('.');
      const name = `${c.kind} ${propName} = ${show(c.value)}`;
      try {
        const template = synthesize(builders[construct](withProp(c.prop, c.value)));
        const garbage = garbageIn(template);
        if (garbage.length > 0) failures.push(`${name}: template contains ${garbage[0].slice(0, 120)}`);
        // What synthesizes must also deploy: the deploy-readiness rules hold for every generated template but those
        // whose varied prop is a deploy-time value, which no synth-time rule can judge (an imported name or domain).
        if (c.kind !== 'token') failures.push(...TEMPLATE_RULES.flatMap(rule => rule.check(template).map(found => `${name}: ${rule.id}: ${found}`)));
      } catch (error: any) {
        if (error?.name !== 'InvalidPropsError') {
          failures.push(`${name}: ${error?.constructor?.name} ${String(error?.message).split('\n')[0]}`);
        } else if (!error.problems.some((p: any) => p.prop === propName || p.prop.startsWith(`${propName}.`) || p.prop.startsWith(`${propName}[`))) {
          failures.push(`${name}: refused without naming ${propName}: ${error.message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

function show(value: unknown): string {
  if (Token.isUnresolved(value) || (value as any)?.isUnresolved?.()) return 'token';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
