import { Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { InvalidPropsError, problem, PropProblem } from './errors';
import { ENUMS, SHAPES, STRUCTS } from './prop-schema.generated';

/**
 * The runtime half of the input contract: before a construct reads its props, every prop is checked against the
 * type jsii records for it (required, primitive, array, map, enum member, struct, object), so plain JavaScript and
 * the other jsii languages get the library's named error instead of a TypeError or a template with `undefined`.
 * Unresolved tokens are accepted as they are.
 */
export function checkPropTypes(scope: IConstruct, struct: string, props: unknown, prefix: string = ''): void {
  const problems: PropProblem[] = [];
  const report = (prop: string, value: unknown, fix: string) => problems.push(problem(scope, prop, value, fix));
  if (!isPlainObject(props)) {
    report('props', props, `give the props object (${struct})`);
  } else {
    checkStruct(struct, props, prefix, report);
  }
  if (problems.length > 0) throw new InvalidPropsError(problems);
}

type Report = (prop: string, value: unknown, fix: string) => void;

function checkStruct(struct: string, value: { [key: string]: unknown }, prefix: string, report: Report): void {
  const props = STRUCTS[struct];
  // A misspelt prop would otherwise be ignored and its default used without a word.
  for (const key of Object.keys(value).filter(k => !(k in props) && value[k] !== undefined)) {
    const near = Object.keys(props).find(known => isNear(known, key));
    report(`${prefix}${key}`, value[key], `${struct} has no such prop${near ? `; did you mean ${prefix}${near}?` : ''}`);
  }
  for (const [name, spec] of Object.entries(props)) {
    const optional = spec.startsWith('?');
    const type = optional ? spec.slice(1) : spec;
    const prop = `${prefix}${name}`;
    const given = value[name];
    if (given === undefined) {
      if (!optional) report(prop, given, `it is required; give ${describeType(type)}`);
      continue;
    }
    checkValue(type, given, prop, report);
  }
}

function checkValue(type: string, value: unknown, prop: string, report: Report): void {
  if (Token.isUnresolved(value)) return;
  const wrong = () => report(prop, value, `expected ${describeType(type)}${hint(type, value)}`);
  const collection = /^(array|map)<(.*)>$/.exec(type);
  if (collection) {
    const [, kind, element] = collection;
    if (kind === 'array' && !Array.isArray(value)) return wrong();
    if (kind === 'map' && !isPlainObject(value)) return wrong();
    const entries = kind === 'array' ? (value as unknown[]).map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(value as object).map(([k, v]) => [`.${k}`, v] as const);
    for (const [suffix, item] of entries) {
      if (item === undefined || item === null) report(`${prop}${suffix}`, item, `expected ${describeType(element)}; remove the empty entry`);
      else checkValue(element, item, `${prop}${suffix}`, report);
    }
    return;
  }
  const [kind, name] = type.includes(':') ? [type.slice(0, type.indexOf(':')), type.slice(type.indexOf(':') + 1)] : [type, ''];
  switch (kind) {
    case 'string': return void (typeof value !== 'string' && wrong());
    case 'number': return void ((typeof value !== 'number' || !Number.isFinite(value)) && wrong());
    case 'boolean': return void (typeof value !== 'boolean' && wrong());
    case 'enum': return void (!Object.values(ENUMS[name]).includes(value as string) && wrong());
    case 'struct':
      if (!isPlainObject(value)) return wrong();
      return checkStruct(name, value, `${prop}.`, report);
    case 'class':
    case 'object': return void (!hasShape(value, name) && wrong());
    case 'construct': return void (!Construct.isConstruct(value) && wrong());
    case 'extenum': return void (!externalEnumValues(name).includes(value) && wrong());
    default:
      return;
  }
}

/**
 * A value of a class or interface type has the members jsii declares for it. Shape, not `instanceof`: aws-cdk-lib
 * hands out some class values as object literals (`ecs.Secret`), and apps may carry a second copy of a class.
 */
function hasShape(value: unknown, type: string): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return SHAPES[type].every(member => member in value);
}

/** The runtime value of an aws-cdk-lib enum. */
function runtimeSymbol(fqn: string): any {
  const [module, ...path] = fqn.split('.');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return path.reduce<any>((parent, key) => parent?.[key], require(module));
}

const enumCache = new Map<string, unknown[]>();
/** Values of an aws-cdk-lib enum, read from the module users import (numeric enums also map values back to names). */
function externalEnumValues(fqn: string): unknown[] {
  if (!enumCache.has(fqn)) {
    const symbol = runtimeSymbol(fqn);
    enumCache.set(fqn, Object.entries(symbol ?? {}).filter(([key]) => !/^\d+$/.test(key)).map(([, v]) => v));
  }
  return enumCache.get(fqn)!;
}

function describeType(type: string): string {
  const collection = /^(array|map)<(.*)>$/.exec(type);
  if (collection) return collection[1] === 'array' ? `an array of ${plural(collection[2])}` : `an object whose values are ${plural(collection[2])}`;
  const [kind, name] = [type.slice(0, type.indexOf(':')), type.slice(type.indexOf(':') + 1)];
  switch (type.includes(':') ? kind : type) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    case 'enum': return `${Object.keys(ENUMS[name]).map(m => `${name}.${m}`).join(' or ')} (the values ${Object.values(ENUMS[name]).map(v => `"${v}"`).join(', ')})`;
    case 'struct': return `an object (${name})`;
    case 'class': return name === 'ServiceImage' ? 'a ServiceImage (e.g. ServiceImage.fromEcrRepository(repository))' : `a ${typeName(name)}`;
    default: return `a ${typeName(name)}`;
  }
}

/** `aws-cdk-lib.aws_ec2.IVpc` -> `ec2.IVpc`, as users write it. */
function typeName(fqn: string): string {
  return fqn.replace(/^aws-cdk-lib\.(aws_)?/, '');
}

function plural(type: string): string {
  const [kind, name] = type.includes(':') ? [type.slice(0, type.indexOf(':')), type.slice(type.indexOf(':') + 1)] : [type, ''];
  switch (kind) {
    case 'string': return 'strings';
    case 'number': return 'numbers';
    case 'boolean': return 'booleans';
    case 'struct': return `objects (${name})`;
    case 'enum': return `values of ${name} (${Object.values(ENUMS[name]).map(v => `"${v}"`).join(', ')})`;
    default: return describeType(type).replace(/^(a|an) /, '').replace(/( \(|$)/, 's$1');
  }
}

function hint(type: string, value: unknown): string {
  if (type === 'string' && typeof value === 'number') return ` (quote it: "${value}")`;
  if (type === 'array<string>' && typeof value === 'string') return ` (e.g. ${JSON.stringify(value.split(' ').filter(Boolean))})`;
  if (type.startsWith('array<') && !Array.isArray(value)) return ' (wrap a single value in [ ])';
  return '';
}

/** Same letters but for case, or one edit apart: the typos worth a suggestion. */
function isNear(known: string, typed: string): boolean {
  const [a, b] = [known.toLowerCase(), typed.toLowerCase()];
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(i + (a.length >= b.length ? 1 : 0)) === b.slice(i + (b.length >= a.length ? 1 : 0));
}

function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || typeof prototype?.constructor !== 'function' || prototype.constructor === Object;
}
