/**
 * The TLA+ value model shared by everything that reads or writes spec states: TLC's printed
 * counterexamples, ITF traces and the abstraction functions of the protocol cores.
 *
 * TLC prints a function whose domain is `1..n` as a sequence `<<...>>` and a function whose domain
 * is a set of strings as a record `[f |-> ...]`, and the three coincide when empty. Values therefore
 * keep the shape they were read or built with, and {@link canonicalize} / {@link tlaEquals} decide
 * equality the way TLA+ does.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { unreachable } from '../exhaustive.js';

/** A TLA+ value as TLC evaluates it. */
export type TlaValue =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'str'; readonly value: string }
  /** A model value (an uninterpreted constant such as `s1` or `Nil`). */
  | { readonly kind: 'modelValue'; readonly name: string }
  | { readonly kind: 'set'; readonly elements: readonly TlaValue[] }
  /** A sequence or tuple: TLC prints both as `<<...>>` and cannot tell them apart. */
  | { readonly kind: 'seq'; readonly elements: readonly TlaValue[] }
  | { readonly kind: 'record'; readonly fields: ReadonlyMap<string, TlaValue> }
  /** Any other function, as `(k1 :> v1 @@ k2 :> v2)`. */
  | { readonly kind: 'fn'; readonly entries: readonly (readonly [TlaValue, TlaValue])[] };

/**
 * Why a name is refused as a key of a plain object: every plain JavaScript object inherits a
 * property of that name from `Object.prototype` (`constructor`, `__proto__`, `hasOwnProperty`,
 * `toString`, ...), so `obj[name]` would read the inherited property and `obj[name] = v` could set
 * the object's prototype instead of storing `v`.
 */
export const INHERITED_NAME = 'a name every JavaScript object inherits (Object.prototype)';

const INHERITED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Whether `name` is one of `Object.prototype`'s properties. Names read from a file (variables,
 * servers, record fields, action parameters) that would become keys of a plain object are refused
 * when this holds (see {@link INHERITED_NAME}); inside values, records are Maps and any name is fine.
 */
export function isInheritedName(name: string): boolean {
  return INHERITED_NAMES.has(name);
}

/** The kinds of {@link TlaValue}, for exhaustive handling. */
export type TlaValueKind = TlaValue['kind'];

/** Small constructors, so tests and abstraction functions read like TLA+. */
export const tla = {
  bool: (value: boolean): TlaValue => ({ kind: 'bool', value }),
  int: (value: number | bigint): TlaValue => ({ kind: 'int', value: BigInt(value) }),
  str: (value: string): TlaValue => ({ kind: 'str', value }),
  modelValue: (name: string): TlaValue => ({ kind: 'modelValue', name }),
  set: (...elements: TlaValue[]): TlaValue => ({ kind: 'set', elements }),
  seq: (...elements: TlaValue[]): TlaValue => ({ kind: 'seq', elements }),
  record: (fields: Readonly<Record<string, TlaValue>>): TlaValue => ({
    kind: 'record',
    fields: new Map(Object.entries(fields)),
  }),
  fn: (entries: readonly (readonly [TlaValue, TlaValue])[]): TlaValue => ({ kind: 'fn', entries }),
} as const;

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\f': '\\f',
};

/** Quotes a string the way TLA+ writes string literals. */
export function quoteTlaString(value: string): string {
  return `"${value.replace(/["\\\n\t\r\f]/g, (c) => STRING_ESCAPES[c] ?? c)}"`;
}

/** Prints a value in TLA+ syntax, in the form TLC itself prints values. */
export function printTla(value: TlaValue): string {
  return match(value)
    .with({ kind: 'bool' }, (v) => (v.value ? 'TRUE' : 'FALSE'))
    .with({ kind: 'int' }, (v) => v.value.toString())
    .with({ kind: 'str' }, (v) => quoteTlaString(v.value))
    .with({ kind: 'modelValue' }, (v) => v.name)
    .with({ kind: 'set' }, (v) => `{${v.elements.map(printTla).join(', ')}}`)
    .with({ kind: 'seq' }, (v) => `<<${v.elements.map(printTla).join(', ')}>>`)
    .with({ kind: 'record' }, (v) =>
      v.fields.size === 0
        ? '<<>>'
        : `[${[...v.fields].map(([name, field]) => `${name} |-> ${printTla(field)}`).join(', ')}]`,
    )
    .with({ kind: 'fn' }, (v) =>
      v.entries.length === 0
        ? '<<>>'
        : `(${v.entries.map(([k, e]) => `${printTla(k)} :> ${printTla(e)}`).join(' @@ ')})`,
    )
    .exhaustive();
}

