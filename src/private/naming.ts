import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Default application name: the stack name as a DNS label, so two stacks in one account never share SSM paths. */
export function defaultAppName(scope: IConstruct): string {
  return Stack.of(scope).stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'app';
}

/** SSM parameter names of the backend of one app environment: `/<app>/<env>/backend/<name>`. */
export function backendParameterName(appName: string, environmentName: string, name: string): string {
  return `/${appName}/${environmentName}/backend/${name}`;
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
