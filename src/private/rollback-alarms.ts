import { Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** Ends the description of every alarm that rolls deployments back: an operator (and the deploy-readiness suite) can tell it. */
export const ROLLS_BACK = 'ECS rolls the deployment back';

/** The rollback alarms of each service, in the order they were added. */
const rollbackAlarms = new WeakMap<ecs.BaseService, cloudwatch.IAlarm[]>();

/**
 * Adds alarms that roll the service's deployments back (`ROLLBACK_ON_ALARM`). Every part that watches a service (its
 * blue/green deployment, `InfraMonitoring`) adds here, so `DeploymentConfiguration.Alarms` names them all: aws-cdk-lib's
 * `enableDeploymentAlarms` keeps only the names of its first call (aws/aws-cdk#36308), so it is called once, with a list
 * read at synth. The library's alarms are named by `Ref`, so CloudFormation creates each one before the service.
 */
export function addRollbackAlarms(service: ecs.BaseService, alarms: cloudwatch.IAlarm[]): void {
  let added = rollbackAlarms.get(service);
  if (!added) {
    const list: cloudwatch.IAlarm[] = [];
    added = list;
    rollbackAlarms.set(service, list);
    // Uncached: the list grows after this call, and aws-cdk-lib resolves the names once here for an info message.
    const names = Lazy.uncachedList({ produce: () => list.map(alarm => alarm.alarmName) });
    service.enableDeploymentAlarms(names, { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
  }
  for (const alarm of alarms) {
    if (!added.includes(alarm)) added.push(alarm);
  }
}

/** The alarms that roll the service's deployments back, as `DeploymentConfiguration.Alarms` names them. */
export function rollbackAlarmsOf(service: ecs.BaseService): readonly cloudwatch.IAlarm[] {
  return rollbackAlarms.get(service) ?? [];
}
