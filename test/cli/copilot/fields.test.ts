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

  test('a Backend Service with Copilot\'s http block synthesizes a worker behind the internal load balancer, with its health check', () => {
    const yaml = 'http:\n  path: /reports\n  deregistration_delay: 5s\n  alias: reports.example.com\n  healthcheck:\n    path: /healthz\n    port: 7000\n'
      + '    success_codes: \'200,301\'\n    healthy_threshold: 3\n    unhealthy_threshold: 2\n    interval: 15s\n    timeout: 10s\n    grace_period: 45s\n';
    const conversion = convertWorkspace(workspaceOf({ type: 'Backend Service', field: 'http', yaml, code: [] }), {});
    expect(conversion.findings.filter(f => f.path.startsWith('http')).map(f => `${f.path} ${f.status}`).sort()).toEqual([
      'http.alias unsupported', 'http.deregistration_delay mapped', 'http.healthcheck.grace_period mapped',
      'http.healthcheck.healthy_threshold mapped', 'http.healthcheck.interval mapped', 'http.healthcheck.path mapped', 'http.healthcheck.port mapped',
      'http.healthcheck.success_codes mapped', 'http.healthcheck.timeout mapped', 'http.healthcheck.unhealthy_threshold mapped', 'http.path mapped',
    ]);
    const app = synthGeneratedApp(conversion.app);
    const stack = app.node.children.find((child): child is Stack => child instanceof Stack)!;
    expect(synthErrors(stack)).toEqual([]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      HealthCheckPath: '/healthz',
      HealthCheckPort: '7000',
      Matcher: { HttpCode: '200,301' },
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 2,
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 10,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/reports', '/reports/*'] } }] });
    template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 45, LoadBalancers: [Match.objectLike({ ContainerPort: 8080 })] });
  });
});
