import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Io } from '../../src/cli/io';
import { main } from '../../src/cli/main';

/**
 * How long a test file's beforeAll may take to start moto_server and deploy the fixture. Generous on purpose: on a
 * 2-core machine shared with other work, start-up has taken over 60 s; the tests assert what the CLI prints, never how fast.
 */
export const MOTO_START_TIMEOUT_MS = 600_000;

/** A moto_server on a free loopback port, with the platform-shaped stacks of fixture.py deployed into it. */
export interface Moto {
  readonly endpoint: string;
  /** What fixture.py created (service names, ARNs). */
  readonly fixture: Record<string, string>;
  /** Environment of the `aws` processes: the endpoint, fake credentials, no user config, no instance metadata. */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Until moto_server answers, however long a loaded machine takes to start it; fails only if it exits. */
async function waitUntilUp(endpoint: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`moto_server exited with ${child.exitCode ?? child.signalCode}`);
    try {
      await fetch(`${endpoint}/moto-api/`);
      return;
    } catch {
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
}

/** An environment with no credentials or config of the machine's user, only what the test gives. */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const empty = path.join(os.tmpdir(), 'cdk-backend-platform-cli-no-aws-config');
  return {
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    // The CLI would otherwise look for credentials on the instance metadata address.
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * An `aws` on PATH that runs the installed AWS CLI in a process forked from one that already imported it
 * (aws-forkserver.py): the same CLI code against moto, without a Python start-up per call.
 */
async function startAwsForkServer(): Promise<{ dir: string; socket: string; stop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-fork-'));
  const socket = path.join(dir, 'aws.sock');
  const server = spawn('python3', [path.join(__dirname, 'aws-forkserver.py'), socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('exit', code => reject(new Error(`aws-forkserver.py exited with ${code}`)));
    server.stdout!.once('data', () => resolve());
  });
  fs.writeFileSync(path.join(dir, 'aws'), `#!/bin/sh\nexec python3 -S '${path.join(__dirname, 'aws-client.py')}' "$@"\n`);
  fs.chmodSync(path.join(dir, 'aws'), 0o755);
  return { dir, socket, stop: stopper(server) };
}

/** Starts moto_server and deploys the fixture (`scenario` `running-tasks` also starts a worker task and keeps it running). */
export async function startMoto(scenario: 'stacks' | 'running-tasks' = 'stacks'): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  child.on('error', error => {
    throw new Error(`moto_server (Python moto 5.2) must be on PATH for the CLI tests: ${error.message}`);
  });
  const forkServer = startAwsForkServer();
  const stop = async () => {
    await Promise.all([stopper(child)(), forkServer.then(server => server.stop(), () => undefined)]);
  };
  try {
    const aws = await forkServer;
    await waitUntilUp(endpoint, child);
    const stdout = await new Promise<string>((resolve, reject) => execFile('python3', [path.join(__dirname, 'fixture.py'), endpoint, scenario],
      (error, out, err) => (error ? reject(new Error(`fixture.py failed: ${err}`)) : resolve(out))));
    const env = isolatedEnv({
      PATH: `${aws.dir}${path.delimiter}${process.env.PATH}`,
      CDK_BACKEND_PLATFORM_TEST_AWS_SOCKET: aws.socket,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    return { endpoint, fixture: JSON.parse(stdout), env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What one run of the tool printed. */
export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Commands run on the terminal (exec, db): `aws` and its arguments. */
  readonly interactive: string[][];
}

/** Runs the tool in-process with `env`; `io` replaces parts of the terminal (sleep, signal). */
export async function runTool(argv: string[], env: NodeJS.ProcessEnv, io: Partial<Io> = {}): Promise<ToolRun> {
  const out: string[] = [];
  const err: string[] = [];
  const interactive: string[][] = [];
  const code = await main(argv, {
    out: line => out.push(line),
    err: line => err.push(line),
    env,
    interactive: async (command, args) => {
      interactive.push([command, ...args]);
      return 0;
    },
    sleep: async () => undefined,
    ...io,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), interactive };
}

/** A directory holding an executable `session-manager-plugin` that does nothing, for PATH. */
export function fakeSessionManagerPlugin(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-'));
  const file = path.join(dir, 'session-manager-plugin');
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n');
  fs.chmodSync(file, 0o755);
  return dir;
}
