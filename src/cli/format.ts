/**
 * Human-readable rendering for the command line: tables, durations, counterexamples.
 *
 * @module
 */
import { match } from 'ts-pattern';
import type { CounterexampleState } from '../tlc/state.js';
import { type TlaValue, canonicalize, compareCanonical, printTla, tla, tlaEquals } from '../tla/value.js';

/** `1,234,567`. */
export function formatCount(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US');
}

export { formatSeconds } from '../units.js';

/** `42s`, `3m07s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A plain text table; columns listed in `right` are right-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `text` with each line indented, so a multi-line message stays one block; blank lines stay empty. */
export function indentLines(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `${indent}${line}`))
    .join('\n');
}

/**
 * The step's name: the spec's action label (`action` variable, see ARCHITECTURE.md section 2) when present,
 * as `Timeout(node: s1)`, else the action TLC names.
 */
export function describeStep(state: CounterexampleState): string {
  const label = state.vars.action;
  return (label === undefined ? null : formatActionLabel(label)) ?? (state.action === null ? 'Init' : state.action.name);
}

/** An action label record as one line, `Timeout(node: s1)`; null for a value that is not a label. */
export function formatActionLabel(label: TlaValue): string | null {
  if (label.kind !== 'record') return null;
  const name = label.fields.get('name');
  if (name?.kind !== 'str') return null;
  const params = [...label.fields].filter(([k]) => k !== 'name').map(([k, v]) => `${k}: ${printTla(v)}`);
  return params.length > 0 ? `${name.value}(${params.join(', ')})` : name.value;
}

/**
 * A counterexample as a story: each step's action, then the variables it changed (all variables for
 * the first state). The `action` label variable is shown as the step name rather than as a change.
 */
export function renderCounterexample(
  states: readonly CounterexampleState[],
  extra: { loopsBackTo?: number; endsInStuttering?: boolean } = {},
  indent = '    ',
): string {
  const out: string[] = [];
  let previous: Readonly<Record<string, TlaValue>> | undefined;
  for (const state of states) {
    out.push(`${indent}${String(state.index).padStart(2)}  ${describeStep(state)}`);
    const changes = Object.entries(state.vars)
      .filter(([name]) => name !== 'action')
      .flatMap(([name, value]) => describeChange(name, previous?.[name], value));
    for (const change of changes) out.push(`${indent}      ${change}`);
    if (previous !== undefined && changes.length === 0) out.push(`${indent}      (no variable changed)`);
    previous = state.vars;
  }
  if (extra.loopsBackTo !== undefined) out.push(`${indent}    ... and back to state ${extra.loopsBackTo}, forever`);
  if (extra.endsInStuttering) out.push(`${indent}    ... then nothing happens, forever (stuttering)`);
  return out.join('\n');
}

/**
 * What changed in one variable, as lines:
 * - for a set, or a function keyed by compound values such as Raft's bag of messages (message record
 *   to number of copies), one line per element added (`messages: + m`, `+ m (x2)`) or removed
 *   (`messages: - m`) and, in a bag, per count that moved (`messages[m]: 1 -> 2`): the whole value
 *   would repeat every message still in flight;
 * - for a function or record keyed by atoms with an unchanged domain, `f[k] = v` for each changed
 *   entry (so a 5-server map shows only the server that moved);
 * - else the whole value.
 */
export function describeChange(name: string, before: TlaValue | undefined, after: TlaValue): string[] {
  if (before === undefined) return [`${name} = ${printTla(after)}`];
  if (tlaEquals(before, after)) return [];
  return describeMemberChanges(name, before, after) ?? describeEntryChanges(name, before, after) ?? [`${name} = ${printTla(after)}`];
}

/** The entries of a function or record whose domain did not change, one line per changed value. */
function describeEntryChanges(name: string, before: TlaValue, after: TlaValue): string[] | undefined {
  const a = entriesOf(canonicalize(before));
  const b = entriesOf(canonicalize(after));
  if (!a || !b || a.length !== b.length || !a.every(([k], i) => tlaEquals(k, (b[i] as [TlaValue, TlaValue])[0]))) return undefined;
  return b
    .filter(([, v], i) => !tlaEquals((a[i] as [TlaValue, TlaValue])[1], v))
    .map(([k, v]) => `${name}${isRecordField(after, k) ? `.${(k as { value: string }).value}` : `[${printTla(k)}]`} = ${printTla(v)}`);
}

