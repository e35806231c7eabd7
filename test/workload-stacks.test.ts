import * as fs from 'fs';
import * as path from 'path';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Aspects, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STATEFUL } from './stateful';
import { BackendPlatform, PlatformCleanupJobOptions, PlatformWebServiceOptions, PlatformWorkerOptions } from '../src';

/** What a platform of many workloads is made of: `web`, `worker` and `job` workloads of each kind, with every store. */
interface Layout {
  readonly web?: number;
  readonly worker?: number;
  readonly job?: number;
  readonly ownStack?: boolean;
  readonly change?: { worker?: Partial<PlatformWorkerOptions> };
  readonly nag?: boolean;
}

function synthPlatform(layout: Layout) {
  const app = new App();
  const stack = new Stack(app, 'Big', { env: { account: '123456789012', region: 'eu-west-1' } });
  const platform = new BackendPlatform(stack, 'Backend', {
    environmentName: 'prod', database: {}, cache: {}, dataBucket: {}, alarmEmails: ['ops@example.com'],
  });
  const ownStack = layout.ownStack ?? true;
  for (let i = 0; i < (layout.web ?? 0); i++) platform.addService(`Web${i}`, { pathPatterns: [`/web${i}/*`], ownStack } as PlatformWebServiceOptions);
  for (let i = 0; i < (layout.worker ?? 0); i++) platform.addWorker(`Queue${i}`, { queue: {}, ownStack, ...(i === 0 ? layout.change?.worker : {}) });
  for (let i = 0; i < (layout.job ?? 0); i++) {
    platform.addScheduledJob(`Job${i}`, { command: ['node', 'job.js'], taskType: `JOB${i}`, ownStack } as PlatformCleanupJobOptions);
  }
  if (layout.nag) Aspects.of(app).add(new AwsSolutionsChecks());
  const assembly = app.synth();
  const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  const file = (s: Stack) => path.join(assembly.directory,
    s instanceof NestedStack ? s.templateFile : assembly.getStackArtifact(s.artifactId).templateFile);
  const templates = new Map<string, { file: string; json: any }>(
    [stack, ...nested].map(s => [s.node.path, { file: file(s), json: JSON.parse(fs.readFileSync(file(s), 'utf8')) }]));
  return { app, stack, platform, nested, templates };
}

describe('GIVEN 30 workloads (10 web services, 10 workers, 10 scheduled jobs) in stacks of their own, with database, cache and data bucket', () => {
  const built = synthPlatform({ web: 10, worker: 10, job: 10 });

  test('THEN each workload is one nested stack of the platform, and the platform\'s stack holds one resource for it', () => {
    const parent = built.templates.get('Big')!.json;
    const stacks = Object.entries<any>(parent.Resources).filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack').map(([id]) => id);
    expect(stacks).toHaveLength(30);
    expect(stacks).toEqual(expect.arrayContaining(['BackendWeb0Stack', 'BackendQueue9Stack', 'BackendJob5Stack']));
    const worker = Template.fromStack(built.nested.find(s => s.node.id === 'Queue3')!);
    worker.resourceCountIs('AWS::ECS::Service', 1);
    worker.resourceCountIs('AWS::SQS::Queue', 2);
  });

  test('THEN every template stays under CloudFormation\'s quotas: 500 resources, 1,000,000 bytes, 200 parameters, 200 outputs', () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html (the service enforces 1 MB as 1,000,000 bytes)
    const over: string[] = [];
    for (const [name, { file, json }] of built.templates) {
      const counts = {
        resources: Object.keys(json.Resources ?? {}).length,
        bytes: fs.statSync(file).size,
        parameters: Object.keys(json.Parameters ?? {}).length,
        outputs: Object.keys(json.Outputs ?? {}).length,
      };
      const limits = { resources: 500, bytes: 1_000_000, parameters: 200, outputs: 200 };
      for (const key of Object.keys(limits) as Array<keyof typeof limits>) if (counts[key] >= limits[key]) over.push(`${name} ${key} ${counts[key]}`);
    }
    expect(over).toEqual([]);
    expect(built.templates.size).toBe(31);
  });

  test('THEN no template has a dependency cycle, an export or a value that did not render', () => {
    for (const s of [built.stack, ...built.nested]) expect(() => Template.fromStack(s)).not.toThrow();
    for (const [, { json }] of built.templates) {
      const text = JSON.stringify(json);
      // Nested stacks pass values as parameters and outputs: no export, so removing a workload never deadlocks on "export in use".
      expect(text).not.toMatch(/Fn::ImportValue|"Export"/);
      expect(text).not.toMatch(/undefined|\bnull\b|NaN|\[object Object\]/);
    }
  });

  test('THEN the stores\' keys grant nothing per workload: each reads its secrets through its own execution role\'s policy', () => {
    const parent = built.templates.get('Big')!.json;
    for (const id of Object.keys(parent.Resources).filter(k => /^Backend(Database|Cache)EncryptionKey/.test(k))) {
      const principals = parent.Resources[id].Properties.KeyPolicy.Statement.map((s: any) => JSON.stringify(s.Principal));
      expect(principals.filter((p: string) => p.includes('Outputs.'))).toEqual([]);
    }
    Template.fromStack(built.nested.find(s => s.node.id === 'Queue0')!).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        })]),
      },
    });
  });
});

