import { parseDocument } from 'yaml';
import { AppWriter, Code, durationCode, literal, pascalCase } from './codegen';
import {
  CountForm, interpolate, isMap, mergeOverrides, parseAliases, parseCommand, parseContainerHealthCheck, parseCount,
  HealthCheckForm, parseDuration, parseHealthCheck, parsePlatform, parseSecret, SCALING_METRICS, scheduleExpression, Yaml, YamlMap,
} from './forms';
import { lookupField, MANIFEST_TYPES, ManifestType, MappingStatus } from './mapping';

/** One manifest of a workspace, its path relative to the `copilot/` folder. */
export interface ManifestFile {
  readonly path: string;
  readonly text: string;
}

/** A Copilot workspace as read from disk (or built by a test). */
export interface Workspace {
  /** `application` of `copilot/.workspace`. */
  readonly application?: string;
  /** Environment folders under `copilot/environments/`, with or without a manifest. */
  readonly environmentNames?: string[];
  readonly manifests: ManifestFile[];
}

/** What happened to one field of one manifest. */
export interface Finding {
  readonly manifest: string;
  readonly type: ManifestType | 'unknown';
  readonly path: string;
  readonly status: MappingStatus;
  readonly prop?: string;
  readonly note: string;
}

export interface Conversion {
  /** The TypeScript CDK app. */
  readonly app: string;
  /** Every field of every manifest, once per manifest. */
  readonly findings: Finding[];
  /** What the converter assumed or could not read (unset variables, placeholders, parse errors). */
  readonly notes: string[];
  /** Manifests that could not be read: the conversion is incomplete. */
  readonly failed: string[];
}

interface Parsed {
  readonly file: string;
  readonly type: ManifestType | 'unknown';
  readonly raw: YamlMap;
  readonly name: string;
}

const SEVERITY: { readonly [status in MappingStatus]: number } = { 'mapped': 0, 'mapped-differently': 1, 'unsupported': 2 };

/** Converts a workspace: one `BackendPlatform` per environment, every field reported. `env` is for `${VAR}`. */
export function convertWorkspace(workspace: Workspace, env: { readonly [name: string]: string | undefined }): Conversion {
  const notes: string[] = [];
  const failed: string[] = [];
  const findings = new Map<string, Finding>();
  const record = (finding: Finding) => {
    const key = `${finding.manifest}\u0000${finding.path}`;
    const existing = findings.get(key);
    if (!existing || SEVERITY[finding.status] > SEVERITY[existing.status]) findings.set(key, finding);
  };

  const parsed: Parsed[] = [];
  for (const file of [...workspace.manifests].sort((a, b) => a.path.localeCompare(b.path))) {
    const document = parseDocument(file.text, { version: '1.2' });
    if (document.errors.length > 0 || !isMap(document.toJS())) {
      failed.push(file.path);
      notes.push(`${file.path}: not read (${document.errors[0]?.message.split('\n')[0] ?? 'not a YAML map'})`);
      continue;
    }
    const raw = document.toJS() as YamlMap;
    const isPipeline = /(^|\/)pipelines\/[^/]+\/manifest\.ya?ml$|(^|\/)pipeline\.ya?ml$/.test(file.path);
    const declared = isPipeline ? 'Pipeline' : raw.type;
    const type = MANIFEST_TYPES.find(t => t === declared) ?? 'unknown';
    const folder = file.path.split('/').slice(-2, -1)[0] ?? file.path;
    parsed.push({ file: file.path, type, raw, name: typeof raw.name === 'string' ? raw.name : folder });
  }

  const application = workspace.application ?? 'app';
  if (!workspace.application) notes.push('no application name in copilot/.workspace: using "app"');
  const environments = environmentNames(workspace, parsed, notes);

  // Interpolated once per environment: that environment's name and the application's are predefined.
  const unset = new Set<string>();
  const forEnvironment = (manifest: Parsed, environment: string): YamlMap => interpolate(manifest.raw, {
    ...env, COPILOT_APPLICATION_NAME: application, COPILOT_ENVIRONMENT_NAME: environment,
  }, unset) as YamlMap;

  for (const manifest of parsed) {
    reportFields(manifest, forEnvironment(manifest, environments[0]), record);
  }

  const writer = new AppWriter(application);
  for (const environment of environments) {
    convertEnvironment(writer, environment, parsed.map(manifest => ({ ...manifest, raw: forEnvironment(manifest, environment) })), record, notes);
  }
  if (unset.size > 0) {
    notes.push(`environment variables not set, left as written: ${[...unset].sort().map(name => `\${${name}}`).join(', ')} (Copilot refuses such a manifest; set them and run again)`);
  }
  notes.push(...writer.placeholderNotes());
  return { app: writer.render(), findings: [...findings.values()], notes, failed };
}

/** The environments: folders of copilot/environments, else the names the workloads override, else `dev`. */
function environmentNames(workspace: Workspace, parsed: Parsed[], notes: string[]): string[] {
  const names = new Set<string>(workspace.environmentNames ?? []);
  parsed.filter(p => p.type === 'Environment').forEach(p => names.add(p.name));
  if (names.size === 0) {
    parsed.forEach(p => { if (isMap(p.raw.environments)) Object.keys(p.raw.environments).forEach(name => names.add(name)); });
  }
  if (names.size === 0) {
    notes.push('no environment in the workspace: generating one named "dev"');
    names.add('dev');
  }
  return [...names].sort();
}

