import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One bad prop: where, which prop (as the user wrote it), the value and the fix. */
export interface PropProblem {
  readonly constructPath: string;
  readonly prop: string;
  readonly value: string;
  readonly fix: string;
}

/**
 * The library's one error for bad input. Every problem of a construct is reported together, one line each:
 * `<construct path>: invalid <prop> <value>: <fix>` (docs/adr/0003). Not part of the jsii API (jsii classes cannot
 * extend Error); catch it by `error.name === 'InvalidPropsError'`.
 */
export class InvalidPropsError extends Error {
  constructor(public readonly problems: readonly PropProblem[]) {
    super(problems.map(p => `${p.constructPath}: invalid ${p.prop} ${p.value}: ${p.fix}`).join('\n'));
    this.name = 'InvalidPropsError';
  }
}

/** How a parent that passes its own props on to a child names them: the parent's path and prop path. */
interface PropPathOwner {
  readonly owner: IConstruct;
  readonly rename: (prop: string) => string;
}
const owners = new WeakMap<IConstruct, Map<string, PropPathOwner>>();

/**
 * Declares that the child `childId` of `owner` is built from `owner`'s props: its problems are reported at the
 * owner's path with the owner's prop names (`service.cpu`, not the child's `cpu`). Call before creating the child.
 */
export function reportChildPropsAs(owner: IConstruct, childId: string, rename: (prop: string) => string): void {
  const children = owners.get(owner) ?? new Map<string, PropPathOwner>();
  children.set(childId, { owner, rename });
  owners.set(owner, children);
}

/** The construct path and prop name a problem of `scope`'s prop is reported under. */
export function reportedAs(scope: IConstruct, prop: string): { constructPath: string; prop: string } {
  const parent = scope.node.scope;
  const declared = parent ? owners.get(parent)?.get(scope.node.id) : undefined;
  if (!declared) return { constructPath: scope.node.path, prop };
  return reportedAs(declared.owner, declared.rename(prop));
}

/** A value as it appears in an error: JSON for data, a type name for objects that do not serialize. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Token.isUnresolved(value) || (value as { isUnresolved?: () => boolean })?.isUnresolved?.() === true) return '<deploy-time value>';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) {
    const path = (value as Partial<IConstruct>).node?.path;
    return path !== undefined ? JSON.stringify(path) : value.constructor?.name ?? 'object';
  }
  try {
    const json = JSON.stringify(value);
    return json.length > 200 ? `${json.slice(0, 197)}...` : json;
  } catch {
    return Array.isArray(value) ? 'array' : 'object';
  }
}

/** A problem of `scope`'s prop, named as the user wrote it. */
export function problem(scope: IConstruct, prop: string, value: unknown, fix: string): PropProblem {
  return { ...reportedAs(scope, prop), value: describeValue(value), fix };
}

/**
 * Runs every check, collecting their problems instead of stopping at the first, and throws them together.
 * Each check stops at its own first problem (later lines of one check may depend on earlier ones).
 */
export function checkAll(checks: Array<() => void>): void {
  const problems: PropProblem[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof InvalidPropsError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InvalidPropsError(problems);
}