function isRecordField(value: TlaValue, key: TlaValue): boolean {
  return canonicalize(value).kind === 'record' && key.kind === 'str';
}

function entriesOf(value: TlaValue): [TlaValue, TlaValue][] | undefined {
  if (value.kind === 'fn') return value.entries.map(([k, v]) => [k, v]);
  if (value.kind === 'record') return [...value.fields].map(([k, v]) => [tla.str(k), v]);
  if (value.kind === 'seq' && value.elements.length > 0) return value.elements.map((v, i) => [tla.int(i + 1), v]);
  return undefined;
}

/** An element of a set, or a key of a function with its value; `canonical` is what it is matched by. */
interface Member {
  readonly element: TlaValue;
  readonly canonical: TlaValue;
  readonly value?: TlaValue;
}

/** A value whose change reads best element by element. */
interface Collection {
  readonly kind: 'set' | 'function';
  readonly members: readonly Member[];
}

/**
 * A set, or a function keyed by compound values (records, tuples, sets, functions), as members;
 * undefined for other values, so functions keyed by atoms (server ids) keep the `f[k] = v` form.
 */
function collectionOf(value: TlaValue): Collection | undefined {
  const member = (element: TlaValue, mapsTo?: TlaValue): Member => ({ element, canonical: canonicalize(element), ...(mapsTo ? { value: mapsTo } : {}) });
  return match(value)
    .with({ kind: 'set' }, (v): Collection => ({ kind: 'set', members: v.elements.map((e) => member(e)) }))
    .with({ kind: 'fn' }, (v): Collection | undefined =>
      v.entries.some(([k]) => isCompound(k)) ? { kind: 'function', members: v.entries.map(([k, e]) => member(k, e)) } : undefined,
    )
    // TLC prints any empty function, an empty bag included, as <<>>: read back as an empty sequence.
    .with({ kind: 'seq' }, (v): Collection | undefined => (v.elements.length === 0 ? { kind: 'function', members: [] } : undefined))
    .with({ kind: 'record' }, (v): Collection | undefined => (v.fields.size === 0 ? { kind: 'function', members: [] } : undefined))
    .with({ kind: 'bool' }, { kind: 'int' }, { kind: 'str' }, { kind: 'modelValue' }, () => undefined)
    .exhaustive();
}

function isCompound(value: TlaValue): boolean {
  return match(value.kind)
    .with('set', 'seq', 'record', 'fn', () => true)
    .with('bool', 'int', 'str', 'modelValue', () => false)
    .exhaustive();
}

/** A bag (TLA+'s Bags module): a function to positive counts, the number of copies of each element. */
function isBag(collection: Collection): boolean {
  return collection.kind === 'function' && collection.members.every((m) => m.value?.kind === 'int' && m.value.value > 0n);
}

/**
 * Elements removed, then counts (of a bag) or values (of another function) changed, then elements
 * added; undefined unless both values are sets or both are functions keyed by compound values.
 */
function describeMemberChanges(name: string, before: TlaValue, after: TlaValue): string[] | undefined {
  const was = collectionOf(before);
  const is = collectionOf(after);
  if (!was || !is || was.kind !== is.kind) return undefined;
  const find = (members: readonly Member[], wanted: Member) => members.find((m) => compareCanonical(m.canonical, wanted.canonical) === 0);
  const bag = isBag(was) && isBag(is);
  const show = (m: Member): string => {
    const element = printTla(m.element);
    if (m.value === undefined) return element;
    return bag ? `${element}${copies(m.value)}` : `${element} :> ${printTla(m.value)}`;
  };
  const removed = was.members.filter((m) => !find(is.members, m)).map((m) => `${name}: - ${show(m)}`);
  const changed = is.members.flatMap((m) => {
    const old = find(was.members, m)?.value;
    if (old === undefined || m.value === undefined || tlaEquals(old, m.value)) return [];
    const key = `${name}[${printTla(m.element)}]`;
    return [bag ? `${key}: ${printTla(old)} -> ${printTla(m.value)}` : `${key} = ${printTla(m.value)}`];
  });
  const added = is.members.filter((m) => !find(was.members, m)).map((m) => `${name}: + ${show(m)}`);
  return [...removed, ...changed, ...added];
}

/** ` (x2)` after an element held twice in a bag; nothing for a single copy. */
function copies(count: TlaValue): string {
  return count.kind === 'int' && count.value === 1n ? '' : ` (x${printTla(count)})`;
}
