import { optionValue } from '../args';
import { requireWorkload } from '../platform';
import { Verb, VerbContext } from '../verb';
import { describeTaskDefinition, execReadyTask, pickContainer, requireSessionManagerPlugin, taskId } from './common';

/** The `aws ecs execute-command` arguments of an interactive shell in one container of a task. */
export function executeCommandArgs(cluster: string, task: string, container: string, command: string, globalArgs: string[]): string[] {
  return ['ecs', 'execute-command', '--cluster', cluster, '--task', task, '--container', container, '--interactive', '--command', command, ...globalArgs];
}

export const execVerb: Verb = {
  name: 'exec',
  summary: 'open a shell (ECS Exec) in a running task of a service or worker',
  usage: '<workload> [--container <name>] [--task <id>] [--command <command>]',
  description: [
    'Runs "aws ecs execute-command --interactive" into a running task of the workload (the first one, or --task). The workload needs enableExecuteCommand: true (off by default, in every profile), and its tasks must have started after it was turned on.',
  ],
  needs: [
    'IAM: what "status" needs, plus ecs:ListTasks, ecs:DescribeTasks, ecs:ExecuteCommand on the task (and kms:Decrypt if the cluster encrypts sessions)',
    'the AWS CLI (v2, or v1 1.19.28 or later) and the Session Manager plugin (session-manager-plugin on PATH)',
  ],
  options: [
    { name: 'container', value: '<name>', description: 'container to open the shell in (default: app, worker, else the first)' },
    { name: 'task', value: '<id>', description: 'task ID (default: the first running task)' },
    { name: 'command', value: '<command>', description: 'what to run instead of /bin/sh, e.g. "bash" or "ls /app"' },
  ],
  usesAws: true,
  async run(context: VerbContext): Promise<number> {
    const { args, io } = context;
    requireSessionManagerPlugin(io, 'exec');
    const platform = await context.platform();
    const workload = requireWorkload(platform, args.positionals[0], 'exec');
    const aws = context.aws();
    const task = await execReadyTask(aws, workload, optionValue(args, 'task'), 'exec');
    const container = pickContainer(await describeTaskDefinition(aws, workload), optionValue(args, 'container'), workload);
    io.err(`opening ${optionValue(args, 'command') ?? '/bin/sh'} in ${workload.name}, task ${taskId(task.taskArn)}, container ${container}`);
    return io.interactive('aws', executeCommandArgs(workload.cluster, task.taskArn, container, optionValue(args, 'command') ?? '/bin/sh', aws.globalArgs));
  },
};
