import { optionValue } from '../args';
import { CliError } from '../errors';
import { requireWorkload } from '../platform';
import { Verb, VerbContext } from '../verb';
import { describeTaskDefinition } from './common';

const POLL_MS = 2000;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 10m` / `2h` / `1d`, or an ISO date: the start of the logs in epoch milliseconds. */
export function parseSince(value: string, now: number): number {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]];
  const date = Date.parse(value);
  if (Number.isNaN(date)) throw new CliError(`--since ${value} is neither a duration nor a date: use e.g. --since 30m, --since 2h or --since 2026-12-01T08:00:00Z`);
  return date;
}

interface LogSource {
  readonly group: string;
  /** `<awslogs-stream-prefix>/<container>/`: the container's streams in the group. */
  readonly streamPrefix?: string;
}

export const logsVerb: Verb = {
  name: 'logs',
  summary: 'print (and with --follow, tail) the workload\'s CloudWatch logs',
  usage: '<workload> [--since <duration>] [--follow] [--filter <pattern>] [--container <name>]',
  description: [
    'Reads the log groups of the workload\'s containers (from its task definition\'s awslogs configuration) and prints each event as "<time> <container>/<task> <message>", oldest first.',
  ],
  needs: ['IAM: cloudformation:DescribeStacks, cloudformation:ListStackResources, ecs:DescribeServices, ecs:DescribeTaskDefinition, ssm:GetParameters, events:ListTargetsByRule, logs:FilterLogEvents', 'the AWS CLI (v1 or v2)'],
  options: [
    { name: 'since', value: '<duration>', description: 'start that long ago (30s, 10m, 2h, 1d) or at a date (default: 10m)' },
    { name: 'follow', description: 'keep printing new events until Ctrl-C' },
    { name: 'filter', value: '<pattern>', description: 'CloudWatch Logs filter pattern, e.g. ERROR or "{ $.level = \\"error\\" }"' },
    { name: 'container', value: '<name>', description: 'only this container\'s logs (default: every container of the task)' },
  ],
  usesAws: true,
  async run(context: VerbContext): Promise<number> {
    const { args, io } = context;
    const since = parseSince(optionValue(args, 'since') ?? '10m', Date.now());
    const platform = await context.platform();
    const workload = requireWorkload(platform, args.positionals[0], 'logs');
    const aws = context.aws();
    const taskDefinition = await describeTaskDefinition(aws, workload);
    const container = optionValue(args, 'container');
    const containers = (taskDefinition.containerDefinitions ?? []).filter((c: any) => container === undefined || c.name === container);
    if (container !== undefined && containers.length === 0) {
      throw new CliError(`${workload.name} has no container "${container}": use --container with one of ${taskDefinition.containerDefinitions.map((c: any) => c.name).join(', ')}`);
    }
    const sources: LogSource[] = containers
      .filter((c: any) => c.logConfiguration?.logDriver === 'awslogs' && c.logConfiguration.options?.['awslogs-group'])
      .map((c: any) => {
        const prefix = c.logConfiguration.options['awslogs-stream-prefix'];
        return { group: c.logConfiguration.options['awslogs-group'], streamPrefix: prefix ? `${prefix}/${c.name}/` : undefined };
      });
    if (sources.length === 0) throw new CliError(`${workload.name}'s containers do not log to CloudWatch Logs (no awslogs log driver in ${taskDefinition.family}:${taskDefinition.revision})`);
    // Two containers sharing a group are read with one call, without a stream prefix.
    const groups = new Map<string, LogSource>();
    for (const source of sources) groups.set(source.group, groups.has(source.group) ? { group: source.group } : source);

    const seen = new Set<string>();
    let start = since;
    const pattern = optionValue(args, 'filter');
    const poll = async () => {
      const results = await Promise.all([...groups.values()].map(source => aws.call('logs', 'filter-log-events', [
        '--log-group-name', source.group, '--start-time', String(start),
        ...(source.streamPrefix ? ['--log-stream-name-prefix', source.streamPrefix] : []),
        ...(pattern ? ['--filter-pattern', pattern] : []),
      ])));
      const events = results.flatMap(r => r.events ?? [])
        .filter((e: any) => !seen.has(e.eventId))
        .sort((a: any, b: any) => a.timestamp - b.timestamp);
      for (const event of events) {
        seen.add(event.eventId);
        io.out(`${new Date(event.timestamp).toISOString()} ${shortStream(event.logStreamName)} ${String(event.message).replace(/\n$/, '')}`);
        // Events of the last millisecond are asked for again: the ids keep them from printing twice.
        start = Math.max(start, event.timestamp);
      }
      return events.length;
    };
    const printed = await poll();
    if (!args.options.has('follow')) {
      if (printed === 0) io.err(`no log events of ${workload.name} since ${new Date(since).toISOString()}${pattern ? ` matching ${pattern}` : ''} (try --since 1h)`);
      return 0;
    }
    while (!io.signal?.aborted) {
      await io.sleep(POLL_MS);
      if (io.signal?.aborted) break;
      await poll();
    }
    return 0;
  },
};

/** `<prefix>/<container>/<task id>` -> `<container>/<first 8 of the task id>`. */
function shortStream(stream: string): string {
  const parts = stream.split('/');
  return parts.length === 3 ? `${parts[1]}/${parts[2].slice(0, 8)}` : stream;
}