// Rank of each kind in the canonical order; values of different kinds compare by rank.
const KIND_RANK: Readonly<Record<TlaValueKind, number>> = {
  bool: 0,
  int: 1,
  str: 2,
  modelValue: 3,
  set: 4,
  seq: 5,
  record: 6,
  fn: 7,
};

/**
 * Canonical form: sets sorted and deduplicated, functions with domain `1..n` as sequences,
 * functions with a non-empty string domain as records, empty functions as the empty sequence,
 * function entries and record fields sorted. Two values are equal in TLA+ iff their canonical forms
 * are structurally identical.
 */
export function canonicalize(value: TlaValue): TlaValue {
  // A switch, not ts-pattern: every state the state-graph check reads goes through here (DESIGN section 12;
  // ts-pattern made it the check's largest cost).
  switch (value.kind) {
    case 'bool':
    case 'int':
    case 'str':
    case 'modelValue':
      return value;
    case 'set':
      return { kind: 'set', elements: sortUnique(value.elements.map(canonicalize)) };
    case 'seq':
      return { kind: 'seq', elements: value.elements.map(canonicalize) };
    case 'record':
      return canonicalFunction([...value.fields].map(([name, field]) => [tla.str(name), canonicalize(field)] as const));
    case 'fn':
      return canonicalFunction(value.entries.map(([k, e]) => [canonicalize(k), canonicalize(e)] as const));
    default:
      return unreachable(value, 'TLA+ value');
  }
}

function canonicalFunction(entries: readonly (readonly [TlaValue, TlaValue])[]): TlaValue {
  const sorted = [...entries].sort(([a], [b]) => compareCanonical(a, b));
  if (sorted.length === 0) return { kind: 'seq', elements: [] };
  const isSequence = sorted.every(([k], i) => k.kind === 'int' && k.value === BigInt(i + 1));
  if (isSequence) return { kind: 'seq', elements: sorted.map(([, v]) => v) };
  if (sorted.every(([k]) => k.kind === 'str')) {
    return { kind: 'record', fields: new Map(sorted.map(([k, v]) => [(k as { value: string }).value, v])) };
  }
  return { kind: 'fn', entries: sorted };
}

function sortUnique(elements: TlaValue[]): TlaValue[] {
  const sorted = elements.sort(compareCanonical);
  return sorted.filter((e, i) => i === 0 || compareCanonical(sorted[i - 1] as TlaValue, e) !== 0);
}

/** A total order on canonical values (see {@link canonicalize}); used to sort sets and domains. */
export function compareCanonical(a: TlaValue, b: TlaValue): number {
  if (a.kind !== b.kind) return KIND_RANK[a.kind] - KIND_RANK[b.kind];
  // Switches, not ts-pattern: the hot path of sorting sets and domains (see canonicalize). Each case
  // narrows `b` by the kind `a` was found to share with it.
  switch (a.kind) {
    case 'bool':
      return Number(a.value) - Number((b as typeof a).value);
    case 'int': {
      const y = (b as typeof a).value;
      return a.value < y ? -1 : a.value > y ? 1 : 0;
    }
    case 'str':
      return compareStrings(a.value, (b as typeof a).value);
    case 'modelValue':
      return compareStrings(a.name, (b as typeof a).name);
    case 'set':
    case 'seq':
      return compareLists(a.elements, (b as typeof a).elements);
    case 'record':
      return compareLists(
        [...a.fields].flatMap(([k, v]) => [tla.str(k), v]),
        [...(b as typeof a).fields].flatMap(([k, v]) => [tla.str(k), v]),
      );
    case 'fn':
      return compareLists(a.entries.flat(), (b as typeof a).entries.flat());
    default:
      return unreachable(a, 'TLA+ value');
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareLists(a: readonly TlaValue[], b: readonly TlaValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareCanonical(a[i] as TlaValue, b[i] as TlaValue);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Equality as TLA+ defines it (sets unordered, `<<a, b>>` equal to `(1 :> a @@ 2 :> b)`, ...). */
export function tlaEquals(a: TlaValue, b: TlaValue): boolean {
  return compareCanonical(canonicalize(a), canonicalize(b)) === 0;
}
