import { Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { checkAll, reportedAs } from '../private/errors';
import { invalidProp } from '../private/validation';

/**
 * Listener rule priorities of the services on one load balancer (docs/adr/0009). The edge's own service routes its
 * containers from 100 and its main container last (50000, the catch-all); the k-th service sharing the edge takes
 * the block from 1000 k: its routed containers first, its main container's paths at 1000 k + 500.
 */
const OWNER_ROUTED_PRIORITY = 100;
const OWNER_MAIN_PRIORITY = 50000;
const SHARED_BLOCK = 1000;
const SHARED_MAIN_OFFSET = 500;
const ROUTED_STEP = 10;
/** Blocks below the owner's catch-all: the services one load balancer can share. */
export const MAX_SHARED_SERVICES = Math.floor(OWNER_MAIN_PRIORITY / SHARED_BLOCK) - 1;

/** The priority of a service's rule: `routedIndex` for a routed container, none for the main container. */
export function rulePriority(shareIndex: number, routedIndex?: number): number {
  if (routedIndex !== undefined) return (shareIndex === 0 ? OWNER_ROUTED_PRIORITY : shareIndex * SHARED_BLOCK) + routedIndex * ROUTED_STEP;
  return shareIndex === 0 ? OWNER_MAIN_PRIORITY : shareIndex * SHARED_BLOCK + SHARED_MAIN_OFFSET;
}

/** A path pattern a service asks the listener to route to it. */
export interface PathClaim {
  readonly pattern: string;
  readonly priority: number;
  /** The service that claims it and the prop that names it, for errors. */
  readonly scope: IConstruct;
  readonly prop: string;
  /** How errors name a claim no prop names (the catch-all). */
  readonly label?: string;
}

const claims = new WeakMap<elbv2.IApplicationListener, PathClaim[]>();

/**
 * Registers a service's path patterns on a listener, refusing (all together, by prop) a pattern another rule already
 * routes, a pattern that a rule evaluated earlier takes every request of (it would never be reached), and a pattern
 * that would take every request of a rule already there and evaluated later (that one would never be reached).
 */
export function claimPaths(listener: elbv2.IApplicationListener, requested: PathClaim[]): void {
  const existing = claims.get(listener) ?? [];
  const literal = requested.filter(claim => !Token.isUnresolved(claim.pattern));
  checkAll(literal.map((claim, index) => () => {
    const same = [...existing, ...literal.slice(0, index)].find(other => other.pattern === claim.pattern);
    if (same) {
      return invalidProp(claim.scope, claim.prop, claim.pattern, `${describe(same)} already routes this path; each path goes to one container, so drop it from one of the two`);
    }
    const before = [...existing, ...literal].find(other => other.priority < claim.priority && covers(other.pattern, claim.pattern));
    if (before) {
      invalidProp(claim.scope, claim.prop, claim.pattern, `${describe(before)} routes ${JSON.stringify(before.pattern)}, which the load balancer evaluates first `
        + 'and which takes every request of this pattern, so it would never be reached; drop it, or narrow the other pattern');
    }
    const after = existing.find(other => other.priority > claim.priority && covers(claim.pattern, other.pattern));
    if (after) {
      invalidProp(claim.scope, claim.prop, claim.pattern, `it would take every request of ${describe(after)} (${JSON.stringify(after.pattern)}), `
        + 'which the load balancer evaluates after it, so that would never be reached; narrow this pattern');
    }
  }));
  claims.set(listener, [...existing, ...literal]);
}

/** Whether every path `pattern` matches is also matched by `wider` (a trailing `*` prefix, or the same pattern). */
function covers(wider: string, pattern: string): boolean {
  if (wider === pattern) return true;
  const prefix = wider.slice(0, -1);
  return wider.endsWith('*') && !/[*?]/.test(prefix) && pattern.startsWith(prefix);
}

/** The other claim as its user wrote it, e.g. `Stack/Backend addService('Admin').pathPatterns[0]`. */
function describe(claim: PathClaim): string {
  if (claim.label) return claim.label;
  const { constructPath, prop } = reportedAs(claim.scope, claim.prop);
  return `${constructPath} ${prop}`;
}

/**
 * A forwarding rule on a listener: created on the listener itself by the service that owns the edge (construct ID
 * `<id>Rule`, its contract since the first version), under the service by a service that shares the edge.
 */
export function addListenerRule(
  listener: elbv2.ApplicationListener, sharingService: Construct | undefined, id: string, props: elbv2.AddApplicationActionProps,
): elbv2.ApplicationListenerRule {
  if (sharingService === undefined) {
    listener.addAction(id, props);
    return listener.node.findChild(`${id}Rule`) as elbv2.ApplicationListenerRule;
  }
  return new elbv2.ApplicationListenerRule(sharingService, `${id}Rule`, { listener, ...props, priority: props.priority! });
}
