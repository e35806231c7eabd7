/** TypeScript source of the generated app: literals, objects, and the app's environments. */

/** A TypeScript expression. */
export type Code = string;

/** A TypeScript literal of a string, number, boolean or list of them. */
export function literal(value: unknown): Code {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, '\\\'').replace(/\n/g, '\\n')}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  throw new Error(`no literal for ${JSON.stringify(value)}`);
}

/** `Duration.minutes(n)` for whole minutes, `Duration.seconds(n)` for whole seconds, else `Duration.millis(n)`. */
export function durationCode(ms: number): Code {
  if (ms >= 60000 && ms % 60000 === 0) return `Duration.minutes(${ms / 60000})`;
  if (ms % 1000 === 0) return `Duration.seconds(${ms / 1000})`;
  return `Duration.millis(${Math.round(ms)})`;
}

/** `front-end` -> `FrontEnd`: a construct ID of letters and digits that starts with a letter. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map(word => word[0].toUpperCase() + word.slice(1)).join('');
  return /^[A-Za-z]/.test(joined) ? joined : `W${joined}`;
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name);
}

const indent = (code: Code, by = '  ') => code.replace(/\n/g, `\n${by}`);

const PLACEHOLDER_ACCOUNT = '123456789012';

/** Writes the app: a function per environment, each with one stack and one platform. */
export class AppWriter {
  private readonly environments: string[] = [];
  private readonly lines: string[] = [];
  private readonly certificates = new Map<string, string>();
  private readonly zones = new Map<string, string>();
  private connection = false;
  private commands = 0;

  constructor(public readonly application: string) {}

  /** A multi-line object literal. */
  public object(entries: [string, Code][]): Code {
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([name, value]) => `  ${key(name)}: ${indent(value)},`).join('\n')}\n}`;
  }

  /** Starts an environment's function; returns the variable of its stack. */
  public beginEnvironment(environment: string): string {
    this.environments.push(pascalCase(environment));
    this.lines.push(
      `/** Environment "${environment}". */`,
      `function environment${pascalCase(environment)}(app: App): BackendPlatform {`,
      `  const stack = new Stack(app, ${literal(`${pascalCase(this.application)}${pascalCase(environment)}`)}, { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } });`,
    );
    return 'stack';
  }

  public platform(stack: string, props: [string, Code][]): string {
    this.lines.push(`  const platform = new BackendPlatform(${stack}, 'Platform', ${indent(this.object(props))});`);
    return 'platform';
  }

  public call(target: string, method: string, id: string, options: [string, Code][]): void {
    this.lines.push(`  ${target}.${method}(${literal(id)}, ${indent(this.object(options))});`);
  }

  public endEnvironment(): void {
    this.lines.push('  return platform;', '}', '');
  }

  /** A us-east-1 certificate for an alias: an ARN in `CERTIFICATE_ARNS` to replace. */
  public certificate(stack: string, domainName: string, id = 'DomainCertificate'): Code {
    this.certificates.set(domainName, `arn:aws:acm:us-east-1:${PLACEHOLDER_ACCOUNT}:certificate/REPLACE-ME`);
    return `acm.Certificate.fromCertificateArn(${stack}, ${literal(id)}, CERTIFICATE_ARNS[${literal(domainName)}])`;
  }

  /** The name guessed for a hosted zone by `hostedZone`, if it was asked for. */
  public zoneName(hostedZoneId: string): string | undefined {
    return this.zones.get(hostedZoneId);
  }

  /** A hosted zone by ID; its name (not in Copilot's manifests) guessed from the alias, in `HOSTED_ZONE_NAMES` to check. */
  public hostedZone(stack: string, hostedZoneId: string, alias: string): Code {
    const labels = alias.split('.');
    this.zones.set(hostedZoneId, labels.length > 2 ? labels.slice(1).join('.') : alias);
    return `route53.HostedZone.fromHostedZoneAttributes(${stack}, 'Zone', { hostedZoneId: ${literal(hostedZoneId)}, zoneName: HOSTED_ZONE_NAMES[${literal(hostedZoneId)}] })`;
  }

  public connectionArn(): Code {
    this.connection = true;
    return 'GITHUB_CONNECTION_ARN';
  }

  public placeholderCommand(job: string): Code {
    this.commands++;
    return literal([`REPLACE-ME: the command of ${job}`]);
  }

  /** What the user must replace or check before deploying. */
  public placeholderNotes(): string[] {
    return [
      ...[...this.certificates.keys()].map(name => `CERTIFICATE_ARNS['${name}'] is a placeholder: give the ARN of a us-east-1 certificate for ${name}`),
      ...[...this.zones].map(([id, name]) => `HOSTED_ZONE_NAMES['${id}'] = '${name}' is guessed from the alias: check it`),
      ...(this.connection ? ['GITHUB_CONNECTION_ARN is a placeholder: give the ARN of your CodeStar connection to GitHub'] : []),
      ...(this.commands > 0 ? ['a scheduled job without a command got a REPLACE-ME command'] : []),
    ];
  }

  public render(): string {
    const constants: string[] = [];
    const record = (name: string, entries: Map<string, string>) => {
      if (entries.size === 0) return;
      constants.push(`const ${name}: { [key: string]: string } = {`, ...[...entries].map(([k, v]) => `  ${literal(k)}: ${literal(v)},`), '};');
    };
    record('CERTIFICATE_ARNS', this.certificates);
    record('HOSTED_ZONE_NAMES', this.zones);
    if (this.connection) {
      constants.push(`const GITHUB_CONNECTION_ARN = 'arn:aws:codestar-connections:us-east-1:${PLACEHOLDER_ACCOUNT}:connection/REPLACE-ME';`);
    }
    const text = [
      ...(constants.length ? ['// Values Copilot kept outside its manifests: replace or check each before deploying (see IMPORT-REPORT.md).', ...constants, ''] : []),
      ...this.lines,
      'const app = new App();',
      ...this.environments.map(name => `environment${name}(app);`),
      'app.synth();',
      '',
    ].join('\n');
    return [`// Generated by \`cdk-backend-platform import-copilot\` from the Copilot application "${this.application}".`,
      '// Review it, and IMPORT-REPORT.md for every field that maps differently or not at all, before deploying.',
      ...this.imports(text), '', text].join('\n');
  }

  private imports(text: string): string[] {
    const core = ['App', 'Duration', 'Fn', 'Stack'].filter(name => new RegExp(`\\b${name}[.(]|new ${name}\\b|: ${name}\\b`).test(text));
    const modules: [string, string][] = [
      ['acm', 'aws-certificatemanager'], ['ec2', 'aws-ec2'], ['ecs', 'aws-ecs'], ['events', 'aws-events'],
      ['route53', 'aws-route53'], ['secretsmanager', 'aws-secretsmanager'], ['sns', 'aws-sns'], ['ssm', 'aws-ssm'],
    ];
    const library = ['BackendPlatform', 'EnvironmentProfile', 'ServiceImage'].filter(name => text.includes(name));
    return [
      `import { ${core.join(', ')} } from 'aws-cdk-lib';`,
      ...modules.filter(([alias]) => text.includes(`${alias}.`)).map(([alias, module]) => `import * as ${alias} from 'aws-cdk-lib/${module}';`),
      `import { ${library.join(', ')} } from 'cdk-backend-platform';`,
    ];
  }
}
