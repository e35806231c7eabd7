import { AwsCli } from '../aws';
import { CliError } from '../errors';
import { Io, onPath } from '../io';
import { Workload } from '../platform';

/** The containers the library names: the web service's main container, a worker's, a job's. */
const MAIN_CONTAINERS = ['app', 'worker', 'job'];
export const PLUGIN_INSTALL = 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html';

/** `DescribeTaskDefinition` of the workload's task definition (a job's: the newest ACTIVE revision of its family). */
export async function describeTaskDefinition(aws: AwsCli, workload: Workload): Promise<any> {
  return (await aws.call('ecs', 'describe-task-definition', ['--task-definition', workload.taskDefinition])).taskDefinition;
}

/** The container to act on: the one asked for, else the library's main container, else the first. */
export function pickContainer(taskDefinition: any, requested: string | undefined, workload: Workload): string {
  const names: string[] = (taskDefinition.containerDefinitions ?? []).map((c: any) => c.name);
  if (requested !== undefined) {
    if (!names.includes(requested)) throw new CliError(`${workload.name} has no container "${requested}": use --container with one of ${names.join(', ')}`);
    return requested;
  }
  return names.find(name => MAIN_CONTAINERS.includes(name)) ?? names[0];
}

/** `family:revision` of a task definition ARN. */
export function revisionOf(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** The last part of a task ARN. */
export function taskId(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** The cluster name of a cluster ARN (or the name itself). */
export function clusterName(cluster: string): string {
  return cluster.split('/').pop() ?? cluster;
}

/** A Session Manager session (exec, port forwarding) runs through the plugin; say so before any AWS call. */
export function requireSessionManagerPlugin(io: Io, verb: string): void {
  if (!onPath('session-manager-plugin', io.env)) {
    throw new CliError(`"${verb}" needs the Session Manager plugin for the AWS CLI, and session-manager-plugin is not on PATH: install it (${PLUGIN_INSTALL}) and retry`);
  }
}

/**
 * A running task of the service that ECS Exec can reach: the service must have `enableExecuteCommand` and the task
 * must have started after it was turned on (ECS sets it per task at launch).
 */
export async function execReadyTask(aws: AwsCli, workload: Workload, requestedTask: string | undefined, verb: string): Promise<any> {
  if (workload.kind === 'job') {
    throw new CliError(`${workload.name} is a scheduled job, with no task running between runs: start one with "cdk-backend-platform run ${workload.name} -- <command>"`);
  }
  const service = workload.service;
  if (!service.enableExecuteCommand) {
    throw new CliError(`ECS Exec is not enabled on ${workload.name} (service ${service.serviceName}), which "${verb}" needs: set enableExecuteCommand: true on the workload, deploy, then retry`);
  }
  const arns: string[] = (await aws.call('ecs', 'list-tasks', ['--cluster', workload.cluster, '--service-name', service.serviceName, '--desired-status', 'RUNNING'])).taskArns ?? [];
  const tasks: any[] = arns.length ? (await aws.call('ecs', 'describe-tasks', ['--cluster', workload.cluster, '--tasks', ...arns.slice(0, 100)])).tasks ?? [] : [];
  const running = tasks.filter(task => task.lastStatus === 'RUNNING');
  const task = requestedTask ? running.find(t => taskId(t.taskArn) === requestedTask || t.taskArn === requestedTask) : running[0];
  if (!task) {
    if (requestedTask) throw new CliError(`no running task "${requestedTask}" in ${workload.name}: use --task with one of ${running.map(t => taskId(t.taskArn)).join(', ') || '(none running)'}`);
    throw new CliError(`${workload.name} has no running task (${service.runningCount ?? 0} running, ${service.desiredCount ?? 0} desired): see "cdk-backend-platform status ${workload.name}"`);
  }
  if (task.enableExecuteCommand === false) {
    throw new CliError(`task ${taskId(task.taskArn)} of ${workload.name} started before ECS Exec was enabled: start new tasks `
      + `("aws ecs update-service --cluster ${clusterName(workload.cluster)} --service ${service.serviceName} --force-new-deployment") and retry`);
  }
  return task;
}
