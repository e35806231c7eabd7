/**
 * The alternative forms Copilot accepts for one field (count, alias, secrets, health check, schedule, durations),
 * each read into one shape. Pure functions: no file system, no AWS.
 */

/** A parsed YAML value. */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };
export type YamlMap = { [key: string]: Yaml };

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DURATION_UNITS: { readonly [unit: string]: number } = { h: 3600000, m: 60000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** Milliseconds of a Go duration (`1h30m`, `90s`, `500ms`), as Copilot writes them; undefined when it is not one. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const source = text.trim();
  if (source === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/y;
  let total = 0;
  let at = 0;
  while (at < source.length) {
    part.lastIndex = at;
    const match = part.exec(source);
    if (!match) return undefined;
    total += Number(match[1]) * DURATION_UNITS[match[2]];
    at = part.lastIndex;
  }
  return source.length > 0 ? total : undefined;
}

/** The EventBridge expression of a Copilot schedule, or the reason it has none. */
export function scheduleExpression(schedule: unknown): { expression?: string; problem?: string } {
  if (typeof schedule !== 'string' || schedule.trim() === '') return { problem: 'the schedule is missing or not a string' };
  const text = schedule.trim();
  if (/^(rate|cron)\(.*\)$/.test(text)) return { expression: text };
  if (text === 'none') return { problem: '`none` (a job that never runs) has no counterpart: drop the job or give it a schedule' };
  // Copilot's presets (internal/pkg/deploy/cloudformation/stack/scheduled_job.go), in EventBridge's six-field form.
  const presets: { readonly [preset: string]: string } = {
    '@hourly': '0 * * * ? *',
    '@daily': '0 0 * * ? *',
    '@midnight': '0 0 * * ? *',
    '@weekly': '0 0 ? * 1 *',
    '@monthly': '0 0 1 * ? *',
    '@yearly': '0 0 1 1 ? *',
    '@annually': '0 0 1 1 ? *',
  };
  if (presets[text]) return { expression: `cron(${presets[text]})` };
  if (text.startsWith('@every ')) {
    const ms = parseDuration(text.slice('@every '.length));
    if (ms === undefined) return { problem: `"${text}" is not a duration` };
    if (ms < 60000 || ms % 60000 !== 0) return { problem: `"${text}": a rate is a whole number of minutes, at least 1` };
    const minutes = ms / 60000;
    return { expression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})` };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return { problem: `"${text}" is not a preset, @every, rate(), cron() or a five-field cron` };
  return toEventBridgeCron(fields);
}

/** A standard five-field cron in EventBridge's form: one of day-of-month / day-of-week is `?`, days of week count from 1, and a year. */
function toEventBridgeCron(fields: string[]): { expression?: string; problem?: string } {
  const [minute, hour, dom, month, dow] = fields;
  const specified = (field: string) => !/[*?]/.test(field);
  let dayOfMonth = dom;
  let dayOfWeek = dow;
  if (!specified(dom) && !specified(dow)) {
    dayOfMonth = '*';
    dayOfWeek = '?';
  } else if (!specified(dom)) {
    dayOfMonth = '?';
  } else if (!specified(dow)) {
    dayOfWeek = '?';
  } else {
    return { problem: `"${fields.join(' ')}" gives both a day of month and a day of week, which EventBridge refuses` };
  }
  dayOfWeek = dayOfWeek.replace(/\d/g, digit => String(Number(digit) + 1));
  return { expression: `cron(${[minute, hour, dayOfMonth, month, dayOfWeek, '*'].join(' ')})` };
}

/** Scale-in and scale-out cooldowns in milliseconds (`cooldown: { in, out }`). */
export interface CooldownForm {
  readonly in?: number;
  readonly out?: number;
}

/** The metrics a range can scale on, with their cooldowns as Copilot names them. */
export type ScalingMetric = 'cpu_percentage' | 'memory_percentage' | 'requests' | 'response_time';
export const SCALING_METRICS: ScalingMetric[] = ['cpu_percentage', 'memory_percentage', 'requests', 'response_time'];

/** The task counts a `count` gives, whichever of its forms. */
export interface CountForm {
  readonly min?: number;
  readonly max?: number;
  readonly spotFrom?: number;
  /** Every task on Fargate Spot (`count.spot`). */
  readonly allSpot?: boolean;
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  /** Requests per task (per minute: Copilot tracks the `RequestCountPerTarget` sum). */
  readonly requests?: number;
  readonly responseTimeMs?: number;
  /** A range with metrics: Copilot autoscales, on those metrics only. */
  readonly autoscales: boolean;
  /** `count.cooldown`, every metric's unless it names its own. */
  readonly cooldown: CooldownForm;
  /** The cooldowns each metric names (`count.cpu_percentage.cooldown`, ...). */
  readonly metricCooldowns: { readonly [metric in ScalingMetric]?: CooldownForm };
  /** `acceptable_latency / msg_processing_time` of a queue worker. */
  readonly messagesPerTask?: number;
  readonly problems: string[];
}

/** Reads `count`: a number, or a map with `range` (`1-10` or `min`/`max`/`spot_from`), `spot`, percentages (number or `value`), `queue_delay`. */
export function parseCount(count: Yaml | undefined): CountForm {
  const problems: string[] = [];
  const none = { autoscales: false, cooldown: {}, metricCooldowns: {} };
  if (count === undefined || count === null) return { ...none, problems };
  if (typeof count === 'number') return { ...none, min: count, max: count, problems };
  if (!isMap(count)) return { ...none, problems: [`count ${JSON.stringify(count)} is not a number or a map`] };
  let min: number | undefined;
  let max: number | undefined;
  let spotFrom: number | undefined;
  let allSpot: boolean | undefined;
  const range = count.range;
  if (typeof range === 'string') {
    const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(range);
    if (match) [min, max] = [Number(match[1]), Number(match[2])];
    else problems.push(`count.range "${range}" is not "min-max"`);
  } else if (isMap(range)) {
    min = typeof range.min === 'number' ? range.min : undefined;
    max = typeof range.max === 'number' ? range.max : undefined;
    spotFrom = typeof range.spot_from === 'number' ? range.spot_from : undefined;
  } else if (range !== undefined) {
    problems.push('count.range is neither "min-max" nor a map');
  }
  if (typeof count.spot === 'number') {
    min = count.spot;
    max = count.spot;
    allSpot = true;
  }
  // A metric is a value or `{ value, cooldown }`.
  const valueOf = (value: Yaml | undefined) => isMap(value) ? value.value : value;
  const percent = (value: Yaml | undefined) => { const v = valueOf(value); return typeof v === 'number' ? v : undefined; };
  const cooldownOf = (value: Yaml | undefined): CooldownForm => isMap(value) ? { in: parseDuration(value.in), out: parseDuration(value.out) } : {};
  const metricCooldowns: { [metric in ScalingMetric]?: CooldownForm } = {};
  SCALING_METRICS.forEach(metric => {
    const form = count[metric];
    if (isMap(form) && isMap(form.cooldown)) metricCooldowns[metric] = cooldownOf(form.cooldown);
  });
  const cpuPercent = percent(count.cpu_percentage);
  const memoryPercent = percent(count.memory_percentage);
  const requests = percent(count.requests);
  const responseTimeMs = parseDuration(valueOf(count.response_time));
  let messagesPerTask: number | undefined;
  if (isMap(count.queue_delay)) {
    const latency = parseDuration(count.queue_delay.acceptable_latency);
    const processing = parseDuration(count.queue_delay.msg_processing_time);
    if (latency !== undefined && processing) messagesPerTask = Math.max(1, Math.floor(latency / processing));
    else problems.push('count.queue_delay needs acceptable_latency and msg_processing_time durations');
  }
  return {
    min,
    max,
    spotFrom,
    allSpot,
    messagesPerTask,
    problems,
    cpuPercent,
    memoryPercent,
    requests,
    responseTimeMs,
    autoscales: range !== undefined && count.spot === undefined
      && [cpuPercent, memoryPercent, requests, responseTimeMs, messagesPerTask].some(v => v !== undefined),
    cooldown: cooldownOf(count.cooldown),
    metricCooldowns,
  };
}

/** One alias name and the hosted zone it goes in, when given. */
export interface AliasForm {
  readonly name: string;
  readonly hostedZone?: string;
}

/** Reads `http.alias`: a string, a list of strings, or a list of `{ name, hosted_zone }`. */
export function parseAliases(alias: Yaml | undefined, hostedZone?: string): AliasForm[] {
  if (alias === undefined || alias === null) return [];
  const items = Array.isArray(alias) ? alias : [alias];
  return items.flatMap((item): AliasForm[] => {
    if (typeof item === 'string') return [{ name: item, hostedZone }];
    if (isMap(item) && typeof item.name === 'string') {
      return [{ name: item.name, hostedZone: typeof item.hosted_zone === 'string' ? item.hosted_zone : hostedZone }];
    }
    return [];
  });
}

/** Where one secret comes from. */
export interface SecretForm {
  readonly source: 'ssm' | 'secretsmanager' | 'unsupported';
  /** SSM parameter name, or Secrets Manager secret name or ARN (without the JSON key). */
  readonly name?: string;
  /** Secrets Manager ARN rather than a name. */
  readonly isArn?: boolean;
  /** JSON key in the secret (`name:key::`). */
  readonly jsonKey?: string;
  readonly problem?: string;
}

/** Reads one entry of `secrets`: an SSM name or ARN, `{ secretsmanager: name[:json-key::] }`, or `{ from_cfn: export }`. */
export function parseSecret(value: Yaml): SecretForm {
  if (typeof value === 'string') {
    const arn = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(value);
    return { source: 'ssm', name: arn ? arn[1] : value };
  }
  if (isMap(value) && typeof value.secretsmanager === 'string') {
    const text = value.secretsmanager;
    const isArn = text.startsWith('arn:');
    // ARN: arn:aws:secretsmanager:region:account:secret:NAME[:key:stage:version]; name: NAME[:key:stage:version].
    const parts = text.split(':');
    const head = isArn ? parts.slice(0, 7).join(':') : parts[0];
    const rest = isArn ? parts.slice(7) : parts.slice(1);
    if (rest.slice(1).some(part => part !== '')) {
      return { source: 'unsupported', problem: `secretsmanager "${text}": a version stage or ID is not supported (the current version is read)` };
    }
    return { source: 'secretsmanager', name: head, isArn, jsonKey: rest[0] || undefined };
  }
  if (isMap(value) && value.from_cfn !== undefined) {
    return { source: 'unsupported', problem: `from_cfn "${String(value.from_cfn)}": a secret named by another stack's export is not supported; pass it in TypeScript` };
  }
  return { source: 'unsupported', problem: `${JSON.stringify(value)} is not an SSM name, secretsmanager or from_cfn` };
}

