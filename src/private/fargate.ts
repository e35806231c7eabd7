import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, IConstruct } from 'constructs';
import { acknowledge } from './compliance';
import { invalidProp, isToken, propName } from './validation';

/** Legal Fargate task sizes: CPU units to the memory values (MiB) Fargate accepts for them. */
function legalMemoryFor(cpu: number): number[] | undefined {
  const range = (fromGiB: number, toGiB: number, stepGiB: number) => {
    const values: number[] = [];
    for (let gib = fromGiB; gib <= toGiB; gib += stepGiB) values.push(gib * 1024);
    return values;
  };
  switch (cpu) {
    case 256: return [512, 1024, 2048];
    case 512: return range(1, 4, 1);
    case 1024: return range(2, 8, 1);
    case 2048: return range(4, 16, 1);
    case 4096: return range(8, 30, 1);
    case 8192: return range(16, 60, 4);
    case 16384: return range(32, 120, 8);
    default: return undefined;
  }
}

/**
 * Fails at synth on a CPU/memory pair Fargate would reject at deploy time.
 * @param cpuProp name of the CPU prop as the user wrote it
 * @param memoryProp name of the memory prop as the user wrote it
 */
export function validateFargateSize(scope: IConstruct, cpuProp: string, cpu: number, memoryProp: string, memoryLimitMiB: number): void {
  if (isToken(cpu) || isToken(memoryLimitMiB)) return;
  const legal = legalMemoryFor(cpu);
  if (!legal) {
    invalidProp(scope, cpuProp, cpu, 'use one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192 or 16384');
  }
  if (!legal.includes(memoryLimitMiB)) {
    const shown = legal.length > 6 ? `${legal[0]} to ${legal[legal.length - 1]} in steps of ${legal[1] - legal[0]}` : legal.join(', ');
    invalidProp(scope, memoryProp, memoryLimitMiB, `with ${propName(scope, cpuProp)} ${cpu}, Fargate accepts ${shown} MiB`);
  }
}

export function isArm64(cpuArchitecture: ecs.CpuArchitecture | undefined): boolean {
  return cpuArchitecture?._cpuArchitecture === ecs.CpuArchitecture.ARM64._cpuArchitecture;
}


/**
 * Spot tasks need the FARGATE_SPOT capacity provider on their cluster: associate it when the cluster is defined in
 * this app (idempotent); an imported cluster must already have it.
 */
/**
 * The ECS cluster of a platform's workloads, `Cluster` under `scope`: the web service's (`<platform>/Service/Cluster`),
 * or the platform's own (`<platform>/Cluster`) when it has no web service.
 */
export function createFargateCluster(scope: Construct, vpc: ec2.IVpc | undefined, containerInsights: ecs.ContainerInsights): ecs.Cluster {
  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc, containerInsightsV2: containerInsights });
  if (containerInsights === ecs.ContainerInsights.ENHANCED) {
    acknowledge(cluster, [{
      id: 'ecs_container_insights_enabled_check',
      reason: 'Container Insights is on with enhanced observability (ClusterSettings containerInsights "enhanced"), which collects everything "enabled" does and more; the rule only knows the value "enabled".',
    }]);
  }
  return cluster;
}

export function ensureFargateSpot(cluster: ecs.ICluster): void {
  if (cluster instanceof ecs.Cluster) cluster.enableFargateCapacityProviders();
}

/**
 * With Spot: `onDemandBase` tasks (default: the minimum) on on-demand Fargate, the rest split evenly between Fargate
 * and Fargate Spot; a base of 0 puts every task on Spot.
 */
export function spotStrategies(
  spot: boolean | undefined, onDemandBase: number | undefined, minCapacity: number,
): ecs.CapacityProviderStrategy[] | undefined {
  if (!spot) return undefined;
  return [
    { capacityProvider: 'FARGATE', base: onDemandBase ?? minCapacity, weight: onDemandBase === 0 ? 0 : 1 },
    { capacityProvider: 'FARGATE_SPOT', weight: 1 },
  ];
}
