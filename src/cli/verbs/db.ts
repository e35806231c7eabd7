import { optionValue } from '../args';
import { AwsCli } from '../aws';
import { CliError } from '../errors';
import { Platform, requireWorkload } from '../platform';
import { Verb, VerbContext } from '../verb';
import { clusterName, describeTaskDefinition, execReadyTask, pickContainer, requireSessionManagerPlugin, taskId } from './common';

const DOCUMENT = 'AWS-StartPortForwardingSessionToRemoteHost';

/** Where the database answers, and where its credentials are. */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
  readonly name?: string;
  readonly user?: string;
  readonly secretArn?: string;
  readonly identifier: string;
}

/**
 * The `aws ssm start-session` arguments that forward a local port to host:port through one container of an ECS
 * task: the target is `ecs:<cluster name>_<task id>_<container runtime id>`, as `aws ecs execute-command` builds it.
 */
export function portForwardingArgs(
  cluster: string, task: any, container: string, host: string, remotePort: number, localPort: number, globalArgs: string[],
): string[] {
  const runtimeId = (task.containers ?? []).find((c: any) => c.name === container)?.runtimeId;
  if (!runtimeId) throw new CliError(`container ${container} of task ${taskId(task.taskArn)} has no runtime ID yet (is it running?): retry in a minute, or pass --container`);
  return [
    'ssm', 'start-session',
    '--target', `ecs:${clusterName(cluster)}_${taskId(task.taskArn)}_${runtimeId}`,
    '--document-name', DOCUMENT,
    '--parameters', JSON.stringify({ host: [host], portNumber: [String(remotePort)], localPortNumber: [String(localPort)] }),
    ...globalArgs,
  ];
}

export const dbVerb: Verb = {
  name: 'db',
  summary: 'forward a local port to the platform database through a running task (SSM), never opening the database',
  usage: '[<workload>] [--local-port <port>] [--database <identifier>] [--host <host> --port <port>]',
  description: [
    `Starts a Session Manager port forwarding session (${DOCUMENT}) through a running task of the workload (default: backend), which the database's security group admits: localhost:<local port> reaches the database while the command runs. The workload needs enableExecuteCommand: true (ECS Exec runs the SSM agent in its tasks).`,
    'The database comes from the stack tree (its AWS::RDS::DBInstance, or the <Platform>DatabaseEndpoint output); --host/--port name another one the task can reach (an adopted database).',
  ],
  needs: [
    'IAM: what "exec" needs, plus rds:DescribeDBInstances, ssm:StartSession on the task and on the document AWS-StartPortForwardingSessionToRemoteHost',
    'the AWS CLI and the Session Manager plugin 1.2.339.0 or later (session-manager-plugin on PATH)',
  ],
  options: [
    { name: 'local-port', value: '<port>', description: 'port on this machine (default: the database\'s port, e.g. 5432)' },
    { name: 'database', value: '<identifier>', description: 'the DB instance, when the stacks hold several' },
    { name: 'host', value: '<host>', description: 'forward to this host instead of the stack\'s database' },
    { name: 'port', value: '<port>', description: 'with --host: its port (default: 5432)' },
    { name: 'container', value: '<name>', description: 'container of the task to go through (default: app, worker, else the first)' },
  ],
  usesAws: true,
  async run(context: VerbContext): Promise<number> {
    const { args, io } = context;
    requireSessionManagerPlugin(io, 'db');
    const platform = await context.platform();
    const through = requireWorkload(platform, args.positionals[0] ?? defaultWorkload(platform), 'db');
    const aws = context.aws();
    const [database, task, taskDefinition] = await Promise.all([
      findDatabase(aws, platform, args),
      execReadyTask(aws, through, undefined, 'db'),
      describeTaskDefinition(aws, through),
    ]);
    const localPort = port(optionValue(args, 'local-port') ?? String(database.port), 'local-port');
    const container = pickContainer(taskDefinition, optionValue(args, 'container'), through);
    const sessionArgs = portForwardingArgs(through.cluster, task, container, database.host, database.port, localPort, aws.globalArgs);
    io.err(`forwarding localhost:${localPort} to ${database.host}:${database.port} through ${through.name} (task ${taskId(task.taskArn)}); Ctrl-C ends it`);
    const user = database.user ? ` user=${database.user}` : '';
    io.err(`  connect: psql "host=localhost port=${localPort}${database.name ? ` dbname=${database.name}` : ''}${user}"`);
    if (database.secretArn) io.err(`  password: aws secretsmanager get-secret-value --secret-id ${database.secretArn} --query SecretString --output text`);
    return io.interactive('aws', sessionArgs);
  },
};

/** The platform's web service, else its only service. */
function defaultWorkload(platform: Platform): string | undefined {
  const services = platform.workloads.filter(w => w.kind === 'service');
  return services.find(w => w.name === 'backend')?.name ?? (services.length === 1 ? services[0].name : undefined);
}

function port(value: string, option: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) throw new CliError(`--${option} ${value} is not a port: give a number from 1 to 65535, e.g. --${option} 15432`);
  return parsed;
}

async function findDatabase(aws: AwsCli, platform: Platform, args: VerbContext['args']): Promise<DatabaseEndpoint> {
  const host = optionValue(args, 'host');
  if (host) return { host, port: port(optionValue(args, 'port') ?? '5432', 'port'), identifier: host };
  const instances = platform.resources.filter(r => r.type === 'AWS::RDS::DBInstance');
  const requested = optionValue(args, 'database');
  const chosen = requested ? instances.find(r => r.physicalId === requested || r.logicalId === requested) : instances[0];
  if (requested && !chosen) throw new CliError(`no database "${requested}" in stack ${platform.stackName}: use --database with one of ${instances.map(r => r.physicalId).join(', ') || '(none)'}`);
  if (!requested && instances.length > 1) throw new CliError(`stack ${platform.stackName} holds several databases: pass --database with one of ${instances.map(r => r.physicalId).join(', ')}`);
  const secretArn = platform.resources.find(r => r.type === 'AWS::SecretsManager::SecretTargetAttachment')?.physicalId;
  if (chosen) {
    const db = (await aws.call('rds', 'describe-db-instances', ['--db-instance-identifier', chosen.physicalId])).DBInstances[0];
    return {
      host: db.Endpoint.Address,
      port: db.Endpoint.Port,
      name: db.DBName,
      user: db.MasterUsername,
      secretArn: secretArn ?? db.MasterUserSecret?.SecretArn,
      identifier: chosen.physicalId,
    };
  }
  const output = Object.entries(await platform.outputs()).find(([key]) => key.endsWith('DatabaseEndpoint'));
  if (output) return { host: output[1], port: 5432, secretArn, identifier: output[1] };
  throw new CliError(`stack ${platform.stackName} has no database (no AWS::RDS::DBInstance, no *DatabaseEndpoint output): give the platform database: {}, or pass --host <host> --port <port>`);
}
