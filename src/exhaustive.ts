/**
 * Exhaustive dispatch for hot paths (the Raft core, replay, the simulator and the KV state machine it drives).
 *
 * Elsewhere the project matches unions with ts-pattern's `match(...).exhaustive()`. In the few functions
 * that run for every step of a replay or a simulation, building a matcher per call cost more than a third
 * of the time (measured with `npm run bench -- replay sim`), so those use a `switch` ending in
 * {@link unreachable} or a handler table typed as a mapped type over the discriminant. Both keep the
 * guarantee that matters: adding a variant to the union is a compile error until every such place handles it.
 *
 * @module
 */

/**
 * The `default` of an exhaustive `switch`: it only type-checks when every variant was handled, because only
 * then is the value's type `never`. Reaching it at run time means a value came from untyped input.
 */
export function unreachable(value: never, what: string): never {
  throw new TypeError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
