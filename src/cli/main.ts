#!/usr/bin/env node
import { GLOBAL_OPTIONS, HELP_OPTION, OptionSpec, optionValue, parseArgs } from './args';
import { AwsCli, AwsError } from './aws';
import { CliError } from './errors';
import { Io, processIo } from './io';
import { loadPlatform, Platform } from './platform';
import { Verb, VerbContext } from './verb';
import { VERBS } from './verbs';

const TOOL = 'cdk-backend-platform';

/** Runs the tool on `argv` (without `node` and the script); resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Io = processIo(), verbs: Verb[] = VERBS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(toolHelp(verbs));
    return name === undefined ? 1 : 0;
  }
  try {
    const verb = verbs.find(v => v.name === name);
    if (!verb) throw new CliError(`unknown verb "${name}": use one of ${verbs.map(v => v.name).join(', ')} (see "${TOOL} --help")`);
    const args = parseArgs(rest, [...verb.options, ...(verb.usesAws ? GLOBAL_OPTIONS : [])], verb.name);
    if (args.options.has('help')) {
      io.out(verbHelp(verb));
      return 0;
    }
    return await verb.run(context(args, io));
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`${TOOL}: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof AwsError) {
      io.err(`${TOOL}: AWS refused ${error.operation}${error.code ? ` (${error.code})` : ''}: ${error.message}`);
      return 1;
    }
    io.err(`${TOOL}: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function context(args: VerbContext['args'], io: Io): VerbContext {
  let aws: AwsCli | undefined;
  let platform: Promise<Platform> | undefined;
  const getAws = () => aws ??= new AwsCli({ region: optionValue(args, 'region'), profile: optionValue(args, 'profile'), env: io.env });
  return {
    args,
    io,
    aws: getAws,
    platform: () => platform ??= loadPlatform(getAws(), optionValue(args, 'stack') ?? io.env.CDK_BACKEND_PLATFORM_STACK),
  };
}

function optionLines(options: OptionSpec[]): string[] {
  const label = (o: OptionSpec) => `--${o.name}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...options.map(o => label(o).length)) + 2;
  return options.map(o => `  ${label(o).padEnd(width)}${o.description}`);
}

function toolHelp(verbs: Verb[]): string {
  const width = Math.max(...verbs.map(v => v.name.length)) + 2;
  return [
    `Usage: ${TOOL} <verb> [<workload>] [options]`,
    '',
    'Day-two operations on a deployed BackendPlatform, found from what its stack publishes (outputs, resources of',
    'the stack and its nested stacks, SSM parameters, the cdk-backend-platform:workload tag). Calls AWS through the',
    'AWS CLI with your credentials.',
    '',
    'Verbs:',
    ...verbs.map(v => `  ${v.name.padEnd(width)}${v.summary}`),
    '',
    'Options of every verb that calls AWS:',
    ...optionLines([...GLOBAL_OPTIONS, HELP_OPTION]),
    '',
    `The stack may also come from CDK_BACKEND_PLATFORM_STACK. "${TOOL} <verb> --help" describes a verb.`,
  ].join('\n');
}

function verbHelp(verb: Verb): string {
  return [
    `Usage: ${TOOL} ${verb.name} ${verb.usage}`,
    '',
    ...verb.description.flatMap(paragraph => [paragraph, '']),
    'Options:',
    ...optionLines([...verb.options, ...(verb.usesAws ? GLOBAL_OPTIONS : []), HELP_OPTION]),
    '',
    'Needs:',
    ...verb.needs.map(need => `  ${need}`),
  ].join('\n');
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
