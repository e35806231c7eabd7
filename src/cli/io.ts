import { spawn } from 'child_process';
import { accessSync, constants } from 'fs';
import * as path from 'path';

/** What the tool touches outside itself: output, environment, child processes and time (tests replace parts). */
export interface Io {
  /** Environment of the `aws` processes (credentials, AWS_PROFILE, AWS_ENDPOINT_URL, PATH). */
  readonly env: NodeJS.ProcessEnv;
  /** Ends `logs --follow` and the wait of `run` (Ctrl-C in a terminal). */
  readonly signal?: AbortSignal;
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Runs a command on the user's terminal (stdin, stdout and stderr inherited); resolves to its exit code. */
  interactive(command: string, args: string[]): Promise<number>;
  /** Waits between polls. */
  sleep(ms: number): Promise<void>;
}

/** The process's own terminal. */
export function processIo(): Io {
  return {
    out: line => process.stdout.write(`${line}\n`),
    err: line => process.stderr.write(`${line}\n`),
    env: process.env,
    interactive: (command, args) => new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, AWS_PAGER: '' } });
      child.on('error', reject);
      // The session's child handles Ctrl-C; the tool only waits for it.
      const ignore = () => undefined;
      process.on('SIGINT', ignore);
      child.on('exit', code => {
        process.off('SIGINT', ignore);
        resolve(code ?? 1);
      });
    }),
    sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  };
}

/** Whether an executable of that name is on the PATH of `env`. */
export function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  return (env.PATH ?? '').split(path.delimiter).filter(Boolean).some(dir => extensions.some(ext => {
    try {
      accessSync(path.join(dir, command + ext), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }));
}
