import { execFile } from 'child_process';
import { CliError } from './errors';

/** Where the `aws` calls go: the global options of the tool. */
export interface AwsTarget {
  readonly region?: string;
  readonly profile?: string;
  readonly env: NodeJS.ProcessEnv;
}

/** An AWS API error the caller may turn into a better message (`ValidationError`, `ClusterNotFoundException`). */
export class AwsError extends Error {
  constructor(public readonly code: string, public readonly operation: string, message: string) {
    super(message);
    this.name = 'AwsError';
  }
}

/** IAM service prefix of each AWS CLI command, for "not allowed to call ..." messages. */
const IAM_PREFIX: Record<string, string> = { elbv2: 'elasticloadbalancing' };
const INSTALL_CLI = 'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html';
/** At most this many `aws` processes at once: each is a Python or bundled-Python start-up of a few hundred ms. */
const PARALLEL = 4;

/**
 * Calls AWS through the `aws` CLI (v1 or v2) with JSON output. Shelling out keeps the package free of bundled SDKs
 * and uses the user's own credential setup (profiles, SSO, MFA); `exec` and `db` need the CLI anyway.
 */
export class AwsCli {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(public readonly target: AwsTarget) {}

  /** The `--region` / `--profile` arguments every call and interactive session takes. */
  public get globalArgs(): string[] {
    return [
      ...(this.target.region ? ['--region', this.target.region] : []),
      ...(this.target.profile ? ['--profile', this.target.profile] : []),
    ];
  }

  /** `aws <service> <command> <args>` parsed from JSON; `{}` for commands that print nothing. */
  public async call<T = any>(service: string, command: string, args: string[] = []): Promise<T> {
    await this.slot();
    try {
      const stdout = await this.exec([service, command, ...args, '--output', 'json', ...this.globalArgs], `${service} ${command}`);
      return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  private slot(): Promise<void> {
    if (this.running < PARALLEL) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise(resolve => this.queue.push(() => {
      this.running++;
      resolve();
    }));
  }

  private exec(argv: string[], what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      // AWS CLI v2 would page long output through `less`.
      execFile('aws', argv, { env: { ...this.target.env, AWS_PAGER: '' }, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(new CliError(`the AWS CLI (aws) is not on PATH: install it (${INSTALL_CLI}) and retry`));
        }
        reject(this.classify(what, stderr.trim() || error.message));
      });
    });
  }

  /** Turns what the CLI printed into one-line errors for what the user must fix, or an `AwsError` for the caller. */
  private classify(what: string, stderr: string): Error {
    const profile = this.target.profile ?? this.target.env.AWS_PROFILE;
    const text = stderr.replace(/\s+/g, ' ').trim();
    const api = /An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \([^)]*\))?: ?(.*)$/.exec(text);
    const code = api?.[1] ?? '';
    if (/Unable to locate credentials|NoCredentialProviders|could not be found.*credentials/i.test(text)) {
      return new CliError('no AWS credentials found: run "aws configure" or "aws sso login", set AWS_PROFILE, or pass --profile <name>');
    }
    const missingProfile = /The config profile \(([^)]*)\) could not be found/.exec(text);
    if (missingProfile) {
      return new CliError(`AWS profile "${missingProfile[1]}" is not configured: run "aws configure --profile ${missingProfile[1]}" (or "aws configure sso"), or pass another --profile`);
    }
    if (/You must specify a region/.test(text)) {
      return new CliError('no AWS region: pass --region <name> (e.g. --region eu-west-1) or set AWS_REGION');
    }
    if (/ExpiredToken|TokenRefreshRequired|Token has expired|SSO session .*expired|sso.*expired/i.test(text)) {
      return new CliError(`AWS credentials expired: refresh them (e.g. "aws sso login${profile ? ` --profile ${profile}` : ''}") and retry`);
    }
    if (/^(InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|InvalidSignatureException|AuthFailure)$/.test(code)) {
      return new CliError(`AWS rejected the credentials (${code}): check the access key or profile${profile ? ` "${profile}"` : ''}, or pass --profile <name>`);
    }
    if (/AccessDenied|UnauthorizedOperation|not authorized to perform/i.test(code) || /not authorized to perform/.test(text)) {
      const [service, command] = what.split(' ');
      const action = `${IAM_PREFIX[service] ?? service}:${api?.[2] ?? command}`;
      return new CliError(`not allowed to call ${action}: grant it to your role or profile (docs/day-two.md lists what each verb needs)`);
    }
    if (/Could not connect to the endpoint URL/.test(text)) {
      return new CliError(`cannot reach AWS (${text.replace(/^.*Could not connect to the endpoint URL: /, '')}): check the network, --region and AWS_ENDPOINT_URL`);
    }
    if (api) return new AwsError(code, api[2], api[3]);
    return new AwsError('', what, text);
  }
}
