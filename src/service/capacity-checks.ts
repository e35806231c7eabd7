import { IConstruct } from 'constructs';
import { CapacityOptions } from './service-options';
import { checkAll } from '../private/errors';
import { validateFargateSize } from '../private/fargate';
import { invalidProp, isToken, validateIntegerRange, validateMinMax, validateSeconds } from '../private/validation';
import { warnWeakenedDefault } from '../private/warnings';

/** The size and capacity a workload falls back to where its `CapacityOptions` are silent. */
export interface CapacityDefaults {
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
}

/**
 * The checks of `CapacityOptions` every Fargate workload shares (for `checkAll`).
 * @param minCapacityFloor 0 where the workload may idle at zero tasks (a queue worker), else 1
 */
export function capacityChecks(scope: IConstruct, props: CapacityOptions, d: CapacityDefaults, minCapacityFloor: number): Array<() => void> {
  return [
    () => validateFargateSize(scope, 'cpu', props.cpu ?? d.cpu, 'memoryLimitMiB', props.memoryLimitMiB ?? d.memoryLimitMiB),
    () => validateIntegerRange(scope, 'minCapacity', props.minCapacity, minCapacityFloor, 1000),
    () => validateIntegerRange(scope, 'maxCapacity', props.maxCapacity, 1, 1000),
    () => validateMinMax(scope, 'minCapacity', props.minCapacity ?? d.minCapacity, 'maxCapacity', props.maxCapacity ?? d.maxCapacity),
    () => validateUtilizationTarget(scope, 'targetCpuUtilizationPercent', props.targetCpuUtilizationPercent),
    () => validateUtilizationTarget(scope, 'targetMemoryUtilizationPercent', props.targetMemoryUtilizationPercent),
    () => validateSeconds(scope, 'scaleInCooldown', props.scaleInCooldown, 0, 86400),
    () => validateSeconds(scope, 'scaleOutCooldown', props.scaleOutCooldown, 0, 86400),
    () => validateIntegerRange(scope, 'onDemandBaseCapacity', props.onDemandBaseCapacity, 0, 1000),
    () => {
      if (props.onDemandBaseCapacity !== undefined && !props.spot) {
        invalidProp(scope, 'onDemandBaseCapacity', props.onDemandBaseCapacity, 'it only applies with spot: true; set spot or drop onDemandBaseCapacity');
      }
    },
  ];
}

/** A utilization target in percent: 10-95, or 0 to turn that dimension's scaling off. */
function validateUtilizationTarget(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || value === 0 || isToken(value)) return;
  if (!Number.isInteger(value) || value < 10 || value > 95) {
    invalidProp(scope, prop, value, 'use a whole number from 10 to 95, or 0 to turn this scaling dimension off');
  }
}

/** ECS Exec is a shell into production containers: turning it on warns at synth. */
export function warnOnExecuteCommand(scope: IConstruct, enableExecuteCommand: boolean | undefined): void {
  if (enableExecuteCommand) {
    warnWeakenedDefault(scope, 'enableExecuteCommand', true, 'whoever may call ecs:ExecuteCommand gets a shell in the running containers',
      'turn it on only while debugging');
  }
}

const ALB_QUOTAS = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html';
const SECURITY_GROUP_QUOTAS = 'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups';

/** The quotas of one load balancer and of its two security groups that the services on it fill. */
const EDGE_QUOTAS = {
  listenerRules: { quota: 100, what: 'listener rules (default rules excluded), over the quota of 100 per Application Load Balancer', source: ALB_QUOTAS },
  targetGroups: { quota: 100, what: 'target groups, over the quota of 100 per Application Load Balancer', source: ALB_QUOTAS },
  listeners: { quota: 50, what: 'listeners, over the quota of 50 per Application Load Balancer', source: ALB_QUOTAS },
  listenerCertificates: { quota: 25, what: 'certificates on its listeners (default certificates excluded), over the quota of 25 per Application Load Balancer', source: ALB_QUOTAS },
  cloudFrontGroupInbound: { quota: 60, what: 'inbound rules in its CloudFront security group (the origin-facing prefix list weighs 55), over the quota of 60 per security group', source: SECURITY_GROUP_QUOTAS },
  cloudFrontGroupOutbound: { quota: 60, what: 'outbound rules (one per task security group and port) in its CloudFront security group, over the quota of 60 per security group', source: SECURITY_GROUP_QUOTAS },
  testGroupInbound: { quota: 60, what: 'inbound rules (one per blue/green smoke test) in its test-listener security group, over the quota of 60 per security group', source: SECURITY_GROUP_QUOTAS },
  internalGroupInbound: { quota: 60, what: 'inbound rules (one per admitted workload) in its security group, over the quota of 60 per security group', source: SECURITY_GROUP_QUOTAS },
  internalGroupOutbound: { quota: 60, what: 'outbound rules (one per worker port) in its security group, over the quota of 60 per security group', source: SECURITY_GROUP_QUOTAS },
} as const;

/** What one service (or the edge itself) adds to its load balancer, by quota. */
export type EdgeNeeds = { readonly [quota in keyof typeof EDGE_QUOTAS]?: number };

/**
 * The running count of an edge's quotas (docs/adr/0009): each service claims what it adds before creating it, and the
 * one that would cross a quota is refused by name, at synth, instead of failing its deploy.
 */
export class EdgeUsage {
  private readonly used: { [quota: string]: number } = {};

  /** Counts `needs` against the quotas, or refuses `prop` of `scope` (all crossed quotas together) and counts nothing. */
  public claim(scope: IConstruct, prop: string, value: unknown, needs: EdgeNeeds, fix?: string): void {
    const entries = Object.entries(needs) as Array<[keyof typeof EDGE_QUOTAS, number]>;
    checkAll(entries.map(([quota, count]) => () => {
      const total = (this.used[quota] ?? 0) + count;
      const { quota: max, what, source } = EDGE_QUOTAS[quota];
      if (count > 0 && total > max) {
        invalidProp(scope, prop, value, `the load balancer would hold ${total} ${what} (${source}); ${fix ?? 'give this service an edge of its own (another platform, or no shareEdgeWith), or fewer routed containers'}`);
      }
    }));
    for (const [quota, count] of entries) this.used[quota] = (this.used[quota] ?? 0) + count;
  }
}
