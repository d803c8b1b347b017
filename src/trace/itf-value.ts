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
      const out: { [key: string]: ItfJson } = {};
      for (const [name, field] of v.fields) {
        if (name.startsWith('#')) throw new ItfValueError(`record field ${JSON.stringify(name)} clashes with ITF markers`, '');
        out[name] = toItf(field);
      }
      return out;
    })
    .with({ kind: 'fn' }, (v): ItfJson => ({ '#map': v.entries.map(([k, e]) => [toItf(k), toItf(e)]) }))
    .exhaustive();
}

/** How to read strings back: those named here become model values. */
export interface ItfDecodeOptions {
  readonly modelValues?: ReadonlySet<string>;
}

/** Decodes ITF JSON into a value; throws {@link ItfValueError} naming the path of a bad value. */
export function fromItf(json: ItfJson, options: ItfDecodeOptions = {}, path = ''): TlaValue {
  if (typeof json === 'boolean') return tla.bool(json);
  if (typeof json === 'number') {
    if (!Number.isSafeInteger(json)) throw new ItfValueError(`number ${json} is not a safe integer`, path);
    return tla.int(json);
  }
  if (typeof json === 'string') return options.modelValues?.has(json) ? tla.modelValue(json) : tla.str(json);
  if (json === null) throw new ItfValueError('null is not a TLA+ value', path);
  if (Array.isArray(json)) return tla.seq(...json.map((e, i) => fromItf(e, options, `${path}/${i}`)));
  const keys = Object.keys(json);
  const marker = keys.length === 1 ? keys[0] : undefined;
  if (marker === '#bigint') {
    const digits = json[marker];
    if (typeof digits !== 'string' || !/^-?\d+$/.test(digits)) throw new ItfValueError('#bigint needs a decimal string', path);
    return tla.int(BigInt(digits));
  }
  if (marker === '#set' || marker === '#tup') {
    const items = json[marker];
    if (!Array.isArray(items)) throw new ItfValueError(`${marker} needs an array`, path);
    const elements = items.map((e, i) => fromItf(e, options, `${path}/${marker}/${i}`));
    return marker === '#set' ? tla.set(...elements) : tla.seq(...elements);
  }
  if (marker === '#map') {
    const pairs = json[marker];
    if (!Array.isArray(pairs)) throw new ItfValueError('#map needs an array of pairs', path);
    return tla.fn(
      pairs.map((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw new ItfValueError('#map entries are [key, value] pairs', `${path}/#map/${i}`);
        return [fromItf(pair[0] as ItfJson, options, `${path}/#map/${i}/0`), fromItf(pair[1] as ItfJson, options, `${path}/#map/${i}/1`)] as const;
      }),
    );
  }
  const unknownMarker = keys.find((k) => k.startsWith('#'));
  if (unknownMarker !== undefined) throw new ItfValueError(`unsupported ITF marker ${unknownMarker}`, path);
  return {
    kind: 'record',
    fields: new Map(keys.map((k) => [k, fromItf(json[k] as ItfJson, options, `${path}/${k}`)])),
  };
}
