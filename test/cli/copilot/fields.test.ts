import { Annotations, App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ALL_CASES, CASES, squash, workspaceOf } from './field-cases';
import { convertWorkspace, synthErrors, synthGeneratedApp } from './generated-app';
import { FIELD_MAPPINGS, lookupField, ManifestType } from '../../../src/cli/copilot';

describe('import-copilot: a manifest per supported field', () => {
  test.each(ALL_CASES.map(c => [`${c.type}: ${c.field}`, c] as const))('%s', (_, c) => {
    const conversion = convertWorkspace(workspaceOf(c), {});
    expect(conversion.failed).toEqual([]);
    c.code.forEach(fragment => expect(squash(conversion.app)).toContain(squash(fragment)));
    const finding = conversion.findings.find(f => f.type === c.type && f.path === c.field);
    expect(finding?.status).not.toBe('unsupported');
  });

  test('every row that maps to a prop has a case', () => {
    const covered = new Set(ALL_CASES.map(c => `${c.type}: ${c.field}`));
    for (const [type, rows] of Object.entries(FIELD_MAPPINGS)) {
      const missing = rows.filter(row => lookupField(type as ManifestType, row.path) === row)
        .filter(row => row.status !== 'unsupported' && row.prop && !covered.has(`${type}: ${row.path}`)).map(row => row.path);
      expect({ type, missing }).toEqual({ type, missing: [] });
    }
  });

  test('synthErrors reads the error annotations of the assembly already written', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    Annotations.of(stack).addError('broken');
    Annotations.of(stack).addWarning('only a warning');
    app.synth();
    expect(synthErrors(stack)).toEqual(['/S: broken']);
  });

  test('the apps of the richest cases synthesize', () => {
    const richest = ['count.range.spot_from', 'secrets'];
    for (const c of CASES.filter(x => richest.includes(x.field))) {
      const app = synthGeneratedApp(convertWorkspace(workspaceOf(c), {}).app);
      const stack = app.node.children.find((child): child is Stack => child instanceof Stack)!;
      expect(synthErrors(stack)).toEqual([]);
      if (c.field === 'count.range.spot_from') {
        Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
          CapacityProviderStrategy: Match.arrayWith([{ CapacityProvider: 'FARGATE', Base: 2, Weight: 1 }]),
        });
      }
      if (c.field === 'secrets') {
        Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
          ContainerDefinitions: Match.arrayWith([Match.objectLike({ Secrets: Match.arrayWith([Match.objectLike({ Name: 'TOKEN' })]) })]),
        });
      }
    }
  });
});
