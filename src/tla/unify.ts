/**
 * One shape per variable across the states of a behaviour, for typed readers of what we write.
 *
 * TLC prints an empty function as `<<>>`, a function over `1..n` as a sequence and one over strings
 * as a record; so the same variable may read as a sequence in one state (`messages = <<>>`, nothing
 * in flight) and as a function in the next (`messages = (m :> 1)`). To TLA+ these are the same kind of
 * value, but an ITF reader with types (Apalache's, Quint's) rejects a variable that is a list in one
 * state and a `#map` in another. {@link unifyShapes} rewrites the values so each path through them has
 * one shape in every state: a function wherever any state has a function, a record wherever a record
 * meets an empty sequence.
 *
 * @module
 */
import type { TlaValue } from './value.js';

type Kind = TlaValue['kind'];

function asFunction(value: TlaValue): TlaValue {
  if (value.kind === 'seq') return { kind: 'fn', entries: value.elements.map((e, i) => [{ kind: 'int', value: BigInt(i + 1) }, e] as const) };
  if (value.kind === 'record') return { kind: 'fn', entries: [...value.fields].map(([k, v]) => [{ kind: 'str', value: k }, v] as const) };
  return value;
}

/** Rewrites `values` (one variable's value in each state, or sibling values) to one shape; order is kept. */
export function unifyShapes(values: readonly TlaValue[]): TlaValue[] {
  const kinds = new Set<Kind>(values.map((v) => v.kind));
  let out: TlaValue[] = [...values];
  if (kinds.has('fn') && (kinds.has('seq') || kinds.has('record'))) {
    out = out.map(asFunction);
  } else if (kinds.has('record') && kinds.has('seq') && out.every((v) => v.kind !== 'seq' || v.elements.length === 0)) {
    out = out.map((v) => (v.kind === 'seq' ? { kind: 'record', fields: new Map() } : v));
  } else if (kinds.has('record') && kinds.has('seq')) {
    out = out.map(asFunction);
  }
  return unifyChildren(out);
}

/** Unifies, across all the values, the parts at the same place inside them. */
function unifyChildren(values: TlaValue[]): TlaValue[] {
  // Every element of every set or sequence is one population; so are all keys, and all values, of the
  // functions; record fields are unified per field name.
  const elements: TlaValue[] = [];
  const keys: TlaValue[] = [];
  const images: TlaValue[] = [];
  const fields = new Map<string, TlaValue[]>();
  for (const v of values) {
    if (v.kind === 'set' || v.kind === 'seq') elements.push(...v.elements);
    else if (v.kind === 'fn') for (const [k, e] of v.entries) keys.push(k), images.push(e);
    else if (v.kind === 'record') for (const [name, f] of v.fields) fields.set(name, [...(fields.get(name) ?? []), f]);
  }
  if (elements.length + keys.length + fields.size === 0) return values;
  const newElements = unifyShapes(elements);
  const newKeys = unifyShapes(keys);
  const newImages = unifyShapes(images);
  const newFields = new Map([...fields].map(([name, fs]) => [name, unifyShapes(fs)]));
  let e = 0;
  let k = 0;
  const fieldAt = new Map<string, number>();
  return values.map((v): TlaValue => {
    switch (v.kind) {
      case 'set':
      case 'seq':
        return { kind: v.kind, elements: v.elements.map(() => newElements[e++] as TlaValue) };
      case 'fn':
        return { kind: 'fn', entries: v.entries.map(() => [newKeys[k], newImages[k++]] as [TlaValue, TlaValue]) };
      case 'record':
        return {
          kind: 'record',
          fields: new Map(
            [...v.fields.keys()].map((name) => {
              const at = fieldAt.get(name) ?? 0;
              fieldAt.set(name, at + 1);
              return [name, (newFields.get(name) as TlaValue[])[at] as TlaValue];
            }),
          ),
        };
      default:
        return v;
    }
  });
}

/** {@link unifyShapes} applied per variable to a sequence of states. */
export function unifyStates<S extends Readonly<Record<string, TlaValue>>>(states: readonly S[]): Record<string, TlaValue>[] {
  const names = [...new Set(states.flatMap((s) => Object.keys(s)))];
  const out: Record<string, TlaValue>[] = states.map(() => ({}));
  for (const name of names) {
    const present = states.map((s, i) => [i, s[name]] as const).filter((p): p is readonly [number, TlaValue] => p[1] !== undefined);
    const unified = unifyShapes(present.map(([, v]) => v));
    present.forEach(([i], j) => ((out[i] as Record<string, TlaValue>)[name] = unified[j] as TlaValue));
  }
  return out;
}
