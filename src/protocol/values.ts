/**
 * Reading a trace's TLA+ values into a protocol's own types, checked: each reader takes the value and
 * the path it was found at (`votedFor[s2]`, `messages (message 3).mterm`) and either returns the typed
 * value or throws one {@link SpecValueError} naming that path. Every protocol definition reads its
 * traces with these, so a hand-edited or foreign trace fails the same precise way whatever the protocol.
 *
 * Names from a trace may become keys of plain objects (a core's per-server records): a name every
 * JavaScript object inherits (`__proto__`, `constructor`, ...) is refused rather than used.
 *
 * @module
 */
import { INHERITED_NAME, type TlaValue, canonicalize, isInheritedName } from '../tla/value.js';
import { SpecValueError } from './definition.js';

export { SpecValueError };

/** A value in a message: its content for atoms, its kind for anything bigger. */
export function showValue(value: TlaValue): string {
  switch (value.kind) {
    case 'bool':
      return String(value.value);
    case 'int':
      return value.value.toString();
    case 'str':
      return JSON.stringify(value.value);
    case 'modelValue':
      return value.name;
    default:
      return `a ${value.kind}`;
  }
}

/** A model value's or a string's name (server ids and client values may arrive as either). */
export function nameOf(value: TlaValue, path: string, what = 'a server or value name'): string {
  if (value.kind === 'modelValue') return value.name;
  if (value.kind === 'str') return value.value;
  throw new SpecValueError(path, `expected ${what}, got ${showValue(value)}`);
}

/** A name that is about to key a plain object; refused when every JS object inherits it. */
export function objectKey(name: string, path: string, what = 'name'): string {
  if (isInheritedName(name)) throw new SpecValueError(path, `${what} ${JSON.stringify(name)} is ${INHERITED_NAME}; rename it`);
  return name;
}

export function nat(value: TlaValue, path: string): number {
  if (value.kind !== 'int' || value.value < 0n) throw new SpecValueError(path, `expected a natural number, got ${showValue(value)}`);
  const n = Number(value.value);
  if (!Number.isSafeInteger(n)) throw new SpecValueError(path, `${value.value} is too large`);
  return n;
}

export function bool(value: TlaValue, path: string): boolean {
  if (value.kind !== 'bool') throw new SpecValueError(path, `expected TRUE or FALSE, got ${showValue(value)}`);
  return value.value;
}

/** One of the given strings (a role, a message type). */
export function oneOf<S extends string>(value: TlaValue, choices: readonly S[], path: string): S {
  if (value.kind !== 'str' || !(choices as readonly string[]).includes(value.value)) {
    throw new SpecValueError(path, `expected one of ${choices.join(', ')}, got ${showValue(value)}`);
  }
  return value.value as S;
}

/** A function's entries, whatever form TLC printed it in (an empty function may look like `<<>>`). */
export function functionEntries(value: TlaValue, path: string): (readonly [TlaValue, TlaValue])[] {
  const c = canonicalize(value);
  switch (c.kind) {
    case 'fn':
      return [...c.entries];
    case 'record':
      return [...c.fields].map(([k, v]) => [{ kind: 'str', value: k } as TlaValue, v] as const);
    case 'seq':
      return c.elements.map((e, i) => [{ kind: 'int', value: BigInt(i + 1) } as TlaValue, e] as const);
    default:
      throw new SpecValueError(path, `expected a function, got ${showValue(c)}`);
  }
}

/**
 * A function whose domain must be exactly `domain` (the servers, say), each value read by `read`; the
 * result's keys are in `domain`'s order.
 */
export function functionOver<T>(
  value: TlaValue,
  domain: readonly string[],
  path: string,
  read: (v: TlaValue, path: string) => T,
  domainName = 'the servers',
): Record<string, T> {
  const out = new Map<string, T>();
  const known = new Set(domain);
  for (const [k, v] of functionEntries(value, path)) {
    const id = nameOf(k, `${path} (a key)`);
    if (!known.has(id)) throw new SpecValueError(`${path}[${id}]`, `${id} is not one of ${domainName} (${domain.join(', ')})`);
    out.set(id, read(v, `${path}[${id}]`));
  }
  const missing = domain.filter((s) => !out.has(s));
  if (missing.length > 0) throw new SpecValueError(path, `has no entry for ${missing.join(', ')}: its domain must be ${domainName}`);
  // The domain's names were checked when it was read (objectKey), so they key a plain object safely.
  return Object.fromEntries(domain.map((s) => [s, out.get(s) as T]));
}

