import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Warns at synth that a prop switched off a secure or durable default: which prop, which value, what it risks,
 * how to restore it. The ID `cdk-backend-platform:<prop>` lets a user who means it silence the warning with
 * `Annotations.of(scope).acknowledgeWarning(id)`.
 */
export function warnWeakenedDefault(scope: IConstruct, prop: string, value: unknown, risk: string, fix: string): void {
  Annotations.of(scope).addWarningV2(weakenedDefaultWarningId(prop), `${prop} is ${JSON.stringify(value)}: ${risk}; ${fix}`);
}

export function weakenedDefaultWarningId(prop: string): string {
  return `cdk-backend-platform:${prop}`;
}