describe('GIVEN a platform whose workloads have stacks of their own', () => {
  const layout = { web: 2, worker: 2, job: 2 };
  const before = synthPlatform({ ...layout, nag: true });

  // cfn-guard's Control Tower rules run over every nested template in test/compliance.test.ts (the ownStack construct
  // case), through the parameter-resolving copy of test/compliance.ts (docs/adr/0015).
  test('THEN cdk-nag AwsSolutions finds nothing unacknowledged in any stack (30 copies would add no rule: checked on this one)', () => {
    const errors = Annotations.fromStack(before.stack).findError('*', Match.stringLikeRegexp('^AwsSolutions'));
    expect(errors.map(e => `${e.id}: ${String(e.entry.data).split('\n')[0]}`)).toEqual([]);
    // The nested stacks' findings are reported through the platform's stack: a workload's own acknowledgements are there.
    expect(JSON.stringify(before.templates.get('Big/Backend/Queue0')!.json)).toMatch(/AwsSolutions-/);
  });

  test('WHEN one worker\'s options change THEN only its template changes, and the platform\'s stack only the address of that template', () => {
    const after = synthPlatform({ ...layout, change: { worker: { cpu: 1024, memoryLimitMiB: 2048 } } });
    const changedTemplates = [...before.templates.keys()].filter(name => name !== 'Big'
      && JSON.stringify(before.templates.get(name)!.json) !== JSON.stringify(after.templates.get(name)!.json));
    expect(changedTemplates).toEqual(['Big/Backend/Queue0']);
    const changed: string[] = [];
    fullDiff(before.templates.get('Big')!.json, after.templates.get('Big')!.json).resources.forEachDifference((id, change) => {
      changed.push(`${id} ${Object.keys(change.propertyUpdates).join(',')} ${change.changeImpact}`);
    });
    expect(changed).toEqual([`BackendQueue0Stack TemplateURL ${ResourceImpact.WILL_UPDATE}`]);
  });

  test('WHEN a workload is removed THEN its stack goes with everything in it, and nothing else is replaced, removed or orphaned', () => {
    const after = synthPlatform({ ...layout, worker: 1 });
    const unsafe: string[] = [];
    fullDiff(before.templates.get('Big')!.json, after.templates.get('Big')!.json).resources.forEachDifference((id, change) => {
      if (change.changeImpact !== ResourceImpact.WILL_UPDATE) unsafe.push(`${id} ${change.changeImpact}`);
    });
    expect(unsafe).toEqual([`BackendQueue1Stack ${ResourceImpact.WILL_DESTROY}`]);
  });

  test('THEN the stateful resources keep their logical IDs and properties in the platform\'s stack, as with no workload at all', () => {
    const alone = synthPlatform({});
    // The platform's shared runtime guard (its function's log group) comes with its first job (docs/adr/0016).
    const stateful = (json: any) => Object.fromEntries(Object.entries<any>(json.Resources)
      .filter(([id, r]) => STATEFUL.includes(r.Type) && !/^BackendRuntimeGuardLogGroup/.test(id)));
    expect(stateful(before.templates.get('Big')!.json)).toEqual(stateful(alone.templates.get('Big')!.json));
  });

  test('THEN each workload keeps the listener-rule priorities and routes it has in the platform\'s stack', () => {
    const inStack = synthPlatform({ ...layout, ownStack: false });
    const rules = (templates: Map<string, { json: any }>) => [...templates.values()].flatMap(({ json }) => Object.values<any>(json.Resources)
      .filter(r => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
      .map(r => `${r.Properties.Priority} ${JSON.stringify(r.Properties.Conditions.find((c: any) => c.Field === 'path-pattern')?.PathPatternConfig)}`)).sort();
    expect(rules(before.templates)).toEqual(rules(inStack.templates));
    expect(rules(before.templates)).toHaveLength(2);
  });
});

describe('GIVEN workloads in the platform\'s stack', () => {
  // Why ownStack is not the default (docs/adr/0015): CloudFormation creates the new nested stack before its cleanup
  // phase deletes the old resources, and SSM refuses a second parameter of one name, ELBv2 a second rule of one priority.
  test('WHEN a deployed workload is moved to a stack of its own THEN its new stack creates the SSM parameters and listener priorities '
    + 'the old resources still hold', () => {
    const named = (templates: Map<string, { json: any }>, stacks: (name: string) => boolean) => [...templates.entries()]
      .filter(([name]) => stacks(name))
      .flatMap(([, { json }]) => Object.values<any>(json.Resources))
      .flatMap(r => (r.Type === 'AWS::SSM::Parameter' && typeof r.Properties.Name === 'string' ? [r.Properties.Name]
        : r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' ? [`priority ${r.Properties.Priority}`] : []));
    const inStack = synthPlatform({ web: 1, worker: 1, ownStack: false });
    const moved = synthPlatform({ web: 1, worker: 1, ownStack: true });
    const created = named(moved.templates, name => name !== 'Big');
    expect(created.length).toBeGreaterThanOrEqual(3);
    expect(named(inStack.templates, name => name === 'Big')).toEqual(expect.arrayContaining(created));
  });

  test('WHEN they would take it over 500 resources THEN synth refuses, naming the last add* call and the fix', () => {
    expect(() => synthPlatform({ web: 6, worker: 6, job: 6, ownStack: false })).toThrow(
      /Big\/Backend: invalid addScheduledJob\('Job5'\)\.ownStack undefined: the stack Big would hold \d+ resources, over CloudFormation's 500 per template .*ownStack: true .*addService\('Web0'\), .*addScheduledJob\('Job5'\) are in this stack/);
  });
});