/** The names a function's domain holds, sorted, each checked to key a plain object. */
export function domainOf(value: TlaValue, path: string, what = 'server'): string[] {
  return functionEntries(value, path)
    .map(([k]) => objectKey(nameOf(k, `${path} (a key)`), path, what))
    .sort();
}

export function sequence(value: TlaValue, path: string): TlaValue[] {
  const c = canonicalize(value);
  if (c.kind !== 'seq') throw new SpecValueError(path, `expected a sequence, got ${showValue(c)}`);
  return [...c.elements];
}

/** A set's elements (canonical order). */
export function setElements(value: TlaValue, path: string): TlaValue[] {
  const c = canonicalize(value);
  if (c.kind !== 'set') throw new SpecValueError(path, `expected a set, got ${showValue(c)}`);
  return [...c.elements];
}

/** A record with exactly `fields`. */
export function recordFields(value: TlaValue, path: string, fields: readonly string[]): ReadonlyMap<string, TlaValue> {
  if (value.kind !== 'record') throw new SpecValueError(path, `expected a record, got ${showValue(value)}`);
  const missing = fields.filter((f) => !value.fields.has(f));
  const extra = [...value.fields.keys()].filter((f) => !fields.includes(f));
  if (missing.length > 0 || extra.length > 0) {
    throw new SpecValueError(path, `expected fields ${fields.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}`);
  }
  return value.fields;
}

/** A variable of a state; missing is a {@link SpecValueError}. */
export function variable(vars: Readonly<Record<string, TlaValue>>, name: string): TlaValue {
  const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
  if (value === undefined) throw new SpecValueError(name, 'is missing');
  return value;
}

/**
 * An action label `[name |-> "Campaign", node |-> s1, ...]`: its name and parameters, checked to be a
 * record with a string `name`. The protocol then reads the parameters its action takes.
 */
export function actionRecord(value: TlaValue, path = 'action'): { readonly name: string; readonly params: ReadonlyMap<string, TlaValue> } {
  if (value.kind !== 'record') throw new SpecValueError(path, `expected an action label record, got ${showValue(value)}`);
  const name = value.fields.get('name');
  if (name?.kind !== 'str') throw new SpecValueError(`${path}.name`, `expected the action's name, got ${name === undefined ? 'nothing' : showValue(name)}`);
  return { name: name.value, params: value.fields };
}

/** Checks that an action label has exactly `fields` (its `name` included), so no stray parameter passes unseen. */
function expectParams(label: { readonly name: string; readonly params: ReadonlyMap<string, TlaValue> }, fields: readonly string[], path = 'action'): void {
  const extra = [...label.params.keys()].filter((f) => !fields.includes(f));
  if (extra.length > 0) throw new SpecValueError(path, `${label.name} takes ${fields.filter((f) => f !== 'name').join(', ') || 'no parameters'}, not ${extra.map((f) => JSON.stringify(f)).join(', ')}`);
}

/**
 * An action label of a vocabulary: `parameters` lists, for each action, the parameters its label carries
 * besides its name. A name outside the vocabulary is a {@link SpecValueError} with code `unknown-action`;
 * a missing or extra parameter, a `shape` one (read each with {@link param}).
 */
export function vocabularyLabel<N extends string>(
  value: TlaValue,
  parameters: Readonly<Record<N, readonly string[]>>,
): { readonly name: N; readonly params: ReadonlyMap<string, TlaValue> } {
  const label = actionRecord(value);
  if (!Object.hasOwn(parameters, label.name)) throw new SpecValueError('action', `unknown action name ${JSON.stringify(label.name)}`, 'unknown-action');
  const name = label.name as N;
  expectParams(label, ['name', ...parameters[name]]);
  for (const p of parameters[name]) param(label, p);
  return { name, params: label.params };
}

/** A parameter of an action label; missing is a {@link SpecValueError}. */
export function param(label: { readonly params: ReadonlyMap<string, TlaValue> }, name: string, path = 'action'): TlaValue {
  const value = label.params.get(name);
  if (value === undefined) throw new SpecValueError(path, `field "${name}" is missing`);
  return value;
}