/** The health check of `http.healthcheck`: a path, or a map with the path and the details. */
export interface HealthCheckForm {
  readonly path?: string;
  readonly port?: number;
  /** As Copilot passes them to the target group's matcher (`200,202`, `200-299`). */
  readonly successCodes?: string;
  readonly healthyThreshold?: number;
  readonly unhealthyThreshold?: number;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly gracePeriodMs?: number;
}

const numberOf = (value: Yaml | undefined) => typeof value === 'number' ? value : undefined;

export function parseHealthCheck(value: Yaml | undefined): HealthCheckForm {
  if (typeof value === 'string') return { path: value };
  if (!isMap(value)) return {};
  return {
    path: typeof value.path === 'string' ? value.path : undefined,
    port: numberOf(value.port),
    // YAML reads `success_codes: 200` as a number.
    successCodes: typeof value.success_codes === 'string' || typeof value.success_codes === 'number' ? String(value.success_codes) : undefined,
    healthyThreshold: numberOf(value.healthy_threshold),
    unhealthyThreshold: numberOf(value.unhealthy_threshold),
    intervalMs: parseDuration(value.interval),
    timeoutMs: parseDuration(value.timeout),
    gracePeriodMs: parseDuration(value.grace_period),
  };
}

/** The command Copilot's container health check runs when `image.healthcheck` names none (manifest.NewDefaultContainerHealthCheck). */
export const COPILOT_HEALTH_CHECK_COMMAND = ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'];