/** Reports every field of a manifest through the table, its environment overrides with the same paths. */
function reportFields(manifest: Parsed, raw: YamlMap, record: (finding: Finding) => void): void {
  const walk = (value: Yaml, path: string) => {
    const row = manifest.type === 'unknown' ? undefined : lookupField(manifest.type, path);
    const isObject = isMap(value);
    const isObjectList = Array.isArray(value) && value.length > 0 && value.every(isMap);
    // A row takes a value whole when it says so or when the value is a scalar or a plain list; maps are looked up key by key.
    if (row && (row.whole || (!isObject && !isObjectList))) {
      record({ manifest: manifest.file, type: manifest.type, path, status: row.status, prop: row.prop, note: row.note });
      return;
    }
    if (isObject) {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key);
      if (Object.keys(value).length === 0 && row) {
        record({ manifest: manifest.file, type: manifest.type, path, status: row.status, prop: row.prop, note: row.note });
      }
      return;
    }
    if (isObjectList) {
      (value as YamlMap[]).forEach(item => walk(item, `${path}[]`));
      return;
    }
    record({
      manifest: manifest.file,
      type: manifest.type,
      path,
      status: 'unsupported',
      note: manifest.type === 'unknown' ? `unknown manifest type ${JSON.stringify(manifest.raw.type)}` : 'not a Copilot field this converter knows',
    });
  };
  const { environments, ...base } = raw;
  walk(base, '');
  if (environments !== undefined) {
    const row = manifest.type === 'unknown' ? undefined : lookupField(manifest.type, 'environments');
    record({
      manifest: manifest.file,
      type: manifest.type,
      path: 'environments',
      status: row?.status ?? 'unsupported',
      prop: row?.prop,
      note: row?.note ?? 'environment overrides of a manifest type this converter does not convert',
    });
    if (isMap(environments)) Object.values(environments).forEach(override => { if (isMap(override)) walk(override, ''); });
  }
}

interface Context {
  readonly writer: AppWriter;
  readonly environment: string;
  readonly record: (finding: Finding) => void;
  readonly notes: string[];
  /** The topic names the environment's workloads publish (`publish.topics[].name`). */
  readonly published: ReadonlySet<string>;
  /** The Backend Service whose `http.path` is `/` on the environment's internal load balancer, once one has it. */
  readonly internalRoot: { name?: string };
  /** The name guessed for the generated platform's hosted zone, if it has one (a Backend Service's aliases need it). */
  readonly platformZone: { name?: string };
}

/** One environment: its platform with the main web service, then the other workloads. */
function convertEnvironment(writer: AppWriter, environment: string, parsed: Parsed[], record: (finding: Finding) => void, notes: string[]): void {
  const stack = writer.beginEnvironment(environment);
  const merged = parsed.map(p => ({ ...p, raw: mergedFor(p.raw, environment) }));
  const published = new Set(merged.filter(p => p.type !== 'Environment' && p.type !== 'Pipeline').flatMap(p => publishedTopics(p.raw)));
  const ctx: Context = { writer, environment, record, notes, published, internalRoot: {}, platformZone: {} };
  const webServices = merged.filter(p => p.type === 'Load Balanced Web Service');
  const main = webServices.find(p => normalizePath(httpOf(p.raw).path) === '') ?? webServices[0];

  const props: [string, Code][] = [
    ['appName', literal(writer.application)],
    ['environmentName', literal(environment)],
    ['profile', environment.includes('prod') ? 'EnvironmentProfile.PRODUCTION' : 'EnvironmentProfile.DEVELOPMENT'],
  ];
  const envManifest = merged.find(p => p.type === 'Environment' && p.name === environment);
  const vpcId = envManifest && isMap(envManifest.raw.network) && isMap(envManifest.raw.network.vpc) ? envManifest.raw.network.vpc.id : undefined;
  if (typeof vpcId === 'string') props.push(['vpc', `ec2.Vpc.fromLookup(${stack}, 'Vpc', { vpcId: ${literal(vpcId)} })`]);

  const mainAliases = main ? parseAliases(httpOf(main.raw).alias) : [];
  if (main) {
    const web = webServiceOptions(ctx, stack, main, true);
    if (web.image) props.push(['image', web.image]);
    if (web.hostedZone) props.push(['hostedZone', web.hostedZone]);
    props.push(['service', writer.object(web.options)]);
  } else {
    // Backend Services, workers and jobs only: a platform without web service (docs/adr/0025), no dummy edge.
    props.push(['service', writer.object([['enabled', 'false']])]);
    notes.push(`${environment}: no Load Balanced Web Service: the platform has no web service (service: { enabled: false }), only its workers and jobs`);
  }
  // Without a zone from the web service, the first Backend Service alias's zone: its aliases need the platform's (ADR 0023).
  const backendAlias = merged.filter(p => p.type === 'Backend Service').flatMap(p => parseAliases(httpOf(p.raw).alias, stringOf(httpOf(p.raw).hosted_zone))).find(a => a.hostedZone);
  const mainZoneId = main ? parseAliases(httpOf(main.raw).alias, stringOf(httpOf(main.raw).hosted_zone))[0]?.hostedZone : undefined;
  if (!mainZoneId && backendAlias) props.push(['hostedZone', writer.hostedZone(stack, backendAlias.hostedZone!, backendAlias.name)]);
  const platformZoneId = mainZoneId ?? backendAlias?.hostedZone;
  ctx.platformZone.name = platformZoneId ? writer.zoneName(platformZoneId) : undefined;
  const pipeline = pipelineOptions(ctx, merged.filter(p => p.type === 'Pipeline'), main && isMap(main.raw.image) ? main.raw.image.build : undefined);
  if (pipeline.length > 0) props.push(['pipeline', writer.object(pipeline)]);
  const platform = writer.platform(stack, props);

  for (const service of webServices.filter(p => p !== main)) {
    const web = webServiceOptions(ctx, stack, service, false, mainAliases.length > 0);
    writer.call(platform, 'addService', pascalCase(service.name), web.options);
  }
  for (const worker of merged.filter(p => p.type === 'Backend Service' || p.type === 'Worker Service')) {
    const options = workerOptions(ctx, stack, worker);
    if (options) writer.call(platform, 'addWorker', pascalCase(worker.name), options);
  }
  for (const job of merged.filter(p => p.type === 'Scheduled Job')) {
    const options = jobOptions(ctx, stack, job);
    if (options) writer.call(platform, 'addScheduledJob', pascalCase(job.name), options);
  }
  const zoneId = mainAliases.find(alias => alias.hostedZone)?.hostedZone ?? (main && typeof httpOf(main.raw).hosted_zone === 'string' ? httpOf(main.raw).hosted_zone as string : undefined);
  const zoneName = zoneId ? writer.zoneName(zoneId) : undefined;
  for (const site of merged.filter(p => p.type === 'Static Site')) {
    writer.call(platform, 'addStaticSite', pascalCase(site.name), staticSiteOptions(ctx, stack, site, zoneName));
  }
  writer.endEnvironment();
}

