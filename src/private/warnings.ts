import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Warns at synth that a prop switched off a secure or durable default: which prop, which value, what it risks,
 * how to restore it. The ID `cdk-backend-platform:<prop>` lets a user who means it silence the warning with
 * `Annotations.of(scope).acknowledgeWarning(id)`.
 */
export function warnWeakenedDefault(scope: IConstruct, prop: string, value: unknown, risk: string, fix: string): void {
  Annotations.of(scope).addWarningV2(libraryWarningId(prop), `${prop} is ${JSON.stringify(value)}: ${risk}; ${fix}`);
}

/** IDs of the library's warnings, for `Annotations.acknowledgeWarning`. */
export function libraryWarningId(name: string): string {
  return `cdk-backend-platform:${name}`;
}

/**
 * Names that usually hold credentials, connection strings and database URLs included (they embed the password);
 * `_ARN`, `_NAME`, `_ID`, other `_URL`s and the like do not match.
 */
const CREDENTIAL_NAME = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|CONNECTION_?STRING|DATABASE_URL)$/i;

/**
 * Plain environment variables are stored in the task definition and shown in the console: warns about the ones
 * named like credentials, by name only, never printing a value.
 */
export function warnOnCredentialNamedEnvironment(scope: IConstruct, prop: string, environment: { [key: string]: string } | undefined): void {
  const names = Object.keys(environment ?? {}).filter(name => CREDENTIAL_NAME.test(name));
  if (names.length === 0) return;
  Annotations.of(scope).addWarningV2(libraryWarningId('credentialInEnvironment'),
    `${prop} has ${names.map(name => JSON.stringify(name)).join(', ')}, named like a credential: plain environment variables sit in the task `
    + 'definition in clear; pass each in secrets (ecs.Secret.fromSecretsManager or ecs.Secret.fromSsmParameter)');
}
