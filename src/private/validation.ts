import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { InvalidPropsError, problem, reportedAs } from './errors';
import { EnvironmentProfile } from '../platform/environment-profile';

/**
 * Throws the library's standard bad-input error: which prop, which value, how to fix it.
 * Every synth-time check goes through here so users see one consistent message shape.
 */
export function invalidProp(scope: IConstruct, prop: string, value: unknown, fix: string): never {
  throw new InvalidPropsError([problem(scope, prop, value, fix)]);
}

/** A prop named as the user wrote it, for fixes that mention another prop (`raise service.maxCapacity`). */
export function propName(scope: IConstruct, prop: string): string {
  return reportedAs(scope, prop).prop;
}

/** True when a value is only known at deploy time; such values are never rejected. */
export function isToken(value: unknown): boolean {
  return Token.isUnresolved(value);
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lower-case DNS label: used for environment and app names that end up in host names and SSM paths. */
export function validateDnsLabel(scope: IConstruct, prop: string, value: string): void {
  if (isToken(value)) return;
  if (!DNS_LABEL.test(value)) {
    invalidProp(scope, prop, value, 'use 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit (e.g. "prod")');
  }
}

export function validateDomainName(scope: IConstruct, prop: string, value: string): void {
  if (isToken(value)) return;
  if (!DOMAIN_NAME.test(value)) {
    invalidProp(scope, prop, value, 'use a lower-case fully qualified domain name without a trailing dot (e.g. "example.com")');
  }
}

export function validateEmail(scope: IConstruct, prop: string, value: string): void {
  if (isToken(value)) return;
  if (!EMAIL.test(value)) {
    invalidProp(scope, prop, value, 'use an e-mail address such as "ops@example.com"');
  }
}

/** Inclusive integer range check, skipped for tokens. */
export function validateIntegerRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || isToken(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    invalidProp(scope, prop, value, `use a whole number from ${min} to ${max}`);
  }
}

/** Checks `min <= max` for a pair of props such as capacities. */
export function validateMinMax(scope: IConstruct, minProp: string, min: number, maxProp: string, max: number): void {
  if (isToken(min) || isToken(max)) return;
  if (min > max) {
    const [minName, maxName] = [propName(scope, minProp), propName(scope, maxProp)];
    invalidProp(scope, minProp, min, `${minName} must not exceed ${maxName} (${max}); raise ${maxName} or lower ${minName}`);
  }
}

/** URL path for routing and health checks: starts with "/". */
export function validatePath(scope: IConstruct, prop: string, value: string): void {
  if (isToken(value)) return;
  if (!value.startsWith('/') || /\s/.test(value)) {
    invalidProp(scope, prop, value, 'use a path that starts with "/" and has no spaces (e.g. "/api/*")');
  }
}

export function validateNonEmpty(scope: IConstruct, prop: string, value: readonly unknown[] | string | undefined): void {
  if (value === undefined || isToken(value)) return;
  if (value.length === 0) {
    invalidProp(scope, prop, value, `give at least one ${typeof value === 'string' ? 'character' : 'element'}`);
  }
}

/** Rejects ids that appear more than once in a list. */
export function validateUnique(scope: IConstruct, prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) {
      invalidProp(scope, prop, value, 'another entry already uses it; every entry must be unique, rename one of the duplicates');
    }
    seen.add(value);
  }
}

/** The deprecated `production` flag may only agree with the profile (that the profile is a member is a type check). */
export function validateProfile(scope: IConstruct, profile: EnvironmentProfile | undefined, production?: boolean): void {
  if (profile !== undefined && production !== undefined && production !== (profile === EnvironmentProfile.PRODUCTION)) {
    invalidProp(scope, 'production', production, `it contradicts profile "${profile}"; drop production (deprecated) and keep profile`);
  }
}

const ECR_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$/;

/** The image tag whose pushes deploy: a legal ECR tag, and not one of the recorded `sha256-` release tags. */
export function validateTriggerTag(scope: IConstruct, prop: string, tag: string | undefined): void {
  if (tag === undefined || isToken(tag)) return;
  if (!ECR_TAG.test(tag) || tag.startsWith('sha256-')) {
    invalidProp(scope, prop, tag, 'use an ECR tag such as "latest" or "release" (letters, digits, _ . -; the sha256- prefix is reserved for recorded releases)');
  }
}

/** Refuses a deploy-time value (a token) where the library or aws-cdk-lib needs the value itself at synth. */
export function requireSynthValue(scope: IConstruct, prop: string, value: unknown, why: string): void {
  const unresolved = Token.isUnresolved(value) || (value as { isUnresolved?: () => boolean } | undefined)?.isUnresolved?.() === true;
  if (unresolved) invalidProp(scope, prop, value, `${why}; give a value known at synth`);
}

/**
 * A literal Duration in whole seconds within AWS's bounds (aws-cdk-lib would fail with a raw conversion error, or
 * CloudFormation at deploy time); a deploy-time Duration is left alone.
 */
export function validateSeconds(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    invalidProp(scope, prop, `${seconds} seconds`, `give whole seconds from ${min} to ${max} (e.g. Duration.seconds(${Math.min(Math.max(Math.round(seconds), min), max)}))`);
  }
}
