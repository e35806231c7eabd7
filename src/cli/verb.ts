import { OptionSpec, ParsedArgs } from './args';
import { AwsCli } from './aws';
import { Io } from './io';
import { Platform } from './platform';

/** What a verb gets: the parsed command line, the terminal, and AWS and the platform on first use. */
export interface VerbContext {
  readonly args: ParsedArgs;
  readonly io: Io;
  /** The `aws` runner with the global `--region` / `--profile`. */
  aws(): AwsCli;
  /** The deployed platform (`--stack`): its stacks, outputs and workloads, read on first call. */
  platform(): Promise<Platform>;
}

/** One verb of the tool: an entry of the table in `verbs/index.ts`. */
export interface Verb {
  readonly name: string;
  /** One line for the tool's `--help`. */
  readonly summary: string;
  /** What follows the verb in the usage line, e.g. `<workload> [options]`. */
  readonly usage: string;
  /** Paragraphs of the verb's `--help`. */
  readonly description: string[];
  /** What the verb needs on the laptop and in IAM, shown in its `--help`. */
  readonly needs: string[];
  readonly options: OptionSpec[];
  /** Whether `--stack`, `--region` and `--profile` apply. */
  readonly usesAws: boolean;
  /** Resolves to the process's exit code. */
  run(context: VerbContext): Promise<number>;
}
