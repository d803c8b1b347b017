/**
 * Human-readable rendering for the command line: tables, durations, counterexamples.
 *
 * @module
 */
import type { CounterexampleState } from '../tlc/state.js';
import { type TlaValue, canonicalize, printTla, tla, tlaEquals } from '../tla/value.js';

/** `1,234,567`. */
export function formatCount(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US');
}

/** `0.8`, `12.3`, `754`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 100 ? s.toFixed(1) : s.toFixed(0);
}

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

/**
 * The step's name: the spec's action label (`action` variable, see DESIGN section 2) when present,
 * as `Timeout(node: s1)`, else the action TLC names.
 */
export function describeStep(state: CounterexampleState): string {
  const label = state.vars.action;
  if (label?.kind === 'record') {
    const name = label.fields.get('name');
    const params = [...label.fields].filter(([k]) => k !== 'name').map(([k, v]) => `${k}: ${printTla(v)}`);
    if (name?.kind === 'str') return params.length > 0 ? `${name.value}(${params.join(', ')})` : name.value;
  }
  return state.action === null ? 'Init' : state.action.name;
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
 * What changed in one variable: nothing, `f[k] = v` for each changed entry of a function or record
 * with an unchanged domain (so a 5-server map shows only the server that moved), or the whole value.
 */
export function describeChange(name: string, before: TlaValue | undefined, after: TlaValue): string[] {
  if (before === undefined) return [`${name} = ${printTla(after)}`];
  if (tlaEquals(before, after)) return [];
  const a = entriesOf(canonicalize(before));
  const b = entriesOf(canonicalize(after));
  if (a && b && a.length === b.length && a.every(([k], i) => tlaEquals(k, (b[i] as [TlaValue, TlaValue])[0]))) {
    return b
      .filter(([, v], i) => !tlaEquals((a[i] as [TlaValue, TlaValue])[1], v))
      .map(([k, v]) => `${name}${isRecordField(after, k) ? `.${(k as { value: string }).value}` : `[${printTla(k)}]`} = ${printTla(v)}`);
  }
  return [`${name} = ${printTla(after)}`];
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
