import { CliError } from './errors';

/** One `--name [value]` option of a verb. */
export interface OptionSpec {
  readonly name: string;
  /** Placeholder of its value (`<duration>`); none for a flag. */
  readonly value?: string;
  readonly description: string;
}

/** A command line split into positionals, options and what follows `--`. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
  /** Everything after `--`, as given (a command override). */
  readonly rest: string[];
}

/** Options every verb that talks to AWS takes. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'stack', value: '<name>', description: 'the stack holding the platform (default: the one stack here with BackendPlatform outputs)' },
  { name: 'region', value: '<region>', description: 'AWS region (default: AWS_REGION or the profile\'s region)' },
  { name: 'profile', value: '<profile>', description: 'AWS CLI profile (default: AWS_PROFILE or the default profile)' },
];

export const HELP_OPTION: OptionSpec = { name: 'help', description: 'show this help' };

/** Parses `argv` against the verb's options; an unknown option or a missing value is an error naming the fix. */
export function parseArgs(argv: string[], specs: OptionSpec[], verb: string): ParsedArgs {
  const byName = new Map([...specs, HELP_OPTION].map(spec => [spec.name, spec]));
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return { positionals, options, rest: argv.slice(i + 1) };
    if (arg === '-h') {
      options.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const spec = byName.get(name);
    if (!spec) throw new CliError(`unknown option --${name} for "${verb}": see "cdk-backend-platform ${verb} --help"`);
    if (!spec.value) {
      options.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new CliError(`--${name} needs a value (${spec.value}): e.g. --${name} ${example(spec.value)}`);
    }
    options.set(name, value);
  }
  return { positionals, options, rest: [] };
}

function example(placeholder: string): string {
  return { '<duration>': '10m', '<port>': '15432', '<name>': 'app' }[placeholder] ?? placeholder.replace(/[<>]/g, '');
}

/** The value of a `--name <value>` option, if given. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}
