import { IConstruct } from 'constructs';
import { CapacityOptions } from './service-options';
import { validateFargateSize } from '../private/fargate';
import { invalidProp, validateIntegerRange, validateMinMax } from '../private/validation';
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
    () => validateIntegerRange(scope, 'targetCpuUtilizationPercent', props.targetCpuUtilizationPercent, 10, 95),
    () => validateIntegerRange(scope, 'onDemandBaseCapacity', props.onDemandBaseCapacity, 0, 1000),
    () => {
      if (props.onDemandBaseCapacity !== undefined && !props.spot) {
        invalidProp(scope, 'onDemandBaseCapacity', props.onDemandBaseCapacity, 'it only applies with spot: true; set spot or drop onDemandBaseCapacity');
      }
    },
  ];
}

/** ECS Exec is a shell into production containers: turning it on warns at synth. */
export function warnOnExecuteCommand(scope: IConstruct, enableExecuteCommand: boolean | undefined): void {
  if (enableExecuteCommand) {
    warnWeakenedDefault(scope, 'enableExecuteCommand', true, 'whoever may call ecs:ExecuteCommand gets a shell in the running containers',
      'turn it on only while debugging');
  }
}
