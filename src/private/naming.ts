import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Default application name: the stack name as a DNS label, so two stacks in one account never share SSM paths. */
export function defaultAppName(scope: IConstruct): string {
  return Stack.of(scope).stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'app';
}

/** SSM parameter names of the backend of one app environment: `/<app>/<env>/backend/<name>`. */
export function backendParameterName(appName: string, environmentName: string, name: string): string {
  return `/${appName}/${environmentName}/backend/${name}`;
}
