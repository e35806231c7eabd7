import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { createApp } from '../examples/backend-app';
import { FargateBackendStack } from '../examples/seeds/seed-000-fargate-backend';
import { SalonApiStack } from '../examples/seeds/seed-001-salon-api';
import { ScalableBackendStack } from '../examples/seeds/seed-002-scalable-backend';
import { ModularInfraStack } from '../examples/seeds/seed-004-modular-infra';

/**
 * No secret value, password or API key in clear anywhere in any template: every value under a secret-looking key
 * (or a secret-looking container variable) must be a dynamic reference resolved by CloudFormation at deploy time,
 * and no string may look like a credential.
 */
const SECRET_KEY = /password|passwd|secret(?!.*(arn|id|name))|token|api_?key|credential|header_?value/i;
const NAME_ONLY_KEY = /(arn|id|name|names|length|string_?key|characters|punctuation|template|type|arns|httptokens)$/i;
const CREDENTIAL_LOOKALIKE = [/AKIA[0-9A-Z]{16}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bgh[pousr]_[A-Za-z0-9]{20,}/, /xox[abp]-[A-Za-z0-9-]{10,}/];

interface Leak { readonly path: string; readonly value: string }

/** True when a value is only known at deploy time from a secret store, or is not a literal at all. */
function isReference(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  return /\{\{resolve:(secretsmanager|ssm-secure):/.test(value);
}

function joined(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const join = (value as any)?.['Fn::Join'];
  if (join) return join[1].map((part: unknown) => (typeof part === 'string' ? part : '{{token}}')).join(join[0]);
  return undefined;
}

function scanTemplate(template: any): Leak[] {
  const leaks: Leak[] = [];
  const visit = (node: any, path: string, key: string) => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${path}[${i}]`, key));
    if (node && typeof node === 'object') {
      // Container variables: { Name, Value } with a secret-looking name.
      if (typeof node.Name === 'string' && 'Value' in node && /password|secret|token|api_?key/i.test(node.Name)) {
        const text = joined(node.Value);
        if (text !== undefined && !isReference(text.replace(/\{\{token\}\}/g, ''))) leaks.push({ path: `${path}.${node.Name}`, value: text });
      }
      return Object.entries(node).forEach(([k, v]) => visit(v, `${path}.${k}`, k));
    }
    if (typeof node !== 'string') return;
    if (CREDENTIAL_LOOKALIKE.some(pattern => pattern.test(node))) leaks.push({ path, value: node });
    if (SECRET_KEY.test(key) && !NAME_ONLY_KEY.test(key) && !isReference(node)) leaks.push({ path, value: node });
  };
  visit(template.Resources ?? {}, 'Resources', '');
  return leaks;
}

function templatesOf(stacks: Stack[]) {
  const app = stacks[0].node.root as App;
  const assembly = app.synth();
  return stacks.map(stack => [stack.stackName, assembly.getStackArtifact(stack.artifactId).template] as const);
}

describe('secret scan', () => {
  const stacks: Stack[] = [];
  const headline = new App();
  stacks.push(...createApp(headline));
  const seeds = new App();
  stacks.push(new FargateBackendStack(seeds, 'Seed000'), new SalonApiStack(seeds, 'Seed001'), new ScalableBackendStack(seeds, 'Seed002'), new ModularInfraStack(seeds, 'Seed004'));
  const templates = [...templatesOf(stacks.slice(0, 2)), ...templatesOf(stacks.slice(2))];

  test.each(templates.map(([name, template]) => [name, template]))('%s has no secret in clear', (_name, template) => {
    expect(scanTemplate(template)).toEqual([]);
  });

  test('the secrets that exist are references: origin header, API key connection, cache auth token', () => {
    const all = JSON.stringify(templates.map(([, t]) => t));
    expect(all).toMatch(/X-Origin-Verify","HeaderValue":\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:/);
    expect(all).toMatch(/"ApiKeyValue":\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:/);
    expect(all).toMatch(/"AuthToken":\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:/);
  });

  test('GIVEN a password in plain container environment THEN the scan finds it (the scan can fail)', () => {
    const app = new App();
    const stack = new Stack(app, 'Leaky');
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('app'), environment: { DB_PASSWORD: 'hunter2hunter2', GITHUB: 'ghp_abcdefghijklmnopqrstuvwx' } });
    const [[, template]] = templatesOf([stack]);
    expect(scanTemplate(template).map(leak => leak.value)).toEqual(['hunter2hunter2', 'ghp_abcdefghijklmnopqrstuvwx']);
  });
});
