// Shared fast-check arbitraries. Every property test uses FC_SEED so a failure is reproducible:
// fast-check prints the seed and the shrunk counterexample; rerun with FC_SEED=<seed> to replay.
import fc from 'fast-check';
import type { TlaValue } from '../../src/tla/value.js';

/** The seed of every property test; override with the FC_SEED environment variable. */
export const FC_SEED = Number(process.env.FC_SEED ?? 20261124);

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/).filter((s) => s !== 'TRUE' && s !== 'FALSE');

/** Any TLA+ value TLC can print, nested a few levels deep. */
export const tlaValue: fc.Arbitrary<TlaValue> = fc.letrec<{ value: TlaValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.boolean().map((value): TlaValue => ({ kind: 'bool', value })),
    fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }).map((value): TlaValue => ({ kind: 'int', value })),
    fc.string({ maxLength: 6 }).map((value): TlaValue => ({ kind: 'str', value })),
    identifier.map((name): TlaValue => ({ kind: 'modelValue', name })),
    fc.array(tie('value'), { maxLength: 4 }).map((elements): TlaValue => ({ kind: 'set', elements })),
    fc.array(tie('value'), { maxLength: 4 }).map((elements): TlaValue => ({ kind: 'seq', elements })),
    fc
      .uniqueArray(fc.tuple(identifier, tie('value')), { minLength: 1, maxLength: 3, selector: ([k]) => k })
      .map((fields): TlaValue => ({ kind: 'record', fields: new Map(fields) })),
    fc
      .uniqueArray(fc.tuple(identifier.map((name): TlaValue => ({ kind: 'modelValue', name })), tie('value')), {
        minLength: 1,
        maxLength: 3,
        selector: ([k]) => (k as { name: string }).name,
      })
      .map((entries): TlaValue => ({ kind: 'fn', entries })),
  ),
})).value;
