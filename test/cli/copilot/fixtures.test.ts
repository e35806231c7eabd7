import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { combinedWorkspace, convertWorkspace, FIXTURE_ENV, standaloneWorkspaces, synthErrors, synthGeneratedApp, synthGroups } from './generated-app';
import { countFindings, isMap, Yaml } from '../../../src/cli/copilot';

/** Every leaf path of a manifest (overrides under `environments.<env>` at their own path), lists of maps as `[]`. */
function leafPaths(value: Yaml, path = ''): string[] {
  if (isMap(value)) {
    if (Object.keys(value).length === 0) return [path];
    return Object.entries(value).flatMap(([key, child]) => leafPaths(child, path ? `${path}.${key}` : key));
  }
  if (Array.isArray(value) && value.length > 0 && value.every(isMap)) return value.flatMap(item => leafPaths(item, `${path}[]`));
  return [path];
}

describe('import-copilot on the collected Copilot manifests', () => {
  const workspace = combinedWorkspace();
  const conversion = convertWorkspace(workspace, FIXTURE_ENV);

  test('every manifest is read', () => {
    expect(conversion.failed).toEqual([]);
    expect(workspace.manifests.length).toBeGreaterThanOrEqual(50);
  });

  test('every field of every manifest is reported: none is dropped silently', () => {
    for (const manifest of workspace.manifests) {
      const raw = parse(manifest.text);
      const { environments, ...base } = raw;
      const leaves = [...leafPaths(base), ...Object.values(environments ?? {}).flatMap(o => leafPaths(o as Yaml))].filter(Boolean);
      const reported = conversion.findings.filter(f => f.manifest === manifest.path).map(f => f.path);
      const missing = leaves.filter(leaf => !reported.some(p => leaf === p || leaf.startsWith(`${p}.`) || leaf.startsWith(`${p}[]`)));
      expect({ manifest: manifest.path, missing }).toEqual({ manifest: manifest.path, missing: [] });
      if (environments !== undefined) expect(reported).toContain('environments');
    }
  });

  test('each unsupported field has a reason; the health check, scaling and job timeout fields map', () => {
    const unsupported = conversion.findings.filter(f => f.status === 'unsupported');
    expect(unsupported.length).toBeGreaterThan(0);
    unsupported.forEach(f => expect(f.note.length).toBeGreaterThan(10));
    expect(conversion.findings.filter(f => /not yet a prop/.test(f.note))).toEqual([]);
    const statusOf = (type: string, path: string) => conversion.findings.filter(f => f.path === path && f.type === type).map(f => f.status);
    expect(statusOf('Load Balanced Web Service', 'http.healthcheck.success_codes')).toContain('mapped');
    expect(statusOf('Load Balanced Web Service', 'count.requests')).toContain('mapped');
    expect(statusOf('Load Balanced Web Service', 'count.response_time')).toContain('mapped-differently');
    expect(statusOf('Load Balanced Web Service', 'count.cooldown.in')).toContain('mapped');
    expect(statusOf('Scheduled Job', 'timeout')).toContain('mapped-differently');
  });

  test('the generated apps synthesize: one platform per environment, with the workloads of every type', () => {
    const templates: Template[] = [];
    for (const group of synthGroups(10)) {
      const converted = convertWorkspace(group, FIXTURE_ENV);
      expect(converted.failed).toEqual([]);
      const app = synthGeneratedApp(converted.app);
      const stacks = app.node.children.filter((c): c is Stack => c instanceof Stack);
      expect(stacks.length).toBe(1);
      expect(synthErrors(stacks[0])).toEqual([]);
      templates.push(Template.fromStack(stacks[0]));
    }
    const count = (type: string, props: object = {}) =>
      templates.reduce((sum, t) => sum + Object.keys(t.findResources(type, { Properties: props })).length, 0);
    // Every web service, Backend Service and Worker Service of the fixtures is an ECS service.
    expect(count('AWS::ECS::Service')).toBeGreaterThan(25);
    expect(count('AWS::ECS::Service', { ServiceConnectConfiguration: Match.objectLike({ Services: Match.anyValue() }) })).toBeGreaterThan(3);
    expect(count('AWS::SQS::Queue')).toBeGreaterThan(3);
    // Copilot's worker test manifest publishes mytopic and subscribes to it: a platform topic and a queue subscription.
    expect(count('AWS::SNS::Subscription', { Protocol: 'sqs' })).toBeGreaterThan(0);
    // @daily of the documented scheduled job, and the five-field cron of Copilot's job test manifest.
    expect(count('AWS::Events::Rule', { ScheduleExpression: 'cron(0 0 * * ? *)' })).toBe(1);
    expect(count('AWS::Events::Rule', { ScheduleExpression: 'cron(0 12 ? * MON *)' })).toBe(1);
    // The documented autoscaling service: 30 requests per task, 2 s response time steps, cooldowns 60 s in / 30 s out.
    expect(count('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }), TargetValue: 30, ScaleInCooldown: 60, ScaleOutCooldown: 30,
      }),
    })).toBe(1);
    expect(count('AWS::ApplicationAutoScaling::ScalingPolicy', { StepScalingPolicyConfiguration: Match.objectLike({ MetricAggregationType: Match.anyValue() }) })).toBeGreaterThan(0);
    // Backend Services' container health checks, as the manifests give them.
    expect(count('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        HealthCheck: { Command: ['CMD-SHELL', 'curl -f http://localhost:8080 || exit 1'], Interval: 10, Retries: 2, Timeout: 5, StartPeriod: Match.absent() },
      })]),
    })).toBeGreaterThan(0);
    // Copilot's static sites (docs, e2e and stack test manifests): a distribution of their own, reading a private bucket through OAC.
    expect(count('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ DefaultRootObject: 'index.html' }) })).toBe(4);
    expect(count('AWS::CloudFront::OriginAccessControl')).toBe(4);
    // A job's timeout is its runtime guard's limit (docs/adr/0013).
    expect(count('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Input: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"maxRuntimeSeconds":"3600"')])] } })],
    })).toBeGreaterThan(0);
  });

  test('counts on each manifest as its source has it (printed for the report)', () => {
    const findings = standaloneWorkspaces().flatMap(w => {
      const converted = convertWorkspace(w, FIXTURE_ENV);
      expect(converted.failed).toEqual([]);
      return converted.findings.map(f => ({ ...f, manifest: `${w.application}:${f.manifest}` }));
    });
    expect(new Set(findings.map(f => f.manifest)).size).toBe(workspace.manifests.length);
    const { byType, total } = countFindings(findings);
    const frequency = new Map<string, number>();
    findings.filter(f => f.status === 'unsupported').forEach(f => frequency.set(`${f.type}: ${f.path}`, (frequency.get(`${f.type}: ${f.path}`) ?? 0) + 1));
    // eslint-disable-next-line no-console
    console.log([
      '| manifest type | maps | maps differently | not supported |',
      ...Object.entries({ ...byType, total }).map(([type, c]) => `| ${type} | ${c.mapped} | ${c['mapped-differently']} | ${c.unsupported} |`),
      '', ...[...frequency].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([field, n]) => `${n} ${field}`),
    ].join('\n'));
    expect(total.mapped + total['mapped-differently'] + total.unsupported).toBe(findings.length);
    expect(total.mapped).toBeGreaterThan(total['mapped-differently']);
  });
});
