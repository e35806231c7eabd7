import { dbVerb } from './db';
import { execVerb } from './exec';
import { importCopilotVerb } from './import-copilot';
import { logsVerb } from './logs';
import { runVerb } from './run';
import { statusVerb } from './status';
import { Verb } from '../verb';

/** The tool's verbs, in the order `--help` lists them: add one by adding its `Verb` here. */
export const VERBS: Verb[] = [logsVerb, execVerb, statusVerb, runVerb, dbVerb, importCopilotVerb];
