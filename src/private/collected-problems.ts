import { Construct, IConstruct } from 'constructs';
import { InvalidPropsError, PropProblem } from './errors';
import { STRUCTS } from './prop-schema.generated';

/**
 * One report for a whole tree of constructs (the platform, its children and every workload added to it): problems
 * found while it is built, and the checks that can only run at synth, thrown together as one `InvalidPropsError`
 * when the app synthesizes. A construct used on its own keeps throwing its problems right away.
 */
interface ProblemReport {
  readonly problems: PropProblem[];
  readonly lateChecks: Array<{ readonly scope: IConstruct; readonly check: () => void }>;
}
const reports = new WeakMap<IConstruct, ProblemReport>();

/** Makes `root` report every problem of its tree in one error at synth (see `buildReporting`, `addLateCheck`). */
export function reportProblemsAtSynth(root: IConstruct): void {
  const report: ProblemReport = { problems: [], lateChecks: [] };
  reports.set(root, report);
  root.node.addValidation({
    validate: () => {
      const problems = [...report.problems];
      report.lateChecks.filter(({ scope }) => isInTree(scope)).forEach(({ check }) => problems.push(...problemsOf(check)));
      if (problems.length > 0) throw new InvalidPropsError(distinct(problems));
      return [];
    },
  });
}

/**
 * A check that needs the finished tree (quotas counted over everything added after construction): part of the
 * report of the tree it belongs to, or, for a construct used on its own, its own validation at synth.
 */
export function addLateCheck(scope: IConstruct, check: () => void): void {
  const report = scope.node.scopes.map(s => reports.get(s)).filter((r): r is ProblemReport => r !== undefined).pop();
  if (report) {
    report.lateChecks.push({ scope, check });
  } else {
    scope.node.addValidation({ validate: () => { check(); return []; } });
  }
}

/**
 * Builds a part of `root` (which reports at synth) from `input`: when the library refuses some of its props, records
 * the problems, removes what the attempt created, drops the refused props (their defaults apply; a required one
 * gets a placeholder) and builds again, so the next problems are found in the same synth instead of the next one.
 * When a problem names no prop of `input` (or there is no input), or the build fails otherwise once problems are
 * known, every problem so far is thrown at once.
 */
export function buildReporting<T>(root: IConstruct, build: () => T, input?: RefusableProps<object>): T {
  const report = reports.get(root);
  if (!report) throw new Error(`${root.node.path} does not report its problems at synth`);
  for (;;) {
    const before = new Set(root.node.children);
    let refused: readonly PropProblem[];
    try {
      return build();
    } catch (error) {
      if (!(error instanceof InvalidPropsError)) {
        // A part built from what was left of refused props may still fail: the problems are what the user must fix.
        if (report.problems.length > 0) throw new InvalidPropsError(distinct(report.problems));
        throw error;
      }
      refused = error.problems;
    }
    // A prop that was dropped, refused again as missing, is no news: the user has its first problem already.
    report.problems.push(...refused.filter(p => !input?.wasDropped(root.node.path, p)));
    root.node.children.filter(child => !before.has(child)).forEach(child => root.node.tryRemoveChild(child.node.id));
    if (!input?.drop(root.node.path, refused)) throw new InvalidPropsError(distinct(report.problems));
  }
}

const PLACEHOLDERS: { [type: string]: unknown } = { 'string': 'invalid', 'array<string>': ['invalid'] };

/**
 * Props as the user gave them, minus the ones the library refused. Problems name props as the user wrote them
 * (`service.cpu`, `addWorker('Mailer').memoryLimitMiB`), which is what lets a refused prop be found and dropped.
 * Copy on write: the user's objects are never changed.
 */
export class RefusableProps<T extends object> {
  private current: T;
  private readonly dropped = new Set<string>();

  /** `struct`: the jsii struct of `value`; `prefix`: how problems name its props (`addService('Api').`). */
  constructor(value: T, private readonly struct: string, private readonly prefix = '') {
    this.current = value;
  }