/** The container health check of `image.healthcheck`; undefined when the manifest gives none. */
export interface ContainerHealthCheckForm {
  readonly command: string[];
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly startPeriodMs?: number;
}

export function parseContainerHealthCheck(value: Yaml | undefined): ContainerHealthCheckForm | undefined {
  if (!isMap(value) || Object.keys(value).length === 0) return undefined;
  const command = Array.isArray(value.command) ? value.command.map(String) : typeof value.command === 'string' ? [value.command] : undefined;
  return {
    command: command && command.length > 0 ? command : COPILOT_HEALTH_CHECK_COMMAND,
    intervalMs: parseDuration(value.interval),
    timeoutMs: parseDuration(value.timeout),
    retries: numberOf(value.retries),
    startPeriodMs: parseDuration(value.start_period),
  };
}

/** A command or entrypoint as a list: a string is split the way a shell splits words (Copilot uses shell quoting). */
export function parseCommand(value: Yaml | undefined): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return undefined;
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < value.length) word += value[++i];
      else word += c;
    } else if (c === '"' || c === '\'') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < value.length) {
      word += value[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The CPU architecture of `platform` (`linux/arm64`, or `{ osfamily, architecture }`), or why it has none. */
export function parsePlatform(value: Yaml | undefined): { arch?: 'ARM64' | 'X86_64'; problem?: string } {
  const text = typeof value === 'string' ? value : isMap(value) ? `${String(value.osfamily)}/${String(value.architecture)}` : undefined;
  if (text === undefined) return {};
  const [os, arch] = text.toLowerCase().split('/');
  if (os !== 'linux') return { problem: `platform "${text}": only Linux tasks are supported` };
  if (arch === 'arm64') return { arch: 'ARM64' };
  if (arch === 'x86_64' || arch === 'amd64') return { arch: 'X86_64' };
  return { problem: `platform "${text}": unknown architecture` };
}

/**
 * A manifest with one environment's overrides applied, as Copilot merges them: maps merge key by key, anything
 * else (a scalar, a list, or a change of form such as `count: 1` over `count: { range: ... }`) replaces.
 */
export function mergeOverrides(base: Yaml, override: Yaml | undefined): Yaml {
  if (override === undefined) return base;
  if (!isMap(base) || !isMap(override)) return override;
  const merged: YamlMap = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = key in base ? mergeOverrides(base[key], value) : value;
  }
  return merged;
}

/**
 * Copilot's `${VAR}` interpolation of string values (not keys): `COPILOT_APPLICATION_NAME` and
 * `COPILOT_ENVIRONMENT_NAME` are predefined, other names come from `env`, `\${VAR}` stays literal. An unset name is
 * left as written and listed in `unset` (Copilot would refuse the manifest).
 */
export function interpolate(value: Yaml, env: { readonly [name: string]: string | undefined }, unset: Set<string>): Yaml {
  if (typeof value === 'string') {
    return value.replace(/(\\?)\$\{([_a-zA-Z][_a-zA-Z0-9]*)\}/g, (whole, escape: string, name: string) => {
      if (escape) return `\${${name}}`;
      const found = env[name];
      if (found === undefined) {
        unset.add(name);
        return whole;
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map(item => interpolate(item, env, unset));
  if (isMap(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, unset)]));
  }
  return value;
}