function mergedFor(raw: YamlMap, environment: string): YamlMap {
  const { environments, ...base } = raw;
  const override = isMap(environments) ? environments[environment] : undefined;
  return mergeOverrides(base, override ?? undefined) as YamlMap;
}

function httpOf(raw: YamlMap): YamlMap {
  return isMap(raw.http) ? raw.http : {};
}

function stringOf(value: Yaml | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Copilot's `http.path` without its slashes: `''` is the root. */
function normalizePath(path: Yaml | undefined): string {
  return typeof path === 'string' ? path.replace(/^\/+|\/+$/g, '') : '';
}

function report(ctx: Context, manifest: Parsed, path: string, status: MappingStatus, note: string): void {
  ctx.record({ manifest: manifest.file, type: manifest.type, path, status, note: `${ctx.environment}: ${note}` });
}

/** cpu, memory, command, variables, secrets, platform: what every task takes. */
function taskOptions(ctx: Context, stack: string, manifest: Parsed, options: [string, Code][]): void {
  const raw = manifest.raw;
  if (typeof raw.cpu === 'number') options.push(['cpu', literal(raw.cpu)]);
  if (typeof raw.memory === 'number') options.push(['memoryLimitMiB', literal(raw.memory)]);
  const command = parseCommand(raw.command);
  if (command) options.push(['command', literal(command)]);
  if (isMap(raw.variables)) {
    const entries: [string, Code][] = [];
    for (const [key, value] of Object.entries(raw.variables)) {
      if (isMap(value) && typeof value.from_cfn === 'string') entries.push([key, `Fn.importValue(${literal(value.from_cfn)})`]);
      else if (value === null || isMap(value) || Array.isArray(value)) report(ctx, manifest, 'variables', 'unsupported', `variable ${key}: ${JSON.stringify(value)} is not a value or from_cfn`);
      else entries.push([key, literal(String(value))]);
    }
    if (entries.length > 0) options.push(['environment', ctx.writer.object(entries)]);
  }
  if (isMap(raw.secrets)) {
    const entries: [string, Code][] = [];
    for (const [key, value] of Object.entries(raw.secrets)) {
      const secret = parseSecret(value);
      const id = `${pascalCase(manifest.name)}${pascalCase(key)}Secret`;
      if (secret.source === 'ssm') {
        entries.push([key, `ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(${stack}, ${literal(id)}, { parameterName: ${literal(secret.name!)} }))`]);
      } else if (secret.source === 'secretsmanager') {
        const lookup = secret.isArn ? 'fromSecretPartialArn' : 'fromSecretNameV2';
        const field = secret.jsonKey ? `, ${literal(secret.jsonKey)}` : '';
        entries.push([key, `ecs.Secret.fromSecretsManager(secretsmanager.Secret.${lookup}(${stack}, ${literal(id)}, ${literal(secret.name!)})${field})`]);
      } else {
        report(ctx, manifest, `secrets.${key}`, 'unsupported', secret.problem!);
      }
    }
    if (entries.length > 0) options.push(['secrets', ctx.writer.object(entries)]);
  }
  if (raw.platform !== undefined && manifest.type !== 'Scheduled Job') {
    const platform = parsePlatform(raw.platform);
    if (platform.arch) options.push(['cpuArchitecture', `ecs.CpuArchitecture.${platform.arch}`]);
    if (platform.problem) report(ctx, manifest, 'platform', 'unsupported', platform.problem);
  }
  const placement = isMap(raw.network) && isMap(raw.network.vpc) ? raw.network.vpc.placement : undefined;
  if (placement !== undefined && placement !== 'private') {
    report(ctx, manifest, 'network.vpc.placement', placement === 'public' ? 'mapped-differently' : 'unsupported',
      placement === 'public' ? 'tasks run in private subnets behind NAT, not in public ones' : 'tasks run in every private subnet with egress: a subnet list is not supported');
  }
  publishOptions(raw, options);
  if (manifest.type !== 'Scheduled Job') volumeOptions(ctx, manifest, options);
  const rolling = isMap(raw.deployment) ? raw.deployment.rolling : undefined;
  if (rolling !== undefined && rolling !== 'default') report(ctx, manifest, 'deployment.rolling', 'unsupported', `rolling "${String(rolling)}": only the default rolling update (circuit breaker, rollback)`);
}

/**
 * `storage.volumes`: each volume with `efs` an entry of `volumes` on the platform's file system. Copilot mounts a
 * volume read-only unless `read_only: false`; an existing file system (`efs.id`) or a volume without `efs` is not converted.
 */
function volumeOptions(ctx: Context, manifest: Parsed, options: [string, Code][]): void {
  const storage = manifest.raw.storage;
  const volumes = isMap(storage) && isMap(storage.volumes) ? storage.volumes : {};
  const entries: Code[] = [];
  for (const [name, volume] of Object.entries(volumes)) {
    const at = `storage.volumes.${name}`;
    if (!isMap(volume) || typeof volume.path !== 'string') {
      report(ctx, manifest, `${at}.path`, 'unsupported', `volume ${name} has no path: not generated`);
      continue;
    }
    const efs = volume.efs;
    if (efs === undefined || efs === false) {
      report(ctx, manifest, `${at}.path`, 'unsupported', `volume ${name} has no efs (an empty volume shared with sidecars): not generated`);
      continue;
    }
    if (isMap(efs) && efs.id !== undefined) {
      report(ctx, manifest, `${at}.efs.id`, 'unsupported', `volume ${name} names the file system ${String(efs.id)}: the app mounts the platform's own file system instead; copy the files over or give fileSystem by hand`);
    }
    const fields: [string, Code][] = [['name', literal(name)], ['containerPath', literal(volume.path)]];
    if (volume.read_only !== false) fields.push(['readOnly', 'true']);
    if (isMap(efs) && typeof efs.uid === 'number') fields.push(['uid', literal(efs.uid)]);
    if (isMap(efs) && typeof efs.gid === 'number') fields.push(['gid', literal(efs.gid)]);
    entries.push(ctx.writer.object(fields));
  }
  if (entries.length > 0) options.push(['volumes', `[${entries.join(', ')}]`]);
}

/** What scales a service: the web service (on its load balancer's traffic too), an internal worker, a queue worker (on its backlog only). */
type ServiceKind = 'web' | 'internal' | 'queue';

/** count and exec of a service. */
function capacityOptions(ctx: Context, manifest: Parsed, options: [string, Code][], kind: ServiceKind): number | undefined {
  const count = parseCount(manifest.raw.count);
  count.problems.forEach(problem => report(ctx, manifest, 'count', 'unsupported', problem));
  if (count.min !== undefined) options.push(['minCapacity', literal(count.min)]);
  if (count.max !== undefined) options.push(['maxCapacity', literal(count.max)]);
  if (count.allSpot) options.push(['spot', 'true'], ['onDemandBaseCapacity', '0']);
  else if (count.spotFrom !== undefined) options.push(['spot', 'true'], ['onDemandBaseCapacity', literal(Math.max(0, count.spotFrom - 1))]);
  if (kind !== 'queue') {
    // Copilot scales a range on the metrics it names only; the library's CPU (and the web service's memory) target is on by default.
    const web = kind === 'web';
    const otherTarget = count.memoryPercent !== undefined || (web && count.requests !== undefined);
    const cpu = count.cpuPercent ?? (count.autoscales && otherTarget ? 0 : undefined);
    const memory = count.memoryPercent ?? (count.autoscales && web ? 0 : undefined);
    if (cpu !== undefined) options.push(['targetCpuUtilizationPercent', literal(cpu)]);
    if (memory !== undefined) options.push(['targetMemoryUtilizationPercent', literal(memory)]);
    if (web && count.requests !== undefined) options.push(['targetRequestsPerTaskPerMinute', literal(count.requests)]);
    if (web && count.responseTimeMs !== undefined) options.push(['scaleOutResponseTime', durationCode(count.responseTimeMs)]);
    options.push(...cooldownOptions(ctx, manifest, count, web));
  }
  if (manifest.raw.exec === true) options.push(['enableExecuteCommand', 'true']);
  return count.messagesPerTask;
}

/** Copilot's cooldowns of a metric that names none and has no `count.cooldown` (autoscaling.yml). */
const COPILOT_COOLDOWN_MS = { in: 120000, out: 60000 };

/**
 * The service-wide cooldowns of Copilot's per-metric ones: each metric's own, else `count.cooldown`, else Copilot's
 * default. When the metrics disagree the longest scale-in (never removes tasks sooner) and the shortest scale-out
 * (never adds them later) are kept, and the metrics' cooldowns are reported as mapped differently.
 */
function cooldownOptions(ctx: Context, manifest: Parsed, count: CountForm, web: boolean): [string, Code][] {
  const active = SCALING_METRICS.filter(metric => ({
    cpu_percentage: count.cpuPercent,
    memory_percentage: count.memoryPercent,
    requests: web ? count.requests : undefined,
    response_time: web ? count.responseTimeMs : undefined,
  })[metric] !== undefined);
  const options: [string, Code][] = [];
  for (const direction of ['in', 'out'] as const) {
    const named = active.filter(metric => count.metricCooldowns[metric]?.[direction] !== undefined);
    if (count.cooldown[direction] === undefined && named.length === 0) continue;
    const values = active.map(metric => count.metricCooldowns[metric]?.[direction] ?? count.cooldown[direction] ?? COPILOT_COOLDOWN_MS[direction]);
    if (values.length === 0) values.push(count.cooldown[direction]!);
    const kept = direction === 'in' ? Math.max(...values) : Math.min(...values);
    const prop = direction === 'in' ? 'scaleInCooldown' : 'scaleOutCooldown';
    if (new Set(values).size > 1) {
      const each = active.map((metric, i) => `${metric} ${values[i] / 1000} s`).join(', ');
      named.forEach(metric => report(ctx, manifest, `count.${metric}.cooldown`, 'mapped-differently',
        `the ${direction} cooldowns differ (${each}): the service-wide ${prop} is the ${direction === 'in' ? 'longest' : 'shortest'}, ${kept / 1000} s`));
    }
    options.push([prop, durationCode(kept)]);
  }
  return options;
}

function imageCode(manifest: Parsed): Code | undefined {
  const image = isMap(manifest.raw.image) ? manifest.raw.image : {};
  if (typeof image.location !== 'string') return undefined;
  return `ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry(${literal(image.location)}))`;
}

/** `edgeHasDomain`: the platform's service has an alias, which an added service's aliases join (they route by host). */
function webServiceOptions(ctx: Context, stack: string, manifest: Parsed, isMain: boolean, edgeHasDomain = false) {
  const raw = manifest.raw;
  const options: [string, Code][] = [];
  const image = isMap(raw.image) ? raw.image : {};
  if (typeof image.port === 'number') options.push(['containerPort', literal(image.port)]);
  if (raw.http === false) report(ctx, manifest, 'http', 'unsupported', '`http: false` (a Network Load Balancer only): the service is generated behind the ALB and CloudFront anyway');
  const http = httpOf(raw);
  const path = normalizePath(http.path);
  const aliases = parseAliases(http.alias, stringOf(http.hosted_zone));
  const hostRouted = !isMain && aliases.length > 0 && edgeHasDomain;
  if (hostRouted && path === '') {
    // Routed by host alone: every path of its aliases.
  } else if (!isMain) {
    const own = path === '' ? pascalCase(manifest.name).toLowerCase() : path;
    if (path === '') report(ctx, manifest, 'http.path', 'unsupported', `another service already answers "/": this one is given /${own} and /${own}/*`);
    options.push(['pathPatterns', literal([`/${own}`, `/${own}/*`])]);
  } else if (path !== '') {
    report(ctx, manifest, 'http.path', 'mapped-differently', `the platform's service answers every path no other rule takes, not only /${path}`);
  }
  const health = parseHealthCheck(http.healthcheck);
  if (health.path) options.push(['healthCheckPath', literal(health.path)]);
  if (health.port !== undefined) options.push(['healthCheckPort', literal(health.port)]);
  options.push(...targetGroupHealthCheck(health));
  if (health.gracePeriodMs !== undefined) options.push(['healthCheckGracePeriod', durationCode(health.gracePeriodMs)]);
  const deregistration = parseDuration(http.deregistration_delay);
  if (deregistration !== undefined) options.push(['deregistrationDelay', durationCode(deregistration)]);
  if (http.redirect_to_https === false) report(ctx, manifest, 'http.redirect_to_https', 'mapped-differently', 'CloudFront always redirects viewers to HTTPS');
  capacityOptions(ctx, manifest, options, 'web');
  taskOptions(ctx, stack, manifest, options);

  let hostedZone: Code | undefined;
  if (hostRouted) {
    options.push(['aliases', literal(aliases.map(a => a.name))]);
    report(ctx, manifest, 'http.alias', 'mapped-differently', 'routed by host: the service\'s rules match its aliases (with its path), which join the platform service\'s domain; '
      + 'the certificate given there must cover them too');
  } else if (aliases.length > 0 && !isMain) {
    report(ctx, manifest, 'http.alias', 'unsupported', 'the platform\'s service has no alias, and an added service\'s aliases join its domain: give that service an alias');
  } else if (aliases.length > 0) {
    const [first, ...rest] = aliases;
    options.push(['domainName', literal(first.name)], ['domainCertificate', ctx.writer.certificate(stack, first.name)]);
    if (rest.length > 0) {
      options.push(['aliases', literal(rest.map(a => a.name))]);
      report(ctx, manifest, 'http.alias', 'mapped-differently', `${rest.map(a => a.name).join(', ')} become service.aliases (more names of the distribution); the certificate of ${first.name} must cover them too`);
    }
    if (first.hostedZone) hostedZone = ctx.writer.hostedZone(stack, first.hostedZone, first.name);
  } else if (typeof http.hosted_zone === 'string') {
    report(ctx, manifest, 'http.hosted_zone', 'unsupported', 'a hosted zone without an alias: its name cannot be guessed');
  }
  return { options, image: isMain ? imageCode(manifest) : undefined, hostedZone };
}

function workerOptions(ctx: Context, stack: string, manifest: Parsed): [string, Code][] | undefined {
  const raw = manifest.raw;
  const options: [string, Code][] = [];
  const queue = manifest.type === 'Worker Service';
  const image = isMap(raw.image) ? raw.image : {};
  if (!queue) {
    if (typeof image.port !== 'number') {
      report(ctx, manifest, 'type', 'unsupported', 'a Backend Service without image.port has no counterpart: a worker serves a port or consumes a queue; not generated');
      return undefined;
    }
    options.push(['port', literal(image.port)]);
  }
  const imageOption = imageCode(manifest);
  if (imageOption) options.push(['image', imageOption]);
  const messagesPerTask = capacityOptions(ctx, manifest, options, queue ? 'queue' : 'internal');
  if (!queue && parseCount(raw.count).min === 0) report(ctx, manifest, 'count', 'unsupported', 'an internal worker runs at least 1 task');
  taskOptions(ctx, stack, manifest, options);
  const health = parseContainerHealthCheck(image.healthcheck);
  if (health) {
    options.push(['healthCheckCommand', literal(health.command)]);
    if (health.intervalMs !== undefined) options.push(['healthCheckInterval', durationCode(health.intervalMs)]);
    if (health.timeoutMs !== undefined) options.push(['healthCheckTimeout', durationCode(health.timeoutMs)]);
    if (health.retries !== undefined) options.push(['unhealthyThresholdCount', literal(health.retries)]);
    if (health.startPeriodMs !== undefined) options.push(['healthCheckGracePeriod', durationCode(health.startPeriodMs)]);
  }
  if (!queue) loadBalancingOptions(ctx, manifest, options, health?.startPeriodMs !== undefined);
  if (queue) {
    const subscribeQueue = isMap(raw.subscribe) && isMap(raw.subscribe.queue) ? raw.subscribe.queue : {};
    const queueOptions: [string, Code][] = [];
    const timeout = parseDuration(subscribeQueue.timeout);
    if (timeout !== undefined) queueOptions.push(['visibilityTimeout', durationCode(timeout)]);
    const tries = isMap(subscribeQueue.dead_letter) ? subscribeQueue.dead_letter.tries : undefined;
    if (typeof tries === 'number') queueOptions.push(['maxReceiveCount', literal(tries)]);
    if (messagesPerTask !== undefined) queueOptions.push(['messagesPerTask', literal(messagesPerTask)]);
    options.push(['queue', ctx.writer.object(queueOptions)]);
    subscriptionOptions(ctx, manifest, options);
  }
  return options;
}

/**
 * A Backend Service's `http` block: the worker is also reached through the platform's internal load balancer
 * (`internalLoadBalancer`, docs/adr/0023), on its path, with the target group's health check. `containerGracePeriod`:
 * `image.healthcheck.start_period` already sets the service's one grace period.
 */
function loadBalancingOptions(ctx: Context, manifest: Parsed, options: [string, Code][], containerGracePeriod: boolean): void {
  const raw = manifest.raw;
  if (!isMap(raw.http) || Object.keys(raw.http).length === 0) return;
  const http = raw.http;
  const lb: [string, Code][] = [];
  const aliases = internalAliases(ctx, manifest, http);
  if (http.path !== undefined) {
    const path = normalizePath(http.path);
    const own = pascalCase(manifest.name).toLowerCase();
    if (path === '' && aliases.length > 0) {
      // On its own host names `/` takes no other worker's paths.
      lb.push(['pathPatterns', literal(['/*'])]);
    } else if (path === '' && ctx.internalRoot.name !== undefined) {
      report(ctx, manifest, 'http.path', 'mapped-differently', `${ctx.internalRoot.name} already answers "/" on the internal load balancer: this one is given /${own} and /${own}/*`);
      lb.push(['pathPatterns', literal([`/${own}`, `/${own}/*`])]);
    } else {
      if (path === '') ctx.internalRoot.name = manifest.name;
      // `/` answers every path no other worker's rule takes: its rule is evaluated last.
      lb.push(['pathPatterns', literal(path === '' ? ['/*'] : [`/${path}`, `/${path}/*`])]);
    }
  }
  const health = parseHealthCheck(http.healthcheck);
  if (health.path) options.push(['healthCheckPath', literal(health.path)]);
  if (health.port !== undefined && !(isMap(raw.image) && raw.image.port === health.port)) lb.push(['healthCheckPort', literal(health.port)]);
  lb.push(...targetGroupHealthCheck(health));
  if (health.gracePeriodMs !== undefined && containerGracePeriod) {
    report(ctx, manifest, 'http.healthcheck.grace_period', 'mapped-differently', 'ECS has one grace period per service: image.healthcheck.start_period\'s is kept (worker.healthCheckGracePeriod)');
  } else if (health.gracePeriodMs !== undefined) {
    lb.push(['healthCheckGracePeriod', durationCode(health.gracePeriodMs)]);
  }
  const deregistration = parseDuration(http.deregistration_delay);
  if (deregistration !== undefined) lb.push(['deregistrationDelay', durationCode(deregistration)]);
  if (aliases.length > 0) lb.push(['aliases', literal(aliases)]);
  options.push(['internalLoadBalancer', ctx.writer.object(lb)]);
}

/**
 * A Backend Service's `http.alias`: HTTPS host names on the internal load balancer, in the platform's hosted zone, as
 * many as one rule takes beside the worker's paths (5 condition values).
 */
function internalAliases(ctx: Context, manifest: Parsed, http: YamlMap): string[] {
  const aliases = parseAliases(http.alias, stringOf(http.hosted_zone)).map(alias => alias.name);
  if (aliases.length === 0) return [];
  const zone = ctx.platformZone.name;
  if (zone === undefined) {
    report(ctx, manifest, 'http.alias', 'unsupported', 'no hosted zone is named (http.hosted_zone, or the web service\'s alias): the aliases\' records and certificates need the platform\'s hostedZone; give it and internalLoadBalancer.aliases');
    return [];
  }
  const inZone = aliases.filter(alias => alias === zone || alias.endsWith(`.${zone}`));
  const outside = aliases.filter(alias => !inZone.includes(alias));
  if (outside.length > 0) report(ctx, manifest, 'http.alias', 'unsupported', `${outside.join(', ')} outside the platform's hosted zone ${zone}, where the records and certificates go: left out`);
  const paths = normalizePath(http.path) === '' ? 1 : 2;
  const kept = inZone.slice(0, 5 - paths);
  if (kept.length === 0) return [];
  const note = 'HTTPS at these names on the platform\'s internal load balancer (internalLoadBalancer.aliases), each with a DNS-validated certificate and a record in the platform\'s hosted zone '
    + '(Copilot used the environment\'s imported http.private.certificates); on HTTP they redirect to HTTPS';
  const dropped = inZone.slice(kept.length);
  report(ctx, manifest, 'http.alias', 'mapped-differently', dropped.length > 0 ? `${note}; ${dropped.join(', ')} left out: one rule takes 5 condition values with the paths` : note);
  if (typeof http.hosted_zone === 'string') report(ctx, manifest, 'http.hosted_zone', 'mapped-differently', 'the platform\'s hostedZone, where every alias of the platform goes');
  return kept;
}

/** `publish.topics[].name`: the platform topics the workload publishes to (docs/adr/0020). */
function publishOptions(raw: YamlMap, options: [string, Code][]): void {
  const names = publishedTopics(raw);
  if (names.length > 0) options.push(['publishes', literal(names)]);
}

function publishedTopics(raw: YamlMap): string[] {
  const topics = isMap(raw.publish) && Array.isArray(raw.publish.topics) ? raw.publish.topics.filter(isMap) : [];
  // A name listed twice (a topic and its FIFO twin) is one platform topic.
  return [...new Set(topics.map(topic => topic.name).filter((name): name is string => typeof name === 'string'))];
}

/** `subscribe.topics`: the worker's queue subscribes to each named platform topic, with its filter policy as SNS reads it. */
function subscriptionOptions(ctx: Context, manifest: Parsed, options: [string, Code][]): void {
  const raw = manifest.raw;
  const topics = isMap(raw.subscribe) && Array.isArray(raw.subscribe.topics) ? raw.subscribe.topics.filter(isMap) : [];
  const subscriptions: Code[] = [];
  for (const topic of topics) {
    if (typeof topic.name !== 'string') continue;
    if (!ctx.published.has(topic.name)) {
      report(ctx, manifest, 'subscribe.topics[].name', 'unsupported', `topic ${topic.name}: no manifest of the workspace publishes it (publish.topics), and a platform topic needs a publisher; not subscribed`);
      continue;
    }
    const entries: [string, Code][] = [['topic', literal(topic.name)]];
    const policy = topic.filter_policy;
    if (isMap(policy) && Object.values(policy).every(Array.isArray)) {
      entries.push(['filterPolicy', ctx.writer.object(Object.entries(policy).map(([attribute, conditions]) => [attribute, `new sns.SubscriptionFilter(${JSON.stringify(conditions)})`]))]);
    } else if (policy !== undefined) {
      report(ctx, manifest, 'subscribe.topics[].filter_policy', 'unsupported', `topic ${topic.name}: a filter policy whose attributes are not lists of conditions (a message-body policy) is not converted; the subscription receives every message`);
    }
    subscriptions.push(ctx.writer.object(entries));
  }
  if (subscriptions.length > 0) options.push(['subscriptions', `[${subscriptions.join(', ')}]`]);
}

function jobOptions(ctx: Context, stack: string, manifest: Parsed): [string, Code][] | undefined {
  const raw = manifest.raw;
  const options: [string, Code][] = [];
  const schedule = scheduleExpression(isMap(raw.on) ? raw.on.schedule : undefined);
  if (!schedule.expression) {
    report(ctx, manifest, 'on.schedule', 'unsupported', `${schedule.problem}; not generated`);
    return undefined;
  }
  taskOptions(ctx, stack, manifest, options);
  if (!options.some(([key]) => key === 'command')) {
    options.unshift(['command', ctx.writer.placeholderCommand(manifest.name)]);
    report(ctx, manifest, 'command', 'unsupported', 'a job needs its command (the image\'s CMD is not read): the app names a placeholder to replace');
  }
  options.push(['schedule', `events.Schedule.expression(${literal(schedule.expression)})`]);
  if (typeof raw.retries === 'number') options.push(['retryAttempts', literal(raw.retries)]);
  const timeout = parseDuration(raw.timeout);
  const period = ratePeriodMs(schedule.expression);
  if (timeout !== undefined && period !== undefined && timeout >= period) {
    report(ctx, manifest, 'timeout', 'unsupported', `timeout ${String(raw.timeout)} is not below the schedule's period (${schedule.expression}): runs would pile up, which maxRuntime refuses; not generated (the default, 80 % of the period, applies)`);
  } else if (timeout !== undefined && timeout > 0) {
    options.push(['maxRuntime', durationCode(timeout)]);
  }
  return options;
}

/** The period of a `rate(...)` expression in milliseconds; undefined for a cron. */
function ratePeriodMs(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  return match ? Number(match[1]) * { minute: 60000, hour: 3600000, day: 86400000 }[match[2] as 'minute' | 'hour' | 'day'] : undefined;
}

/** The stages of the pipelines that deploy to this environment: GitHub source (building the web service's Dockerfile) and manual approval. */
function pipelineOptions(ctx: Context, pipelines: Parsed[], build: Yaml | undefined): [string, Code][] {
  for (const pipeline of pipelines) {
    const stages = Array.isArray(pipeline.raw.stages) ? pipeline.raw.stages.filter(isMap) : [];
    const stage = stages.find(s => s.name === ctx.environment);
    if (!stage) continue;
    const options: [string, Code][] = [];
    if (stage.requires_approval === true) options.push(['manualApproval', 'true']);
    const source = isMap(pipeline.raw.source) ? pipeline.raw.source : {};
    const properties = isMap(source.properties) ? source.properties : {};
    const repository = typeof properties.repository === 'string'
      ? /(?:github\.com\/)?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(properties.repository) : null;
    if (source.provider === 'GitHub' && repository) {
      const github: [string, Code][] = [
        ['connectionArn', ctx.writer.connectionArn()],
        ['owner', literal(repository[1])],
        ['repo', literal(repository[2])],
      ];
      if (typeof properties.branch === 'string') github.push(['branch', literal(properties.branch)]);
      // Copilot's `build: path/Dockerfile` builds in the Dockerfile's folder; the map form names both.
      const dockerfile = typeof build === 'string' ? build : isMap(build) && typeof build.dockerfile === 'string' ? build.dockerfile : undefined;
      const context = isMap(build) && typeof build.context === 'string' ? build.context : dockerfile?.includes('/') ? dockerfile.replace(/\/[^/]*$/, '') : undefined;
      if (dockerfile) github.push(['dockerfile', literal(dockerfile.replace(/^\.\//, ''))]);
      if (context) github.push(['buildContext', literal(context.replace(/^\.\//, ''))]);
      options.push(['source', ctx.writer.object(github)]);
    } else if (source.provider !== undefined) {
      report(ctx, pipeline, 'source.provider', 'unsupported', `provider ${JSON.stringify(source.provider)} with repository ${JSON.stringify(properties.repository)}: only GitHub (owner/repo) through a CodeStar connection`);
    }
    return options;
  }
  return [];
}

/**
 * A Static Site: its alias and certificate become the site's domain; its `files` are reported with the command that
 * uploads them, since the generated app leaves uploads to the pipeline or CLI (docs/adr/0024).
 */
function staticSiteOptions(ctx: Context, stack: string, manifest: Parsed, platformZone: string | undefined): [string, Code][] {
  const raw = manifest.raw;
  const http = httpOf(raw);
  const options: [string, Code][] = [];
  const id = pascalCase(manifest.name);
  const alias = typeof http.alias === 'string' ? http.alias : undefined;
  const certificate = typeof http.certificate === 'string' ? http.certificate : undefined;
  if (http.alias !== undefined && alias === undefined) {
    report(ctx, manifest, 'http.alias', 'unsupported', 'a static site takes one host name as text');
  } else if (alias?.includes('*')) {
    report(ctx, manifest, 'http.alias', 'unsupported', `the wildcard alias ${alias} is not supported: give the site one host name`);
  } else if (alias && platformZone && alias !== platformZone && !alias.endsWith(`.${platformZone}`)) {
    report(ctx, manifest, 'http.alias', 'unsupported', `${alias} is outside the platform's hosted zone ${platformZone}, where the site's records go: give the site a name in it`);
  } else if (alias) {
    options.push(['domainName', literal(alias)]);
    const inUsEast1 = certificate?.startsWith('arn:aws:acm:us-east-1:') ?? false;
    if (certificate && !inUsEast1) report(ctx, manifest, 'http.certificate', 'unsupported', `${certificate} is not in us-east-1, the only region CloudFront takes certificates from: the app names a placeholder`);
    options.push(['domainCertificate', certificate && inUsEast1
      ? `acm.Certificate.fromCertificateArn(${stack}, ${literal(`${id}Certificate`)}, ${literal(certificate)})`
      : ctx.writer.certificate(stack, alias, `${id}Certificate`)]);
  } else if (certificate) {
    report(ctx, manifest, 'http.certificate', 'unsupported', 'a certificate without an alias serves no name');
  }
  const files = Array.isArray(raw.files) ? raw.files.filter(isMap) : [];
  files.forEach(file => {
    const source = typeof file.source === 'string' ? file.source : '.';
    const destination = typeof file.destination === 'string' ? file.destination.replace(/^\/+|\/+$/g, '') : '';
    const patterns = (value: Yaml | undefined) => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((p): p is string => typeof p === 'string');
    const exclude = [...(file.recursive === false ? ['*/*'] : []), ...patterns(file.exclude)];
    const include = patterns(file.reinclude);
    const flags = [...exclude.map(pattern => `--exclude '${pattern}'`), ...include.map(pattern => `--include '${pattern}'`)].join(' ');
    const target = `s3://<${pascalCase(ctx.writer.application)}${pascalCase(ctx.environment)} stack output Platform${id}BucketName>${destination ? `/${destination}` : ''}`;
    ctx.notes.push(`${ctx.environment}: static site ${id}: upload ${source} after deploying with aws s3 sync ${source} ${target}${flags ? ` ${flags}` : ''}`
      + ` (a file: sync its directory with --exclude '*' --include '<file>'), or give content: [SiteContent.fromDirectory('${source}'${destination ? `, { destination: '${destination}' }` : ''})]`);
  });
  return options;
}

/**
 * The target group's check of Copilot's `http.healthcheck` as the library's HealthCheckOptions take it, for a web
 * service and for a worker behind the internal load balancer alike (the path and port are placed by each).
 */
function targetGroupHealthCheck(health: HealthCheckForm): [string, Code][] {
  const options: [string, Code][] = [];
  if (health.successCodes !== undefined) options.push(['healthCheckSuccessCodes', literal(health.successCodes)]);
  if (health.healthyThreshold !== undefined) options.push(['healthyThresholdCount', literal(health.healthyThreshold)]);
  if (health.unhealthyThreshold !== undefined) options.push(['unhealthyThresholdCount', literal(health.unhealthyThreshold)]);
  // Copilot's target group kept the load balancer's 30 s interval; the library's 10 s would refuse a timeout of 10 s or more.
  const intervalMs = health.intervalMs ?? (health.timeoutMs !== undefined && health.timeoutMs >= 10000 ? 30000 : undefined);
  if (intervalMs !== undefined) options.push(['healthCheckInterval', durationCode(intervalMs)]);
  if (health.timeoutMs !== undefined) options.push(['healthCheckTimeout', durationCode(health.timeoutMs)]);
  return options;
}
