import { Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { checkAll, reportedAs } from '../private/errors';
import { invalidProp } from '../private/validation';

/**
 * Listener rule priorities of the services on one load balancer (docs/adr/0009). The edge's own service routes its
 * containers from 100 and its main container last (50000, the catch-all). A service sharing the edge takes a block
 * that no other service's presence changes, so adding, removing or renaming one never updates another's rules: a
 * pinned block k (`priorityBlock`) is 1000 k + 10 r for its r-th routed container and 1000 k + 500 for its main
 * container (the layout of the k-th added service before blocks were derived); a derived block is one of 2450 slots
 * picked by a hash of the service's construct path, its routed containers at consecutive priorities off the tens and
 * its main container 500 above, so derived and pinned blocks never overlap.
 */
const OWNER_ROUTED_PRIORITY = 100;
const OWNER_MAIN_PRIORITY = 50000;
const BLOCK = 1000;
const MAIN_OFFSET = 500;
const ROUTED_STEP = 10;
/** Pinned blocks: 1 to 49, below the owner's catch-all. */
export const MAX_PRIORITY_BLOCK = Math.floor(OWNER_MAIN_PRIORITY / BLOCK) - 1;
/** Derived slots: 50 per thousand (the nine numbers off each ten below its 500), in every pinnable thousand. */
const SLOTS_PER_BLOCK = MAIN_OFFSET / ROUTED_STEP;
const DERIVED_SLOTS = MAX_PRIORITY_BLOCK * SLOTS_PER_BLOCK;
/** A derived block's routed containers take the nine numbers after its first: a task holds at most ten containers. */
export const MAX_ROUTED_CONTAINERS = ROUTED_STEP - 1;

/** Where a service's listener rules sit, and which test listener port blue/green gives it. */
export interface PriorityBlock {
  /** Identifies the block among the edge's services (collisions). */
  readonly key: string;
  readonly firstPriority: number;
  readonly routedStep: number;
  readonly mainPriority: number;
  /** Added to the base test listener port (8443 or 8080). */
  readonly testPortOffset: number;
}

/** The block of the service that owns the edge: the priorities it has had since the first version. */
export const OWNER_BLOCK: PriorityBlock = { key: 'owner', firstPriority: OWNER_ROUTED_PRIORITY, routedStep: ROUTED_STEP, mainPriority: OWNER_MAIN_PRIORITY, testPortOffset: 0 };

/** A pinned block k (1..49). */
export function pinnedBlock(k: number): PriorityBlock {
  return { key: `pinned ${k}`, firstPriority: k * BLOCK, routedStep: ROUTED_STEP, mainPriority: k * BLOCK + MAIN_OFFSET, testPortOffset: k };
}

/** The block derived from a stable name (the service's construct path below its stack): a fixed polynomial hash, so it never changes. */
export function derivedBlock(name: string): PriorityBlock {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) % 2147483647;
  const slot = hash % DERIVED_SLOTS;
  const first = (1 + Math.floor(slot / SLOTS_PER_BLOCK)) * BLOCK + (slot % SLOTS_PER_BLOCK) * ROUTED_STEP + 1;
  return { key: `derived ${slot}`, firstPriority: first, routedStep: 1, mainPriority: first + MAIN_OFFSET, testPortOffset: MAX_PRIORITY_BLOCK + 1 + slot };
}

/** The priority of a service's rule: `routedIndex` for a routed container, none for the main container. */
export function rulePriority(block: PriorityBlock, routedIndex?: number): number {
  return routedIndex === undefined ? block.mainPriority : block.firstPriority + routedIndex * block.routedStep;
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
  /** The host names the rule also matches; none for a rule that answers its paths on every host. */
  readonly hosts?: string[];
}

const claims = new WeakMap<elbv2.IApplicationListener, PathClaim[]>();

/**
 * Registers a service's path patterns on a listener, refusing (all together, by prop) a pattern another rule already
 * routes on the same hosts, a pattern that a rule evaluated earlier takes every request of (it would never be reached),
 * and a pattern that would take every request of a rule already there and evaluated later (that one would never be
 * reached). A rule without hosts takes its paths on every host.
 */
export function claimPaths(listener: elbv2.IApplicationListener, requested: PathClaim[]): void {
  const existing = claims.get(listener) ?? [];
  const literal = requested.filter(claim => !Token.isUnresolved(claim.pattern));
  checkAll(literal.map((claim, index) => () => {
    const same = [...existing, ...literal.slice(0, index)].find(other => other.pattern === claim.pattern && sameHosts(other, claim));
    if (same) {
      return invalidProp(claim.scope, claim.prop, claim.pattern, `${describe(same)} already routes this path; each path goes to one container, so drop it from one of the two`);
    }
    const before = [...existing, ...literal].find(other => other.priority < claim.priority && takesEvery(other, claim));
    if (before) {
      invalidProp(claim.scope, claim.prop, claim.pattern, `${describe(before)} routes ${JSON.stringify(before.pattern)}, which the load balancer evaluates first `
        + 'and which takes every request of this pattern, so it would never be reached; drop it, or narrow the other pattern');
    }
    const after = existing.find(other => other.priority > claim.priority && takesEvery(claim, other));
    if (after) {
      invalidProp(claim.scope, claim.prop, claim.pattern, `it would take every request of ${describe(after)} (${JSON.stringify(after.pattern)}), `
        + 'which the load balancer evaluates after it, so that would never be reached; narrow this pattern');
    }
  }));
  claims.set(listener, [...existing, ...literal]);
}

/** Whether `wider` matches every request `claim` matches: every one of its hosts, and every one of its paths. */
function takesEvery(wider: PathClaim, claim: PathClaim): boolean {
  const hosts = wider.hosts === undefined || (claim.hosts !== undefined && claim.hosts.every(host => wider.hosts!.includes(host)));
  return hosts && covers(wider.pattern, claim.pattern);
}

function sameHosts(a: PathClaim, b: PathClaim): boolean {
  const key = (claim: PathClaim) => (claim.hosts === undefined ? '*' : [...claim.hosts].sort().join(','));
  return key(a) === key(b);
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
