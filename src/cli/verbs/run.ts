import { optionValue } from '../args';
import { CliError } from '../errors';
import { requireWorkload } from '../platform';
import { Verb, VerbContext } from '../verb';
import { clusterName, describeTaskDefinition, pickContainer, revisionOf, taskId } from './common';

const POLL_MS = 5000;

export const runVerb: Verb = {
  name: 'run',
  summary: 'run a one-off task with the workload\'s task definition and network; wait and print its exit code',
  usage: '<workload> [--container <name>] [--no-wait] [-- <command> <args>...]',
  description: [
    'Starts one Fargate task of the workload\'s task definition (a service\'s deployed revision, a job\'s newest) in its subnets and security groups, optionally with another command for one container (everything after "--"), e.g. "run backend -- npm run migration:run".',
    'Waits until the task stops, prints each container\'s exit code and exits with the chosen container\'s. Ctrl-C stops waiting, not the task.',
  ],
  needs: ['IAM: what "status" needs, plus ecs:RunTask on the task definition, iam:PassRole on its task and execution roles, ecs:DescribeTasks, ecs:TagResource', 'the AWS CLI (v1 or v2)'],
  options: [
    { name: 'container', value: '<name>', description: 'the container the command replaces (default: app, worker or job, else the first)' },
    { name: 'no-wait', description: 'print the task and return without waiting for it to stop' },
  ],
  usesAws: true,
  async run(context: VerbContext): Promise<number> {
    const { args, io } = context;
    const platform = await context.platform();
    const workload = requireWorkload(platform, args.positionals[0], 'run');
    if (!workload.network) throw new CliError(`${workload.name} has no awsvpc network configuration to run a task in (service ${workload.service?.serviceName ?? workload.ruleName})`);
    const aws = context.aws();
    const taskDefinition = await describeTaskDefinition(aws, workload);
    const container = pickContainer(taskDefinition, optionValue(args, 'container'), workload);
    const overrides = args.rest.length ? ['--overrides', JSON.stringify({ containerOverrides: [{ name: container, command: args.rest }] })] : [];
    const result = await aws.call('ecs', 'run-task', [
      '--cluster', workload.cluster,
      '--task-definition', taskDefinition.taskDefinitionArn,
      '--count', '1',
      '--started-by', 'cdk-backend-platform',
      ...workload.placement,
      '--network-configuration', JSON.stringify({ awsvpcConfiguration: workload.network }),
      '--propagate-tags', 'TASK_DEFINITION',
      ...overrides,
    ]);
    const failure = (result.failures ?? [])[0];
    if (failure || !result.tasks?.length) {
      throw new CliError(`ECS did not start the task: ${failure?.reason ?? 'no task returned'}${failure?.detail ? ` (${failure.detail})` : ''}`);
    }
    const arn: string = result.tasks[0].taskArn;
    io.out(`started task ${taskId(arn)} of ${workload.name} (${revisionOf(taskDefinition.taskDefinitionArn)}, container ${container}${args.rest.length ? `: ${args.rest.join(' ')}` : ''})`);
    io.out(`  logs: cdk-backend-platform logs ${workload.name} --container ${container} --follow`);
    if (args.options.has('no-wait')) return 0;

    let status = result.tasks[0].lastStatus;
    while (!io.signal?.aborted) {
      const task = (await aws.call('ecs', 'describe-tasks', ['--cluster', workload.cluster, '--tasks', arn])).tasks?.[0];
      if (!task) throw new CliError(`task ${taskId(arn)} is gone from cluster ${clusterName(workload.cluster)} (ECS keeps stopped tasks about an hour)`);
      if (task.lastStatus !== status) {
        status = task.lastStatus;
        io.out(`  ${status}`);
      }
      if (task.lastStatus === 'STOPPED') return report(context, task, container);
      await io.sleep(POLL_MS);
    }
    io.err(`stopped waiting; task ${taskId(arn)} keeps running (stop it: aws ecs stop-task --cluster ${clusterName(workload.cluster)} --task ${taskId(arn)})`);
    return 130;
  },
};

/** Prints why the task stopped and every container's exit code; returns the chosen container's (1 without one). */
function report(context: VerbContext, task: any, container: string): number {
  const { io } = context;
  if (task.stoppedReason) io.out(`  stopped: ${task.stoppedReason}`);
  for (const c of task.containers ?? []) {
    io.out(`  ${c.name}: exit code ${c.exitCode ?? 'none'}${c.reason ? ` (${c.reason})` : ''}`);
  }
  const exitCode = (task.containers ?? []).find((c: any) => c.name === container)?.exitCode;
  return typeof exitCode === 'number' ? exitCode : 1;
}
