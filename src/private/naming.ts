import { NestedStack, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from './validation';

/** Default application name: the stack name as a DNS label, so two stacks in one account never share SSM paths. */
export function defaultAppName(scope: IConstruct): string {
  return Stack.of(scope).stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'app';
}

/** SSM parameter names of a workload of one app environment: `/<app>/<env>/<workload>/<name>`, the web service's under `backend`. */
export function backendParameterName(appName: string, environmentName: string, name: string, workload: string = 'backend'): string {
  return `/${appName}/${environmentName}/${workload}/${name}`;
}

/** `admin-api` -> `AdminApi`: construct IDs derived from user-given names. */
export function pascal(name: string): string {
  return name.split(/[^a-zA-Z0-9]/).filter(Boolean).map(part => part[0].toUpperCase() + part.slice(1)).join('');
}

/**
 * Props naming an SSM parameter. CDK cannot tell the ARN separator of a name holding tokens (e.g. an environment name
 * from context); a leading "/" tells it.
 */
export function ssmParameterName(parameterName: string): { parameterName: string; simpleName?: boolean } {
  return Token.isUnresolved(parameterName) ? { parameterName, simpleName: !parameterName.startsWith('/') } : { parameterName };
}

const claimed = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Claims a physical name (an SSM parameter, a DNS record) for a construct. Two constructs of one app that would
 * create the same name, and so fail at deploy or overwrite each other, fail at synth naming both.
 * @param prop the prop that decides the name, as the user wrote it
 */
export function claimPhysicalName(scope: IConstruct, kind: 'SSM parameter' | 'DNS name' | 'stack output', namespace: string, name: string, prop: string, value: unknown): void {
  if (Token.isUnresolved(name)) return;
  const names = claimed.get(scope.node.root) ?? new Map<string, string>();
  claimed.set(scope.node.root, names);
  const key = `${kind}|${namespace}|${name}`;
  const owner = names.get(key);
  if (owner !== undefined && owner !== scope.node.path) {
    const fix = prop === 'id' ? 'give this one another id' : prop === 'environmentName' ? 'give each one its own environmentName (or appName, for SSM parameters, and loadBalancerDomainName, for the load balancer)' : `give each one its own ${prop}`;
    invalidProp(scope, prop, value, `the ${kind} ${name} is already created by ${owner}; ${fix}`);
  }
  names.set(key, scope.node.path);
}

/** `Stack/Backend/Api` -> `BackendApi`: a construct's path below its stack, for logical IDs of the library's choosing. */
export function logicalPrefix(scope: IConstruct): string {
  return scope.node.scopes.slice(Stack.of(scope).node.scopes.length).map(s => pascal(s.node.id)).join('');
}

/**
 * A construct's path in the stack that `cdk deploy` names, without the nested stacks between: the same whether a
 * workload has a stack of its own (`Platform/Admin/Admin`) or not (`Platform/Admin`), so what is derived from it
 * (listener-rule blocks) does not depend on the layout.
 */
export function deployedPath(scope: IConstruct): string {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  const scopes = scope.node.scopes;
  return scopes.slice(scopes.indexOf(stack) + 1).filter(s => !(s instanceof NestedStack)).map(s => s.node.id).join('/');
}
