/**
 * Encoding of {@link TlaValue}s in the Informal Trace Format (ITF) of Apalache and Quint.
 *
 * Integers are `{"#bigint": "42"}` (plain JSON numbers are accepted when reading), sequences JSON
 * arrays, records JSON objects, sets `{"#set": [...]}`, other functions `{"#map": [[k, v], ...]}`
 * and model values plain strings: ITF has no model values, so a trace lists their names in
 * `#meta` and the reader is told which strings to read back as model values.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { type TlaValue, tla } from '../tla/value.js';

/** A JSON value as found in an ITF file. */
export type ItfJson = boolean | number | string | null | ItfJson[] | { [key: string]: ItfJson };

/** A value in an ITF file is not one the format allows. */
export class ItfValueError extends Error {
  constructor(
    message: string,
    /** JSON-pointer-like path of the offending value inside the decoded document. */
    readonly path: string,
  ) {
    super(`${message} at ${path || '/'}`);
    this.name = 'ItfValueError';
  }
}

/** Encodes a value as ITF JSON. */
export function toItf(value: TlaValue): ItfJson {
  return match(value)
    .with({ kind: 'bool' }, (v): ItfJson => v.value)
    .with({ kind: 'int' }, (v): ItfJson => ({ '#bigint': v.value.toString() }))
    .with({ kind: 'str' }, (v): ItfJson => v.value)
    .with({ kind: 'modelValue' }, (v): ItfJson => v.name)
    .with({ kind: 'set' }, (v): ItfJson => ({ '#set': v.elements.map(toItf) }))
    .with({ kind: 'seq' }, (v): ItfJson => v.elements.map(toItf))
    .with({ kind: 'record' }, (v): ItfJson => {
      const fields: [string, ItfJson][] = [];
      for (const [name, field] of v.fields) {
        if (name.startsWith('#')) throw new ItfValueError(`record field ${JSON.stringify(name)} clashes with ITF markers`, '');
        fields.push([name, toItf(field)]);
      }
      // Own properties, so a field named `__proto__` is written as one instead of setting the prototype.
      return Object.fromEntries(fields);
    })
    .with({ kind: 'fn' }, (v): ItfJson => ({ '#map': v.entries.map(([k, e]) => [toItf(k), toItf(e)]) }))
    .exhaustive();
}

/** How to read strings back: those named here become model values. */
export interface ItfDecodeOptions {
  readonly modelValues?: ReadonlySet<string>;
}

/**
 * How deep ITF values may nest: a value inside more containers (sequences, sets, maps, records) is
 * refused. TLC's values in these traces nest fewer than 10 deep; the cap keeps a hostile file from
 * overflowing the stack of every recursive function over values.
 */
export const MAX_ITF_DEPTH = 100;

/** The most digits a `#bigint` may have (a TLC integer has at most 10). */
export const MAX_BIGINT_DIGITS = 1000;

/**
 * Decodes ITF JSON into a value; throws {@link ItfValueError} naming the path of a bad value,
 * including a value nested deeper than {@link MAX_ITF_DEPTH} or a `#bigint` longer than
 * {@link MAX_BIGINT_DIGITS} digits.
 */
export function fromItf(json: ItfJson, options: ItfDecodeOptions = {}, path = ''): TlaValue {
  return decode(json, options, path, 0);
}

/** `depth`: how many containers hold `json`. */
function decode(json: ItfJson, options: ItfDecodeOptions, path: string, depth: number): TlaValue {
  if (typeof json === 'boolean') return tla.bool(json);
  if (typeof json === 'number') {
    if (!Number.isSafeInteger(json)) throw new ItfValueError(`number ${json} is not a safe integer`, path);
    return tla.int(json);
  }
  if (typeof json === 'string') return options.modelValues?.has(json) ? tla.modelValue(json) : tla.str(json);
  if (json === null || typeof json !== 'object') throw new ItfValueError(`${json === null ? 'null' : typeof json} is not a TLA+ value`, path);
  const keys = Array.isArray(json) ? [] : Object.keys(json);
  const marker = keys.length === 1 ? keys[0] : undefined;
  if (marker === '#bigint' && !Array.isArray(json)) {
    const digits = json[marker];
    if (typeof digits !== 'string' || !/^-?\d+$/.test(digits)) throw new ItfValueError('#bigint needs a decimal string', path);
    const count = digits.length - (digits.startsWith('-') ? 1 : 0);
    if (count > MAX_BIGINT_DIGITS) throw new ItfValueError(`#bigint has ${count} digits, more than the ${MAX_BIGINT_DIGITS} allowed`, path);
    return tla.int(BigInt(digits));
  }
  // Every other value is a container: its elements would lie one level deeper than the cap allows.
  if (depth >= MAX_ITF_DEPTH) throw new ItfValueError(`values nested deeper than ${MAX_ITF_DEPTH} levels`, path);
  const inner = (e: ItfJson, at: string) => decode(e, options, at, depth + 1);
  // Values are built directly, not with tla.seq(...elements): spreading a wide array overflows the stack.
  if (Array.isArray(json)) return { kind: 'seq', elements: json.map((e, i) => inner(e, `${path}/${i}`)) };
  if (marker === '#set' || marker === '#tup') {
    const items = json[marker];
    if (!Array.isArray(items)) throw new ItfValueError(`${marker} needs an array`, path);
    const elements = items.map((e, i) => inner(e, `${path}/${marker}/${i}`));
    return { kind: marker === '#set' ? 'set' : 'seq', elements };
  }
  if (marker === '#map') {
    const pairs = json[marker];
    if (!Array.isArray(pairs)) throw new ItfValueError('#map needs an array of pairs', path);
    return tla.fn(
      pairs.map((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw new ItfValueError('#map entries are [key, value] pairs', `${path}/#map/${i}`);
        // A pair is written as an array but is not a value of its own: its parts sit one level below the map.
        return [inner(pair[0] as ItfJson, `${path}/#map/${i}/0`), inner(pair[1] as ItfJson, `${path}/#map/${i}/1`)] as const;
      }),
    );
  }
  const unknownMarker = keys.find((k) => k.startsWith('#'));
  if (unknownMarker !== undefined) throw new ItfValueError(`unsupported ITF marker ${unknownMarker}`, path);
  // Object.keys lists own keys only (JSON.parse makes even "__proto__" an own key), and a record is a
  // Map: any field name is safe here. Turning a record into a plain object is where names are checked.
  return {
    kind: 'record',
    fields: new Map(keys.map((k) => [k, inner(json[k] as ItfJson, `${path}/${k}`)])),
  };
}
