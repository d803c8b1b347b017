/**
 * A canonical text form for plain JSON-like values: object keys sorted at every level. Two values that are
 * equal as spec records get the same text, which makes it usable as a bag key and as a sort key.
 *
 * @module
 */

/** JSON with object keys sorted recursively; arrays keep their order (they are sequences). */
export function canonicalJson(value: unknown): string {
  // Written out rather than `JSON.stringify` of a key-sorted copy: it keys every state the state-graph
  // check meets, and building the copy cost more than the text. Same output as that form.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out += (i > 0 ? ',' : '') + (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item));
    }
    return `${out}]`;
  }
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const record = value as Record<string, unknown>;
    let out = '{';
    let first = true;
    for (const key of orderedKeys(record)) {
      const field = record[key];
      if (field === undefined || typeof field === 'function') continue;
      out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(field)}`;
      first = false;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,8})$/;

/**
 * The keys in the order a key-sorted copy would list them: sorted, except that keys which are array
 * indexes come first in numeric order (as in every JS object).
 */
function orderedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record).sort();
  if (!keys.some((k) => ARRAY_INDEX.test(k))) return keys;
  const indexes = keys.filter((k) => ARRAY_INDEX.test(k)).sort((a, b) => Number(a) - Number(b));
  return [...indexes, ...keys.filter((k) => !ARRAY_INDEX.test(k))];
}

/** Compare two strings by code unit, the order `Array.prototype.sort` uses, as an explicit comparator. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