  /** The props, without those refused so far. */
  public get value(): T {
    return this.current;
  }

  /** A view that always reads `value` as it is now: code written against the props reads what is left of them. */
  public get live(): T {
    const current = () => this.current as object;
    return new Proxy({} as T, {
      get: (_, key) => Reflect.get(current(), key),
      has: (_, key) => Reflect.has(current(), key),
      ownKeys: () => Reflect.ownKeys(current()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(current(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    });
  }

  /**
   * Drops the prop each problem names: a whole list for a problem of one of its entries (the entries keep the
   * indices the user wrote), the enclosing struct for a missing prop or one refused again. False when a problem is
   * not about these props (another construct, an id, the props object itself).
   */
  public drop(path: string, problems: readonly PropProblem[]): boolean {
    const named = problems.map(p => this.propOf(path, p));
    if (named.some(prop => prop === undefined)) return false;
    return [...new Set(named)].every(prop => this.dropProp(prop!.split('.')));
  }

  /** Whether a problem is about a prop dropped before (the consequence of dropping it). */
  public wasDropped(path: string, problem: PropProblem): boolean {
    const prop = this.propOf(path, problem);
    return prop !== undefined && this.dropped.has(prop);
  }

  /** The prop of these props a problem names, up to its first list (`service.routedContainers`), if it names one. */
  private propOf(path: string, problem: PropProblem): string | undefined {
    if (problem.constructPath !== path || !problem.prop.startsWith(this.prefix)) return undefined;
    const prop = problem.prop.slice(this.prefix.length).split('[')[0];
    return /^[^\s.]+(\.[^\s.]+)*$/.test(prop) ? prop : undefined;
  }

  private dropProp(path: string[]): boolean {
    for (let at = path; at.length > 0; at = at.slice(0, -1)) {
      const key = at.join('.');
      if (this.dropped.has(key)) continue;
      const spec = at.length === 1 ? STRUCTS[this.struct]?.[key] : undefined;
      if (spec !== undefined && !spec.startsWith('?')) {
        this.dropped.add(key);
        const placeholder = PLACEHOLDERS[spec];
        if (placeholder === undefined) return false;
        this.current = withValueAt(this.current, at, placeholder);
        return true;
      }
      const value = valueAt(this.current, at);
      if (value === undefined) continue;
      // A construct the user passed (a hosted zone, a VPC) is not dropped: what the platform would build without it
      // could be refused for reasons the user never gave (a domain without its zone).
      if (Construct.isConstruct(value)) return false;
      this.dropped.add(key);
      this.current = withValueAt(this.current, at, undefined);
      return true;
    }
    return false;
  }
}

function valueAt(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((parent, key) => (isRecord(parent) ? parent[key] : undefined), value);
}

/** A copy of `value` with `path` set (or removed, for `undefined`), copying only the objects along the path. */
function withValueAt<T>(value: T, path: string[], replacement: unknown): T {
  const [key, ...rest] = path;
  const copy: { [key: string]: unknown } = { ...(value as object) };
  if (rest.length > 0) copy[key] = withValueAt(copy[key], rest, replacement);
  else if (replacement === undefined) delete copy[key];
  else copy[key] = replacement;
  return copy as T;
}

function isRecord(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A construct still in its tree (an attempt that failed was removed from it). */
function isInTree(scope: IConstruct): boolean {
  return scope.node.scopes.every((s, i, all) => i === 0 || all[i - 1].node.tryFindChild(s.node.id) === s);
}

function problemsOf(check: () => void): readonly PropProblem[] {
  try {
    check();
    return [];
  } catch (error) {
    if (error instanceof InvalidPropsError) return error.problems;
    throw error;
  }
}

/** The same problem found twice (by the platform and by the child it passes the prop to) is reported once. */
function distinct(problems: readonly PropProblem[]): PropProblem[] {
  const seen = new Set<string>();
  return problems.filter(p => {
    const line = JSON.stringify(p);
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}
