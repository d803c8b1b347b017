/**
 * A canonical text form for plain JSON-like values: object keys sorted at every level. Two values that are
 * equal as spec records get the same text, which makes it usable as a bag key and as a sort key.
 *
 * @module
 */

/** JSON with object keys sorted recursively; arrays keep their order (they are sequences). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Compare two strings by code unit, the order `Array.prototype.sort` uses, as an explicit comparator. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
